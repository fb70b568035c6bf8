"""Tickets under the sync guarantees: push handlers and the delivery acknowledgement.

* ``ticket`` create: the server runs ``receive_ticket`` (checks, routing, standard answer) and
  the similar-issue lookup, and stores the ticket as a server-versioned record the reporter, their
  manager and admins pull. ``ticket`` update: a state move ``{"state", "note"}`` checked by the
  state machine. ``ticket_comment`` create: appended to the ticket (append-only).
* Delivery: a pull by the reporter's device with ``cursor >= server_seq`` of the ticket's current
  version (which carries an answer) acknowledges it: ``mark_delivered`` writes a new version.

The handlers are registered into ``sync_server.sync.push.HANDLERS`` when this module is imported
(the app factory imports it), so the push path itself is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from flask import g, has_request_context

from shared.changes import Op, OutgoingChange, RecordType, TicketCommentPush, TicketStateChange
from shared.errors import Conflict, FieldledgerError, InvalidInput
from shared.tickets import (
    Actor,
    Comment,
    Role,
    Ticket,
    TicketState,
    add_comment,
    mark_delivered,
    receive_ticket,
    transition,
)
from sync_server.auth import authenticate
from sync_server.storage.base import OutcomeRow, Scope, StorageBase, StoredRecord
from sync_server.sync.common import (
    OpNotAllowed,
    PushRejected,
    UnknownRecord,
    applied,
    new_id,
    parse_model,
)
from sync_server.sync.context import PushContext
from sync_server.tickets_store import (
    PHOTO_LINK,
    TicketConfig,
    config_tx,
    now_utc,
    pending_deliveries,
    save_ticket,
    similar_index,
    similar_out,
    ticket_of,
    visible,
)

log = logging.getLogger(__name__)
OCR_JOBS = "fieldledger_ticket_ocr_jobs"


class TicketIdTaken(PushRejected):
    code = "ticket_id_taken"


def _config(pc: PushContext) -> TicketConfig:
    cached: TicketConfig | None = getattr(pc, "_ticket_config", None)
    if cached is None:
        cached = config_tx(pc.tx)
        pc._ticket_config = cached  # type: ignore[attr-defined]
    return cached


def actor_of(scope: Scope) -> Actor:
    return Actor(user_id=scope.user_id, role=Role(scope.role))


def queue_ocr(org_id: str, ticket: Ticket) -> None:
    """Remember the ticket's photos without OCR text; submitted after the request succeeded."""
    if not has_request_context():
        return
    jobs: list[tuple[str, str, str]] = g.setdefault(OCR_JOBS, [])
    jobs.extend(
        (org_id, ticket.id, sha) for sha in ticket.evidence.photos if sha not in ticket.ocr_text
    )


def _device_sha(payload: dict[str, Any]) -> str:
    canon = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canon.encode()).hexdigest()


def _visible_record(pc: PushContext, ticket_id: str) -> tuple[StoredRecord, Ticket]:
    rec = pc.tx.get_records("ticket", [ticket_id]).get(ticket_id)
    ticket = ticket_of(rec) if rec is not None and not rec.deleted else None
    if rec is None or ticket is None or not visible(pc.scope, rec, ticket):
        raise UnknownRecord(
            f"ticket {ticket_id!r} does not exist (or is not yours)",
            message_zh="工单不存在",
            field="ticket_id",
        )
    return rec, ticket


def push_ticket(pc: PushContext, change: OutgoingChange) -> OutcomeRow:
    if change.op is Op.UPDATE:
        return _push_state(pc, change)
    if change.op is not Op.CREATE:
        raise OpNotAllowed(
            "tickets are never deleted: close them instead",
            message_zh="工单不能删除，请关闭工单",
            field="op",
        )
    scope = pc.scope
    sha = _device_sha(change.payload)
    ticket = parse_model(Ticket, change.payload, "payload")
    if ticket.id != change.record_id:
        raise InvalidInput(
            "payload.id must equal record_id", message_zh="记录编号不一致", field="payload.id"
        )
    if ticket.org_id != scope.org_id:
        raise InvalidInput(
            "payload.org_id must be your organisation",
            message_zh="工单所属组织不符",
            field="payload.org_id",
        )
    old = pc.tx.get_records("ticket", [ticket.id]).get(ticket.id)
    if old is not None:
        if (old.report or {}).get("device_sha") == sha:
            return applied(scope.device_id, change, old)  # the same report again (re-queued)
        raise TicketIdTaken(
            f"ticket {ticket.id!r} exists with other content",
            message_zh="工单编号已被占用",
            field="record_id",
        )
    cfg = _config(pc)
    now = now_utc()
    intake = receive_ticket(
        ticket.model_copy(update={"device_id": scope.device_id}),
        reporter_id=scope.user_id,
        tree=cfg.tree,
        kb=cfg.kb,
        table=cfg.table,
        settings=cfg.settings,
        index=None,
        now=now,
        new_id=new_id,
    )
    index = similar_index(pc.tx, cfg, now)
    matches = index.lookup(intake.ticket, now=now, limit=cfg.settings.similar_limit)
    similar = similar_out(pc.tx, matches)
    rec = save_ticket(
        pc.tx, intake.ticket, None, team_id=scope.team_id, device_sha=sha, similar=similar
    )
    blobs = list(intake.ticket.evidence.photos)
    if intake.ticket.evidence.video is not None:  # verified when its upload completes
        blobs.append(intake.ticket.evidence.video.sha256)
    if blobs:
        pc.tx.add_visit_photos([(s, PHOTO_LINK + ticket.id) for s in blobs])
    queue_ocr(scope.org_id, intake.ticket)
    t = intake.ticket
    return applied(
        scope.device_id,
        change,
        rec,
        state=t.state.value,
        resolution_path=t.resolution_path.value if t.resolution_path else None,
        owner_id=t.owner_id,
        deadline=t.deadline.isoformat() if t.deadline else None,
        similar=similar,
    )


def _push_state(pc: PushContext, change: OutgoingChange) -> OutcomeRow:
    body = parse_model(TicketStateChange, change.payload, "payload")
    try:
        to = TicketState(body.state)
    except ValueError:
        raise InvalidInput(
            f"payload.state: unknown state {body.state!r}",
            message_zh="未知的工单状态",
            field="payload.state",
        ) from None
    rec, ticket = _visible_record(pc, change.record_id)
    moved = transition(ticket, to, actor_of(pc.scope), now_utc(), note=body.note)
    new = save_ticket(pc.tx, moved, rec)
    return applied(pc.scope.device_id, change, new, state=moved.state.value)


def push_ticket_comment(pc: PushContext, change: OutgoingChange) -> OutcomeRow:
    if change.op is not Op.CREATE:
        raise OpNotAllowed(
            "comments are append-only: only 'create' is allowed",
            message_zh="评论只能新增，不能修改或删除",
            field="op",
        )
    body = parse_model(TicketCommentPush, change.payload, "payload")
    rec, ticket = _visible_record(pc, body.ticket_id)
    comment = Comment(
        id=change.record_id,
        author_id=pc.scope.user_id,
        text=body.text,
        created_at=min(body.created_at, now_utc()),
    )
    same = next((c for c in ticket.comments if c.id == comment.id), None)
    if same is not None:
        if same.author_id == comment.author_id and same.text == comment.text:
            return _comment_outcome(pc, change, rec)
        raise Conflict(
            f"comment {comment.id!r} exists with other content",
            message_zh="该评论编号已被占用",
            field="record_id",
        )
    new = save_ticket(pc.tx, add_comment(ticket, comment), rec)
    return _comment_outcome(pc, change, new)


def _comment_outcome(pc: PushContext, change: OutgoingChange, rec: StoredRecord) -> OutcomeRow:
    row = applied(pc.scope.device_id, change, rec, ticket_id=rec.record_id)
    return row


def _server_only(pc: PushContext, change: OutgoingChange) -> OutcomeRow:
    from sync_server.sync.push import _server_only as base

    return base(pc, change)


def register() -> None:
    from sync_server.sync.push import HANDLERS

    HANDLERS.setdefault(RecordType.TICKET, push_ticket)
    HANDLERS.setdefault(RecordType.TICKET_COMMENT, push_ticket_comment)
    for rtype in (
        RecordType.ROOT_CAUSE_TREE,
        RecordType.ANSWER_SCRIPT,
        RecordType.TICKET_SETTINGS,
        RecordType.TICKET_ROUTING,
    ):
        HANDLERS.setdefault(rtype, _server_only)


register()


# --- delivery acknowledgement --------------------------------------------------------------


def acknowledge(storage: StorageBase, scope: Scope, cursor: int) -> list[str]:
    """The reporter's device has applied everything up to ``cursor``: every pending ticket of
    theirs whose current version (carrying an answer) sits at or below it is delivered now."""
    if cursor <= 0:
        return []
    pending = pending_deliveries(storage, scope.org_id, scope.user_id)
    if not pending:
        return []
    done: list[str] = []
    with storage.write(scope.org_id) as tx:
        if cursor > tx.last_seq:  # type: ignore[attr-defined]
            return []
        found = tx.get_records("ticket", pending)
        for tid in pending:
            rec = found.get(tid)
            if rec is None or rec.deleted or rec.server_seq > cursor:
                continue
            ticket = ticket_of(rec)
            if ticket.reporter_id != scope.user_id or not ticket.answers:
                continue
            delivered = mark_delivered(ticket, now_utc())
            if delivered is not ticket:
                save_ticket(tx, delivered, rec)
                done.append(tid)
    return done


def before_pull(storage: StorageBase, cursor_arg: str | None) -> None:
    """Flask before-request hook body for ``sync.pull``; never fails the pull (a bad token or
    cursor is the pull's own error to report)."""
    if not cursor_arg or not cursor_arg.isdigit() or int(cursor_arg) <= 0:
        return
    try:
        scope = authenticate(storage)
    except FieldledgerError:
        return
    try:
        acknowledge(storage, scope, int(cursor_arg))
    except Exception:  # the next pull acknowledges again
        log.exception("ticket delivery acknowledgement failed")
