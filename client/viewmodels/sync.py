"""Sync in the background: progress, plain-word errors, conflicts; the status bar's figures."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from client.i18n import Msg
from client.localdb.store import LocalStore
from client.sync.api import (
    Conflict,
    SyncError,
    SyncErrorKind,
    SyncPhase,
    SyncProgress,
    SyncResult,
    SyncService,
    SyncStatus,
)

log = logging.getLogger("fieldledger.sync")


def error_text(error: SyncError) -> Msg:
    return Msg.raw(error.message_zh, error.message_en)


@dataclass
class StatusBarVM:
    """Pending visits/photos, last sync, online/offline — shown on every screen."""

    store: LocalStore
    sync: SyncService | None = None
    pending_visits: int = 0
    pending_photos: int = 0
    last_sync_at: datetime | None = None
    online: bool | None = None

    def refresh(self) -> None:
        counts = self.store.pending_counts()
        self.pending_visits, self.pending_photos = counts["visits"], counts["photos"]
        if self.sync is not None:
            st = self.sync.status()
            self.last_sync_at, self.online = st.last_sync_at, st.online

    def texts(self) -> list[Msg]:
        when = (
            Msg("status.last_sync", {"when": self.last_sync_at.strftime("%m-%d %H:%M")})
            if self.last_sync_at
            else Msg("status.never")
        )
        net = {True: "status.online", False: "status.offline", None: "status.unknown"}
        return [
            Msg("status.pending", {"visits": self.pending_visits, "photos": self.pending_photos}),
            when,
            Msg(net[self.online]),
        ]


@dataclass
class SyncVM:
    """Runs one sync at a time off the UI thread; ``on_change`` is called from that thread."""

    store: LocalStore
    service: SyncService | None
    on_change: Callable[[], None] = lambda: None
    running: bool = False
    progress: SyncProgress = field(default_factory=lambda: SyncProgress(SyncPhase.IDLE))
    result: SyncResult | None = None
    error: SyncError | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    after_sync: Callable[[SyncResult], None] | None = None  # in the sync thread, on success
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def needs_update(self) -> bool:
        return self.error is not None and self.error.kind is SyncErrorKind.VERSION_NOT_SUPPORTED

    @property
    def unsynced(self) -> int:
        return self.store.pending_counts()["outbox"]

    def load_status(self) -> SyncStatus | None:
        if self.service is None:
            return None
        st = self.service.status()
        self.conflicts = list(st.open_conflicts)
        if self.error is None:
            self.error = st.last_error
        return st

    def _on_progress(self, p: SyncProgress) -> None:
        # the final DONE/FAILED report may carry no counts: keep the last ones seen
        if not (p.records_total or p.bytes_total) and p.phase in (SyncPhase.DONE, SyncPhase.FAILED):
            prev = self.progress
            p = SyncProgress(
                p.phase, prev.records_done, prev.records_total, prev.bytes_done, prev.bytes_total
            )
        elif not p.bytes_total and self.progress.bytes_total and p.phase is SyncPhase.PULLING:
            prev = self.progress  # keep the photo bytes shown while pulling
            p = SyncProgress(
                p.phase, p.records_done, p.records_total, prev.bytes_done, prev.bytes_total
            )
        self.progress = p
        self.on_change()

    def run(self) -> SyncResult | None:
        """One sync, in the calling thread (the background thread calls this)."""
        if self.service is None:
            return None
        with self._lock:
            if self.running:
                return None
            self.running = True
        self.error = None
        self.progress = SyncProgress(SyncPhase.CONNECTING)
        self.on_change()
        try:
            result = self.service.sync(self._on_progress)
            if result.error is None and self.after_sync is not None:
                self.after_sync(result)  # e.g. download delivered materials (client/materials.py)
        finally:
            self.running = False
        self.result = result
        self.error = result.error
        if result.error is not None:  # the app's log says why, for whoever reads it later
            offline = result.error.kind is SyncErrorKind.OFFLINE  # a field app's normal state
            log.log(
                logging.INFO if offline else logging.WARNING,
                "sync failed (%s): %s",
                result.error.kind,
                result.error.message_en,
            )
        phase = SyncPhase.FAILED if result.error else SyncPhase.DONE
        self.progress = SyncProgress(
            phase, self.progress.records_done, self.progress.records_total,
            self.progress.bytes_done, self.progress.bytes_total,
        )  # fmt: skip
        self.load_status()
        self.error = result.error
        self.on_change()
        return result

    def start(self) -> bool:
        """Start a sync in a daemon thread; False when one is already running."""
        if self.service is None or self.running or (self._thread and self._thread.is_alive()):
            return False
        self._thread = threading.Thread(target=self.run, name="fieldledger-sync", daemon=True)
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def error_msg(self) -> Msg | None:
        return error_text(self.error) if self.error else None
