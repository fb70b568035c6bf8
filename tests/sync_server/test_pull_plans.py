"""Every scope's pull walks the organisation's sequence index, on both backends.

So the records table needs no index by owner or team (migration 0005 dropped them: each was
one more entry to write for every pushed visit).
"""

from __future__ import annotations

from typing import Any

import pytest

from sync_server.storage.base import StorageBase
from sync_server.sync.push import apply_push
from tests.sync_server.server_support import add_customer, make_org, visit_change


def plan_indexes(storage: StorageBase, sql: str, params: tuple[Any, ...]) -> list[str]:
    """The indexes the pull's own read transaction would walk for ``sql``."""
    with storage._conn() as conn:  # type: ignore[attr-defined]
        cur = conn.cursor()
        if storage.dialect == "sqlite":  # type: ignore[attr-defined]
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [row[-1] for row in cur.fetchall()]
        storage._begin_read(cur)  # type: ignore[attr-defined]
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0][0]["Plan"]
        cur.execute("COMMIT")
        found = []
        stack = [plan]
        while stack:
            node = stack.pop()
            found.append(f"{node['Node Type']} {node.get('Index Name', '')}")
            stack.extend(node.get("Plans", []))
        return found


def record_indexes(storage: StorageBase) -> set[str]:
    if storage.dialect == "sqlite":  # type: ignore[attr-defined]
        rows = storage._all("PRAGMA index_list(records)", ())  # type: ignore[attr-defined]
        return {r[1] for r in rows if not r[1].startswith("sqlite_autoindex")} | {"pkey"}
    rows = storage._all(  # type: ignore[attr-defined]
        "SELECT indexname FROM pg_indexes WHERE tablename = 'records'"
        " AND schemaname = current_schema()",
        (),
    )
    return {"pkey" if r[0].endswith("_pkey") else r[0] for r in rows}


@pytest.mark.parametrize("who", ["rep1", "manager", "admin"])
def test_a_pull_page_walks_the_sequence_index_for_every_scope(
    storage: StorageBase, who: str
) -> None:
    org = make_org(storage)
    cid = add_customer(storage, org)
    apply_push(storage, org.rep1, [visit_change(i, org, org.rep1, cid) for i in range(1, 40)])
    scope = getattr(org, who)
    sql, params = storage._page_query(scope, 0, 11)  # type: ignore[attr-defined]
    walked = " | ".join(plan_indexes(storage, sql, params))
    assert "records_org_seq" in walked, walked
    assert "Sort" not in walked and "TEMP B-TREE" not in walked, walked  # in index order


def test_records_carry_only_the_indexes_queries_use(storage: StorageBase) -> None:
    assert record_indexes(storage) == {"pkey", "records_org_seq"}
