"""The customer list's light reads: the summary projection, "visited since", migration v6."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from client.localdb import LocalStore
from shared.customers import CoordSystem
from tests.client.crash_writer import BASE_TIME, make_visit
from tests.support.factories import make_customer


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    with LocalStore.open(tmp_path / "device" / "local.db") as s:
        yield s


def test_summaries_carry_exactly_what_the_full_customers_say(store: LocalStore) -> None:
    store.upsert_customers(
        [
            make_customer(id="c2", name="科技园便利店", grade="B"),
            make_customer(id="c1", coord_system=CoordSystem.GCJ02, address=""),
        ]
    )
    full = {c.id: c for c in store.list_customers("org1")}
    summaries = store.list_customer_summaries("org1")
    assert [s.id for s in summaries] == [c.id for c in store.list_customers("org1")]
    for s in summaries:
        c = full[s.id]
        assert (s.name, s.address, s.district, s.grade) == (c.name, c.address, c.district, c.grade)
        assert (s.lat, s.lon, s.coord_system) == (c.lat, c.lon, c.coord_system)
    assert store.list_customer_summaries("another-org") == []


def test_a_pending_local_edit_shows_in_the_summary(store: LocalStore) -> None:
    store.upsert_customers([make_customer(id="c1")])
    store.edit_customer("c1", {"address": "新地址 1 号"})
    [summary] = store.list_customer_summaries("org1")
    assert summary.address == "新地址 1 号"


def test_visited_since_counts_visits_from_then_on_and_never_voided_ones(
    store: LocalStore,
) -> None:
    for vid, cid, hours in (("v1", "c1", 1), ("v2", "c2", -30), ("v3", "c3", 2)):
        visit, report, photos = make_visit(
            visit_id=vid, customer_id=cid, device_time=BASE_TIME + timedelta(hours=hours)
        )
        store.save_visit(visit, report, photos)
    store.void_visit("v3", "wrong store", voided_at=BASE_TIME + timedelta(hours=3))
    assert store.customers_visited_since(BASE_TIME) == {"c1"}
    assert store.customers_visited_since(BASE_TIME - timedelta(days=2)) == {"c1", "c2"}


def test_the_capture_time_query_uses_the_v6_index(store: LocalStore) -> None:
    db = sqlite3.connect(store.path)
    try:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        plan = " ".join(
            str(r[-1])
            for r in db.execute(
                "EXPLAIN QUERY PLAN SELECT customer_id FROM visits LEFT JOIN visit_voids"
                " ON visit_voids.visit_id = visits.id"
                " WHERE captured_at >= '2024-01-01' AND visit_voids.id IS NULL"
            )
        )
    finally:
        db.close()
    assert "ix_visits_captured" in names
    assert "ix_visits_captured" in plan
