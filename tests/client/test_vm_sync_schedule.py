"""When the app syncs by itself: after local work, after failures with growing pauses, idle."""

from __future__ import annotations

import math

from client.sync.api import SyncError, SyncErrorKind, SyncResult
from client.viewmodels.sync_schedule import SyncSchedule


def failed(kind: SyncErrorKind) -> SyncResult:
    return SyncResult(error=SyncError(kind, "x", "x"))


def schedule() -> SyncSchedule:
    s = SyncSchedule(after_change_s=3, idle_s=300, retry_s=(15, 30, 60))
    s.start(0)
    return s


def test_a_newly_saved_change_makes_a_sync_due_a_few_seconds_later() -> None:
    s = schedule()
    s.observe(10, pending=0)
    assert not s.due(12)
    s.observe(12, pending=1)
    assert not s.due(14.9)
    assert s.due(15)


def test_an_unchanged_or_shrinking_outbox_makes_nothing_due() -> None:
    s = schedule()
    s.observe(1, pending=2)  # the first look: work from before the app started
    s.finished(5, SyncResult())
    s.observe(6, pending=2)
    s.observe(7, pending=1)
    assert not s.due(100)
    assert s.due(305)  # the idle sync


def test_failures_are_retried_with_growing_pauses_and_a_success_resets_them() -> None:
    s = schedule()
    at = 0.0
    pauses = []
    for _ in range(4):
        s.finished(at, failed(SyncErrorKind.OFFLINE))
        pauses.append(s.next_at - at)
        at = s.next_at
    assert pauses == [15, 30, 60, 60]  # the last pause repeats
    s.finished(at, SyncResult(pushed=3))
    assert s.failures == 0 and s.next_at == at + 300


def test_the_same_result_seen_twice_is_one_sync() -> None:
    s = schedule()
    result = failed(SyncErrorKind.SERVER_ERROR)
    s.finished(0, result)
    s.finished(10, result)
    assert s.failures == 1 and s.next_at == 15


def test_errors_only_the_rep_can_clear_stop_the_schedule_until_they_sign_in() -> None:
    for kind in (SyncErrorKind.AUTH_EXPIRED, SyncErrorKind.VERSION_NOT_SUPPORTED):
        s = schedule()
        s.finished(0, failed(kind))
        s.observe(1, pending=5)
        assert s.paused and not s.due(10_000)
        s.resume(20)
        assert not s.paused and s.due(23)


def test_a_sync_already_running_elsewhere_is_looked_at_again_soon() -> None:
    s = schedule()
    s.finished(50, failed(SyncErrorKind.IN_PROGRESS))
    assert s.failures == 0 and s.next_at == 53


def test_nothing_is_due_before_the_app_has_started_its_schedule() -> None:
    assert SyncSchedule().next_at == math.inf
    assert not SyncSchedule().due(1e12)
