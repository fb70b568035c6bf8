"""The real sync server in-process (Flask test client over a temp SQLite file) and devices.

Used by the simulation, the stateful test and the client sync tests. Nothing is mocked: the
server is ``sync_server.create_app``; devices are real ``LocalStore`` files; the transport is
the engine's own ``JsonTransport`` with Flask's test client as the wire.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from client.capture import CaptureRequest, PhotoInput, capture_visit
from client.localdb.store import LocalStore
from client.sync.engine import SyncEngine
from client.sync.session import login
from client.sync.transport import JsonTransport, Reply
from shared.visits import GpsFix
from sync_server import admin_ops, create_app
from sync_server.runtime import WAITRESS_OPTIONS
from sync_server.storage.base import StorageBase
from tests.support.photos import make_jpeg

PASSWORD = "password-123"
FAST = {
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_KIB": 1024,
    "TESTING": True,
    "TARGETS_SCHEDULER": False,  # no background writes in the middle of a simulation
    "OCR_ENABLED": False,
}
STORE_LAT, STORE_LON = 22.5333, 113.9305


def server_config(root: Path, **extra: Any) -> dict[str, Any]:
    return {
        "DATABASE_URL": f"sqlite:///{root / 'server.db'}",
        "PHOTO_DIR": str(root / "photos"),
        **FAST,
        **extra,
    }


class FlaskTransport(JsonTransport):
    """The protocol through Flask's test client: the real server, no sockets."""

    def __init__(self, client: FlaskClient, token: Any = None) -> None:
        super().__init__(token)
        self.client = client
        self.sent: list[tuple[str, str]] = []

    def _send(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        params: dict[str, Any] | None = None,
        body: bytes | None = None,
    ) -> Reply:
        self.sent.append((method, path))
        resp = self.client.open(
            path, method=method, headers=headers, query_string=params, data=body
        )
        return Reply(resp.status_code, dict(resp.headers), resp.get_data())


@dataclass
class World:
    """One organisation on one server: two reps of team t1, a manager, customers."""

    root: Path
    app: Flask
    org_id: str = "acme"
    users: dict[str, str] = field(default_factory=dict)  # username -> user id
    customers: dict[str, list[str]] = field(default_factory=dict)  # username -> customer ids

    @property
    def storage(self) -> StorageBase:
        storage: StorageBase = self.app.extensions["fieldledger.storage"]
        return storage

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def cli(self, *args: str) -> str:
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return str(result.output)


def make_world(root: Path, *, customers_per_rep: int = 3, **config: Any) -> World:
    app = create_app(server_config(root, **config))
    world = World(root=root, app=app)
    storage = world.storage
    admin_ops.create_org(storage, world.org_id, "Acme")
    for name, role in (("rep1", "rep"), ("rep2", "rep"), ("mgr1", "manager")):
        user = admin_ops.create_user(storage, app.config, world.org_id, name, PASSWORD, role, "t1")
        world.users[name] = user.id
    rows = []
    for rep in ("rep1", "rep2"):
        world.customers[rep] = []
        for i in range(customers_per_rep):
            cid = f"{rep}-c{i}"
            world.customers[rep].append(cid)
            rows.append(
                {
                    "id": cid,
                    "name": f"Store {rep} {i}",
                    "address": f"Nanshan Ave {i}",
                    "lat": STORE_LAT,
                    "lon": STORE_LON,
                    "grade": "B",
                    "rep": rep,
                }
            )
    admin_ops.import_customers(storage, world.org_id, rows)
    return world


def new_device(world: World, path: Path, username: str) -> LocalStore:
    """A device database signed in as ``username`` through the real login endpoint."""
    store = LocalStore.open(path)
    login(
        store,
        "http://server.test",
        world.org_id,
        username,
        PASSWORD,
        transport=FlaskTransport(world.client()),
    )
    return store


def token_of(store: LocalStore) -> str:
    return store.get_meta("session.token") or ""


def engine_for(world: World, store: LocalStore, **kwargs: Any) -> SyncEngine:
    transport = FlaskTransport(world.client(), lambda: store.get_meta("session.token"))
    kwargs.setdefault("sleep", lambda _s: None)
    return SyncEngine(store, transport, **kwargs)


def capture(
    store: LocalStore, world: World, username: str, customer_id: str, seed: int, photos: int = 1
) -> str:
    """A visit through the real capture path, with real JPEGs; returns its id."""
    req = CaptureRequest(
        org_id=world.org_id,
        rep_id=world.users[username],
        customer_id=customer_id,
        action_type="replenishment",
        gps=GpsFix(lat=STORE_LAT, lon=STORE_LON, accuracy_m=10),
        photos=[
            PhotoInput(slot=f"p{i}", data=make_jpeg(160, 120, seed=seed * 10 + i))
            for i in range(photos)
        ],
        checklist={"stock_counted": True},
        result={"stock_count": seed % 50},
        notes=f"visit {seed}",
    )
    return capture_visit(store, req).visit.id


def server_records(world: World, record_type: str) -> dict[str, dict[str, Any]]:
    """Latest state of every live record of a type, straight from the server's database."""
    with world.storage._conn() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(
            "SELECT record_id, payload FROM records WHERE org_id = ? AND record_type = ?"
            " AND deleted = 0",
            (world.org_id, record_type),
        ).fetchall()
    return {r[0]: json.loads(r[1]) for r in rows}


def local_customers(store: LocalStore) -> dict[str, dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, data_json FROM customers").fetchall()
    return {r[0]: json.loads(r[1]) for r in rows}


def local_visit_ids(store: LocalStore) -> set[str]:
    with store.engine.connect() as conn:
        return {r[0] for r in conn.exec_driver_sql("SELECT id FROM visits").fetchall()}


def local_voided(store: LocalStore) -> set[str]:
    with store.engine.connect() as conn:
        return {r[0] for r in conn.exec_driver_sql("SELECT visit_id FROM visit_voids")}


def as_mapping(obj: Mapping[str, Any]) -> dict[str, Any]:
    return dict(obj)


class LiveServer:
    """The app behind waitress (the production WSGI server) on 127.0.0.1, a free port."""

    def __init__(self, app: Flask) -> None:
        import threading

        import waitress

        self.app = app
        self.server = waitress.create_server(
            app, host="127.0.0.1", port=0, threads=4, **WAITRESS_OPTIONS
        )
        self.port = int(self.server.effective_port)  # type: ignore[union-attr]
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        # stop() closes the sockets under the running loop: it then ends with OSError (EBADF)
        # or ValueError (a closed fd in select) — the normal way this server shuts down
        with contextlib.suppress(OSError, ValueError):
            self.server.run()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.close()
        self.thread.join(timeout=5)


def one_shot_session() -> Any:
    """A requests session that opens one connection per request (faults aim at one request)."""
    import requests

    session = requests.Session()
    session.headers["Connection"] = "close"
    return session
