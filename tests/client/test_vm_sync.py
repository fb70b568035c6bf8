"""Sync and status-bar view-models over the real sync engine and a real server.

The server is ``sync_server.create_app`` behind waitress on 127.0.0.1 (a free port per test,
``tests.sim.harness.LiveServer``); the device is a real ``LocalStore`` signed in through the real
login endpoint; visits are made through ``VisitFormVM`` with real JPEGs. ``RecordingSync`` (a
scripted stand-in) is used only where a state cannot be produced for real — see each test.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from client.localdb.store import LocalStore
from client.sync.api import Conflict, SyncErrorKind, SyncPhase, SyncProgress, SyncResult
from client.sync.engine import SyncEngine, engine_for
from client.sync.retry import RetryPolicy
from client.sync.session import login
from client.sync.transport import HttpTransport
from client.viewmodels.account import Account, account_from_login, save_account
from client.viewmodels.sync import StatusBarVM, SyncVM
from client.viewmodels.visit_form import VisitFormVM
from tests.client.vm_support import RecordingSync, complete_visit
from tests.sim.harness import PASSWORD, LiveServer, World, make_world, server_records

NO_WAIT = RetryPolicy(attempts=1, budget=0)  # fail fast: a down server is down


@dataclass
class Device:
    store: LocalStore
    account: Account
    server: LiveServer
    world: World

    def engine(self, **kw: object) -> SyncEngine:
        kw.setdefault("sleep", lambda _s: None)
        kw.setdefault("policy", NO_WAIT)
        return engine_for(self.store, **kw)

    def visit(self) -> str:
        """A display visit at rep1's first customer, through the form, saved on the device."""
        vm = complete_visit(VisitFormVM(self.store, self.account, "rep1-c0"))
        return vm.submit().visit_id


def sign_in(world: World, server: LiveServer, path: Path, username: str = "rep1") -> Device:
    store = LocalStore.open(path)
    answer = login(store, server.url, world.org_id, username, PASSWORD)
    account = account_from_login(server.url, world.org_id, username, answer)
    save_account(store, account)
    return Device(store, account, server, world)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[World, LiveServer]]:
    world = make_world(tmp_path / "server")
    server = LiveServer(world.app)
    try:
        yield world, server
    finally:
        server.stop()


@pytest.fixture
def device(live: tuple[World, LiveServer], tmp_path: Path) -> Iterator[Device]:
    world, server = live
    dev = sign_in(world, server, tmp_path / "phone" / "local.db")
    assert dev.engine().sync().ok  # the first sync brings the customers and the SOPs
    yield dev
    dev.store.close()


def test_a_successful_sync_reports_progress_records_and_bytes(device: Device) -> None:
    vid = device.visit()
    seen: list[SyncProgress] = []
    vm = SyncVM(device.store, device.engine())
    vm.on_change = lambda: seen.append(vm.progress)
    result = vm.run()
    assert result is not None and result.ok and result.pushed == 1
    phases = [p.phase for p in seen]
    assert SyncPhase.PUSHING in phases and SyncPhase.UPLOADING in phases
    uploads = [p for p in seen if p.phase is SyncPhase.UPLOADING]
    assert uploads[-1].bytes_total > 0 and uploads[-1].bytes_done == uploads[-1].bytes_total
    assert vm.progress.phase is SyncPhase.DONE
    assert vm.error_msg is None and not vm.running and vm.unsynced == 0
    assert vid in server_records(device.world, "visit")


def test_an_offline_sync_keeps_the_work_and_says_so_in_plain_words(device: Device) -> None:
    device.visit()
    device.server.stop()
    vm = SyncVM(device.store, device.engine())
    vm.run()
    assert vm.progress.phase is SyncPhase.FAILED
    assert vm.error is not None and vm.error.kind is SyncErrorKind.OFFLINE
    assert vm.error_msg is not None and vm.error_msg.text("zh").startswith("无法连接服务器")
    assert vm.unsynced == 1 and not vm.needs_update


class OldApp(HttpTransport):
    """This app as an old release would speak: a protocol version the server no longer takes."""

    def _headers(self, auth: bool, content_type: str | None) -> dict[str, str]:
        headers = super()._headers(auth, content_type)
        headers["X-Fieldledger-Protocol"] = "0"
        return headers


def test_a_version_not_supported_answer_asks_for_an_update_and_keeps_records(
    device: Device,
) -> None:
    device.visit()
    store = device.store
    old = SyncEngine(
        store, OldApp(device.server.url, lambda: store.get_meta("session.token")),
        sleep=lambda _s: None, policy=NO_WAIT,
    )  # fmt: skip
    vm = SyncVM(store, old)
    vm.run()
    assert vm.needs_update and vm.unsynced == 1
    assert vm.error_msg is not None and "升级" in vm.error_msg.text("zh")


def test_open_conflicts_are_listed_with_both_values(
    live: tuple[World, LiveServer], tmp_path: Path
) -> None:
    world, server = live
    a = sign_in(world, server, tmp_path / "a" / "local.db")
    b = sign_in(world, server, tmp_path / "b" / "local.db")
    try:
        for dev in (a, b):
            assert dev.engine().sync().ok
        for dev, value in ((a, "Gate A"), (b, "Gate B")):
            dev.store.edit_customer("rep1-c0", {"address": value})
            assert dev.engine().sync().ok
        vm = SyncVM(b.store, b.engine())
        vm.run()
        assert [(c.record_id, c.field) for c in vm.conflicts] == [("rep1-c0", "address")]
        conflict = vm.conflicts[0]
        assert "Gate B" in str(conflict.local_value) and "Gate A" in str(conflict.server_value)
    finally:
        a.store.close()
        b.store.close()


def test_sync_runs_in_the_background_and_only_one_at_a_time(device: Device) -> None:
    device.visit()
    gate = threading.Event()
    # the engine's own checkpoint hook holds the sync inside its first step until released
    engine = device.engine(checkpoint=lambda _name: gate.wait(10))
    vm = SyncVM(device.store, engine)
    assert vm.start()  # returns at once: the UI thread is not blocked
    deadline = time.monotonic() + 10
    while not vm.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert vm.running and vm.unsynced == 1  # held at the checkpoint, nothing pushed yet
    assert not vm.start()
    gate.set()
    vm.wait(30)
    assert vm.result is not None and vm.result.ok and vm.result.pushed == 1


def test_without_a_server_nothing_is_started(tmp_path: Path) -> None:
    with LocalStore.open(tmp_path / "d.db") as store:
        vm = SyncVM(store, None)
        assert not vm.start() and vm.run() is None and vm.load_status() is None


def test_the_status_bar_counts_pending_visits_and_photos_and_says_offline(
    device: Device,
) -> None:
    device.visit()
    device.server.stop()
    engine = device.engine()
    engine.sync()  # fails: the server is down
    bar = StatusBarVM(device.store, engine)
    bar.refresh()
    assert (bar.pending_visits, bar.pending_photos) == (1, 3)
    assert bar.online is False and bar.last_sync_at is not None
    assert (datetime.now(UTC) - bar.last_sync_at).total_seconds() < 120
    texts = [m.text("zh") for m in bar.texts()]
    assert texts == [
        "待同步 1 条拜访 · 3 张照片",
        f"上次同步 {bar.last_sync_at:%m-%d %H:%M}",
        "离线",
    ]
    assert [m.text("en") for m in StatusBarVM(device.store).texts()][1:] == [
        "Never synced",
        "Not connected",
    ]


def test_a_conflict_the_server_lists_is_shown_even_when_no_sync_ran_this_session(
    tmp_path: Path,
) -> None:
    """Stand-in kept: the state "status() reports an open conflict before any sync ran in this
    session" is about SyncVM.load_status reading the service, not about sync behaviour; the
    real engine's status() is covered by test_open_conflicts_are_listed_with_both_values."""
    from client.sync.api import SyncStatus

    conflict = Conflict(
        id="k1", record_type="customer", record_id="c1", field="phone", local_value="1",
        server_value="2", reason="same_field_edited", created_at=datetime(2024, 5, 6, tzinfo=UTC),
    )  # fmt: skip
    with LocalStore.open(tmp_path / "d.db") as store:
        vm = SyncVM(store, RecordingSync(SyncResult(), SyncStatus(open_conflicts=[conflict])))
        assert vm.load_status() is not None
        assert vm.conflicts == [conflict] and vm.error is None
