"""The hard cases: restored server, expired token, refused change, tombstone horizon, old app
version, revoked device, two syncs at once. Real server (in-process or behind waitress)."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from client.localdb.store import LocalStore
from client.sync.api import SyncErrorKind
from client.sync.engine import SyncEngine
from client.sync.session import TOKEN_KEY, login
from client.sync.transport import HttpTransport
from shared.validation.report import ValidationReport
from shared.visits import Visit
from sync_server import create_app
from sync_server.sync.orgdata import upsert_customers
from tests.sim.harness import (
    PASSWORD,
    FlaskTransport,
    LiveServer,
    World,
    capture,
    engine_for,
    local_customers,
    local_visit_ids,
    make_world,
    new_device,
    server_config,
    server_records,
)


def expire_tokens(world: World) -> None:
    with world.storage._conn() as conn:  # type: ignore[attr-defined]
        conn.execute("UPDATE tokens SET expires_at = ?", (time.time() - 1,))


def test_a_token_expiring_mid_sync_stops_with_auth_expired_and_keeps_the_outbox(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    store = new_device(world, tmp_path / "d.db", "rep1")
    assert engine_for(world, store).sync().ok
    vid = capture(store, world, "rep1", "rep1-c0", seed=1, photos=1)

    def expire_after_push(step: str) -> None:
        if step == "push.applied":
            expire_tokens(world)

    result = engine_for(world, store, checkpoint=expire_after_push).sync()
    assert result.error is not None and result.error.kind is SyncErrorKind.AUTH_EXPIRED
    assert "登录" in result.error.message_zh
    assert store.pending_counts() == {"visits": 0, "photos": 1, "outbox": 0}
    status = engine_for(world, store).status()
    assert status.last_error is not None and status.last_error.kind is SyncErrorKind.AUTH_EXPIRED
    # Signing in again carries on where it stopped.
    login(store, "http://x.test", world.org_id, "rep1", PASSWORD,
          transport=FlaskTransport(world.client()))  # fmt: skip
    again = engine_for(world, store).sync()
    assert again.ok, again
    assert store.pending_counts() == {"visits": 0, "photos": 0, "outbox": 0}
    assert vid in server_records(world, "visit")


def test_a_permanently_invalid_change_is_kept_with_its_reason_and_does_not_wedge_the_queue(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    store = new_device(world, tmp_path / "d.db", "rep1")
    assert engine_for(world, store).sync().ok
    bad = Visit.model_validate(
        {
            "id": "bad-visit-1", "org_id": world.org_id, "customer_id": "no-such-store",
            "rep_id": world.users["rep1"], "action_type": "replenishment",
            "device_time": datetime.now(UTC).isoformat(),
        }
    )  # fmt: skip
    store.save_visit(bad, ValidationReport(visit_id=bad.id, results=()), [])
    good = capture(store, world, "rep1", "rep1-c0", seed=2, photos=0)
    engine = engine_for(world, store)
    result = engine.sync()
    assert result.ok, result
    assert result.rejected == 1 and result.pushed == 1
    assert set(server_records(world, "visit")) == {good}
    assert store.pending_counts()["outbox"] == 0
    [refused] = store.rejected_entries()
    assert refused.record_id == "bad-visit-1"
    assert "unknown_customer" in refused.last_error and "payload.customer_id" in refused.last_error
    assert engine.status().rejected_changes == 1
    assert engine.sync().pushed == 0  # never sent again


def test_a_device_offline_past_the_tombstone_horizon_downloads_again_and_keeps_its_outbox(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    store = new_device(world, tmp_path / "d.db", "rep1")
    assert engine_for(world, store).sync().ok
    assert "rep1-c2" in local_customers(store)
    # While the phone is offline: the customer moves to rep2, and the tombstones are purged.
    moved = world.storage.get_record(world.org_id, "customer", "rep1-c2")
    assert moved is not None
    from shared.customers import Customer

    rep2 = world.storage.find_user(world.org_id, "rep2")
    upsert_customers(world.storage, world.org_id, [(Customer.model_validate(moved.payload), rep2)])
    world.cli("purge-tombstones", world.org_id, "--older-than", "0")
    vid = capture(store, world, "rep1", "rep1-c0", seed=3, photos=1)
    store.edit_customer("rep1-c1", {"grade": "A"})
    result = engine_for(world, store).sync()
    assert result.ok, result
    assert result.reset
    assert set(local_customers(store)) == {"rep1-c0", "rep1-c1"}  # the moved one is gone
    assert local_customers(store)["rep1-c1"]["grade"] == "A"
    assert vid in server_records(world, "visit") and vid in local_visit_ids(store)
    assert store.pending_counts() == {"visits": 0, "photos": 0, "outbox": 0}


def test_a_reset_while_an_edit_is_still_unsent_shows_the_edit_on_the_downloaded_copy(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    store = new_device(world, tmp_path / "d.db", "rep1")
    assert engine_for(world, store).sync().ok
    store.edit_customer("rep1-c0", {"address": "Pending street 1"})
    with store.transaction() as tx:  # what the reset path does, with the edit unsent
        store.wipe_pulled_data(world.org_id, tx=tx)
        store.set_meta("sync.cursor", "0", tx=tx)
    assert "rep1-c0" not in local_customers(store)
    # Pull only (no push yet): the edit is replayed on the downloaded copy.
    from client.sync import pull
    from client.sync.context import RunContext
    from client.sync.retry import Retrier, RetryPolicy

    engine = engine_for(world, store)
    ctx = RunContext(store, engine.transport, Retrier(RetryPolicy(), lambda s: None, engine.rng),
                     world.org_id, None, lambda s: None, 10, 10, 4096)  # fmt: skip
    pull.pull_all(ctx)
    assert local_customers(store)["rep1-c0"]["address"] == "Pending street 1"
    assert server_records(world, "customer")["rep1-c0"]["address"] != "Pending street 1"
    assert engine.sync().ok
    assert server_records(world, "customer")["rep1-c0"]["address"] == "Pending street 1"


class OldApp(FlaskTransport):
    def _headers(self, auth: bool, content_type: str | None) -> dict[str, str]:
        headers = super()._headers(auth, content_type)
        headers["X-Fieldledger-Protocol"] = "0"
        return headers


def test_an_app_too_old_for_the_server_is_told_to_update_and_keeps_its_outbox(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    store = new_device(world, tmp_path / "d.db", "rep1")
    assert engine_for(world, store).sync().ok
    capture(store, world, "rep1", "rep1-c0", seed=4, photos=0)
    old = SyncEngine(store, OldApp(world.client(), lambda: store.get_meta(TOKEN_KEY)))
    result = old.sync()
    assert result.error is not None
    assert result.error.kind is SyncErrorKind.VERSION_NOT_SUPPORTED
    assert "升级" in result.error.message_zh and "Update the app" in result.error.message_en
    assert store.pending_counts()["outbox"] == 1


def test_a_revoked_device_deletes_the_organisations_data_and_must_enrol_again(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    store = new_device(world, tmp_path / "d.db", "rep1")
    engine = engine_for(world, store)
    assert engine.sync().ok
    capture(store, world, "rep1", "rep1-c0", seed=5, photos=1)
    old_id = store.device_id
    world.cli("revoke-device", world.org_id, old_id)
    result = engine.sync()
    assert result.error is not None and result.error.kind is SyncErrorKind.DEVICE_REVOKED
    assert local_customers(store) == {} and local_visit_ids(store) == set()
    assert store.outbox_entries() == [] and list(store.blobs.all_hashes()) == []
    assert store.get_meta(TOKEN_KEY) is None
    reopened = LocalStore.open(store.path)
    assert reopened.device_id == store.device_id != old_id
    reopened.close()
    # Enrolling again (a new device id) works.
    login(store, "http://x.test", world.org_id, "rep1", PASSWORD,
          transport=FlaskTransport(world.client()))  # fmt: skip
    assert engine_for(world, store).sync().ok
    assert set(local_customers(store)) == set(world.customers["rep1"])


class SlowHello(FlaskTransport):
    def __init__(self, *args: object, gate: threading.Event) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.gate = gate
        self.entered = threading.Event()

    def hello(self) -> dict[str, object]:
        self.entered.set()
        self.gate.wait(10)
        return super().hello()


def test_a_second_sync_while_one_runs_returns_in_progress_at_once(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    store = new_device(world, tmp_path / "d.db", "rep1")
    gate = threading.Event()
    transport = SlowHello(world.client(), lambda: store.get_meta(TOKEN_KEY), gate=gate)
    engine = SyncEngine(store, transport)
    results = []
    worker = threading.Thread(target=lambda: results.append(engine.sync()))
    worker.start()
    assert transport.entered.wait(5)
    second = engine.sync()
    gate.set()
    worker.join(10)
    assert second.error is not None and second.error.kind is SyncErrorKind.IN_PROGRESS
    assert results and results[0].ok


def test_a_server_restored_from_an_older_backup_gets_back_what_it_lost(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    phone = new_device(world, tmp_path / "phone.db", "rep1")
    tablet = new_device(world, tmp_path / "tablet.db", "rep1")
    e_phone, e_tablet = engine_for(world, phone), engine_for(world, tablet)
    assert e_phone.sync().ok
    first = capture(phone, world, "rep1", "rep1-c0", seed=6, photos=1)
    assert e_phone.sync().ok
    world.cli("backup", str(tmp_path / "backup.db"))
    lost = [capture(phone, world, "rep1", "rep1-c1", seed=7 + i, photos=1) for i in range(2)]
    phone.edit_customer("rep1-c2", {"grade": "A"})
    assert e_phone.sync().ok and e_tablet.sync().ok
    assert set(local_visit_ids(tablet)) == {first, *lost}
    world.cli("restore", str(tmp_path / "backup.db"))
    assert set(server_records(world, "visit")) == {first}  # the server forgot two visits
    result = e_phone.sync()
    assert result.ok, result
    assert result.requeued == 3 and result.reset
    assert set(server_records(world, "visit")) == {first, *lost}
    assert server_records(world, "customer")["rep1-c2"]["grade"] == "A"
    assert e_tablet.sync().ok
    for store in (phone, tablet):
        assert local_visit_ids(store) == {first, *lost}
        assert local_customers(store) == {
            k: v for k, v in server_records(world, "customer").items() if k.startswith("rep1")
        }
    for vid in lost:  # photo bytes were lost too: sent again
        sha = phone.get_visit(vid).photos[0].stored_sha256
        row = world.storage.get_upload(world.org_id, sha)
        assert row is not None and row.complete


def test_a_server_database_file_put_back_while_stopped_is_detected_without_an_epoch_change(
    tmp_path: Path,
) -> None:
    """The crude restore: the SQLite file copied back by hand (same epoch). The device sees
    that the server holds fewer of its changes than it had acknowledged."""
    root = tmp_path / "server"
    world = make_world(root)
    db = root / "server.db"
    server = LiveServer(world.app)
    store = LocalStore.open(tmp_path / "d.db")
    try:
        login(store, server.url, world.org_id, "rep1", PASSWORD)
        transport = HttpTransport(server.url, lambda: store.get_meta(TOKEN_KEY))
        engine = SyncEngine(store, transport, sleep=lambda s: None)
        assert engine.sync().ok
        kept = capture(store, world, "rep1", "rep1-c0", seed=10, photos=0)
        assert engine.sync().ok
        server.stop()
        world.storage.close()
        shutil.copy(db, tmp_path / "copy.db")
        server = LiveServer(world.app)
        lost = capture(store, world, "rep1", "rep1-c1", seed=11, photos=0)
        assert engine.sync().ok
        server.stop()
        world.storage.close()
        shutil.copy(tmp_path / "copy.db", db)
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        app = create_app(server_config(root))
        server = LiveServer(app)
        transport.base_url = server.url
        fresh = World(root=root, app=app, org_id=world.org_id, users=world.users)
        assert set(server_records(fresh, "visit")) == {kept}
        result = engine.sync()
        assert result.ok, result
        assert result.requeued == 1
        assert set(server_records(fresh, "visit")) == {kept, lost}
        transport.close()
    finally:
        server.stop()
        store.close()
