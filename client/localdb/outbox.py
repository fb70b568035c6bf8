"""The outbox: every local change waiting for (or already given) the server's acknowledgement.

``seq`` is per device, strictly increasing and never reused: the next value lives in
``meta['next_seq']`` and is taken in the same transaction as the entry it numbers. Entries are
kept after acknowledgement (``acked_at``, ``server_epoch``) so a device can push again to a
server restored from an older backup (see ``requeue*``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from client.localdb.meta import get_meta, set_meta
from client.localdb.schema import outbox_t
from client.localdb.timefmt import now_text, parse_time
from shared.changes import Op, OutgoingChange, RecordType

NEXT_SEQ_KEY = "next_seq"


@dataclass(frozen=True)
class OutboxEntry:
    seq: int
    record_type: str
    record_id: str
    op: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int
    last_error: str
    acked_at: datetime | None = None
    server_epoch: str | None = None
    base_version: int | None = None  # customer updates: the server version the edit is based on

    def to_change(self) -> OutgoingChange:
        """The entry in the push format of :mod:`shared.changes`."""
        return OutgoingChange(
            seq=self.seq,
            record_type=RecordType(self.record_type),
            record_id=self.record_id,
            op=Op(self.op),
            payload=self.payload,
            base_version=self.base_version,
        )


def take_seq(conn: Connection) -> int:
    """Allocate the next seq inside the caller's write transaction."""
    seq = int(get_meta(conn, NEXT_SEQ_KEY) or "1")
    set_meta(conn, NEXT_SEQ_KEY, str(seq + 1))
    return seq


def append(
    conn: Connection,
    record_type: RecordType,
    record_id: str,
    op: Op,
    payload: dict[str, Any],
    *,
    base_version: int | None = None,
) -> int:
    seq = take_seq(conn)
    conn.execute(
        outbox_t.insert().values(
            seq=seq,
            record_type=record_type.value,
            record_id=record_id,
            op=op.value,
            payload_json=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
            created_at=now_text(),
            attempts=0,
            last_error="",
            base_version=base_version,
        )
    )
    return seq


def _entry(row: Any) -> OutboxEntry:
    return OutboxEntry(
        seq=row.seq,
        record_type=row.record_type,
        record_id=row.record_id,
        op=row.op,
        payload=json.loads(row.payload_json),
        created_at=parse_time(row.created_at),
        attempts=row.attempts,
        last_error=row.last_error,
        acked_at=parse_time(row.acked_at) if row.acked_at else None,
        server_epoch=row.server_epoch,
        base_version=getattr(row, "base_version", None),
    )


def pending(conn: Connection, limit: int) -> list[OutboxEntry]:
    rows = conn.execute(
        select(outbox_t).where(outbox_t.c.acked_at.is_(None)).order_by(outbox_t.c.seq).limit(limit)
    )
    return [_entry(r) for r in rows]


def all_entries(conn: Connection) -> list[OutboxEntry]:
    return [_entry(r) for r in conn.execute(select(outbox_t).order_by(outbox_t.c.seq))]


def mark_acked(conn: Connection, seqs: list[int], server_epoch: str) -> int:
    if not seqs:
        return 0
    result = conn.execute(
        update(outbox_t)
        .where(outbox_t.c.seq.in_(seqs), outbox_t.c.acked_at.is_(None))
        .values(acked_at=now_text(), server_epoch=server_epoch, last_error="")
    )
    return int(result.rowcount)


def _requeue(conn: Connection, *where: Any) -> int:
    result = conn.execute(
        update(outbox_t)
        .where(outbox_t.c.acked_at.is_not(None), *where)
        .values(acked_at=None, server_epoch=None)
    )
    return int(result.rowcount)


def requeue(conn: Connection, seqs: list[int]) -> int:
    return _requeue(conn, outbox_t.c.seq.in_(seqs)) if seqs else 0


def requeue_after(conn: Connection, seq: int) -> int:
    return _requeue(conn, outbox_t.c.seq > seq)


def requeue_unless_epoch(conn: Connection, server_epoch: str) -> int:
    return _requeue(conn, outbox_t.c.server_epoch.is_distinct_from(server_epoch))


def record_failure(conn: Connection, seq: int, error: str) -> None:
    conn.execute(
        update(outbox_t)
        .where(outbox_t.c.seq == seq)
        .values(attempts=outbox_t.c.attempts + 1, last_error=error[:2000])
    )


def count_pending(conn: Connection, record_type: str | None = None) -> int:
    q = select(func.count()).select_from(outbox_t).where(outbox_t.c.acked_at.is_(None))
    if record_type is not None:
        q = q.where(outbox_t.c.record_type == record_type)
    return int(conn.execute(q).scalar_one())
