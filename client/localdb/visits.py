"""Visits: append-only evidence, saved with their photos and outbox entry in one transaction."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import Connection, and_, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import IntegrityError

from client.localdb import outbox
from client.localdb.blobs import BlobStore, sha256_hex
from client.localdb.schema import (
    drafts_t,
    outbox_t,
    photo_hashes_t,
    visit_photos_t,
    visits_t,
    voids_t,
)
from client.localdb.timefmt import now_text, parse_time, time_text
from shared.changes import Op, RecordType
from shared.errors import Conflict, InvalidInput, NotFound
from shared.validation.report import ValidationReport, expand_report
from shared.visits import Visit

MAX_VOID_REASON = 500


@dataclass(frozen=True)
class StoredPhotoInput:
    """The bytes of one photo of a visit: ``sha256`` is of the CAPTURED bytes (its evidence)."""

    sha256: str
    stored: bytes
    thumbnail: bytes


@dataclass(frozen=True)
class StoredPhoto:
    position: int
    slot: str
    sha256: str
    phash: str
    stored_sha256: str
    thumb_sha256: str
    uploaded: bool


@dataclass(frozen=True)
class StoredVisit:
    visit: Visit
    report: ValidationReport
    voided: bool
    void_reason: str | None
    sync_state: Literal["pending", "synced"]
    seq: int | None = None
    photos: list[StoredPhoto] = field(default_factory=list)


def duplicate_error(visit_id: str) -> Conflict:
    return Conflict(
        f"A visit with id {visit_id} is already saved; visits are never overwritten.",
        message_zh=f"编号为 {visit_id} 的拜访已保存，拜访记录不可覆盖。",
        field="id",
    )


def _check_photos(visit: Visit, photos: list[StoredPhotoInput]) -> dict[str, StoredPhotoInput]:
    by_sha = {p.sha256: p for p in photos}
    wanted = {p.sha256 for p in visit.photos}
    missing = wanted - by_sha.keys()
    extra = by_sha.keys() - wanted
    if missing or extra or len(by_sha) != len(photos):
        raise InvalidInput(
            "The photo bytes given do not match the visit's photos "
            f"(missing {sorted(missing)}, extra {sorted(extra)}).",
            message_zh="提供的照片数据与拜访中的照片不一致。",
            field="photos",
        )
    for evidence in visit.photos:
        stored = by_sha[evidence.sha256].stored
        if evidence.stored_sha256 and sha256_hex(stored) != evidence.stored_sha256:
            raise InvalidInput(
                f"The stored bytes of photo {evidence.slot} do not hash to its stored_sha256.",
                message_zh=f"照片 {evidence.slot} 的存储数据与其 stored_sha256 不符。",
                field="photos",
            )
    return by_sha


def visit_exists(conn: Connection, visit_id: str) -> bool:
    q = select(visits_t.c.id).where(visits_t.c.id == visit_id)
    return conn.execute(q).first() is not None


def write_blobs(
    blobs: BlobStore, visit: Visit, photos: list[StoredPhotoInput]
) -> list[dict[str, Any]]:
    """Check and write the photo bytes (before any row); return the visit_photos rows."""
    by_sha = _check_photos(visit, photos)
    rows = []
    for position, evidence in enumerate(visit.photos):
        given = by_sha[evidence.sha256]
        rows.append(
            {
                "visit_id": visit.id,
                "position": position,
                "slot": evidence.slot,
                "sha256": evidence.sha256,
                "phash": evidence.phash,
                "stored_sha256": blobs.put(given.stored),
                "thumb_sha256": blobs.put(given.thumbnail),
            }
        )
    return rows


def insert_visit(
    conn: Connection, visit: Visit, report: ValidationReport, photo_rows: list[dict[str, Any]]
) -> int:
    """The rows of one visit, inside the caller's write transaction; returns the outbox seq."""
    if report.visit_id != visit.id:
        raise InvalidInput(
            "The validation report belongs to another visit.",
            message_zh="校验报告不属于此拜访。",
            field="report",
        )
    if visit_exists(conn, visit.id):
        raise duplicate_error(visit.id)
    try:
        conn.execute(
            visits_t.insert().values(
                id=visit.id,
                org_id=visit.org_id,
                customer_id=visit.customer_id,
                rep_id=visit.rep_id,
                captured_at=time_text(visit.device_time, field="device_time"),
                saved_at=now_text(),
                counts=int(report.counts),
                visit_json=visit.model_dump_json(),
                report_json=report.model_dump_json(),
            )
        )
    except IntegrityError as exc:
        raise duplicate_error(visit.id) from exc
    if photo_rows:
        conn.execute(visit_photos_t.insert(), photo_rows)
        hashes = [
            {"sha256": r["sha256"], "visit_id": visit.id, "phash": r["phash"]} for r in photo_rows
        ]
        conn.execute(insert(photo_hashes_t).on_conflict_do_nothing(), hashes)
    seq = outbox.append(conn, RecordType.VISIT, visit.id, Op.CREATE, visit.model_dump(mode="json"))
    conn.execute(drafts_t.delete().where(drafts_t.c.draft_id == visit.id))
    return seq


def insert_void(conn: Connection, visit_id: str, reason: str, voided_at: datetime) -> int:
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason or len(reason) > MAX_VOID_REASON:
        raise InvalidInput(
            f"A reason of 1 to {MAX_VOID_REASON} characters is required to void a visit.",
            message_zh=f"作废拜访必须填写原因（1 到 {MAX_VOID_REASON} 个字符）。",
            field="reason",
        )
    voided_text = time_text(voided_at, field="voided_at")
    if not visit_exists(conn, visit_id):
        raise NotFound(
            f"No visit {visit_id} to void.", message_zh=f"找不到拜访 {visit_id}。", field="visit_id"
        )
    if conn.execute(select(voids_t.c.id).where(voids_t.c.visit_id == visit_id)).first():
        raise Conflict(
            f"Visit {visit_id} is already voided.",
            message_zh=f"拜访 {visit_id} 已作废。",
            field="visit_id",
        )
    void_id = uuid.uuid4().hex
    conn.execute(
        voids_t.insert().values(
            id=void_id, visit_id=visit_id, reason=reason, voided_at=voided_text, saved_at=now_text()
        )
    )
    # The pushed payload is exactly shared.changes.VisitVoid (extra fields are refused there);
    # the void's own id is the record_id, voided_at stays on the device as evidence.
    payload = {"visit_id": visit_id, "reason": reason}
    return outbox.append(conn, RecordType.VISIT_VOID, void_id, Op.CREATE, payload)


_SELECT = (
    select(
        visits_t.c.id,
        visits_t.c.visit_json,
        visits_t.c.report_json,
        voids_t.c.reason.label("void_reason"),
        outbox_t.c.seq,
        outbox_t.c.acked_at,
    )
    .select_from(visits_t)
    .outerjoin(voids_t, voids_t.c.visit_id == visits_t.c.id)
    .outerjoin(
        outbox_t,
        and_(
            outbox_t.c.record_type == RecordType.VISIT.value,
            outbox_t.c.record_id == visits_t.c.id,
        ),
    )
)


def _photos(conn: Connection, visit_id: str) -> list[StoredPhoto]:
    rows = conn.execute(
        select(visit_photos_t)
        .where(visit_photos_t.c.visit_id == visit_id)
        .order_by(visit_photos_t.c.position)
    )
    return [
        StoredPhoto(
            position=r.position,
            slot=r.slot,
            sha256=r.sha256,
            phash=r.phash,
            stored_sha256=r.stored_sha256,
            thumb_sha256=r.thumb_sha256,
            uploaded=r.uploaded_at is not None,
        )
        for r in rows
    ]


def _stored(conn: Connection, row: Any) -> StoredVisit:
    return StoredVisit(
        visit=Visit.model_validate_json(row.visit_json),
        report=read_report(row.report_json, row.id),
        voided=row.void_reason is not None,
        void_reason=row.void_reason,
        # No outbox entry: the visit was pulled from the server (another device of the rep).
        sync_state="synced" if row.acked_at is not None or row.seq is None else "pending",
        seq=row.seq,
        photos=_photos(conn, row.id),
    )


def read_report(text: str, visit_id: str) -> ValidationReport:
    """A stored report. One pulled from the server is stored as the server sent it (compact
    results, shape checked only roughly: docs/local-store.md); one that does not parse is shown
    as no report (as a report of the wrong shape always was) instead of making the visit
    unreadable."""
    try:
        if '"results":[[' not in text:
            return ValidationReport.model_validate_json(text)
        data = json.loads(text)
        if isinstance(data, dict):
            return ValidationReport.model_validate(expand_report(data))
    except (ValidationError, ValueError):
        pass
    return ValidationReport(visit_id=visit_id, results=())


def get_visit(conn: Connection, visit_id: str) -> StoredVisit:
    row = conn.execute(_SELECT.where(visits_t.c.id == visit_id)).first()
    if row is None:
        raise NotFound(
            f"No visit {visit_id}.", message_zh=f"找不到拜访 {visit_id}。", field="visit_id"
        )
    return _stored(conn, row)


def list_visits(
    conn: Connection, *, rep_id: str | None, since: datetime | None, limit: int
) -> list[StoredVisit]:
    q = _SELECT
    if rep_id is not None:
        q = q.where(visits_t.c.rep_id == rep_id)
    if since is not None:
        q = q.where(visits_t.c.captured_at >= time_text(since, field="since"))
    q = q.order_by(visits_t.c.captured_at.desc(), visits_t.c.id).limit(limit)
    return [_stored(conn, r) for r in conn.execute(q)]


def visit_times(conn: Connection, customer_id: str, limit: int) -> list[datetime]:
    """device_time of the customer's latest non-voided visits, newest first."""
    q = (
        select(visits_t.c.captured_at)
        .outerjoin(voids_t, voids_t.c.visit_id == visits_t.c.id)
        .where(visits_t.c.customer_id == customer_id, voids_t.c.id.is_(None))
        .order_by(visits_t.c.captured_at.desc())
        .limit(limit)
    )
    return [parse_time(t) for t in conn.execute(q).scalars()]


def customers_visited_since(conn: Connection, since: datetime) -> set[str]:
    """Ids of customers with a visit (not voided) captured at or after ``since`` — the list's
    "visited today" badges, answered from ``ix_visits_captured`` (migration v6)."""
    q = (
        select(visits_t.c.customer_id)
        .outerjoin(voids_t, voids_t.c.visit_id == visits_t.c.id)
        .where(visits_t.c.captured_at >= time_text(since, field="since"), voids_t.c.id.is_(None))
    )  # no DISTINCT in SQL: it makes SQLite scan ix_visits_customer_captured instead
    return set(conn.execute(q).scalars())
