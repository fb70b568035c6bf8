"""The write transaction of the SQL backends: buffered rows flushed with ``executemany``."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sync_server.storage.base import Assignment, ConflictRow, OutcomeRow, StoredRecord, WriteTx
from sync_server.storage.sql_rows import (
    CHUNK,
    CONFLICT_TYPED,
    OUTCOME_TYPED,
    REC_COLS,
    RECORD_UPSERT,
    dumps,
    loads,
    opt_float,
    record_from_row,
)

if TYPE_CHECKING:
    from sync_server.storage.sql import SqlStorage


RANGE_FACTOR = 4  # seqs spread wider than this many per seq are looked up one by one


class SqlWriteTx(WriteTx):
    """Buffers inserts and flushes them with ``executemany`` before commit."""

    def __init__(
        self, storage: SqlStorage, cur: Any, org_id: str, last_seq: int, pipelined: bool = False
    ) -> None:
        self._s = storage
        self._pipelined = pipelined
        self._cur = cur
        self.parsed_cache = storage.parsed_cache
        self.org_id = org_id
        self.last_seq = last_seq
        self._start_seq = last_seq
        self._records: dict[tuple[str, str], StoredRecord] = {}
        self._new: set[tuple[str, str]] = set()  # keys of _records known absent from the table
        self._outcomes: list[OutcomeRow] = []
        self._conflicts: list[ConflictRow] = []
        self._photos: list[tuple[str, str]] = []
        self._now = time.time()

    def _run(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        self._cur.execute(self._s._q(sql), tuple(params))
        return list(self._cur.fetchall())

    def _ask(self, queries: list[tuple[str, list[Any]]]) -> Callable[[], list[tuple[Any, ...]]]:
        """Run ``queries``; the returned function gives their rows. Pipelined, each goes out
        now on a cursor of its own and its rows are read when asked for (the database works
        meanwhile); otherwise they run now."""
        if not self._pipelined:
            rows = [row for sql, params in queries for row in self._run(sql, params)]
            return lambda: rows
        cursors = []
        for sql, params in queries:
            cur = self._cur.connection.cursor()
            cur.execute(self._s._q(sql), tuple(params))
            cursors.append(cur)

        def read() -> list[tuple[Any, ...]]:
            rows = []
            for cur in cursors:
                rows += cur.fetchall()
                cur.close()
            return rows

        return read

    def next_seq(self) -> int:
        self.last_seq += 1
        return self.last_seq

    def outcomes(self, device_id: str, seqs: list[int]) -> dict[int, OutcomeRow]:
        return self.outcomes_later(device_id, seqs)()

    def outcomes_later(
        self, device_id: str, seqs: list[int]
    ) -> Callable[[], dict[int, OutcomeRow]]:
        columns = "seq, status, record_type, record_id, server_seq, version, code, message, details"
        where = ("org_id = %s AND device_id = %s", [self.org_id, device_id])
        wanted = set(seqs)
        if wanted and max(wanted) - min(wanted) < RANGE_FACTOR * len(wanted):
            # a device's seqs in a push are (nearly) consecutive: one range scan of the
            # primary key, where one probe per seq cost the database ~2 µs each
            queries = [
                (
                    f"SELECT {columns} FROM device_outcomes WHERE {where[0]}"
                    " AND seq BETWEEN %s AND %s",
                    [*where[1], min(wanted), max(wanted)],
                )
            ]
        else:
            queries = [
                self._s._select_keys(
                    columns, "device_outcomes", where, "seq", "bigint", seqs[i : i + CHUNK]
                )
                for i in range(0, len(seqs), CHUNK)
            ]
        rows = self._ask(queries)
        buffered = [o for o in self._outcomes if o.device_id == device_id and o.seq in wanted]

        def read() -> dict[int, OutcomeRow]:
            found = {
                int(r[0]): OutcomeRow(
                    device_id, int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], loads(r[8])
                )
                for r in rows()
                if int(r[0]) in wanted
            }
            found.update((o.seq, o) for o in buffered)
            return found

        return read

    def add_outcomes(self, rows: list[OutcomeRow]) -> None:
        self._outcomes.extend(rows)

    def get_records(self, record_type: str, ids: list[str]) -> dict[str, StoredRecord]:
        return self.get_records_later(record_type, ids)()

    def get_records_later(
        self, record_type: str, ids: list[str]
    ) -> Callable[[], dict[str, StoredRecord]]:
        found: dict[str, StoredRecord] = {}
        missing = []
        for rid in dict.fromkeys(ids):
            buffered = self._records.get((record_type, rid))
            if buffered is not None:
                found[rid] = buffered
            else:
                missing.append(rid)
        if not missing:
            return lambda: found
        rows = self._ask(
            [
                self._s._select_keys(
                    REC_COLS,
                    "records",
                    ("org_id = %s AND record_type = %s", [self.org_id, record_type]),
                    "record_id",
                    "text",
                    missing[i : i + CHUNK],
                )
                for i in range(0, len(missing), CHUNK)
            ]
        )

        def read() -> dict[str, StoredRecord]:
            for row in rows():
                found[row[2]] = record_from_row(row)
            return found

        return read

    def all_records(self, record_type: str) -> list[StoredRecord]:
        rows = self._run(
            f"SELECT {REC_COLS} FROM records WHERE org_id = %s AND record_type = %s"
            " AND deleted = 0",
            (self.org_id, record_type),
        )
        merged = {r[2]: record_from_row(r) for r in rows}
        for (rtype, rid), rec in self._records.items():
            if rtype == record_type:
                merged[rid] = rec
        return [r for r in merged.values() if not r.deleted]

    def put_records(self, records: list[StoredRecord], *, known_new: bool = False) -> None:
        for r in records:
            r.updated_at = r.updated_at or self._now
            key = (r.record_type, r.record_id)
            self._records[key] = r
            if known_new:
                self._new.add(key)
            else:
                self._new.discard(key)  # replacing it is always safe

    def add_scope_exit(
        self, record_type: str, record_id: str, audiences: list[tuple[str, str]]
    ) -> int:
        seq = self.next_seq()
        for kind, audience_id in dict.fromkeys(audiences):
            self._run(
                "INSERT INTO scope_exits (org_id, server_seq, record_type, record_id,"
                " audience_kind, audience_id, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                " RETURNING server_seq",
                (self.org_id, seq, record_type, record_id, kind, audience_id, self._now),
            )
        return seq

    def add_conflicts(self, rows: list[ConflictRow]) -> None:
        self._conflicts.extend(rows)

    def assignments(self, customer_ids: list[str]) -> list[Assignment]:
        out: list[Assignment] = []
        ids = list(dict.fromkeys(customer_ids))
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            sql, params = self._s._select_keys(
                "customer_id, user_id, team_id, valid_from, valid_to",
                "customer_assignments",
                ("org_id = %s", [self.org_id]),
                "customer_id",
                "text",
                chunk,
            )
            for r in self._run(sql, params):
                out.append(Assignment(r[0], r[1], r[2], float(r[3]), opt_float(r[4])))
        return out

    def assign_customer(self, customer_id: str, user_id: str, team_id: str, at: float) -> None:
        self._cur.execute(
            self._s._q(
                "UPDATE customer_assignments SET valid_to = %s WHERE org_id = %s"
                " AND customer_id = %s AND valid_to IS NULL"
            ),
            (at, self.org_id, customer_id),
        )
        if user_id:
            self._cur.execute(
                self._s._q(
                    "INSERT INTO customer_assignments (org_id, customer_id, user_id, team_id,"
                    " valid_from, valid_to) VALUES (%s, %s, %s, %s, %s, NULL)"
                ),
                (self.org_id, customer_id, user_id, team_id, at),
            )

    def add_visit_photos(self, rows: list[tuple[str, str]]) -> None:
        self._photos.extend(rows)

    def send_ahead(self) -> None:
        """In a bulk transaction on a backend that pipelines (PostgreSQL), send the buffered
        records and outcomes without waiting for the database: it writes them while the push
        validates the next changes. Elsewhere they wait for :meth:`flush`."""
        if self._pipelined:
            self._flush_records()
            self._flush_outcomes()

    def _flush_records(self) -> None:
        """Records known new go in with a plain INSERT (no conflict arbitration per row); the
        others replace any row of their key."""
        if not self._records:
            return
        new = self._new
        fresh: list[StoredRecord] = []
        other: list[StoredRecord] = []
        for key, rec in self._records.items():
            (fresh if key in new else other).append(rec)
        if fresh:
            self._s._insert_records(self._cur, fresh, "")
        if other:
            self._s._insert_records(self._cur, other, RECORD_UPSERT)
        self._records.clear()  # sent: reads in this transaction find them in the table
        new.clear()

    def _flush_outcomes(self) -> None:
        if not self._outcomes:
            return
        self._s._insert_many(
            self._cur,
            "device_outcomes",
            OUTCOME_TYPED,
            [
                (
                    self.org_id,
                    o.device_id,
                    o.seq,
                    o.status,
                    o.record_type,
                    o.record_id,
                    o.server_seq,
                    o.version,
                    o.code,
                    o.message,
                    dumps(o.details),
                    self._now,
                )
                for o in self._outcomes
            ],
        )
        self._outcomes.clear()

    def flush(self) -> None:
        self._flush_records()
        self._flush_outcomes()
        insert = self._s._insert_many
        cur = self._cur
        if self._conflicts:
            insert(
                cur,
                "conflicts",
                CONFLICT_TYPED,
                [
                    (
                        c.id,
                        self.org_id,
                        c.record_type,
                        c.record_id,
                        c.kind,
                        c.field,
                        dumps(c.base_value),
                        dumps(c.server_value),
                        dumps(c.device_value),
                        c.device_id,
                        c.user_id,
                        c.team_id,
                        c.owner_user_id,
                        c.status,
                        c.resolution,
                        c.resolved_by,
                        c.created_at or self._now,
                        c.resolved_at,
                    )
                    for c in self._conflicts
                ],
            )
        if self._photos:
            insert(
                cur,
                "visit_photos",
                (("org_id", "text"), ("sha256", "text"), ("visit_id", "text")),
                [(self.org_id, sha, vid) for sha, vid in dict.fromkeys(self._photos)],
                " ON CONFLICT DO NOTHING",
            )
        if self.last_seq != self._start_seq:
            cur.execute(
                self._s._q("UPDATE orgs SET last_seq = %s WHERE id = %s"),
                (self.last_seq, self.org_id),
            )
