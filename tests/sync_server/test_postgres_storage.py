"""What the PostgreSQL backend does beyond the conformance suite: long values, pull plans."""

from __future__ import annotations

import pytest

from sync_server.storage.postgres import PostgresStorage
from sync_server.sync.push import apply_push
from tests.sync_server.conftest import pg_schema_storage
from tests.sync_server.server_support import Org, add_customer, make_org, visit_change

pytestmark = pytest.mark.postgres


def pushed_visits(storage: PostgresStorage, n: int) -> Org:
    """A new organisation (its tables never analysed) and ``n`` visits pushed by rep1."""
    org = make_org(storage, seed=False)
    cid = add_customer(storage, org)
    batch = [visit_change(i, org, org.rep1, cid) for i in range(1, n + 1)]
    assert {o.status.value for o in apply_push(storage, org.rep1, batch)} == {"applied"}
    return org


def test_a_stored_visits_long_report_is_compressed_with_lz4_where_the_server_has_it(
    pg_dsn: str,
) -> None:
    with pg_schema_storage(pg_dsn) as storage:
        org = pushed_visits(storage, 1)
        with storage._conn() as conn:
            methods = conn.execute(
                "SELECT string_agg(enumvals::text, ',') FROM pg_settings"
                " WHERE name = 'default_toast_compression'"
            ).fetchone()[0]
            if "lz4" not in (methods or ""):
                pytest.skip("this PostgreSQL server was built without lz4")
            assert conn.execute("SHOW default_toast_compression").fetchone()[0] == "lz4"
            row = conn.execute(
                "SELECT length(report), pg_column_compression(report) FROM records"
                " WHERE org_id = %s AND record_type = 'visit'",
                (org.org_id,),
            ).fetchone()
        assert row[0] > 1000  # long enough to be compressed in a row over 2 KB
        assert row[1] == "lz4"


def test_a_pull_page_walks_the_sequence_index_and_stops_at_its_limit_without_statistics(
    pg_dsn: str,
) -> None:
    with pg_schema_storage(pg_dsn) as storage:
        org = pushed_visits(storage, 300)
        with storage._conn() as conn:  # a new organisation: the table was never analysed
            cur = conn.cursor()
            storage._begin_read(cur)  # the pull's own transaction settings
            cur.execute(
                "EXPLAIN (ANALYZE, FORMAT JSON) SELECT server_seq, payload, report FROM records"
                " WHERE org_id = %s AND server_seq > 0"
                " AND (scope_kind = 'org' OR owner_user_id = %s) ORDER BY server_seq LIMIT 51",
                (org.org_id, org.rep1.user_id),
            )
            plan = cur.fetchone()[0][0]["Plan"]
            cur.execute("COMMIT")
        assert plan["Node Type"] == "Limit"
        walk = plan["Plans"][0]
        assert walk["Node Type"] == "Index Scan", walk["Node Type"]  # no bitmap scan + sort
        assert walk["Index Name"] == "records_org_seq"
        assert walk["Actual Rows"] <= 51  # stopped at the page, not every record after it
