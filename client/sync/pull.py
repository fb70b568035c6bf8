"""Hello (time anchor, restored-server detection) and paged pulls.

A restored server (docs/sync-protocol.md §8) is detected at hello when its epoch changed, when
it holds fewer of this device's changes than the device saw acknowledged, or when the device's
cursor is past the server's last position. The device then re-queues every change the server
lost (same seq, same ids: idempotent), asks again about every photo (the restored server may
lack bytes it had confirmed), forgets what it had downloaded and pulls from 0 — all decided in
one local transaction.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from client.anchor import save_anchor
from client.sync.api import SyncPhase
from client.sync.context import Restart, RunContext
from client.sync.session import CURSOR_KEY, EPOCH_KEY
from client.sync.transport import ServerError
from shared.changes import IncomingChange, Op, RecordType
from shared.trusted_models import trusted

MAX_PAGES = 1_000_000


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def cursor_of(ctx: RunContext) -> int:
    raw = ctx.store.get_meta(CURSOR_KEY)
    return int(raw) if raw and raw.isdigit() else 0


def hello(ctx: RunContext) -> dict[str, Any]:
    ctx.progress(SyncPhase.CONNECTING)
    answer = ctx.call(ctx.transport.hello)
    server_time = answer.get("server_time")
    if isinstance(server_time, str):
        save_anchor(ctx.store, datetime.fromisoformat(server_time))
    store = ctx.store
    epoch = str(answer.get("epoch") or "")
    device = answer.get("device") or {}
    device_max = _int(device.get("max_seq"))
    server_max = _int(answer.get("max_server_seq"))
    last_epoch = store.get_meta(EPOCH_KEY) or ""
    cursor = cursor_of(ctx)
    restored = (
        (bool(last_epoch) and last_epoch != epoch)
        or store.acked_max_seq() > device_max
        or cursor > server_max
    )
    ctx.epoch = epoch
    with store.transaction() as tx:
        if restored:
            ctx.counters.requeued += store.requeue_after(device_max, tx=tx)
            store.requeue_photo_uploads(tx=tx)
            store.wipe_pulled_data(ctx.org_id, tx=tx)
            store.set_meta(CURSOR_KEY, "0", tx=tx)
            ctx.counters.reset = True
        store.set_meta(EPOCH_KEY, epoch, tx=tx)
    ctx.checkpoint("hello.done")
    return answer


def _reset(ctx: RunContext) -> None:
    """Too far behind (tombstones purged): download everything again, keep the outbox."""
    with ctx.store.transaction() as tx:
        ctx.store.wipe_pulled_data(ctx.org_id, tx=tx)
        ctx.store.set_meta(CURSOR_KEY, "0", tx=tx)
    ctx.counters.reset = True


_FIELDS = frozenset(IncomingChange.model_fields)
_TYPES = {t.value: t for t in RecordType}
_OPS = {o.value: o for o in Op}


def _well_formed(item: Any) -> IncomingChange | None:
    """What ``IncomingChange.model_validate`` gives for the common, well-typed item, built
    without pydantic's pass (a full pull is tens of thousands of items); None: validate it."""
    if type(item) is not dict or not _FIELDS.issuperset(item):
        return None
    seq, rtype, rid, op = (
        item.get("server_seq"),
        item.get("record_type"),
        item.get("record_id"),
        item.get("op"),
    )
    payload, version, report = item.get("payload", {}), item.get("version", 1), item.get("report")
    if not (
        type(seq) is int
        and seq >= 1
        and type(rid) is str
        and type(payload) is dict
        and type(version) is int
        and (report is None or type(report) is dict or type(report) is str)
        and rtype in _TYPES
        and op in _OPS
    ):
        return None
    return trusted(
        IncomingChange,
        {"server_seq": seq, "record_type": _TYPES[rtype], "record_id": rid, "op": _OPS[op],
         "payload": payload, "version": version, "report": report},
    )  # fmt: skip


def _page_changes(raw: list[Any], cursor: int) -> list[IncomingChange]:
    changes = []
    for item in raw:
        change = _well_formed(item)
        if change is None:
            try:
                change = IncomingChange.model_validate(item)
            except ValidationError:
                continue  # a record type this app version does not know yet
        if change.server_seq > cursor:
            changes.append(change)
    return changes


def _awaits_confirmation(change: IncomingChange) -> bool:
    """A ticket carrying answers not yet confirmed delivered: the server confirms delivery when
    the next pull proves the device holds it (docs/sync-protocol.md §11)."""
    p = change.payload
    return (
        change.record_type.value == "ticket"
        and bool(p.get("answers"))
        and not p.get("delivered_at")
    )


class _PageSource:
    """Pages by cursor; with a transport that allows it (``prefetch_pulls``), the next page is
    requested while the current one is being applied, on one background thread.

    A pull's cursor tells the server what the device holds (ticket answers are confirmed
    delivered by it, protocol §11), so the caller prefetches only after a page that carries
    nothing awaiting that confirmation. A prefetched page that is not asked for (a reset, a
    restart, an error) is waited for and dropped.
    """

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        enabled = bool(getattr(ctx.transport, "prefetch_pulls", False))
        self._pool = ThreadPoolExecutor(1, "fieldledger-pull") if enabled else None
        self._ahead: tuple[int, Future[dict[str, Any]]] | None = None

    def _fetch(self, cursor: int) -> dict[str, Any]:
        return self._ctx.call(self._ctx.transport.pull, cursor, self._ctx.pull_limit)

    def prefetch(self, cursor: int) -> None:
        if self._pool is not None and self._ahead is None:
            self._ahead = (cursor, self._pool.submit(self._fetch, cursor))

    def get(self, cursor: int) -> dict[str, Any]:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            if ahead[0] == cursor:
                return ahead[1].result()
            _drop(ahead[1])
        return self._fetch(cursor)

    def close(self) -> None:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            _drop(ahead[1])
        if self._pool is not None:
            self._pool.shutdown(wait=True)


def _drop(future: Future[dict[str, Any]]) -> None:
    with contextlib.suppress(Exception):
        future.result()


def pull_all(ctx: RunContext) -> None:
    pages = _PageSource(ctx)
    try:
        _pull_pages(ctx, pages)
    finally:
        pages.close()


def _pull_pages(ctx: RunContext, pages: _PageSource) -> None:
    store = ctx.store
    cursor = cursor_of(ctx)
    start = cursor
    resets = 0
    confirm, confirm_rounds = False, 0  # one more pull confirms delivery of ticket answers
    for _ in range(MAX_PAGES):
        try:
            page = pages.get(cursor)
        except ServerError as exc:
            if exc.code == "reset_required" and resets < 2:
                resets += 1
                _reset(ctx)
                cursor = start = 0
                continue
            if exc.code == "cursor_ahead":
                raise Restart() from exc
            raise
        if ctx.epoch and page.get("epoch") and page["epoch"] != ctx.epoch:
            raise Restart()  # restored while we were pulling
        next_cursor = _int(page.get("next_cursor"), cursor)
        if next_cursor < cursor:
            raise ServerError(502, "bad_response", "the server's cursor went backwards")
        changes = _page_changes(page.get("changes") or [], cursor)
        ctx.checkpoint("pull.page_received")
        awaited = any(_awaits_confirmation(c) for c in changes)
        if page.get("has_more") and not awaited:
            pages.prefetch(next_cursor)
        with store.pull_transaction(durable=awaited) as tx:
            store.apply_pulled_changes(changes, org_id=ctx.org_id, cursor=next_cursor, tx=tx)
            ctx.checkpoint("pull.page_in_transaction")
        ctx.counters.pulled += len(changes)
        cursor = next_cursor
        total = max(_int(page.get("max_server_seq")) - start, cursor - start)
        ctx.progress(SyncPhase.PULLING, cursor - start, total)
        confirm = confirm or awaited
        if not page.get("has_more"):
            if not confirm or confirm_rounds >= 2:
                return
            confirm, confirm_rounds = False, confirm_rounds + 1
            ctx.checkpoint("pull.confirm_delivery")
    raise ServerError(502, "pull_stalled", "the server never finished the pull")
