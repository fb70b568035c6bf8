"""What the PostgreSQL backend does beyond the conformance suite: how it stores long values."""

from __future__ import annotations

import pytest

from sync_server.sync.push import apply_push
from tests.sync_server.conftest import pg_schema_storage
from tests.sync_server.server_support import add_customer, make_org, visit_change

pytestmark = pytest.mark.postgres


def test_a_stored_visits_long_report_is_compressed_with_lz4_where_the_server_has_it(
    pg_dsn: str,
) -> None:
    with pg_schema_storage(pg_dsn) as storage:
        org = make_org(storage, seed=False)
        cid = add_customer(storage, org)
        out = apply_push(storage, org.rep1, [visit_change(1, org, org.rep1, cid)])
        assert out[0].status.value == "applied"
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
