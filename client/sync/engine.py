"""The sync engine: hello, push the outbox, upload photos, pull pages — one sync at a time.

``SyncEngine.sync`` never raises: every failure becomes ``SyncResult.error`` with plain words
in Chinese and English, and the outbox is kept whatever happens (except on a revoked device,
whose organisation data is deleted by policy). See docs/sync-client.md.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from client.localdb.store import LocalStore
from client.sync import messages
from client.sync.api import (
    Conflict,
    SyncError,
    SyncErrorKind,
    SyncPhase,
    SyncProgress,
    SyncResult,
    SyncStatus,
)
from client.sync.attachments import upload_attachments
from client.sync.context import Restart, RunContext
from client.sync.photos import upload_photos
from client.sync.pull import hello, pull_all
from client.sync.push import push_outbox
from client.sync.retry import Retrier, RetryPolicy
from client.sync.session import ORG_ID_KEY, ORG_KEY
from client.sync.transport import ConnectionFailed, ServerError, Transport
from shared.errors import FieldledgerError

LAST_SYNC_KEY = "sync.last_success_at"
LAST_ERROR_KEY = "sync.last_error"
ONLINE_KEY = "sync.online"
MAX_ROUNDS = 3  # restarts after a restore detected mid-sync


def _no_checkpoint(_name: str) -> None:
    return None


class SyncEngine:
    """Implements :class:`client.sync.api.SyncService` over a :class:`Transport`."""

    def __init__(
        self,
        store: LocalStore,
        transport: Transport,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        policy: RetryPolicy | None = None,
        push_batch: int = 500,
        pull_limit: int = 1000,
        chunk_size: int = 256 * 1024,
        checkpoint: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.transport = transport
        self.clock = clock
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.policy = policy or RetryPolicy()
        self.push_batch = push_batch
        self.pull_limit = pull_limit
        self.chunk_size = chunk_size
        self.checkpoint = checkpoint or _no_checkpoint
        self._lock = threading.Lock()
        self.last_retries = 0

    # -- SyncService -----------------------------------------------------------------------
    def sync(self, on_progress: object | None = None) -> SyncResult:
        if not self._lock.acquire(blocking=False):
            return SyncResult(error=messages.sync_error(SyncErrorKind.IN_PROGRESS))
        try:
            return self._sync(on_progress if callable(on_progress) else None)
        finally:
            self._lock.release()

    def status(self) -> SyncStatus:
        return read_status(self.store)

    # -- one run ---------------------------------------------------------------------------
    def _context(self, on_progress: Callable[[SyncProgress], None] | None) -> RunContext:
        org_id = self.store.get_meta(ORG_ID_KEY) or self.store.get_meta(ORG_KEY) or ""
        return RunContext(
            store=self.store,
            transport=self.transport,
            retrier=Retrier(self.policy, self.sleep, self.rng),
            org_id=org_id,
            on_progress=on_progress,
            checkpoint=self.checkpoint,
            push_batch=self.push_batch,
            pull_limit=self.pull_limit,
            chunk_size=self.chunk_size,
        )

    def _sync(self, on_progress: Callable[[SyncProgress], None] | None) -> SyncResult:
        ctx = self._context(on_progress)
        error: SyncError | None = None
        try:
            for round_ in range(MAX_ROUNDS):
                try:
                    self._cycle(ctx)
                    break
                except Restart:
                    if round_ == MAX_ROUNDS - 1:
                        raise ServerError(
                            409, "cursor_ahead", "the server keeps moving back"
                        ) from None
        except Exception as exc:
            error = self._failure(exc)
        self.last_retries = ctx.retrier.retries
        c = ctx.counters
        if error is None and c.photo_errors:
            error = messages.sync_error(
                SyncErrorKind.SERVER_ERROR,
                f"{len(c.photo_errors)} photo(s) not sent: {c.photo_errors[0]}",
                f"{len(c.photo_errors)} 张照片未能上传",
            )
        self._remember(error)
        ctx.progress(SyncPhase.FAILED if error else SyncPhase.DONE)
        return SyncResult(
            pushed=c.pushed,
            pulled=c.pulled,
            uploaded_bytes=c.uploaded_bytes,
            new_conflicts=c.new_conflicts,
            error=error,
            rejected=c.rejected,
            requeued=c.requeued,
            reset=c.reset,
        )

    def _cycle(self, ctx: RunContext) -> None:
        hello(ctx)
        push_outbox(ctx)
        upload_photos(ctx)
        upload_attachments(ctx)
        pull_all(ctx)
        self._refresh_conflicts(ctx)

    def _refresh_conflicts(self, ctx: RunContext) -> None:
        try:
            answer = ctx.call(ctx.transport.conflicts, "open")
        except (ConnectionFailed, ServerError) as exc:
            if isinstance(exc, ServerError) and exc.status in (401, 426):
                raise
            return  # conflicts from push outcomes are already recorded; refresh next time
        rows = answer.get("conflicts")
        if isinstance(rows, list):
            ctx.counters.new_conflicts += self.store.refresh_conflicts(
                [r for r in rows if isinstance(r, dict)]
            )

    def _failure(self, exc: Exception) -> SyncError:
        if isinstance(exc, ConnectionFailed):
            return messages.sync_error(SyncErrorKind.OFFLINE)
        if isinstance(exc, ServerError):
            return self._server_failure(exc)
        if isinstance(exc, FieldledgerError):
            return messages.sync_error(SyncErrorKind.LOCAL_ERROR, exc.message, exc.message_zh)
        return messages.sync_error(SyncErrorKind.LOCAL_ERROR, f"{type(exc).__name__}: {exc}")

    def _server_failure(self, exc: ServerError) -> SyncError:
        code = exc.code
        if code == "device_revoked":
            try:
                self.store.wipe_all_data()
            except (FieldledgerError, OSError) as exc2:  # tried again at the next contact
                return messages.sync_error(SyncErrorKind.LOCAL_ERROR, str(exc2))
            return messages.sync_error(SyncErrorKind.DEVICE_REVOKED)
        if exc.status == 401 or code == "account_disabled":
            return messages.sync_error(SyncErrorKind.AUTH_EXPIRED, exc.message, exc.message_zh)
        if code == "version_not_supported" or exc.status == 426:
            return messages.sync_error(SyncErrorKind.VERSION_NOT_SUPPORTED)
        return messages.sync_error(SyncErrorKind.SERVER_ERROR, str(exc), exc.message_zh)

    def _remember(self, error: SyncError | None) -> None:
        try:
            reached = error is None or error.kind not in (SyncErrorKind.OFFLINE,)
            if error is None or error.kind is not SyncErrorKind.DEVICE_REVOKED:
                self.store.set_meta(ONLINE_KEY, "1" if reached else "0")
            if error is None:
                self.store.set_meta(LAST_SYNC_KEY, self.clock().isoformat())
                self.store.set_meta(LAST_ERROR_KEY, "")
            else:
                self.store.set_meta(LAST_ERROR_KEY, _dump_error(error))
        except FieldledgerError:
            pass  # the local store failed: the result still carries the error


def read_status(store: LocalStore) -> SyncStatus:
    """What the status bar and ``fieldledger status`` show; local only (no network)."""
    counts = store.pending_counts()
    last = store.get_meta(LAST_SYNC_KEY)
    online = store.get_meta(ONLINE_KEY)
    return SyncStatus(
        pending_visits=counts["visits"],
        pending_photos=counts["photos"],
        pending_changes=counts["outbox"],
        last_sync_at=datetime.fromisoformat(last) if last else None,
        last_error=_load_error(store.get_meta(LAST_ERROR_KEY)),
        online=None if not online else online == "1",
        open_conflicts=[
            Conflict(
                id=c.id,
                record_type=c.record_type,
                record_id=c.record_id,
                field=c.field,
                local_value=c.local_value,
                server_value=c.server_value,
                reason=c.reason,
                created_at=c.created_at,
            )
            for c in store.conflicts()
        ],
        rejected_changes=len(store.rejected_entries()),
    )


def _dump_error(error: SyncError) -> str:
    return json.dumps(
        {"kind": error.kind.value, "en": error.message_en, "zh": error.message_zh},
        ensure_ascii=False,
    )


def _load_error(raw: str | None) -> SyncError | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return SyncError(SyncErrorKind(data["kind"]), data["en"], data["zh"])
    except (ValueError, KeyError, TypeError):
        return None


def engine_for(store: LocalStore, **kwargs: object) -> SyncEngine:
    """The engine of a signed-in device, talking HTTP to its server."""
    from client.sync.session import http_transport

    return SyncEngine(store, http_transport(store), **kwargs)  # type: ignore[arg-type]
