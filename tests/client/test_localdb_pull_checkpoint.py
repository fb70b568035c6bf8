"""A pulled page's COMMIT leaves the WAL to the background checkpointer (client/localdb/
checkpoint.py): the applying connection gets SQLite's automatic checkpoint back afterwards,
the checkpointer copies the WAL into the file, and every pulled visit is there."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from client.localdb import LocalStore
from client.localdb.checkpoint import AUTOCHECKPOINT_PAGES
from shared.changes import IncomingChange
from tests.client.crash_writer import make_visit


def _page(first: int, n: int) -> list[IncomingChange]:
    visit, _, _ = make_visit(visit_id="v-template")
    base = visit.model_dump(mode="json")
    return [
        IncomingChange(
            server_seq=seq,
            record_type="visit",
            record_id=f"v-{seq}",
            op="create",
            payload={**base, "id": f"v-{seq}", "notes": "货架补货完成" * 40},
        )
        for seq in range(first, first + n)
    ]


def _wal_frames_left(path: Path) -> int:
    """Frames in the WAL not yet copied into the file (a PASSIVE checkpoint's answer)."""
    raw = sqlite3.connect(path)
    try:
        _, log, done = raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(log) - int(done)
    finally:
        raw.close()


def test_pulled_pages_are_checkpointed_by_the_background_thread_and_all_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "local.db"
    with LocalStore.open(path) as store:
        org = make_visit(visit_id="v-template")[0].org_id
        for page in range(6):
            with store.pull_transaction(durable=False) as tx:
                changes = _page(page * 200 + 1, 200)
                store.apply_pulled_changes(changes, org_id=org, cursor=page * 200 + 200, tx=tx)
        checkpointer = store.pull_checkpointer
        deadline = time.monotonic() + 10
        while checkpointer.checkpoints == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert checkpointer.checkpoints >= 1
        # the connection the pages used checkpoints by itself again
        with store.engine.connect() as conn:
            limit = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()
            sync = conn.exec_driver_sql("PRAGMA synchronous").scalar_one()
        assert limit == AUTOCHECKPOINT_PAGES
        assert sync == 2  # FULL, for what the rep captures
        assert store.get_meta("sync.cursor") == "1200"
    assert checkpointer._thread is None  # closing the store stopped it
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT count(*) FROM visits").fetchone() == (1200,)
    raw.close()
    assert _wal_frames_left(path) == 0


def test_a_failed_page_rolls_back_and_leaves_the_connection_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "local.db"
    with LocalStore.open(path) as store:
        org = make_visit(visit_id="v-template")[0].org_id
        try:
            with store.pull_transaction(durable=False) as tx:
                store.apply_pulled_changes(_page(1, 50), org_id=org, cursor=50, tx=tx)
                raise RuntimeError("the app died mid-page")
        except RuntimeError:
            pass
        with store.engine.connect() as conn:
            limit = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()
        assert limit == AUTOCHECKPOINT_PAGES
        assert store.get_meta("sync.cursor") in (None, "", "0")
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT count(*) FROM visits").fetchone() == (0,)
    raw.close()
