"""The embedded default backend: one SQLite file in WAL mode.

SQLite has a single writer, so ``BEGIN IMMEDIATE`` serialises pushes and commit order is
``server_seq`` order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shared.poked_thread import PokedThread
from sync_server.storage.base import StoredRecord
from sync_server.storage.sql import SqlStorage
from sync_server.storage.sql_rows import REC_COLS, record_params

# Pages the WAL may hold before a committing connection checkpoints it itself: a safety net
# only, for when the background checkpointer cannot keep up (80 MB at 8 KiB pages).
SAFETY_AUTOCHECKPOINT = 10_000


class WalCheckpointer(PokedThread):
    """Copies the WAL into the database file on its own thread and connection, so a push's
    COMMIT never does it (SQLite's automatic checkpoint runs in whichever commit crosses 1,000
    pages: about a tenth of a push's time, docs/deployment.md §6). Woken after each write
    transaction, it checkpoints at most every ``interval`` seconds, in PASSIVE mode: writers and
    readers go on meanwhile. Stopped by ``SqliteStorage.close``; started again by the next
    write."""

    def __init__(self, path: str, interval: float = 0.25) -> None:
        super().__init__("sqlite-checkpointer", self._session, interval)
        self.path = path
        self.checkpoints = 0

    @contextmanager
    def _session(self) -> Iterator[Callable[[], None]]:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)

        def checkpoint() -> None:
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                self.checkpoints += 1
            except sqlite3.Error:
                pass  # busy or locked: the next wake-up (or the safety net) does it

        try:
            yield checkpoint
        finally:
            conn.close()


class SqliteStorage(SqlStorage):
    dialect = "sqlite"

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = str(path)
        self.checkpointer: WalCheckpointer | None = None
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.checkpointer = WalCheckpointer(self.path)

    def _connect(self) -> Any:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        # 8 KiB pages for a new file (an existing one keeps its size): a visit row (payload and
        # report) is ~2.3 KB, one per 4 KiB page but three per 8 KiB page. Before WAL.
        conn.execute("PRAGMA page_size=8192")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        if self.checkpointer is not None:
            conn.execute(f"PRAGMA wal_autocheckpoint={SAFETY_AUTOCHECKPOINT}")
        return conn

    def _after_write(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.poke()

    def close(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        super().close()

    def _q(self, sql: str) -> str:
        return sql.replace("%s", "?")

    def _insert_records(self, cur: Any, records: list[StoredRecord], tail: str) -> None:
        """Payloads and reports bound as UTF-8 bytes and cast to text (the database's
        encoding): SQLite stores the text ``jsonfast.dumps`` writes, without Python decoding
        orjson's bytes to str and encoding them back to bind them."""
        cur.executemany(
            f"INSERT INTO records ({REC_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
            f" CAST(? AS TEXT), CAST(? AS TEXT), ?){tail}",
            [record_params(r) for r in records],
        )

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
