"""Tickets API (docs/tickets.md, docs/sync-protocol.md section 11).

Reps report tickets by sync push; this blueprint serves the rest: my tickets, detail, the
managers' triage queue, state moves, answers, comments, the resolution-time board and CSV
export, and the admin configuration (root-cause tree, answer scripts, routing rules, ticket
settings, policy documents). Every change is a new record version that devices pull.
App-wide hooks: a reporter's pull acknowledges answer delivery; OCR jobs are submitted after a
push that stored ticket photos and after a photo upload completes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request

from shared.errors import InvalidInput, NotFound
from shared.tickets import (
    Answer,
    AnswerSource,
    GroupBy,
    Ticket,
    TicketState,
    add_answer,
    add_comment,
    answer_hours,
    export_csv,
    is_overdue,
    resolution_board,
    transition,
)
from shared.tickets.model import Comment
from shared.tickets.video import sniff_video
from sync_server.api import json_body
from sync_server.app import get_storage
from sync_server.auth import current_scope, require_auth
from sync_server.photos import PhotoStore, check_sha
from sync_server.schemas import (
    TicketAnswerRequest,
    TicketCommentRequest,
    TicketTransitionRequest,
)
from sync_server.storage.base import Scope, StoredRecord
from sync_server.sync.common import new_id
from sync_server.tickets_ocr import ocr_service
from sync_server.tickets_store import (
    get_ticket_record,
    load_config,
    now_utc,
    save_ticket,
    ticket_of,
    visible,
    visible_tickets,
)
from sync_server.tickets_sync import OCR_JOBS, actor_of, before_pull

bp = Blueprint("tickets", __name__, url_prefix="/api/v1/tickets")
MANAGERS = ("manager", "admin")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def summary(t: Ticket, now: Any) -> dict[str, Any]:
    return {
        "id": t.id,
        "title": t.text.strip().splitlines()[0][:80] if t.text.strip() else "",
        "problem_type": t.problem_type.value,
        "root_cause_id": t.root_cause_id,
        "state": t.state.value,
        "reporter_id": t.reporter_id,
        "owner_id": t.owner_id,
        "district": t.scenario.district,
        "province": t.scenario.province,
        "reported_at": t.reported_at.isoformat(),
        "deadline": _iso(t.deadline),
        "overdue": is_overdue(t, now),
        "answered": bool(t.answers),
        "delivered_at": _iso(t.delivered_at),
    }


def detail_out(rec: StoredRecord, t: Ticket) -> dict[str, Any]:
    hours = answer_hours(t)
    return {
        "ticket": t.model_dump(mode="json"),
        "similar": (rec.report or {}).get("similar", []),
        "ocr_summary": t.ocr_summary,
        "overdue": is_overdue(t, now_utc()),
        "answer_hours": round(hours, 4) if hours is not None else None,
        "record_version": rec.version,
        "server_seq": rec.server_seq,
    }


def _not_found() -> NotFound:
    return NotFound("no such ticket in your scope", message_zh="工单不存在", field="ticket_id")


def _load_visible(scope: Scope, ticket_id: str) -> tuple[StoredRecord, Ticket]:
    rec = get_storage().get_record(scope.org_id, "ticket", ticket_id)
    if rec is None or rec.deleted:
        raise _not_found()
    t = ticket_of(rec)
    if not visible(scope, rec, t):
        raise _not_found()
    return rec, t


def _change(ticket_id: str, change: Any) -> Response:
    """Apply ``change(ticket) -> ticket`` in one write transaction, as a new record version."""
    scope = current_scope()
    _load_visible(scope, ticket_id)
    with get_storage().write(scope.org_id) as tx:
        rec = get_ticket_record(tx, ticket_id)
        new_rec = save_ticket(tx, change(ticket_of(rec)), rec)
    return jsonify(detail_out(new_rec, ticket_of(new_rec)))


# --- tickets -------------------------------------------------------------------------------


@bp.get("")
@require_auth()
def list_tickets() -> Response:
    """Tickets the caller may see (rep: theirs and those routed to them; manager: the team's)."""
    state = request.args.get("state")
    now = now_utc()
    rows = [summary(t, now) for _, t in visible_tickets(get_storage(), current_scope())]
    if state:
        rows = [r for r in rows if r["state"] == state]
    return jsonify({"tickets": rows[::-1]})


@bp.get("/triage")
@require_auth(*MANAGERS)
def triage_queue() -> Response:
    """Open tickets (reported / triaged), waiting-for-triage first, then by deadline."""
    now = now_utc()
    open_states = (TicketState.REPORTED, TicketState.TRIAGED)
    tickets = [
        t for _, t in visible_tickets(get_storage(), current_scope()) if t.state in open_states
    ]
    tickets.sort(key=lambda t: (t.state is not TicketState.REPORTED, t.deadline or now, t.id))
    return jsonify({"tickets": [summary(t, now) for t in tickets]})


@bp.get("/board")
@require_auth(*MANAGERS)
def board() -> Response:
    """Median / 90th percentile of report-to-answer hours by type, district or owner."""
    raw = request.args.get("by", "type")
    try:
        by = GroupBy(raw)
    except ValueError:
        raise InvalidInput(
            "by must be type, district or owner", message_zh="by 参数无效", field="by"
        ) from None
    tickets = _in_window([t for _, t in visible_tickets(get_storage(), current_scope())])
    now = now_utc()
    rows = [r.model_dump() for r in resolution_board(tickets, by, now)]
    overdue = [t.id for t in tickets if is_overdue(t, now)]
    return jsonify({"by": by.value, "rows": rows, "overdue_ids": overdue, "tickets": len(tickets)})


def _in_window(tickets: list[Ticket]) -> list[Ticket]:
    raw = request.args.get("days")
    if raw is None:
        return tickets
    if not raw.isdigit() or not 1 <= int(raw) <= 3650:
        raise InvalidInput("days must be 1..3650", message_zh="days 参数无效", field="days")
    since = now_utc() - timedelta(days=int(raw))
    return [t for t in tickets if t.reported_at >= since]


@bp.get("/export.csv")
@require_auth(*MANAGERS)
def export() -> Response:
    tickets = _in_window([t for _, t in visible_tickets(get_storage(), current_scope())])
    resp = Response(export_csv(tickets, now_utc()), mimetype="text/csv")
    resp.headers["Content-Disposition"] = 'attachment; filename="tickets.csv"'
    return resp


@bp.get("/<ticket_id>")
@require_auth()
def detail(ticket_id: str) -> Response:
    rec, t = _load_visible(current_scope(), ticket_id)
    return jsonify(detail_out(rec, t))


@bp.post("/<ticket_id>/transition")
@require_auth()
def transition_ticket(ticket_id: str) -> Response:
    """A state move checked by the state machine (illegal: 409 illegal_transition)."""
    body = json_body(TicketTransitionRequest)
    scope = current_scope()
    now = now_utc()
    if body.owner_id is not None:
        owner = get_storage().get_user(body.owner_id)
        if owner is None or owner.org_id != scope.org_id or not owner.active:
            raise InvalidInput(
                "owner_id: no such user", message_zh="责任人不存在", field="owner_id"
            )
    due = now + timedelta(hours=body.deadline_hours) if body.deadline_hours else None

    def move(t: Ticket) -> Ticket:
        return transition(
            t, TicketState(body.state), actor_of(scope), now, note=body.note,
            owner_id=body.owner_id, deadline=due,
        )  # fmt: skip

    return _change(ticket_id, move)


@bp.post("/<ticket_id>/answer")
@require_auth()
def answer(ticket_id: str) -> Response:
    """The owner, a manager or an admin answers (optionally with a knowledge-base script)."""
    body = json_body(TicketAnswerRequest)
    scope = current_scope()
    text, text_zh = body.text, body.text_zh
    documents: tuple[str, ...] = ()
    if body.script_id is not None:
        kb = load_config(get_storage(), scope.org_id).kb
        script = next((s for s in kb.scripts if s.id == body.script_id), None)
        if script is None:
            raise InvalidInput(
                "script_id: no such script", message_zh="话术不存在", field="script_id"
            )
        text, text_zh = text or script.text_en, text_zh or script.text_zh
        documents = tuple(d.sha256 for d in script.documents)
    if not text.strip():
        raise InvalidInput(
            "text: an answer needs text", message_zh="答复内容不能为空", field="text"
        )
    now = now_utc()
    reply = Answer(
        id=new_id(), source=AnswerSource.OWNER, author_id=scope.user_id, text=text,
        text_zh=text_zh, script_id=body.script_id, documents=documents, created_at=now,
    )  # fmt: skip
    return _change(ticket_id, lambda t: add_answer(t, reply, actor_of(scope), now))


@bp.post("/<ticket_id>/comments")
@require_auth()
def comment(ticket_id: str) -> Response:
    body = json_body(TicketCommentRequest)
    scope = current_scope()
    note = Comment(
        id=body.id or new_id(), author_id=scope.user_id, text=body.text, created_at=now_utc()
    )
    return _change(ticket_id, lambda t: add_comment(t, note))


@bp.get("/<ticket_id>/photos/<sha256>")
@require_auth()
def photo(ticket_id: str, sha256: str) -> Response:
    """An evidence photo (or the evidence video) of a ticket the caller may see."""
    scope = current_scope()
    _rec, t = _load_visible(scope, ticket_id)
    upload = get_storage().get_upload(scope.org_id, check_sha(sha256))
    video = t.evidence.video
    is_video = video is not None and video.sha256 == sha256
    if (sha256 not in t.evidence.photos and not is_video) or upload is None or not upload.complete:
        raise NotFound("no such photo on this ticket", message_zh="照片不存在", field="sha256")
    data = PhotoStore(current_app.config["PHOTO_DIR"]).blob_path(scope.org_id, sha256).read_bytes()
    if is_video:
        mimetype = sniff_video(data) or "application/octet-stream"
    else:
        mimetype = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    resp = Response(data, mimetype=mimetype)
    resp.set_etag(sha256)
    return resp


# --- app-wide hooks ------------------------------------------------------------------------


@bp.before_app_request
def _acknowledge_delivery() -> None:
    """A pull's cursor acknowledges what the device applied; the answered ticket's delivered
    version is then part of this very pull."""
    if request.endpoint == "sync.pull":
        before_pull(get_storage(), request.args.get("cursor"))


@bp.after_app_request
def _submit_ocr(resp: Response) -> Response:
    endpoint = request.endpoint
    service = ocr_service(current_app)
    jobs = g.pop(OCR_JOBS, None)
    if service is None or resp.status_code != 200:
        return resp
    for org_id, ticket_id, sha in jobs or ():
        service.submit(org_id, ticket_id, sha)
    if endpoint == "photos.append_chunk" and (resp.get_json(silent=True) or {}).get("complete"):
        service.photo_complete(str((request.view_args or {}).get("sha256", "")))
    return resp
