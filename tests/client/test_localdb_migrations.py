"""Schema migrations: upgrades from the committed v1 database keep the outbox intact."""

from __future__ import annotations

import importlib.util
import shutil
import sqlite3
from pathlib import Path

import pytest

from client.localdb import LocalStore
from client.localdb.engine import make_engine
from client.localdb.migrations import LATEST_VERSION, V1_DDL, migrate
from client.localdb.reader import SCHEMA_VERSION
from client.localdb.schema import ALL_TABLES, metadata
from shared.errors import StorageError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE = FIXTURES / "localdb_v1.sqlite"
FIXTURE_DEVICE = "0123456789abcdef0123456789abcdef"


def raw_rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    target = tmp_path / "local.db"
    shutil.copyfile(FIXTURE, target)
    return target


def test_the_fixture_is_a_v1_database_with_two_pending_and_one_acked_entry() -> None:
    assert raw_rows(FIXTURE, "PRAGMA user_version") == [(1,)]
    rows = raw_rows(FIXTURE, "SELECT seq, acked_at IS NULL FROM outbox ORDER BY seq")
    assert rows == [(1, 0), (2, 1), (3, 1)]


@pytest.mark.parametrize("target", range(2, LATEST_VERSION + 1))
def test_every_upgrade_from_v1_keeps_pending_entries_and_the_seq_counter(
    v1_copy: Path, target: int
) -> None:
    before = raw_rows(
        v1_copy, "SELECT seq, record_type, record_id, payload_json, acked_at FROM outbox"
    )
    engine = make_engine(v1_copy)
    try:
        assert migrate(engine, target=target) == target
    finally:
        engine.dispose()
    assert raw_rows(v1_copy, "PRAGMA user_version") == [(target,)]
    after = raw_rows(
        v1_copy, "SELECT seq, record_type, record_id, payload_json, acked_at FROM outbox"
    )
    assert after == before
    assert raw_rows(v1_copy, "SELECT value FROM meta WHERE key = 'next_seq'") == [("4",)]


def test_opening_a_v1_database_upgrades_it_and_carries_on_where_it_was(v1_copy: Path) -> None:
    with LocalStore.open(v1_copy) as store:
        assert store.schema_version == LATEST_VERSION
        assert store.device_id == FIXTURE_DEVICE
        pending = store.pending_changes()
        assert [(e.seq, e.record_id, e.last_error) for e in pending] == [
            (2, "fx-visit-2", ""),
            (3, "fx-visit-3", ""),
        ]
        assert pending[0].payload["notes"] == "fixture visit 2"
        assert pending[0].payload == store.get_visit("fx-visit-2").visit.model_dump(mode="json")
        assert store.get_visit("fx-visit-1").sync_state == "synced"
        assert store.load_draft("fx-draft-1") == {"customer_id": "c1", "notes": "half done"}
        assert store.get_customer("c1").name == "南山路店"
        from tests.client.crash_writer import make_visit

        v, r, p = make_visit(visit_id="after-upgrade")
        assert store.save_visit(v, r, p) == 4
        assert store.pending_counts() == {"visits": 3, "photos": 2, "outbox": 3}


def test_an_unknown_future_schema_version_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "local.db"
    with LocalStore.open(path) as store:
        store.save_draft("d1", {"a": 1})
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    db.close()
    with pytest.raises(StorageError) as caught:
        LocalStore.open(path)
    assert caught.value.field == "user_version"
    assert "newer than this app knows" in caught.value.message
    assert str(LATEST_VERSION + 1) in caught.value.message_zh
    assert raw_rows(path, "PRAGMA user_version") == [(LATEST_VERSION + 1,)]
    assert raw_rows(path, "SELECT draft_id FROM drafts") == [("d1",)]


def test_the_v1_migration_still_creates_exactly_the_fixture_schema(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_v1", FIXTURES / "make_localdb_v1.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.V1_DDL == V1_DDL
    engine = make_engine(tmp_path / "fresh.db")
    try:
        migrate(engine, target=1)
    finally:
        engine.dispose()
    schema_sql = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
    assert raw_rows(tmp_path / "fresh.db", schema_sql) == raw_rows(FIXTURE, schema_sql)


def test_the_core_tables_match_the_migrated_database_column_for_column(
    tmp_path: Path,
) -> None:
    with LocalStore.open(tmp_path / "local.db") as store:
        path = store.path
    db_tables = raw_rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")
    assert sorted(n for (n,) in db_tables) == sorted(t.name for t in ALL_TABLES)
    for table in ALL_TABLES:
        assert metadata.tables[table.name] is table
        # PRAGMA table_info: (cid, name, type, notnull, default, pk position)
        info = raw_rows(path, f"PRAGMA table_info({table.name})")
        assert [row[1] for row in info] == [c.name for c in table.columns], table.name
        # NOT NULL of the other columns (SQLite reports a TEXT key's only when it is declared)
        assert {str(row[1]) for row in info if row[3] and not row[5]} == {
            c.name for c in table.columns if not c.nullable and not c.primary_key
        }, table.name
        assert [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]] == [
            c.name for c in table.primary_key.columns
        ], table.name


def test_the_light_read_path_is_written_for_the_latest_schema() -> None:
    """The store answers the first screen's reads without migrating only at this version."""
    assert SCHEMA_VERSION == LATEST_VERSION


def test_the_store_runs_with_wal_full_sync_foreign_keys_and_a_busy_timeout(
    tmp_path: Path,
) -> None:
    store = LocalStore.open(tmp_path / "local.db", busy_timeout_ms=1234)
    with store, store.engine.connect() as conn:
        got = [
            conn.exec_driver_sql(f"PRAGMA {p}").scalar_one()
            for p in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout", "page_size")
        ]
    assert got == ["wal", 2, 1, 1234, 8192]


def test_an_existing_file_keeps_its_page_size_and_works(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA page_size = 4096")
        raw.execute("CREATE TABLE t (x)")  # a file made with 4 KiB pages
        raw.execute("DROP TABLE t")
    with LocalStore.open(path) as store:
        store.set_meta("k", "v")
        assert store.get_meta("k") == "v"
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA page_size").scalar_one() == 4096
