"""The SQLite backend checkpoints its WAL on a background thread, not in a push's COMMIT."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sync_server.storage.sqlite import SAFETY_AUTOCHECKPOINT, SqliteStorage
from sync_server.sync.push import apply_push
from tests.sync_server.server_support import add_customer, make_org, visit_change


def visits_in_the_database_file(path: Path) -> int:
    """What the main file holds, the WAL ignored (immutable): only checkpointed pages. -1
    while the file does not hold the table yet or is being written."""
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        row = conn.execute("SELECT count(*) FROM records WHERE record_type = 'visit'").fetchone()
        return int(row[0])
    except sqlite3.DatabaseError:
        return -1
    finally:
        conn.close()


def test_pushed_visits_reach_the_database_file_through_the_background_checkpointer(
    tmp_path: Path,
) -> None:
    path = tmp_path / "server.db"
    storage = SqliteStorage(path)
    storage.migrate()
    try:
        org = make_org(storage)
        cid = add_customer(storage, org)
        with storage._conn() as conn:  # a committing connection would not checkpoint this soon
            limit = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        assert limit == SAFETY_AUTOCHECKPOINT
        apply_push(storage, org.rep1, [visit_change(i, org, org.rep1, cid) for i in (1, 2, 3)])
        checkpointer = storage.checkpointer
        assert checkpointer is not None
        deadline = time.monotonic() + 10
        while visits_in_the_database_file(path) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert visits_in_the_database_file(path) == 3
        assert checkpointer.checkpoints >= 1
    finally:
        storage.close()
    assert storage.checkpointer is not None and storage.checkpointer._thread is None


def test_a_closed_storage_checkpoints_again_when_it_is_written_to(tmp_path: Path) -> None:
    path = tmp_path / "server.db"
    storage = SqliteStorage(path)
    storage.migrate()
    org = make_org(storage)
    cid = add_customer(storage, org)
    storage.close()  # as restore() does; the pool reconnects on the next use
    try:
        apply_push(storage, org.rep1, [visit_change(1, org, org.rep1, cid)])
        deadline = time.monotonic() + 10
        while visits_in_the_database_file(path) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert visits_in_the_database_file(path) == 1
    finally:
        storage.close()
