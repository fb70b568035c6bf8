"""What one sync run carries between its steps: the store, the retrying caller, counters,
progress reporting and the crash-test checkpoint."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from client.localdb.store import LocalStore
from client.sync.api import SyncPhase, SyncProgress
from client.sync.retry import Retrier
from client.sync.transport import Transport

T = TypeVar("T")
ProgressFn = Callable[[SyncProgress], None]


class Restart(Exception):
    """Start the sync over from hello (the server was restored while we were talking)."""


@dataclass
class Counters:
    pushed: int = 0
    pulled: int = 0
    uploaded_bytes: int = 0
    new_conflicts: int = 0
    rejected: int = 0
    requeued: int = 0
    reset: bool = False
    photo_errors: list[str] = field(default_factory=list)


@dataclass
class RunContext:
    store: LocalStore
    transport: Transport
    retrier: Retrier
    org_id: str
    on_progress: ProgressFn | None
    checkpoint: Callable[[str], None]
    push_batch: int
    pull_limit: int
    chunk_size: int
    epoch: str = ""
    counters: Counters = field(default_factory=Counters)

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        return self.retrier.call(fn, *args)

    def progress(
        self,
        phase: SyncPhase,
        records_done: int = 0,
        records_total: int = 0,
        bytes_done: int = 0,
        bytes_total: int = 0,
    ) -> None:
        if self.on_progress is None:
            return
        event = SyncProgress(phase, records_done, records_total, bytes_done, bytes_total)
        with contextlib.suppress(Exception):
            self.on_progress(event)
