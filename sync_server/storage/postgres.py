"""The PostgreSQL backend (psycopg 3).

A push locks its organisation's counter row (``SELECT ... FOR UPDATE``) for the whole
transaction, so transactions of one organisation commit in ``server_seq`` order; pulls read one
``REPEATABLE READ`` snapshot.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import psycopg

from shared.errors import StorageError
from sync_server.storage.sql import SqlStorage

_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_MIGRATION_LOCK = 7_240_001


class PostgresStorage(SqlStorage):
    dialect = "postgres"

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
        return conn

    def _begin_write(self, cur: Any, org_id: str) -> int | None:
        cur.execute("BEGIN")
        cur.execute("SELECT last_seq FROM orgs WHERE id = %s FOR UPDATE", (org_id,))
        row = cur.fetchone()
        return int(row[0]) if row else None

    def _begin_read(self, cur: Any) -> None:
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def _begin_ddl(self, cur: Any) -> None:
        cur.execute("BEGIN")
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))

    def _in_clean_state(self, conn: Any) -> bool:
        return not conn.closed and conn.info.transaction_status == 0

    def _pg_tool(self, name: str) -> str:
        found = shutil.which(name)
        if found is None:
            raise StorageError(f"{name} not found on PATH", field="path")
        return found

    def backup(self, path: str) -> None:
        """pg_dump in custom format (of the schema only, when one is set)."""
        cmd = [self._pg_tool("pg_dump"), "--format=custom", f"--file={path}", self.dsn]
        if self.schema:
            cmd.insert(1, f"--schema={self.schema}")
        subprocess.run(cmd, check=True, capture_output=True)

    def restore(self, path: str) -> None:
        self.close()
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            target = self.schema or "public"
            conn.execute(f"DROP SCHEMA IF EXISTS {target} CASCADE")
            conn.execute(f"CREATE SCHEMA {target}")
        cmd = [self._pg_tool("pg_restore"), "--no-owner", f"--dbname={self.dsn}", path]
        subprocess.run(cmd, check=True, capture_output=True)
