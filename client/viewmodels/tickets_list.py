"""My tickets and one ticket's detail, from what the device holds (works offline).

A ticket shown on the device is the server's latest pulled version when there is one, else
the report still waiting in the outbox. Comments and state moves made here are queued in the
outbox (``ticket_comment`` create, ``ticket`` update ``{state, note}``) and shown as pending
until the pulled ticket carries them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from client import clock
from client.i18n import Msg
from client.localdb import tickets as tickets_db
from client.localdb.blobs import BlobStore
from client.localdb.outbox import OutboxEntry
from client.localdb.store import LocalStore
from client.viewmodels.account import error_msg
from client.viewmodels.tickets import cause_label, load_scripts, load_tree
from shared.changes import Op, RecordType
from shared.errors import FieldledgerError, NotFound
from shared.tickets import (
    AnswerSource,
    PolicyDocument,
    Ticket,
    TicketState,
    VideoEvidence,
    answer_hours,
    is_overdue,
    parse_ticket,
)


@dataclass(frozen=True)
class LocalTicket:
    ticket: Ticket
    synced: bool  # the server's version is on the device
    report: dict[str, Any]
    pending: list[OutboxEntry]  # unsent changes about it (report, state moves, comments)


def _about(entry: OutboxEntry) -> str:
    if entry.record_type == RecordType.TICKET_COMMENT.value:
        return str(entry.payload.get("ticket_id", ""))
    return entry.record_id


def local_tickets(store: LocalStore) -> dict[str, LocalTicket]:
    """Every ticket on the device: pulled versions, and reports not yet pulled back."""
    pulled = tickets_db.pulled_tickets(store)
    entries = tickets_db.ticket_entries(store)
    reported: dict[str, Ticket] = {}
    for e in entries:
        if e.record_type == RecordType.TICKET.value and e.op == Op.CREATE.value:
            try:
                reported[e.record_id] = parse_ticket(e.payload)
            except FieldledgerError:
                continue
    pending: dict[str, list[OutboxEntry]] = {}
    for e in entries:
        if e.acked_at is None:
            pending.setdefault(_about(e), []).append(e)
    out: dict[str, LocalTicket] = {}
    for tid, t in reported.items():
        out[tid] = LocalTicket(t, False, {}, pending.get(tid, []))
    for tid, p in pulled.items():
        out[tid] = LocalTicket(p.ticket, True, p.report, pending.get(tid, []))
    return out


def title_of(t: Ticket) -> str:
    text = t.text.strip()
    return text.splitlines()[0][:80] if text else t.id


@dataclass(frozen=True)
class TicketRow:
    ticket: Ticket
    title: str
    type_key: str
    state_key: str
    cause: str
    synced: bool
    overdue: bool
    answered: bool
    pending_changes: int

    @property
    def deadline(self) -> datetime | None:
        return self.ticket.deadline


@dataclass
class MyTicketsVM:
    store: LocalStore
    user_id: str
    lang: str = "zh"
    only_mine: bool = True
    now: Callable[[], datetime] = clock.wall_now
    rows: list[TicketRow] = field(default_factory=list)

    def load(self) -> None:
        tree = load_tree(self.store)
        now = self.now()
        rows = []
        for lt in local_tickets(self.store).values():
            t = lt.ticket
            if self.only_mine and t.reporter_id != self.user_id:
                continue
            state_key = f"tk.state.{t.state.value}" if lt.synced else "tk.state.unsent"
            rows.append(
                TicketRow(
                    ticket=t,
                    title=title_of(t),
                    type_key=f"tk.type.{t.problem_type.value}",
                    state_key=state_key,
                    cause=cause_label(tree, t.root_cause_id, self.lang),
                    synced=lt.synced,
                    overdue=is_overdue(t, now),
                    answered=bool(t.answers),
                    pending_changes=len(lt.pending),
                )
            )
        rows.sort(key=lambda r: (r.ticket.reported_at, r.ticket.id), reverse=True)
        self.rows = rows

    @property
    def overdue_count(self) -> int:
        return sum(1 for r in self.rows if r.overdue)


# -- detail -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceView:
    sha256: str  # stored sha (what the ticket names)
    thumbnail: bytes | None  # None: the bytes are not on this device
    ocr_text: str


@dataclass(frozen=True)
class DocumentView:
    sha256: str
    title: str
    mime: str


@dataclass(frozen=True)
class AnswerView:
    text: str
    automatic: bool
    author_id: str
    created_at: datetime
    documents: list[DocumentView]


@dataclass(frozen=True)
class CommentView:
    author_id: str
    text: str
    created_at: datetime
    pending: bool


@dataclass(frozen=True)
class SimilarView:
    ticket_id: str
    title: str
    type_key: str
    state_key: str
    score: float
    cause_key: str
    answer: str


def docs_dir(store: LocalStore) -> BlobStore:
    """Policy documents downloaded once and kept offline, apart from the photo blobs (whose
    garbage collection only knows photo rows)."""
    path = Path(store.path)
    return BlobStore(path.parent / f"{path.name}.ticket-docs")


class TicketDetailVM:
    def __init__(
        self,
        store: LocalStore,
        ticket_id: str,
        user_id: str,
        lang: str = "zh",
        *,
        api_factory: Callable[[], Any] | None = None,
        now: Callable[[], datetime] = clock.wall_now,
    ) -> None:
        self.store, self.ticket_id, self.user_id, self.lang = store, ticket_id, user_id, lang
        self.api_factory = api_factory
        self.now = now
        self.local: LocalTicket | None = None
        self.comment_text = ""
        self.reopen_note = ""
        self.error: Msg | None = None
        self.notice: Msg | None = None
        self.document_text: dict[str, str] = {}

    def load(self) -> None:
        found = local_tickets(self.store).get(self.ticket_id)
        if found is None:
            raise NotFound(
                f"No ticket {self.ticket_id} on this device",
                message_zh="本机没有该工单",
                field="ticket_id",
            )
        self.local = found
        self._photos = {
            p.stored_sha256: p for p in tickets_db.ticket_photos(self.store, self.ticket_id)
        }
        self._docs = {d.sha256: d for s in load_scripts(self.store) for d in s.documents}

    @property
    def ticket(self) -> Ticket:
        assert self.local is not None
        return self.local.ticket

    @property
    def state_key(self) -> str:
        assert self.local is not None
        return f"tk.state.{self.ticket.state.value}" if self.local.synced else "tk.state.unsent"

    @property
    def cause(self) -> str:
        return cause_label(load_tree(self.store), self.ticket.root_cause_id, self.lang)

    @property
    def overdue(self) -> bool:
        return is_overdue(self.ticket, self.now())

    @property
    def answer_hours(self) -> float | None:
        return answer_hours(self.ticket)

    def evidence(self) -> list[EvidenceView]:
        out = []
        for sha in self.ticket.evidence.photos:
            row = self._photos.get(sha)
            thumb = None
            if row is not None and self.store.blobs.has(row.thumb_sha256):
                thumb = self.store.blobs.get(row.thumb_sha256)
            out.append(EvidenceView(sha, thumb, self.ticket.ocr_text.get(sha, "")))
        return out

    @property
    def video(self) -> tuple[VideoEvidence, bool] | None:
        """The evidence video and whether its bytes are on this device (the reporter's)."""
        v = self.ticket.evidence.video
        return None if v is None else (v, self.store.blobs.has(v.sha256))

    @property
    def ocr_summary(self) -> str:
        return self.ticket.ocr_summary

    def _doc(self, sha: str) -> DocumentView:
        d: PolicyDocument | None = self._docs.get(sha)
        if d is None:
            return DocumentView(sha, sha[:12], "application/octet-stream")
        title = d.title_zh if self.lang.startswith("zh") else d.title_en
        return DocumentView(sha, title, d.mime)

    def answers(self) -> list[AnswerView]:
        zh = self.lang.startswith("zh")
        return [
            AnswerView(
                text=(a.text_zh or a.text) if zh else a.text,
                automatic=a.source is AnswerSource.AUTO,
                author_id=a.author_id,
                created_at=a.created_at,
                documents=[self._doc(s) for s in a.documents],
            )
            for a in sorted(self.ticket.answers, key=lambda a: a.created_at)
        ]

    def comments(self) -> list[CommentView]:
        assert self.local is not None
        out = [CommentView(c.author_id, c.text, c.created_at, False) for c in self.ticket.comments]
        have = {c.id for c in self.ticket.comments}
        for e in tickets_db.ticket_entries(self.store):
            if (
                e.record_type == RecordType.TICKET_COMMENT.value
                and e.payload.get("ticket_id") == self.ticket_id
                and e.record_id not in have
            ):
                when = datetime.fromisoformat(str(e.payload["created_at"]))
                out.append(CommentView(self.user_id, str(e.payload["text"]), when, True))
        return sorted(out, key=lambda c: c.created_at)

    def similar(self) -> list[SimilarView]:
        assert self.local is not None
        out = []
        for s in self.local.report.get("similar") or []:
            if not isinstance(s, dict) or not s.get("ticket_id"):
                continue
            out.append(
                SimilarView(
                    ticket_id=str(s["ticket_id"]),
                    title=str(s.get("title", "")),
                    type_key=f"tk.type.{s.get('problem_type', 'policy')}",
                    state_key=f"tk.state.{s.get('state', 'reported')}",
                    score=float(s.get("score") or 0.0),
                    cause_key=f"tk.relation.{s.get('cause', 'none')}",
                    answer=str(s.get("answer") or ""),
                )
            )
        return out

    def pending_state(self) -> str | None:
        """The state move queued here and not yet sent, if any."""
        assert self.local is not None
        moves = [
            e
            for e in self.local.pending
            if e.record_type == RecordType.TICKET.value and e.op == Op.UPDATE.value
        ]
        return str(moves[-1].payload.get("state")) if moves else None

    # -- actions -----------------------------------------------------------------------------
    @property
    def is_reporter(self) -> bool:
        return self.ticket.reporter_id == self.user_id

    @property
    def can_react_to_answer(self) -> bool:
        """The reporter may say the answer worked (resolve) or did not help (reopen)."""
        return (
            self.is_reporter
            and self.ticket.state is TicketState.ANSWERED
            and self.pending_state() is None
        )

    def add_comment(self) -> bool:
        self.error = self.notice = None
        text = self.comment_text.strip()
        if not text:
            self.error = Msg("tk.need_comment")
            return False
        if len(text) > 4000:
            self.error = Msg("tk.comment_too_long")
            return False
        payload = {"ticket_id": self.ticket_id, "text": text, "created_at": self.now().isoformat()}
        try:
            tickets_db.append_change(
                self.store, RecordType.TICKET_COMMENT, uuid.uuid4().hex, Op.CREATE, payload
            )
        except FieldledgerError as exc:
            self.error = error_msg(exc)
            return False
        self.comment_text = ""
        self.notice = Msg("tk.comment_saved")
        self.load()
        return True

    def _move(self, state: TicketState, note: str) -> bool:
        self.error = self.notice = None
        if not self.can_react_to_answer:
            self.error = Msg("tk.cannot_move")
            return False
        payload = {"state": state.value, "note": note.strip()[:1000]}
        try:
            tickets_db.append_change(
                self.store, RecordType.TICKET, self.ticket_id, Op.UPDATE, payload
            )
        except FieldledgerError as exc:
            self.error = error_msg(exc)
            return False
        self.notice = Msg("tk.move_saved")
        self.load()
        return True

    def reopen(self) -> bool:
        """The answer did not help: back to the owner (answered -> triaged), with a reason."""
        if not self.reopen_note.strip():
            self.error = Msg("tk.need_reopen_reason")
            return False
        return self._move(TicketState.TRIAGED, self.reopen_note)

    def resolve(self) -> bool:
        return self._move(TicketState.RESOLVED, "")

    def open_document(self, sha256: str) -> bool:
        """Download a policy document once (kept offline); text documents are shown."""
        self.error = None
        cache = docs_dir(self.store)
        if not cache.has(sha256):
            if self.api_factory is None:
                self.error = Msg("tk.needs_server")
                return False
            try:
                got = cache.put(self.api_factory().document(sha256))
            except FieldledgerError as exc:
                self.error = error_msg(exc)
                return False
            if got != sha256:  # not the document the answer names: never kept
                cache.delete(got)
                self.error = Msg("tk.doc_damaged")
                return False
        data = cache.get(sha256)
        try:
            self.document_text[sha256] = data.decode("utf-8")
        except UnicodeDecodeError:
            self.document_text[sha256] = Msg("tk.doc_saved", {"kb": len(data) // 1024}).text(
                self.lang
            )
        return True
