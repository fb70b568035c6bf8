"""Copying the WAL into the database file on a thread of its own while a pull writes pages.

SQLite's automatic checkpoint runs inside whichever COMMIT crosses 1,000 WAL pages: during a
full pull that is every third page or so, and it cost the applying thread a tenth to a sixth of
its time (the WAL's frames read back and written into the file: kernel copies, not Python). A
pulled page's transaction therefore turns the automatic checkpoint off on its own connection
and, once committed, wakes this thread, which checkpoints on its own connection in PASSIVE mode
(writers and readers go on meanwhile) while the next page is applied. Nothing changes for
durability: a checkpoint only moves committed frames; the WAL holds them until then.

If the thread falls behind (a long reader holds frames back), the next COMMIT of any other
transaction still checkpoints itself (those keep SQLite's automatic checkpoint).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from shared.poked_thread import PokedThread

# SQLite's default automatic checkpoint (pages), restored after a pulled page's transaction
AUTOCHECKPOINT_PAGES = 1000


class BackgroundCheckpointer(PokedThread):
    """Checkpoints ``path`` (PASSIVE) on its own thread and connection after each
    :meth:`poke`; :meth:`stop` ends the thread (a later poke starts it again)."""

    def __init__(self, path: Path, busy_timeout_s: float = 5.0) -> None:
        super().__init__("localdb-checkpointer", self._session)
        self.path = path
        self.busy_timeout_s = busy_timeout_s
        self.checkpoints = 0

    @contextmanager
    def _session(self) -> Iterator[Callable[[], None] | None]:
        try:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)
        except sqlite3.Error:
            yield None  # the file is gone: nothing to checkpoint
            return

        def checkpoint() -> None:
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                self.checkpoints += 1
            except sqlite3.Error:
                pass  # busy: the next poke, or another transaction's COMMIT, does it

        try:
            yield checkpoint
        finally:
            conn.close()
