"""Sync and status-bar view-models.

The real sync engine (client/sync/engine.py) is being written at the same time: these tests use
``RecordingSync`` (tests/client/vm_support.py), a tiny class implementing the SyncService protocol
of client/sync/api.py, and will be switched to the real engine against a real server.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from client.localdb.store import LocalStore
from client.sync.api import (
    Conflict,
    SyncError,
    SyncErrorKind,
    SyncPhase,
    SyncProgress,
    SyncResult,
    SyncStatus,
)
from client.viewmodels.sync import StatusBarVM, SyncVM
from client.viewmodels.visit_form import VisitFormVM
from tests.client.vm_support import ACCOUNT, RecordingSync, complete_visit, seeded_store

OFFLINE = SyncError(SyncErrorKind.OFFLINE, "The server cannot be reached.", "连不上服务器。")
TOO_OLD = SyncError(SyncErrorKind.VERSION_NOT_SUPPORTED, "Please update the app.", "请更新应用。")
CONFLICT = Conflict(
    id="k1", record_type="customer", record_id="c1", field="phone", local_value="1",
    server_value="2", reason="same_field_edited", created_at=datetime(2024, 5, 6, tzinfo=UTC),
)  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = seeded_store(tmp_path)
    yield s
    s.close()


def test_a_successful_sync_reports_progress_records_and_bytes(store: LocalStore) -> None:
    seen: list[SyncProgress] = []
    vm = SyncVM(store, RecordingSync(SyncResult(pushed=2, pulled=5)))
    vm.on_change = lambda: seen.append(vm.progress)
    result = vm.run()
    assert result is not None and result.ok
    assert SyncProgress(SyncPhase.UPLOADING, 2, 2, 400, 400) in seen
    assert vm.progress.phase is SyncPhase.DONE and vm.progress.bytes_done == 400
    assert vm.error_msg is None and not vm.running


def test_an_offline_sync_keeps_the_work_and_says_so_in_plain_words(store: LocalStore) -> None:
    complete_visit(VisitFormVM(store, ACCOUNT, "c1")).submit()
    vm = SyncVM(store, RecordingSync(SyncResult(error=OFFLINE)))
    vm.run()
    assert vm.progress.phase is SyncPhase.FAILED
    assert vm.error_msg is not None and vm.error_msg.text("zh") == "连不上服务器。"
    assert vm.unsynced == 1 and not vm.needs_update


def test_a_version_not_supported_answer_asks_for_an_update_and_keeps_records(
    store: LocalStore,
) -> None:
    complete_visit(VisitFormVM(store, ACCOUNT, "c1")).submit()
    vm = SyncVM(store, RecordingSync(SyncResult(error=TOO_OLD)))
    vm.run()
    assert vm.needs_update and vm.unsynced == 1


def test_open_conflicts_are_listed(store: LocalStore) -> None:
    vm = SyncVM(store, RecordingSync(SyncResult(), SyncStatus(open_conflicts=[CONFLICT])))
    vm.run()
    assert vm.conflicts == [CONFLICT]


def test_sync_runs_in_the_background_and_only_one_at_a_time(store: LocalStore) -> None:
    gate = threading.Event()

    class Slow(RecordingSync):
        def sync(self, on_progress: object | None = None) -> SyncResult:
            gate.wait(5)
            return super().sync(on_progress)

    service = Slow(SyncResult(pushed=1))
    vm = SyncVM(store, service)
    assert vm.start()  # returns at once: the UI thread is not blocked
    assert not vm.start()
    gate.set()
    vm.wait(5)
    assert service.calls == 1 and vm.result is not None and vm.result.pushed == 1


def test_without_a_server_nothing_is_started(store: LocalStore) -> None:
    vm = SyncVM(store, None)
    assert not vm.start() and vm.run() is None and vm.load_status() is None


def test_the_status_bar_counts_pending_visits_and_photos(store: LocalStore) -> None:
    complete_visit(VisitFormVM(store, ACCOUNT, "c1")).submit()
    when = datetime(2024, 5, 6, 9, 30, tzinfo=UTC)
    bar = StatusBarVM(
        store, RecordingSync(SyncResult(), SyncStatus(last_sync_at=when, online=False))
    )
    bar.refresh()
    assert (bar.pending_visits, bar.pending_photos) == (1, 3)
    texts = [m.text("zh") for m in bar.texts()]
    assert texts == ["待同步 1 条拜访 · 3 张照片", "上次同步 05-06 09:30", "离线"]
    assert [m.text("en") for m in StatusBarVM(store).texts()][1:] == [
        "Never synced",
        "Not connected",
    ]
