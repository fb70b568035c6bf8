"""On PostgreSQL, concurrent pushes must never let a pull cursor skip a change (guarantee 4)."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from shared.changes import OutcomeStatus
from sync_server.storage.base import Scope
from sync_server.sync.pull import pull_changes
from sync_server.sync.push import apply_push
from tests.sync_server.conftest import pg_schema_storage
from tests.sync_server.server_support import add_customer, make_org, scope_of, visit_change

pytestmark = pytest.mark.postgres


def test_concurrent_pushers_never_make_a_pulling_cursor_skip_a_change(pg_dsn: str) -> None:
    with pg_schema_storage(pg_dsn) as storage:
        org = make_org(storage, seed=False)
        cid = add_customer(storage, org, owner="rep1")
        rep = org.users["rep1"]
        n_threads, batches, per_batch = 6, 12, 5
        committed: set[str] = set()
        lock = threading.Lock()
        errors: list[BaseException] = []
        done = threading.Event()

        def pusher() -> None:
            scope = scope_of(rep)
            try:
                seq = 0
                for _ in range(batches):
                    batch = []
                    for _ in range(per_batch):
                        seq += 1
                        batch.append(visit_change(seq, org, scope, cid))
                    out = apply_push(storage, scope, batch)
                    assert all(o.status is OutcomeStatus.APPLIED for o in out)
                    with lock:
                        committed.update(c["record_id"] for c in batch)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        pulled: set[str] = set()
        cursor = 0
        admin = Scope(org.org_id, org.users["admin1"].id, "admin")
        threads = [threading.Thread(target=pusher) for _ in range(n_threads)]
        for t in threads:
            t.start()

        def drain() -> None:
            nonlocal cursor
            while True:
                page = pull_changes(storage, admin, cursor, 7)
                pulled.update(i.record_id for i in page.items if i.record_type == "visit")
                cursor = page.next_cursor
                if not page.has_more:
                    return

        watcher = threading.Thread(target=lambda: ([t.join() for t in threads], done.set()))
        watcher.start()
        while not done.is_set():
            drain()
        drain()
        watcher.join()
        assert not errors, errors
        assert len(committed) == n_threads * batches * per_batch
        assert pulled == committed


def test_a_plain_sequence_lets_a_cursor_skip_a_late_commit(pg_dsn: str) -> None:
    """Why the counter row lock is needed: nextval() order is not commit order."""
    table = "naive_" + str(int(time.time() * 1e6))
    with psycopg.connect(pg_dsn, autocommit=True) as setup:
        setup.execute(f"CREATE TABLE {table} (pos BIGSERIAL PRIMARY KEY, v TEXT)")
    try:
        slow = psycopg.connect(pg_dsn)
        fast = psycopg.connect(pg_dsn)
        with slow, fast:
            slow.execute(f"INSERT INTO {table} (v) VALUES ('slow')")  # takes pos 1, uncommitted
            fast.execute(f"INSERT INTO {table} (v) VALUES ('fast')")  # takes pos 2
            fast.commit()
            with psycopg.connect(pg_dsn, autocommit=True) as puller:
                seen = puller.execute(f"SELECT pos FROM {table} WHERE pos > 0").fetchall()
                cursor = max(p for (p,) in seen)
                slow.commit()  # pos 1 commits after the puller moved past it
                after = puller.execute(
                    f"SELECT pos FROM {table} WHERE pos > %s", (cursor,)
                ).fetchall()
        assert cursor == 2 and after == []  # position 1 is never seen: skipped
    finally:
        with psycopg.connect(pg_dsn, autocommit=True) as setup:
            setup.execute(f"DROP TABLE IF EXISTS {table}")


def test_the_counter_lock_makes_a_second_writer_wait_for_the_first(pg_dsn: str) -> None:
    with pg_schema_storage(pg_dsn) as storage:
        org = make_org(storage, seed=False)
        order: list[str] = []
        entered = threading.Event()

        def first() -> None:
            with storage.write(org.org_id) as tx:
                tx.next_seq()
                entered.set()
                time.sleep(0.3)
                order.append("first")

        t = threading.Thread(target=first)
        t.start()
        entered.wait(5)
        with storage.write(org.org_id) as tx:
            seq = tx.next_seq()
            order.append("second")
        t.join()
        assert order == ["first", "second"]
        assert seq == 2
