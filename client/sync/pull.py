"""Hello (time anchor, restored-server detection) and paged pulls.

A restored server (docs/sync-protocol.md §8) is detected at hello when its epoch changed, when
it holds fewer of this device's changes than the device saw acknowledged, or when the device's
cursor is past the server's last position. The device then re-queues every change the server
lost (same seq, same ids: idempotent), asks again about every photo (the restored server may
lack bytes it had confirmed), forgets what it had downloaded and pulls from 0 — all decided in
one local transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from client.anchor import save_anchor
from client.sync.api import SyncPhase
from client.sync.context import Restart, RunContext
from client.sync.session import CURSOR_KEY, EPOCH_KEY
from client.sync.transport import ServerError
from shared.changes import IncomingChange

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


def _page_changes(raw: list[Any], cursor: int) -> list[IncomingChange]:
    changes = []
    for item in raw:
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


def pull_all(ctx: RunContext) -> None:
    store = ctx.store
    cursor = cursor_of(ctx)
    start = cursor
    resets = 0
    confirm, confirm_rounds = False, 0  # one more pull confirms delivery of ticket answers
    for _ in range(MAX_PAGES):
        try:
            page = ctx.call(ctx.transport.pull, cursor, ctx.pull_limit)
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
        with store.transaction() as tx:
            store.apply_pulled_changes(changes, org_id=ctx.org_id, cursor=next_cursor, tx=tx)
            ctx.checkpoint("pull.page_in_transaction")
        ctx.counters.pulled += len(changes)
        cursor = next_cursor
        total = max(_int(page.get("max_server_seq")) - start, cursor - start)
        ctx.progress(SyncPhase.PULLING, cursor - start, total)
        confirm = confirm or any(_awaits_confirmation(c) for c in changes)
        if not page.get("has_more"):
            if not confirm or confirm_rounds >= 2:
                return
            confirm, confirm_rounds = False, confirm_rounds + 1
            ctx.checkpoint("pull.confirm_delivery")
    raise ServerError(502, "pull_stalled", "the server never finished the pull")
