"""When the app syncs by itself (docs/app.md "Background sync").

A rep saves visits with no signal and walks out to the car park: the app must reconcile them
when a link appears, without a tap. The schedule is plain arithmetic over a monotonic clock;
the shell asks it every second whether a sync is due (``Shell.auto_sync_tick``):

- a little after local work is saved (the outbox grew): ``after_change_s``;
- after a failed sync, again with growing pauses (``retry_s``, the last one repeated): nothing
  is lost meanwhile, the outbox keeps every change;
- otherwise every ``idle_s``, to pull what others changed;
- never by itself after an error only the rep can clear (sign in again, update the app): the
  next manual sync or sign-in resumes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from client.sync.api import SyncError, SyncErrorKind, SyncResult

# errors a retry cannot fix: the rep must act (the status bar and the sync screen say how)
NEEDS_THE_REP = frozenset(
    {
        SyncErrorKind.AUTH_EXPIRED,
        SyncErrorKind.VERSION_NOT_SUPPORTED,
        SyncErrorKind.DEVICE_REVOKED,
    }
)


@dataclass
class SyncSchedule:
    after_change_s: float = 3.0
    idle_s: float = 300.0
    retry_s: tuple[float, ...] = (15.0, 30.0, 60.0, 120.0, 300.0)
    next_at: float = math.inf
    failures: int = 0
    paused: bool = False  # an error only the rep can clear
    _pending: int = 0
    _seen: SyncResult | None = None

    def start(self, now: float) -> None:
        """The app is up (it syncs at start by itself): the next idle sync is due later."""
        self.next_at = now + self.idle_s

    def observe(self, now: float, pending: int) -> None:
        """The outbox holds ``pending`` entries now: a new one makes a sync due soon."""
        if pending > self._pending:
            self.next_at = min(self.next_at, now + self.after_change_s)
        self._pending = pending

    def finished(self, now: float, result: SyncResult | None) -> None:
        """A sync ended (started by the schedule or by the rep): plan the next one. The same
        result seen again changes nothing."""
        if result is None or result is self._seen:
            return
        self._seen = result
        error: SyncError | None = result.error
        if error is None:
            self.failures, self.paused = 0, False
            self.next_at = now + self.idle_s
        elif error.kind in NEEDS_THE_REP:
            self.paused, self.next_at = True, math.inf
        elif error.kind is SyncErrorKind.IN_PROGRESS:
            self.next_at = now + self.after_change_s  # another one ran: look again soon
        else:
            self.failures += 1
            self.next_at = now + self.retry_s[min(self.failures, len(self.retry_s)) - 1]

    def due(self, now: float) -> bool:
        return not self.paused and now >= self.next_at

    def resume(self, now: float) -> None:
        """The rep signed in again: sync soon, as after a change."""
        self.paused, self.failures = False, 0
        self.next_at = now + self.after_change_s
