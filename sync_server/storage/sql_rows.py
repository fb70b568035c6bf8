"""Row <-> dataclass conversion and the scope filter shared by the SQL backends."""

from __future__ import annotations

from typing import Any

from shared.jsonfast import dumps as dumps
from shared.jsonfast import dumps_utf8
from shared.jsonfast import loads as loads
from sync_server.storage.base import ConflictRow, Scope, StoredRecord

REC_COLS = (
    "org_id, record_type, record_id, version, server_seq, deleted, scope_kind, owner_user_id,"
    " team_id, payload, report, updated_at"
)
CONFLICT_COLS = (
    "id, org_id, record_type, record_id, kind, field, base_value, server_value, device_value,"
    " device_id, user_id, team_id, owner_user_id, status, resolution, resolved_by, created_at,"
    " resolved_at"
)
CHUNK = 500
RECORD_UPSERT = (
    " ON CONFLICT (org_id, record_type, record_id) DO UPDATE SET"
    " version = excluded.version, server_seq = excluded.server_seq,"
    " deleted = excluded.deleted, scope_kind = excluded.scope_kind,"
    " owner_user_id = excluded.owner_user_id, team_id = excluded.team_id,"
    " payload = excluded.payload, report = excluded.report,"
    " updated_at = excluded.updated_at"
)

# Columns with their PostgreSQL types, for bulk inserts (``SqlStorage._insert_many``)
REC_TYPED = tuple(
    zip(
        [c.strip() for c in REC_COLS.split(",")],
        ["text"] * 3 + ["bigint", "bigint", "integer"] + ["text"] * 5 + ["double precision"],
        strict=True,
    )
)
CONFLICT_TYPED = tuple(
    zip(
        [c.strip() for c in CONFLICT_COLS.split(",")],
        ["text"] * 16 + ["double precision"] * 2,
        strict=True,
    )
)
OUTCOME_TYPED = (
    ("org_id", "text"),
    ("device_id", "text"),
    ("seq", "bigint"),
    ("status", "text"),
    ("record_type", "text"),
    ("record_id", "text"),
    ("server_seq", "bigint"),
    ("version", "bigint"),
    ("code", "text"),
    ("message", "text"),
    ("details", "text"),
    ("created_at", "double precision"),
)


def record_from_row(row: tuple[Any, ...]) -> StoredRecord:
    return StoredRecord(
        org_id=row[0],
        record_type=row[1],
        record_id=row[2],
        version=int(row[3]),
        server_seq=int(row[4]),
        deleted=bool(row[5]),
        scope_kind=row[6],
        owner_user_id=row[7],
        team_id=row[8],
        payload=loads(row[9]),
        report=loads(row[10]) if row[10] else None,
        updated_at=float(row[11]),
    )


def record_params(r: StoredRecord) -> tuple[Any, ...]:
    """A stored record's row (``REC_COLS``), its payload and report as the UTF-8 bytes of
    their JSON text (``jsonfast.dumps_utf8``: what orjson cannot write stays text), bound as
    text by each backend (SQLite ``CAST(? AS TEXT)``, PostgreSQL's binary text arrays) with no
    decoding to str and encoding back."""
    return (
        r.org_id,
        r.record_type,
        r.record_id,
        r.version,
        r.server_seq,
        int(r.deleted),
        r.scope_kind,
        r.owner_user_id,
        r.team_id,
        dumps_utf8(r.payload),
        None if r.report is None else dumps_utf8(r.report),
        r.updated_at,
    )


def conflict_from_row(row: tuple[Any, ...]) -> ConflictRow:
    def load(v: str | None) -> Any:
        return loads(v) if v is not None else None

    return ConflictRow(
        id=row[0],
        org_id=row[1],
        record_type=row[2],
        record_id=row[3],
        kind=row[4],
        field=row[5],
        base_value=load(row[6]),
        server_value=load(row[7]),
        device_value=load(row[8]),
        device_id=row[9],
        user_id=row[10],
        team_id=row[11],
        owner_user_id=row[12],
        status=row[13],
        resolution=row[14],
        resolved_by=row[15],
        created_at=float(row[16]),
        resolved_at=float(row[17]) if row[17] is not None else None,
    )


def scope_filter(scope: Scope, prefix: str = "") -> tuple[str, list[Any]]:
    """SQL condition (with leading AND) limiting records to what the scope may see."""
    if scope.role == "admin":
        return "", []
    if scope.role == "manager":
        if not scope.team_id:
            return f" AND {prefix}scope_kind = 'org'", []
        return f" AND ({prefix}scope_kind = 'org' OR {prefix}team_id = %s)", [scope.team_id]
    return f" AND ({prefix}scope_kind = 'org' OR {prefix}owner_user_id = %s)", [scope.user_id]


def opt_float(value: Any) -> float | None:
    return float(value) if value is not None else None
