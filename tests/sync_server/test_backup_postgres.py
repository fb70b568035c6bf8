"""PostgreSQL backup and restore (pg_dump / pg_restore) against the real server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from sync_server.storage.postgres import PostgresStorage
from sync_server.sync.push import apply_push
from tests.sync_server.conftest import make_app
from tests.sync_server.server_support import add_customer, make_org, visit_change

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url(pg_dsn: str) -> Iterator[str]:
    schema = "fl_bk_" + uuid.uuid4().hex[:10]
    yield f"{pg_dsn}?schema={schema}"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def test_the_pg_tools_match_the_server_major_version(pg_dsn: str):
    storage = PostgresStorage(pg_dsn)
    try:
        for tool in ("pg_dump", "pg_restore"):
            path = storage._pg_tool(tool)
            assert Path(path).is_file()
            assert storage._tool_major(path) == storage._server_major()
    finally:
        storage.close()


def test_a_postgres_backup_restores_the_data_it_held_and_forgets_what_came_later(
    pg_url: str, tmp_path: Path
):
    app = make_app(tmp_path, DATABASE_URL=pg_url)
    storage = app.extensions["fieldledger.storage"]
    runner = app.test_cli_runner()
    try:
        org = make_org(storage)
        cid = add_customer(storage, org)
        kept = visit_change(1, org, org.rep1, cid)
        assert apply_push(storage, org.rep1, [kept])[0].status.value == "applied"
        seq_at_backup = storage.org_position(org.org_id)[0]
        epoch_before = storage.get_meta("epoch")
        dump = tmp_path / "server.dump"

        r = runner.invoke(args=["backup", str(dump)])
        assert r.exit_code == 0, r.output
        assert dump.stat().st_size > 0

        lost = visit_change(2, org, org.rep1, cid)
        apply_push(storage, org.rep1, [lost])
        storage.create_org("later", "later")

        r = runner.invoke(args=["restore", str(dump)])
        assert r.exit_code == 0, r.output

        assert storage.org_position(org.org_id)[0] == seq_at_backup
        assert storage.get_record(org.org_id, "visit", kept["record_id"]) is not None
        assert storage.get_record(org.org_id, "visit", lost["record_id"]) is None
        assert storage.org_exists("later") is False
        assert storage.device_max_seq(org.org_id, org.rep1.device_id) == 1
        assert storage.get_meta("epoch") not in (None, epoch_before)
        # the restored database takes writes again, with positions after the backup's
        again = apply_push(storage, org.rep1, [lost])[0]
        assert again.status.value == "applied" and again.server_seq > seq_at_backup
    finally:
        storage.close()


def test_restoring_a_missing_postgres_backup_fails_clearly(pg_url: str, tmp_path: Path):
    app = make_app(tmp_path, DATABASE_URL=pg_url)
    try:
        r = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "nope.dump")])
        assert r.exit_code != 0
        assert "nope.dump" in r.output and "Traceback" not in r.output
    finally:
        app.extensions["fieldledger.storage"].close()
