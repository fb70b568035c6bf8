"""Conflicts shown to the rep: changes the server did not take as sent (local mirror).

Rows come from push outcomes (``conflict``) and are refreshed from the server's conflict list,
which also holds conflicts met by the rep's other devices. A row the server no longer lists
as open is marked resolved (a manager decided).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.sqlite import insert

from client.localdb.schema import conflicts_t
from client.localdb.timefmt import now_text, parse_time


@dataclass(frozen=True)
class LocalConflict:
    id: str
    record_type: str
    record_id: str
    field: str
    local_value: str
    server_value: str
    reason: str
    seq: int | None
    created_at: datetime
    resolved_at: datetime | None


def value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def add_conflict(
    conn: Connection,
    conflict_id: str,
    *,
    record_type: str,
    record_id: str,
    reason: str,
    field: str = "",
    local_value: Any = None,
    server_value: Any = None,
    seq: int | None = None,
) -> bool:
    """Insert unless known; returns True when the row is new."""
    result = conn.execute(
        insert(conflicts_t)
        .values(
            id=conflict_id,
            record_type=record_type,
            record_id=record_id,
            field=field,
            local_value=value_text(local_value),
            server_value=value_text(server_value),
            reason=reason,
            seq=seq,
            created_at=now_text(),
            resolved_at=None,
        )
        .on_conflict_do_nothing()
    )
    return bool(result.rowcount)


def refresh_from_server(conn: Connection, server_open: list[dict[str, Any]]) -> int:
    """Mirror the server's open conflicts; returns how many rows were new here."""
    new = 0
    open_ids = set()
    for c in server_open:
        cid = str(c.get("id", ""))
        if not cid:
            continue
        open_ids.add(cid)
        values = {
            "record_type": str(c.get("record_type", "")),
            "record_id": str(c.get("record_id", "")),
            "field": str(c.get("field") or ""),
            "local_value": value_text(c.get("device_value")),
            "server_value": value_text(c.get("server_value")),
            "reason": str(c.get("kind", "")),
        }
        stmt = insert(conflicts_t).values(id=cid, created_at=now_text(), resolved_at=None, **values)
        result = conn.execute(stmt.on_conflict_do_nothing())
        if result.rowcount:
            new += 1
        else:
            conn.execute(update(conflicts_t).where(conflicts_t.c.id == cid).values(**values))
    stale = [conflicts_t.c.resolved_at.is_(None)]
    if open_ids:
        stale.append(conflicts_t.c.id.not_in(open_ids))
    conn.execute(update(conflicts_t).where(*stale).values(resolved_at=now_text()))
    return new


def list_conflicts(conn: Connection, *, open_only: bool = True) -> list[LocalConflict]:
    q = select(conflicts_t).order_by(conflicts_t.c.created_at, conflicts_t.c.id)
    if open_only:
        q = q.where(conflicts_t.c.resolved_at.is_(None))
    return [
        LocalConflict(
            id=r.id,
            record_type=r.record_type,
            record_id=r.record_id,
            field=r.field,
            local_value=r.local_value,
            server_value=r.server_value,
            reason=r.reason,
            seq=r.seq,
            created_at=parse_time(r.created_at),
            resolved_at=parse_time(r.resolved_at) if r.resolved_at else None,
        )
        for r in conn.execute(q)
    ]
