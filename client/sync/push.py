"""Pushing the outbox in batches and applying the server's per-change outcomes.

Every answered entry leaves the queue in ONE local transaction with its effects: ``applied`` and
``duplicate`` are acknowledged; ``rejected`` is marked processed with the server's reason kept
(the queue never wedges on a change that can never apply); ``conflict`` is acknowledged and
recorded as a conflict the rep sees. Entries stay in the store after acknowledgement, so a
server restored from an older backup can be given them again.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from client.localdb.outbox import OutboxEntry
from client.sync.api import SyncPhase
from client.sync.context import RunContext
from client.sync.transport import ServerError
from shared.changes import ChangeOutcome, OutcomeStatus, RecordType


def push_outbox(ctx: RunContext) -> None:
    store = ctx.store
    total = store.pending_counts()["outbox"]
    done = 0
    batch = ctx.push_batch
    rounds = 0
    ctx.progress(SyncPhase.PUSHING, 0, total)
    while True:
        entries = store.pending_changes(limit=batch)
        if not entries:
            break
        rounds += 1
        if rounds > total // max(1, batch) + 50:
            raise ServerError(502, "push_stalled", "the server keeps leaving changes unanswered")
        body = [e.to_change().model_dump(mode="json") for e in entries]
        ctx.checkpoint("push.before_send")
        try:
            answer = ctx.call(ctx.transport.push, body)
        except ServerError as exc:
            if exc.status == 413 and batch > 1:
                batch = max(1, batch // 2)  # the server takes smaller requests
                continue
            raise
        ctx.checkpoint("push.answered")
        done += apply_outcomes(ctx, entries, answer)
        ctx.checkpoint("push.applied")
        ctx.progress(SyncPhase.PUSHING, done, max(total, done))


def _outcomes(answer: dict[str, Any]) -> dict[int, ChangeOutcome]:
    found: dict[int, ChangeOutcome] = {}
    for raw in answer.get("outcomes") or []:
        try:
            outcome = ChangeOutcome.model_validate(raw)
        except ValidationError:
            continue
        found[outcome.seq] = outcome
    return found


def _error_text(o: ChangeOutcome) -> str:
    zh = o.details.get("message_zh") or ""
    field = o.details.get("field")
    where = f" [{field}]" if field else ""
    return f"{o.code}{where}: {o.message or ''} / {zh}".strip()


def _local_value(entry: OutboxEntry, field: str) -> Any:
    if entry.record_type == RecordType.CUSTOMER.value and entry.op == "update":
        fields = entry.payload.get("fields") or {}
        return fields.get(field, fields) if field else fields
    return entry.payload


def apply_outcomes(ctx: RunContext, entries: list[OutboxEntry], answer: dict[str, Any]) -> int:
    """Apply one push answer; returns how many entries left the queue."""
    store = ctx.store
    outcomes = _outcomes(answer)
    acked: list[int] = []
    customers: list[str] = []
    with store.transaction() as tx:
        for entry in entries:
            o = outcomes.get(entry.seq)
            if o is None:
                continue  # not answered: stays pending, pushed again
            status = o.first_status if o.status is OutcomeStatus.DUPLICATE else o.status
            acked.append(entry.seq)
            if entry.record_type == RecordType.CUSTOMER.value:
                customers.append(entry.record_id)
            if status is OutcomeStatus.REJECTED:
                ctx.counters.rejected += 1
                continue
            if status is OutcomeStatus.CONFLICT:
                ids = o.details.get("conflict_ids") or []
                for cid in ids if isinstance(ids, list) else []:
                    if store.add_conflict(
                        str(cid),
                        record_type=entry.record_type,
                        record_id=entry.record_id,
                        reason=o.code or "conflict",
                        local_value=_local_value(entry, ""),
                        seq=entry.seq,
                        tx=tx,
                    ):
                        ctx.counters.new_conflicts += 1
            else:
                ctx.counters.pushed += 1
        store.mark_acked(acked, server_epoch=ctx.epoch, tx=tx)
        for entry in entries:
            o = outcomes.get(entry.seq)
            if o is None:
                continue
            status = o.first_status if o.status is OutcomeStatus.DUPLICATE else o.status
            if status is OutcomeStatus.REJECTED:
                store.record_failure(entry.seq, _error_text(o), tx=tx)
        if customers:
            store.rebase_customers(customers, tx=tx)
    return len(acked)
