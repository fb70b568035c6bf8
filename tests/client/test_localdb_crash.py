"""Crash safety: a writer killed with SIGKILL at random moments never leaves half a visit;
a second writer holding the SQLite write lock makes save_visit wait or fail cleanly."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from client.localdb import BlobStore, LocalStore
from shared.errors import StorageError
from tests.client.crash_writer import make_visit

REPO = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).with_name("crash_writer.py")


def log_lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def run_and_kill(db: Path, log: Path, seed: int, delay_s: float, round_no: int) -> None:
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(db), str(seed), str(log)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while log_lines(log).count("ready") <= round_no:
        if proc.poll() is not None:
            pytest.fail(f"writer died on its own: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "writer never became ready"
        time.sleep(0.01)
    time.sleep(delay_s)
    assert proc.poll() is None, proc.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == -signal.SIGKILL


def assert_never_half_written(db: Path, log: Path) -> int:
    """Every visit has its outbox entry, photo rows and blobs; every entry has its record."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        q = lambda sql: conn.execute(sql).fetchall()  # noqa: E731
        visits = {vid: json.loads(vj) for vid, vj in q("SELECT id, visit_json FROM visits")}
        entries = q("SELECT seq, record_type, record_id FROM outbox")
        visit_entries = sorted(rid for _, t, rid in entries if t == "visit")
        assert visit_entries == sorted(visits)
        voids = dict(q("SELECT id, visit_id FROM visit_voids"))
        assert sorted(rid for _, t, rid in entries if t == "visit_void") == sorted(voids)
        assert set(voids.values()) <= set(visits)
        blobs = BlobStore(db.parent / f"{db.name}.blobs")
        photo_rows = q("SELECT visit_id, sha256, stored_sha256, thumb_sha256 FROM visit_photos")
        hashes = set(q("SELECT sha256, visit_id FROM photo_hashes"))
        for visit_id, visit in visits.items():
            mine = [r for r in photo_rows if r[0] == visit_id]
            assert [r[1] for r in mine] == [p["sha256"] for p in visit["photos"]]
            for _, capture_sha, stored_sha, thumb_sha in mine:
                assert blobs.verify(stored_sha) and blobs.verify(thumb_sha)
                assert (capture_sha, visit_id) in hashes
        assert set(q("SELECT visit_id FROM visit_photos")) <= {(v,) for v in visits}
        drafts = {d for (d,) in q("SELECT draft_id FROM drafts")}
        assert not drafts & set(visits)
        [(next_seq,)] = q("SELECT value FROM meta WHERE key = 'next_seq'")
        assert int(next_seq) > max((s for s, _, _ in entries), default=0)
    finally:
        conn.close()
    # No acknowledged write lost: everything the writer reported as saved is there.
    for line in log_lines(log):
        if line.startswith(("saved ", "void ")):
            kind, visit_id, seq = line.split()
            assert visit_id in visits
            expected_type = "visit" if kind == "saved" else "visit_void"
            assert (int(seq), expected_type) in {(s, t) for s, t, _ in entries}
    return len(visits)


@pytest.mark.slow
def test_a_writer_killed_at_random_moments_never_leaves_half_a_visit(tmp_path: Path) -> None:
    rng = random.Random(20250312)
    db, log = tmp_path / "device" / "local.db", tmp_path / "writer.log"
    db.parent.mkdir()
    rounds = 6
    for round_no in range(rounds):
        run_and_kill(db, log, seed=rng.randrange(1 << 30), delay_s=rng.uniform(0.05, 0.6),
                     round_no=round_no)  # fmt: skip
        assert_never_half_written(db, log)
    saved = sum(line.startswith("saved ") for line in log_lines(log))
    assert saved >= rounds  # the writer did get work done between kills
    # Kills did land mid-save: drafts of visits never committed, and/or their orphan blobs.
    blob_root = db.parent / "local.db.blobs"
    with sqlite3.connect(db) as conn:
        interrupted = conn.execute("SELECT count(*) FROM drafts").fetchone()[0]
        used = {h for row in conn.execute("SELECT stored_sha256, thumb_sha256 FROM visit_photos")
                for h in row}  # fmt: skip
    conn.close()
    orphans = {p.name for p in blob_root.rglob("*") if len(p.name) == 64} - used
    assert interrupted + len(orphans) > 0

    with LocalStore.open(db) as store:  # and the store carries on normally afterwards
        before = store.get_meta("next_seq")
        v, r, p = make_visit(visit_id="after-the-crashes")
        assert str(store.save_visit(v, r, p)) == before
        store.gc_blobs(older_than_s=0)
    assert_never_half_written(db, log)
    assert not list((db.parent / "local.db.blobs").rglob(".tmp-*"))


def hold_write_lock(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO meta VALUES ('holder', 'was here')")
    return holder


def table_counts(path: Path) -> tuple[int, ...]:
    db = sqlite3.connect(path)
    try:
        return tuple(
            db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("visits", "visit_photos", "photo_hashes", "outbox", "drafts")
        )
    finally:
        db.close()


def test_a_second_writer_holding_the_lock_makes_save_visit_fail_without_half_writing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "local.db"
    with LocalStore.open(path, busy_timeout_ms=200) as store:
        store.save_draft("v1", {"step": 2})
        before = table_counts(path)
        holder = hold_write_lock(path)
        try:
            v, r, p = make_visit(visit_id="v1")
            started = time.monotonic()
            with pytest.raises(StorageError) as caught:
                store.save_visit(v, r, p)
            assert time.monotonic() - started >= 0.15  # it did wait for busy_timeout
            assert caught.value.details["reason"] == "busy"
            assert "busy" in caught.value.message and "正忙" in caught.value.message_zh
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert table_counts(path) == before
        assert store.get_meta("next_seq") == "1"
        assert store.save_visit(v, r, p) == 1  # and works once the lock is gone
        assert store.load_draft("v1") is None


def test_save_visit_waits_for_a_short_lock_and_then_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "local.db"
    with LocalStore.open(path, busy_timeout_ms=5000) as store:
        holder = hold_write_lock(path)
        releaser = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
        releaser.start()
        try:
            v, r, p = make_visit(visit_id="v1")
            started = time.monotonic()
            assert store.save_visit(v, r, p) == 1
            assert time.monotonic() - started >= 0.25
        finally:
            releaser.join()
            holder.close()
        assert store.get_meta("holder") == "was here"
        assert table_counts(path)[:4] == (1, 2, 2, 1)
