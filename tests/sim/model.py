"""Devices doing offline work and syncing through faults, and the invariants checked after.

Shared by the seeded simulation and the Hypothesis state machine.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from pathlib import Path

from client.localdb.store import LocalStore
from client.sync.api import SyncResult
from client.sync.engine import SyncEngine
from client.sync.retry import RetryPolicy
from shared.visits import Visit
from sync_server.storage.base import Scope
from tests.sim.faults import FaultPlan, FaultyTransport, SimulatedCrash
from tests.sim.harness import (
    World,
    capture,
    local_customers,
    local_visit_ids,
    local_voided,
    new_device,
    server_records,
)

EDITABLE = {
    "address": ["North gate", "South gate", "Mall level 2"],
    "grade": ["A", "B", "C"],
    "stock_warning": ["", "low on cola", "shelf empty"],
}


@dataclass
class Device:
    name: str
    username: str
    path: Path
    world: World
    plan: FaultPlan
    store: LocalStore = field(init=False)
    engine: SyncEngine = field(init=False)
    captured: set[str] = field(default_factory=set)
    cursors: list[int] = field(default_factory=list)
    crashes: int = 0
    results: list[SyncResult] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.store = new_device(self.world, self.path, self.username)
        self._make_engine()

    def _make_engine(self) -> None:
        transport = FaultyTransport(
            self.world.client(), lambda: self.store.get_meta("session.token"), self.plan
        )
        self.engine = SyncEngine(
            self.store,
            transport,
            sleep=lambda _s: None,
            rng=random.Random(self.plan.rng.random()),
            policy=RetryPolicy(attempts=3, budget=8),
            push_batch=3,
            pull_limit=4,
            chunk_size=4096,
            checkpoint=self._checkpoint,
        )

    def _checkpoint(self, name: str) -> None:
        """Between two steps of a sync: the rep may be editing at that moment (not inside the
        page transaction: the app's own write would wait for it), or the app may die."""
        if name != "pull.page_in_transaction" and self.plan.hit("edit@sync", self.plan.edit):
            self.edit(self.plan.rng)
        self.plan.checkpoint(name)

    def reopen(self) -> None:
        """The app restarts after being killed: a fresh store object on the same file."""
        self.store.close()
        self.store = LocalStore.open(self.path)
        self._make_engine()

    def cursor(self) -> int:
        return int(self.store.get_meta("sync.cursor") or 0)

    def sync(self) -> SyncResult | None:
        try:
            result = self.engine.sync()
            self.results.append(result)
        except SimulatedCrash:
            self.crashes += 1
            self.reopen()
            result = None
        self.cursors.append(self.cursor())
        return result

    # -- offline work -----------------------------------------------------------------------
    def my_customers(self) -> list[str]:
        return sorted(local_customers(self.store))

    def capture(self, rng: random.Random) -> None:
        customers = self.my_customers() or self.world.customers[self.username]
        customer = rng.choice(customers)
        if customer not in local_customers(self.store):
            return  # never pulled yet: the app would not offer it
        vid = capture(
            self.store,
            self.world,
            self.username,
            customer,
            rng.randrange(10**6),
            photos=rng.choice([0, 1, 1, 2]),
        )
        self.captured.add(vid)

    def void(self, rng: random.Random) -> None:
        candidates = sorted(local_visit_ids(self.store) - local_voided(self.store))
        if candidates:
            from datetime import UTC, datetime

            self.store.void_visit(
                rng.choice(candidates), "entered twice", voided_at=datetime.now(UTC)
            )

    def edit(self, rng: random.Random) -> None:
        customers = self.my_customers()
        if not customers:
            return
        cid = rng.choice(customers)
        name = rng.choice(sorted(EDITABLE))
        current = local_customers(self.store)[cid].get(name)
        choices = [v for v in EDITABLE[name] if v != current]
        self.store.edit_customer(cid, {name: rng.choice(choices)})


def settle(devices: list[Device], rounds: int = 4) -> None:
    """Faults off; everyone syncs until nothing is pending anywhere."""
    for d in devices:
        d.plan.enabled = False
    for _ in range(rounds):
        for d in devices:
            result = d.sync()
            assert result is not None and result.ok, (d.name, result)
    for d in devices:
        counts = d.store.pending_counts()
        assert counts == {"visits": 0, "photos": 0, "outbox": 0}, (d.name, counts)


def check_invariants(world: World, devices: list[Device]) -> None:
    server_visits = server_records(world, "visit")
    server_voids = server_records(world, "visit_void")
    server_customers = server_records(world, "customer")
    captured = set().union(*(d.captured for d in devices))
    # No loss, no duplicate: every visit saved on any device is on the server, once, as saved.
    assert set(server_visits) == captured
    for d in devices:
        for vid in d.captured:
            local = d.store.get_visit(vid).visit
            assert Visit.model_validate(server_visits[vid]) == local, vid
    voided_on_server = {v["visit_id"] for v in server_voids.values()}
    for d in devices:
        user = world.users[d.username]
        mine = {vid for vid, v in server_visits.items() if v["rep_id"] == user}
        # Convergence: the device holds exactly what its user may see, with the server's values.
        assert local_visit_ids(d.store) == mine, d.name
        assert local_voided(d.store) == mine & voided_on_server, d.name
        scope_customers = {
            cid: c for cid, c in server_customers.items() if cid in world.customers[d.username]
        }
        assert local_customers(d.store) == scope_customers, d.name
        # Nothing refused, everything acknowledged, photos verified on the server.
        assert d.store.rejected_entries() == [], d.name
        for vid in d.captured:
            for photo in d.store.get_visit(vid).photos:
                assert photo.uploaded, (d.name, vid)
                row = world.storage.get_upload(world.org_id, photo.stored_sha256)
                assert row is not None and row.complete
                blob = Path(world.app.config["PHOTO_DIR"]) / "blobs" / world.org_id
                data = (blob / photo.stored_sha256[:2] / photo.stored_sha256).read_bytes()
                assert hashlib.sha256(data).hexdigest() == photo.stored_sha256
        # Monotonic reads: the committed cursor never went back (no restore happened here).
        assert d.cursors == sorted(d.cursors), d.name
        # Visible conflicts: the device shows exactly the open conflicts of its user.
        scope = Scope(world.org_id, user, "rep", "t1")
        on_server = {c.id for c in world.storage.list_conflicts(scope, "open")}
        assert {c.id for c in d.engine.status().open_conflicts} == on_server, d.name
