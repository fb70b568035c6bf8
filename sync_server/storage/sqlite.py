"""The embedded default backend: one SQLite file in WAL mode.

SQLite has a single writer, so ``BEGIN IMMEDIATE`` serialises pushes and commit order is
``server_seq`` order.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sync_server.storage.sql import SqlStorage


class SqliteStorage(SqlStorage):
    dialect = "sqlite"

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)

    def _connect(self) -> Any:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        # 8 KiB pages for a new file (an existing one keeps its size): a visit row (payload and
        # report) is ~2.3 KB, one per 4 KiB page but three per 8 KiB page. Before WAL.
        conn.execute("PRAGMA page_size=8192")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    def _q(self, sql: str) -> str:
        return sql.replace("%s", "?")

    def _begin_write(self, cur: Any, org_id: str) -> int | None:
        cur.execute("BEGIN IMMEDIATE")
        cur.execute("SELECT last_seq FROM orgs WHERE id = ?", (org_id,))
        row = cur.fetchone()
        return int(row[0]) if row else None

    def _begin_read(self, cur: Any) -> None:
        cur.execute("BEGIN")

    def _begin_ddl(self, cur: Any) -> None:
        cur.execute("BEGIN IMMEDIATE")

    def _in_clean_state(self, conn: Any) -> bool:
        return not conn.in_transaction

    def backup(self, path: str) -> None:
        """SQLite online backup API: consistent while the server keeps running."""
        with self._conn() as conn:
            target = sqlite3.connect(path)
            try:
                conn.backup(target)
            finally:
                target.close()

    def restore(self, path: str) -> None:
        if not Path(path).is_file():
            from shared.errors import NotFound

            raise NotFound(f"backup file {path} not found", field="path")
        self.close()
        source = sqlite3.connect(path)
        target = self._connect()
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
