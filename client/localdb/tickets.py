"""Issue tickets on the device (docs/tickets.md, "On the device").

A ticket has no table of its own: what the rep reported is its outbox entry (``ticket`` create,
kept after acknowledgement), what the server made of it is the pulled record in
``pulled_records``. Its evidence photos are rows of ``ticket_photos`` (migration v5) whose
stored bytes join the same upload queue as visit photos (``LocalStore.pending_photo_uploads``).
An evidence video is one such row too (position 0, ``sha256 = stored_sha256 = thumb_sha256`` =
the video's hash; no kind column: the ticket's ``evidence.video`` says it is the video), so it is
uploaded, kept from ``gc_blobs`` and re-queued exactly like the photos.
A report is saved like a visit: blobs first, then the photo rows and the outbox entry in one
transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, and_, func, select, update

from client.localdb import outbox
from client.localdb.blobs import BlobStore, sha256_hex
from client.localdb.engine import read_tx, write_tx
from client.localdb.outbox import OutboxEntry
from client.localdb.schema import outbox_t, pulled_records_t, ticket_photos_t
from client.localdb.timefmt import now_text
from shared.changes import Op, RecordType
from shared.errors import Conflict, FieldledgerError, InvalidInput
from shared.tickets import Ticket, parse_ticket

TICKET_TYPES = (RecordType.TICKET.value, RecordType.TICKET_COMMENT.value)


@dataclass(frozen=True)
class TicketPhotoInput:
    """One evidence photo through the visit pipeline: captured hash, stored copy, thumbnail."""

    sha256: str
    stored: bytes
    thumbnail: bytes


@dataclass(frozen=True)
class StoredTicketPhoto:
    position: int
    sha256: str
    stored_sha256: str
    thumb_sha256: str
    uploaded: bool


@dataclass(frozen=True)
class PulledTicket:
    """The server's current version of a ticket and its report (``similar``)."""

    ticket: Ticket
    report: dict[str, Any]
    version: int
    server_seq: int


class _Store(Protocol):
    """What this module needs of ``LocalStore`` (kept structural to avoid an import cycle)."""

    engine: Any
    blobs: BlobStore


def _check_photos(ticket: Ticket, photos: list[TicketPhotoInput], video: bytes | None) -> None:
    stored = [sha256_hex(p.stored) for p in photos]
    if tuple(stored) != ticket.evidence.photos:
        raise InvalidInput(
            "The photo bytes given do not match the ticket's evidence photos.",
            message_zh="提供的照片数据与工单证据照片不一致。",
            field="evidence.photos",
        )
    want = ticket.evidence.video.sha256 if ticket.evidence.video else None
    if (sha256_hex(video) if video is not None else None) != want:
        raise InvalidInput(
            "The video bytes given do not match the ticket's evidence video.",
            message_zh="提供的视频数据与工单证据视频不一致。",
            field="evidence.video",
        )


def ticket_reported_here(conn: Connection, ticket_id: str) -> bool:
    q = select(outbox_t.c.seq).where(
        outbox_t.c.record_type == RecordType.TICKET.value,
        outbox_t.c.record_id == ticket_id,
        outbox_t.c.op == Op.CREATE.value,
    )
    return conn.execute(q).first() is not None


def save_ticket(
    store: _Store, ticket: Ticket, photos: list[TicketPhotoInput], video: bytes | None = None
) -> int:
    """Write the photo (or video) blobs, then their rows and the outbox entry in one
    transaction; returns the outbox seq. A ticket id already reported here is refused
    (``Conflict``)."""
    _check_photos(ticket, photos, video)
    rows = [
        {
            "ticket_id": ticket.id,
            "position": i,
            "sha256": p.sha256,
            "stored_sha256": store.blobs.put(p.stored),
            "thumb_sha256": store.blobs.put(p.thumbnail),
        }
        for i, p in enumerate(photos)
    ]
    if video is not None:
        sha = store.blobs.put(video)
        rows.append(
            {
                "ticket_id": ticket.id,
                "position": 0,
                "sha256": sha,
                "stored_sha256": sha,
                "thumb_sha256": sha,
            }
        )
    with write_tx(store.engine, "ticket") as conn:
        if ticket_reported_here(conn, ticket.id):
            raise Conflict(
                f"A ticket with id {ticket.id} is already saved.",
                message_zh=f"编号为 {ticket.id} 的工单已保存。",
                field="id",
            )
        if rows:
            conn.execute(ticket_photos_t.insert(), rows)
        return outbox.append(
            conn, RecordType.TICKET, ticket.id, Op.CREATE, ticket.model_dump(mode="json")
        )


def append_change(
    store: _Store, record_type: RecordType, record_id: str, op: Op, payload: dict[str, Any]
) -> int:
    """A comment or a state move of a ticket, queued for the next sync."""
    with write_tx(store.engine, "ticket") as conn:
        return outbox.append(conn, record_type, record_id, op, payload)


def ticket_photos(store: _Store, ticket_id: str) -> list[StoredTicketPhoto]:
    q = (
        select(ticket_photos_t)
        .where(ticket_photos_t.c.ticket_id == ticket_id)
        .order_by(ticket_photos_t.c.position)
    )
    with read_tx(store.engine, "read") as conn:
        return [
            StoredTicketPhoto(
                r.position, r.sha256, r.stored_sha256, r.thumb_sha256, r.uploaded_at is not None
            )
            for r in conn.execute(q)
        ]


def _pulled(row: Any) -> PulledTicket | None:
    try:
        ticket = parse_ticket(json.loads(row.payload_json))
    except (FieldledgerError, ValueError):
        return None  # a ticket a newer server shaped differently: not shown, never a crash
    report = json.loads(row.report_json) if row.report_json else {}
    return PulledTicket(
        ticket, report if isinstance(report, dict) else {}, row.version, row.server_seq
    )


def pulled_tickets(store: _Store, ticket_id: str | None = None) -> dict[str, PulledTicket]:
    """The pulled tickets (reporter's own, the team's for managers), by id."""
    q = select(pulled_records_t).where(pulled_records_t.c.record_type == RecordType.TICKET.value)
    if ticket_id is not None:
        q = q.where(pulled_records_t.c.record_id == ticket_id)
    out: dict[str, PulledTicket] = {}
    with read_tx(store.engine, "read") as conn:
        for row in conn.execute(q):
            got = _pulled(row)
            if got is not None:
                out[row.record_id] = got
    return out


def ticket_entries(store: _Store) -> list[OutboxEntry]:
    """Every outbox entry about tickets (reports, state moves, comments), ascending seq."""
    q = select(outbox_t).where(outbox_t.c.record_type.in_(TICKET_TYPES)).order_by(outbox_t.c.seq)
    with read_tx(store.engine, "read") as conn:
        return [outbox._entry(r) for r in conn.execute(q)]


# -- the photo upload queue (used by LocalStore) ----------------------------------------------


def pending_uploads(conn: Connection, limit: int) -> list[str]:
    q = (
        select(ticket_photos_t.c.stored_sha256)
        .where(ticket_photos_t.c.uploaded_at.is_(None))
        .group_by(ticket_photos_t.c.stored_sha256)
        .order_by(func.min(ticket_photos_t.c.ticket_id))
        .limit(limit)
    )
    return list(conn.execute(q).scalars())


def mark_uploaded(conn: Connection, stored_sha256: str) -> None:
    conn.execute(
        update(ticket_photos_t)
        .where(
            and_(
                ticket_photos_t.c.stored_sha256 == stored_sha256,
                ticket_photos_t.c.uploaded_at.is_(None),
            )
        )
        .values(uploaded_at=now_text())
    )


def referenced_blobs(conn: Connection) -> set[str]:
    q = select(ticket_photos_t.c.stored_sha256, ticket_photos_t.c.thumb_sha256)
    return {h for row in conn.execute(q) for h in row}


def requeue_uploads(conn: Connection) -> int:
    result = conn.execute(
        update(ticket_photos_t)
        .where(ticket_photos_t.c.uploaded_at.is_not(None))
        .values(uploaded_at=None)
    )
    return int(result.rowcount)
