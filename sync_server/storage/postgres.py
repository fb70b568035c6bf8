"""The PostgreSQL backend (psycopg 3).

A push locks its organisation's counter row (``SELECT ... FOR UPDATE``) for the whole
transaction, so transactions of one organisation commit in ``server_seq`` order; pulls read one
``REPEATABLE READ`` snapshot.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import struct
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import psycopg
from psycopg.types.json import Jsonb

from shared.errors import NotFound, StorageError
from sync_server.storage.base import StoredRecord
from sync_server.storage.pg_arrays import ENCODERS
from sync_server.storage.sql import SqlStorage
from sync_server.storage.sql_rows import REC_TYPED, record_params

_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_MIGRATION_LOCK = 7_240_001


def _prefer_lz4(conn: Any) -> None:
    """Compress long values (a visit's report and payload) with lz4 rather than pglz: about a
    third less database time per stored visit (docs/deployment.md §6). A server without lz4
    (built without it, or before PostgreSQL 14) keeps its default."""
    with contextlib.suppress(psycopg.Error):  # autocommit: a failed SET leaves nothing behind
        conn.execute("SET default_toast_compression = 'lz4'")


def _encoded_jsonb(doc: bytes) -> Jsonb:
    """JSON already encoded, sent as a ``jsonb`` parameter without decoding and encoding it
    again; parsed once by the server, then indexed fast (``e->>n``)."""
    return Jsonb(doc, dumps=_as_is)


def _as_is(doc: bytes) -> bytes:
    return doc


def _array(kind: str, values: Sequence[Any]) -> Any:
    """One column as a binary ``kind[]`` parameter: written by ``pg_arrays`` where it can,
    else by psycopg (which sends any value it can, or names what it cannot)."""
    encode = ENCODERS.get(kind)
    if encode is not None:
        try:
            return encode(values)
        except (TypeError, ValueError, AttributeError, struct.error):  # incl. UnicodeEncodeError
            pass
    return [v.decode() if type(v) is bytes else v for v in values]  # text as text, for psycopg


class PostgresStorage(SqlStorage):
    dialect = "postgres"
    pipelined = True

    def __init__(self, dsn: str, schema: str | None = None) -> None:
        super().__init__()
        if schema is not None and not _SCHEMA_RE.match(schema):
            raise ValueError(f"bad schema name {schema!r}")
        self.dsn = dsn
        self.schema = schema

    def _connect(self) -> Any:
        kwargs: dict[str, Any] = {"autocommit": True}
        if self.schema:
            kwargs["options"] = f"-c search_path={self.schema}"
        try:
            conn = psycopg.connect(self.dsn, **kwargs)
        except psycopg.OperationalError as exc:
            raise StorageError(f"cannot connect to PostgreSQL: {exc}") from exc
        if self.schema:
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
        _prefer_lz4(conn)
        return conn

    def _pipeline(self, conn: Any) -> Any:
        """psycopg's pipeline mode: a push sends its records while validating the next ones
        (``WriteTx.send_ahead``), so the database's work overlaps Python's. Reads in the
        transaction still wait for their rows; an error surfaces at the next read or at
        COMMIT and rolls the whole push back, as before."""
        return conn.pipeline()

    def _begin_write(self, cur: Any, org_id: str) -> int | None:
        cur.execute("BEGIN")
        cur.execute("SELECT last_seq FROM orgs WHERE id = %s FOR UPDATE", (org_id,))
        row = cur.fetchone()
        return int(row[0]) if row else None

    def _begin_read(self, cur: Any) -> None:
        """A pull's snapshot. Its page query walks ``records_org_seq`` in ``server_seq`` order
        and stops at the page's limit. Without statistics (a new organisation's records, a
        table not yet analysed) the planner would rather bitmap-scan every record after the
        cursor and sort them, on every page: a full pull grew with the square of its size
        (11 ms a page of 1,000 at 10,000 records, 1 ms walking the index). Bitmap scans and
        sorts are priced out for this read-only transaction only."""
        cur.execute(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"
            " SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off"
        )

    def _begin_ddl(self, cur: Any) -> None:
        cur.execute("BEGIN")
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))

    def _select_keys(
        self,
        columns: str,
        table: str,
        where: tuple[str, list[Any]],
        key: str,
        kind: str,
        keys: list[Any],
    ) -> tuple[str, list[Any]]:
        """One index probe per key, whatever the planner's statistics say.

        ``key IN (...)`` with 500 values is parsed and planned anew each time, and on tables
        not yet analysed (a new organisation's first pushes) the planner filters every row of
        the organisation instead of probing the key. Unnesting the keys (one array parameter)
        into a LATERAL subquery that PostgreSQL may not flatten (``OFFSET 0``) makes it a
        nested loop of primary-key probes.
        """
        cond, params = where
        sql = (
            f"SELECT {columns} FROM unnest(%b::{kind}[]) AS keys(k) CROSS JOIN LATERAL"
            f" (SELECT {columns} FROM {table} WHERE {cond} AND {key} = keys.k OFFSET 0) AS t"
        )
        return sql, [_array(kind, keys), *params]

    def _insert_many(
        self,
        cur: Any,
        table: str,
        columns: tuple[tuple[str, str], ...],
        rows: list[tuple[Any, ...]],
        tail: str = "",
    ) -> None:
        """One statement and one round trip: the rows as one JSON array of arrays, written by
        orjson in C and unpacked by ``jsonb_array_elements``. psycopg's ``executemany`` costs
        tens of microseconds of Python per row even pipelined, and its array dumper loops in
        Python over every value. A value orjson cannot write (an integer beyond 64 bits, a
        lone surrogate) takes the array path (:meth:`_insert_unnest`)."""
        try:
            doc = orjson.dumps(rows)
        except TypeError:
            self._insert_unnest(cur, table, columns, rows, tail)
            return
        names = ", ".join(name for name, _ in columns)
        values = ", ".join(f"(e->>{n})::{kind}" for n, (_, kind) in enumerate(columns))
        cur.execute(
            f"INSERT INTO {table} ({names}) SELECT {values} FROM jsonb_array_elements(%s) AS e"
            f"{tail}",
            (_encoded_jsonb(doc),),
        )

    def _insert_unnest(
        self,
        cur: Any,
        table: str,
        columns: tuple[tuple[str, str], ...],
        rows: list[tuple[Any, ...]],
        tail: str = "",
    ) -> None:
        """Every column sent as a binary array and unnested (any value psycopg can send)."""
        names = ", ".join(name for name, _ in columns)
        arrays = ", ".join(f"%b::{kind}[]" for _, kind in columns)  # binary: no escaping
        if not rows:
            return
        cols = zip(*rows, strict=True)
        values = [_array(kind, col) for (_, kind), col in zip(columns, cols, strict=True)]
        cur.execute(f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}){tail}", values)

    def _insert_records(self, cur: Any, records: list[StoredRecord], tail: str) -> None:
        """Stored records as binary arrays: a visit's payload and report (~2.3 KB) then cost
        PostgreSQL nothing to read, where a JSON document of them cost it ~30 µs of CPU per
        visit more than it saved in Python (the database shares the machine's cores: the
        benchmark prints its CPU per visit)."""
        rows = [record_params(r) for r in records]
        self._insert_unnest(cur, "records", REC_TYPED, rows, tail)

    def _in_clean_state(self, conn: Any) -> bool:
        return not conn.closed and conn.info.transaction_status == 0

    def _server_major(self) -> int:
        row = self._one("SHOW server_version_num")
        assert row is not None
        return int(row[0]) // 10000

    @staticmethod
    def _tool_major(path: str) -> int | None:
        try:
            out = subprocess.run([path, "--version"], check=True, capture_output=True, text=True)
        except (OSError, subprocess.CalledProcessError):
            return None
        found = re.search(r"\)\s*(\d+)", out.stdout)
        return int(found.group(1)) if found else None

    def _pg_tool(self, name: str) -> str:
        """``name`` of the server's major version (Debian keeps each in
        /usr/lib/postgresql/<major>/bin), else one on PATH at least as new as the server."""
        major = self._server_major()
        candidates = [f"/usr/lib/postgresql/{major}/bin/{name}"]
        on_path = shutil.which(name)
        if on_path:
            candidates.append(on_path)
        candidates += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
        seen = []
        for path in candidates:
            if not os.access(path, os.X_OK):
                continue
            tool_major = self._tool_major(path)
            seen.append(f"{path} ({tool_major})")
            if tool_major is not None and tool_major >= major:
                return path
        raise StorageError(
            f"no {name} for PostgreSQL {major} found (tried {', '.join(seen) or 'none'}):"
            f" install the client tools of version {major}",
            field="path",
        )

    def _run_tool(self, cmd: list[str]) -> None:
        try:
            subprocess.run(cmd, check=True, capture_output=True, text=True)
        except subprocess.CalledProcessError as exc:
            tail = (exc.stderr or "").strip().splitlines()[-3:]
            raise StorageError(
                f"{Path(cmd[0]).name} failed (exit {exc.returncode}): {' / '.join(tail)}",
                field="path",
            ) from None

    def backup(self, path: str) -> None:
        """pg_dump in custom format (of the schema only, when one is set)."""
        cmd = [self._pg_tool("pg_dump"), "--format=custom", f"--file={path}", self.dsn]
        if self.schema:
            cmd.insert(1, f"--schema={self.schema}")
        self._run_tool(cmd)

    def restore(self, path: str) -> None:
        """Replace the schema with the dump's (checked readable before anything is dropped)."""
        if not Path(path).is_file():
            raise NotFound(f"backup file {path} not found", field="path")
        restore_tool = self._pg_tool("pg_restore")
        self._run_tool([restore_tool, "--list", path])  # a readable dump, or nothing is dropped
        self.close()
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            target = self.schema or "public"
            conn.execute(f"DROP SCHEMA IF EXISTS {target} CASCADE")
            if not self.schema:  # a whole-database dump does not create "public"
                conn.execute("CREATE SCHEMA public")
        self._run_tool([restore_tool, "--no-owner", f"--dbname={self.dsn}", path])
