"""The SQL implementation shared by both backends: portable SQL with ``%s`` placeholders.

Dialects differ only in how they connect, how a write transaction takes the organisation lock,
how a read snapshot starts, and backup/restore (``sqlite.py``, ``postgres.py``).
"""

from __future__ import annotations

import threading
import time
from abc import abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from importlib import resources
from typing import Any

from shared.errors import NotFound
from sync_server.storage.base import (
    ConflictRow,
    PullItem,
    PullPage,
    RawJson,
    Scope,
    StoredRecord,
    WriteTx,
)
from sync_server.storage.sql_accounts import AccountsMixin
from sync_server.storage.sql_rows import (
    CONFLICT_COLS,
    REC_COLS,
    conflict_from_row,
    dumps,
    loads,
    record_from_row,
    scope_filter,
)


class SqlStorage(AccountsMixin):
    """Shared SQL code; subclasses provide connections and dialect details."""

    dialect = "sql"
    # the statements of a bulk write transaction (a push) are sent without waiting for each
    # answer (WriteTx.send_ahead sends the rows buffered so far; see _pipeline)
    pipelined = False

    def __init__(self) -> None:
        self._pool: list[Any] = []
        self._pool_lock = threading.Lock()
        # parsed records (settings, calendar, SOPs, customers) by (org, type, id, server_seq,
        # version): a stored state never changes under one key; emptied by close() (restore)
        self.parsed_cache: dict[tuple[Any, ...], Any] = {}

    # --- dialect hooks -----------------------------------------------------------------------
    @abstractmethod
    def _connect(self) -> Any: ...

    def _q(self, sql: str) -> str:
        return sql

    @abstractmethod
    def _begin_write(self, cur: Any, org_id: str) -> int | None:
        """Begin a write transaction holding the org lock; return last_seq (None: no org)."""

    @abstractmethod
    def _begin_read(self, cur: Any) -> None: ...

    @abstractmethod
    def _begin_ddl(self, cur: Any) -> None:
        """Begin a transaction that excludes other migrators."""

    def _select_keys(
        self,
        columns: str,
        table: str,
        where: tuple[str, list[Any]],
        key: str,
        kind: str,
        keys: list[Any],
    ) -> tuple[str, list[Any]]:
        """``SELECT columns FROM table WHERE where AND key IN keys``: the SQL and all its
        parameters. ``where`` is a condition and its parameters; ``kind`` the key's PostgreSQL
        type."""
        cond, params = where
        marks = ", ".join(["%s"] * len(keys))
        sql = f"SELECT {columns} FROM {table} WHERE {cond} AND {key} IN ({marks})"
        return sql, [*params, *keys]

    def _insert_many(
        self,
        cur: Any,
        table: str,
        columns: tuple[tuple[str, str], ...],
        rows: list[tuple[Any, ...]],
        tail: str = "",
    ) -> None:
        """INSERT ``rows`` (of ``columns``: name and PostgreSQL type) in one call; ``tail`` is
        an ``ON CONFLICT`` clause. Keys must be unique within ``rows``."""
        names = ", ".join(name for name, _ in columns)
        marks = ", ".join(["%s"] * len(columns))
        cur.executemany(self._q(f"INSERT INTO {table} ({names}) VALUES ({marks}){tail}"), rows)

    def _insert_records(self, cur: Any, records: list[StoredRecord], tail: str) -> None:
        """Insert stored records (keys unique within ``records``), ``tail`` an ON CONFLICT.
        Each backend binds ``sql_rows.record_params``' JSON bytes as text its own way."""
        raise NotImplementedError

    # --- connections ---------------------------------------------------------------------------
    @contextmanager
    def _conn(self) -> Iterator[Any]:
        with self._pool_lock:
            conn = self._pool.pop() if self._pool else None
        if conn is None:
            conn = self._connect()
        healthy = True
        try:
            yield conn
        except BaseException:
            healthy = self._rollback(conn)
            raise
        finally:
            if healthy:
                with self._pool_lock:
                    self._pool.append(conn)
            else:
                conn.close()

    def _rollback(self, conn: Any) -> bool:
        try:
            conn.cursor().execute("ROLLBACK")
        except Exception:
            return self._in_clean_state(conn)
        return True

    def _in_clean_state(self, conn: Any) -> bool:
        return False

    def close(self) -> None:
        self.parsed_cache.clear()
        with self._pool_lock:
            conns, self._pool = self._pool, []
        for conn in conns:
            conn.close()

    def _all(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        with self._conn() as conn:
            cur = conn.cursor()
            cur.execute(self._q(sql), tuple(params))
            return list(cur.fetchall())

    def _one(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> tuple[Any, ...] | None:
        rows = self._all(sql, params)
        return rows[0] if rows else None

    def _exec(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> int:
        with self._conn() as conn:
            cur = conn.cursor()
            cur.execute(self._q(sql), tuple(params))
            return int(cur.rowcount or 0)

    # --- migrations ----------------------------------------------------------------------------
    def _migration_files(self) -> list[tuple[int, str, str]]:
        folder = resources.files("sync_server.storage.migrations").joinpath(self.dialect)
        found = []
        for entry in folder.iterdir():
            if entry.name.endswith(".sql"):
                version = int(entry.name.split("_", 1)[0])
                found.append((version, entry.name, entry.read_text(encoding="utf-8")))
        return sorted(found)

    def migrate(self) -> list[int]:
        applied: list[int] = []
        with self._conn() as conn:
            cur = conn.cursor()
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                " name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"
            )
            for version, name, sql in self._migration_files():
                self._begin_ddl(cur)
                try:
                    cur.execute(
                        self._q("SELECT 1 FROM schema_migrations WHERE version = %s"), (version,)
                    )
                    if cur.fetchone() is None:
                        for statement in [s for s in sql.split(";") if s.strip()]:
                            cur.execute(statement)
                        cur.execute(
                            self._q("INSERT INTO schema_migrations VALUES (%s, %s, %s)"),
                            (version, name, time.time()),
                        )
                        applied.append(version)
                    cur.execute("COMMIT")
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
        return applied

    def schema_version(self) -> int:
        try:
            row = self._one("SELECT MAX(version) FROM schema_migrations")
        except Exception:
            return 0
        return int(row[0]) if row and row[0] is not None else 0

    def get_meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM server_meta WHERE key = %s", (key,))
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._exec(
            "INSERT INTO server_meta (key, value) VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- organisations -------------------------------------------------------------------------
    def create_org(self, org_id: str, name: str) -> None:
        self._exec(
            "INSERT INTO orgs (id, name, created_at) VALUES (%s, %s, %s)",
            (org_id, name, time.time()),
        )

    def org_exists(self, org_id: str) -> bool:
        return self._one("SELECT 1 FROM orgs WHERE id = %s", (org_id,)) is not None

    def org_position(self, org_id: str) -> tuple[int, int]:
        row = self._one("SELECT last_seq, tombstone_horizon FROM orgs WHERE id = %s", (org_id,))
        if row is None:
            raise NotFound(f"organisation {org_id!r} not found", field="org")
        return int(row[0]), int(row[1])

    @contextmanager
    def write(self, org_id: str, *, bulk: bool = False) -> Iterator[WriteTx]:
        pipelined = bulk and self.pipelined
        with self._conn() as conn, self._pipeline(conn) if pipelined else nullcontext():
            cur = conn.cursor()
            last = self._begin_write(cur, org_id)
            if last is None:
                cur.execute("ROLLBACK")
                raise NotFound(f"organisation {org_id!r} not found", field="org")
            from sync_server.storage.sql_tx import SqlWriteTx

            tx = SqlWriteTx(self, cur, org_id, last, pipelined=pipelined)
            yield tx
            tx.flush()
            cur.execute("COMMIT")
        self._after_write()

    def _after_write(self) -> None:
        """Called after a write transaction committed (SQLite: wake the WAL checkpointer)."""

    def _pipeline(self, conn: Any) -> AbstractContextManager[Any]:
        """Where the statements of a bulk write transaction go without waiting for their
        answers (backends with ``pipelined``)."""
        return nullcontext()

    def get_record(self, org_id: str, record_type: str, record_id: str) -> StoredRecord | None:
        row = self._one(
            f"SELECT {REC_COLS} FROM records WHERE org_id = %s AND record_type = %s"
            " AND record_id = %s",
            (org_id, record_type, record_id),
        )
        return record_from_row(row) if row else None

    def pull(self, scope: Scope, cursor: int, limit: int, *, decode: bool = True) -> PullPage:
        load = loads if decode else RawJson
        with self._conn() as conn:
            cur = conn.cursor()
            self._begin_read(cur)
            try:
                cur.execute(
                    self._q("SELECT last_seq, tombstone_horizon FROM orgs WHERE id = %s"),
                    (scope.org_id,),
                )
                pos = cur.fetchone()
                if pos is None:
                    raise NotFound("organisation not found", field="org")
                cur.execute(*self._page_query(scope, cursor, limit + 1))
                items = [
                    PullItem(
                        server_seq=int(r[0]),
                        record_type=r[1],
                        record_id=r[2],
                        version=int(r[3]),
                        op="delete" if r[4] else ("create" if int(r[3]) == 1 else "update"),
                        payload={} if r[4] else load(r[5]),
                        report=load(r[6]) if r[6] and not r[4] else None,
                    )
                    for r in cur.fetchall()
                ]
                audience = self._exit_audience(scope)
                if audience is not None:
                    cur.execute(
                        self._q(
                            "SELECT server_seq, record_type, record_id FROM scope_exits"
                            " WHERE org_id = %s AND server_seq > %s AND audience_kind = %s"
                            " AND audience_id = %s ORDER BY server_seq LIMIT %s"
                        ),
                        (scope.org_id, cursor, *audience, limit + 1),
                    )
                    exits = [
                        PullItem(int(r[0]), r[1], r[2], 0, "delete", {"reason": "scope_exit"})
                        for r in cur.fetchall()
                    ]
                    items = sorted(items + exits, key=lambda i: i.server_seq)
            finally:
                cur.execute("COMMIT")
        has_more = len(items) > limit
        items = items[:limit]
        last_seq, horizon = int(pos[0]), int(pos[1])
        next_cursor = items[-1].server_seq if has_more else max(cursor, last_seq)
        return PullPage(items, has_more, next_cursor, last_seq, horizon)

    @staticmethod
    def _exit_audience(scope: Scope) -> tuple[str, str] | None:
        if scope.role == "rep":
            return ("user", scope.user_id)
        if scope.role == "manager" and scope.team_id:
            return ("team", scope.team_id)
        return None

    def purge_tombstones(self, org_id: str, older_than: float) -> tuple[int, int]:
        with self._conn() as conn:
            cur = conn.cursor()
            if self._begin_write(cur, org_id) is None:
                cur.execute("ROLLBACK")
                raise NotFound(f"organisation {org_id!r} not found", field="org")
            q = self._q
            cur.execute(
                q(
                    "SELECT MAX(server_seq), COUNT(*) FROM records WHERE org_id = %s"
                    " AND deleted = 1 AND updated_at < %s"
                ),
                (org_id, older_than),
            )
            max_rec, count = cur.fetchone()
            cur.execute(
                q("SELECT MAX(server_seq) FROM scope_exits WHERE org_id = %s AND created_at < %s"),
                (org_id, older_than),
            )
            max_exit = cur.fetchone()[0]
            cur.execute(
                q("DELETE FROM records WHERE org_id = %s AND deleted = 1 AND updated_at < %s"),
                (org_id, older_than),
            )
            cur.execute(
                q("DELETE FROM scope_exits WHERE org_id = %s AND created_at < %s"),
                (org_id, older_than),
            )
            cur.execute(q("SELECT tombstone_horizon FROM orgs WHERE id = %s"), (org_id,))
            horizon = max(int(cur.fetchone()[0]), int(max_rec or 0), int(max_exit or 0))
            cur.execute(
                q("UPDATE orgs SET tombstone_horizon = %s WHERE id = %s"), (horizon, org_id)
            )
            cur.execute("COMMIT")
        return int(count or 0), horizon

    def _page_query(self, scope: Scope, cursor: int, limit: int) -> tuple[str, tuple[Any, ...]]:
        """A pull page's query: the records after ``cursor`` that ``scope`` may see, in
        ``server_seq`` order. Every scope walks ``records_org_seq`` and filters on the way
        (``tests/sync_server/test_pull_plans.py``)."""
        cond, params = scope_filter(scope)
        sql = (
            "SELECT server_seq, record_type, record_id, version, deleted, payload, report"
            f" FROM records WHERE org_id = %s AND server_seq > %s{cond}"
            " ORDER BY server_seq LIMIT %s"
        )
        return self._q(sql), (scope.org_id, cursor, *params, limit)

    def device_max_seq(self, org_id: str, device_id: str) -> int:
        row = self._one(
            "SELECT MAX(seq) FROM device_outcomes WHERE org_id = %s AND device_id = %s",
            (org_id, device_id),
        )
        return int(row[0]) if row and row[0] is not None else 0

    # --- conflicts -----------------------------------------------------------------------------
    def list_conflicts(self, scope: Scope, status: str) -> list[ConflictRow]:
        cond, params = "", []
        if scope.role == "rep":
            cond, params = " AND (user_id = %s OR owner_user_id = %s)", [scope.user_id] * 2
        elif scope.role == "manager":
            cond, params = " AND team_id = %s AND team_id <> ''", [scope.team_id]
        if status != "all":
            cond += " AND status = %s"
            params.append(status)
        rows = self._all(
            f"SELECT {CONFLICT_COLS} FROM conflicts WHERE org_id = %s{cond} ORDER BY created_at",
            [scope.org_id, *params],
        )
        return [conflict_from_row(r) for r in rows]

    def get_conflict(self, org_id: str, conflict_id: str) -> ConflictRow | None:
        row = self._one(
            f"SELECT {CONFLICT_COLS} FROM conflicts WHERE org_id = %s AND id = %s",
            (org_id, conflict_id),
        )
        return conflict_from_row(row) if row else None

    def resolve_conflict(
        self, org_id: str, conflict_id: str, resolution: str, by: str, at: float
    ) -> None:
        self._exec(
            "UPDATE conflicts SET status = 'resolved', resolution = %s, resolved_by = %s,"
            " resolved_at = %s WHERE org_id = %s AND id = %s",
            (resolution, by, at, org_id, conflict_id),
        )


__all__ = ["SqlStorage", "dumps", "scope_filter"]
