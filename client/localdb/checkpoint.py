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
import threading
from pathlib import Path

# SQLite's default automatic checkpoint (pages), restored after a pulled page's transaction
AUTOCHECKPOINT_PAGES = 1000


class BackgroundCheckpointer:
    """Checkpoints ``path`` after each :meth:`poke`, on a daemon thread started by the first
    poke and stopped by :meth:`stop` (a later poke starts it again)."""

    def __init__(self, path: Path, busy_timeout_s: float = 5.0) -> None:
        self.path = path
        self.busy_timeout_s = busy_timeout_s
        self.checkpoints = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def poke(self) -> None:
        """A transaction committed: copy the WAL soon."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._run, name="localdb-checkpointer", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop.set()
            self._wake.set()
        if thread is not None:
            thread.join(10)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)
        except sqlite3.Error:
            return  # the file is gone (the store was wiped): nothing to checkpoint
        try:
            while True:
                self._wake.wait()
                if self._stop.is_set():
                    return
                self._wake.clear()
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                except sqlite3.Error:
                    pass  # busy: the next poke, or another transaction's COMMIT, does it
        finally:
            conn.close()
