"""What the UI and the CLI see of the sync engine (no Flet, no HTTP details).

The engine (``client/sync/engine.py``) implements :class:`SyncService`; view-models depend only
on this module, so the app can be tested with the real engine against a real local server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class SyncPhase(StrEnum):
    IDLE = "idle"
    CONNECTING = "connecting"
    PUSHING = "pushing"
    UPLOADING = "uploading"
    PULLING = "pulling"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class SyncProgress:
    phase: SyncPhase
    records_done: int = 0
    records_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0


class SyncErrorKind(StrEnum):
    OFFLINE = "offline"  # no route to the server: retry later, nothing lost
    AUTH_EXPIRED = "auth_expired"  # sign in again; the outbox is kept
    VERSION_NOT_SUPPORTED = "version_not_supported"  # update the app; the outbox is kept
    DEVICE_REVOKED = "device_revoked"  # the organisation's data is deleted from this device
    SERVER_ERROR = "server_error"  # the server failed; retried with backoff
    IN_PROGRESS = "in_progress"  # another sync is running
    LOCAL_ERROR = "local_error"  # this device's storage failed; nothing was lost


@dataclass(frozen=True)
class SyncError:
    kind: SyncErrorKind
    message_en: str
    message_zh: str

    def message(self, lang: str) -> str:
        return self.message_zh if lang.startswith("zh") else self.message_en


@dataclass(frozen=True)
class SyncResult:
    pushed: int = 0
    pulled: int = 0
    uploaded_bytes: int = 0
    new_conflicts: int = 0
    error: SyncError | None = None
    rejected: int = 0  # changes the server refused for good (kept, with the reason)
    requeued: int = 0  # acknowledged changes pushed again to a server restored from a backup
    reset: bool = False  # the device re-downloaded its data from the start

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Conflict:
    """A change the server did not take as sent, kept for a human to see and resolve."""

    id: str
    record_type: str
    record_id: str
    field: str
    local_value: str
    server_value: str
    reason: str  # e.g. "same_field_edited", "out_of_scope"
    created_at: datetime


@dataclass(frozen=True)
class SyncStatus:
    pending_visits: int = 0
    pending_photos: int = 0
    pending_changes: int = 0
    last_sync_at: datetime | None = None
    last_error: SyncError | None = None
    online: bool | None = None  # None: not tried yet
    open_conflicts: list[Conflict] = field(default_factory=list)
    rejected_changes: int = 0  # changes the server refused for good (see the CLI's status)


class SyncService(Protocol):
    def sync(self, on_progress: object | None = None) -> SyncResult:
        """Push the outbox, upload photos, pull pages. One at a time; never raises."""
        ...

    def status(self) -> SyncStatus: ...
