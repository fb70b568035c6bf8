"""Pre-fill of a new visit form from orders and earlier visits, on a hand-made dataset."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from client.localdb import LocalStore, OrderRow
from shared.customers import Customer
from shared.errors import InvalidInput
from tests.client.crash_writer import make_visit

CST = timezone(timedelta(hours=8))


def seed(store: LocalStore) -> None:
    store.upsert_customers(
        [Customer(id="c1", org_id="org1", name="A", lat=1, lon=1, stock_warning="可乐库存低")]
    )
    visits = [
        ("v1", "c1", datetime(2025, 3, 1, 10, 0, tzinfo=UTC)),
        ("v2", "c1", datetime(2025, 3, 5, 10, 0, tzinfo=UTC)),
        ("v3", "c1", datetime(2025, 3, 9, 6, 0, tzinfo=CST)),  # = 2025-03-08 22:00 UTC
        ("v4", "c1", datetime(2025, 3, 10, 4, 0, tzinfo=UTC)),
        ("v5", "c1", datetime(2025, 3, 11, 9, 0, tzinfo=UTC)),  # voided below: left out
        ("v6", "c2", datetime(2025, 3, 12, 9, 0, tzinfo=UTC)),  # another customer
    ]
    for visit_id, customer_id, when in visits:
        v, r, p = make_visit(visit_id=visit_id, customer_id=customer_id, device_time=when, slots=())
        store.save_visit(v, r, p)
    store.void_visit("v5", "entered twice", voided_at=datetime(2025, 3, 11, 10, tzinfo=UTC))
    store.upsert_orders(
        [
            OrderRow("o1", "c1", date(2025, 2, 1), Decimal("12.30"), ["饮料", "零食"]),
            OrderRow("o2", "c1", date(2025, 2, 20), 99.9, ["零食", "日化"]),
            OrderRow("o3", "c1", date(2025, 3, 2), 5, ["乳品"]),
            OrderRow("o4", "c1", date(2025, 3, 2), 7, ["饮料"]),
            OrderRow("o5", "c2", date(2025, 3, 3), 1, ["酒水"]),
        ]
    )


def test_prefill_from_a_hand_made_history(tmp_path: Path) -> None:
    with LocalStore.open(tmp_path / "local.db") as store:
        seed(store)
        got = store.prefill("c1")
    # Orders newest first: o4 (03-02, id tie-break desc) 饮料; o3 乳品; o2 零食 日化; o1 饮料 零食.
    assert got.categories_bought == ["饮料", "乳品", "零食", "日化"]
    # Last 3 non-voided visits: 03-10 04:00, 03-08 22:00, 03-05 10:00 (UTC).
    # 03-10 04:00 - 03-08 22:00 = 30 h = 1.25 d;  03-08 22:00 - 03-05 10:00 = 84 h = 3.5 d.
    assert got.last_visit_intervals_days == pytest.approx([1.25, 3.5])
    assert got.last_visit_at == datetime(2025, 3, 10, 4, 0, tzinfo=UTC)
    assert got.stock_warning == "可乐库存低"


def test_prefill_with_one_visit_has_no_interval_and_an_unknown_customer_is_empty(
    tmp_path: Path,
) -> None:
    with LocalStore.open(tmp_path / "local.db") as store:
        seed(store)
        one = store.prefill("c2")
        none = store.prefill("c-unknown")
    assert (one.last_visit_intervals_days, one.categories_bought) == ([], ["酒水"])
    assert one.last_visit_at == datetime(2025, 3, 12, 9, 0, tzinfo=UTC)
    assert one.stock_warning == ""
    assert (none.categories_bought, none.last_visit_intervals_days, none.last_visit_at) == (
        [],
        [],
        None,
    )


def test_order_amounts_are_stored_exactly_and_upserts_replace(tmp_path: Path) -> None:
    path = tmp_path / "local.db"
    with LocalStore.open(path) as store:
        seed(store)
        store.upsert_orders([OrderRow("o1", "c1", date(2025, 1, 1), Decimal("0.10"), ["x"])])
        with pytest.raises(InvalidInput) as caught:
            store.upsert_orders([OrderRow("o9", "c1", date(2025, 1, 1), float("nan"), [])])
        assert caught.value.field == "amount"
    db = sqlite3.connect(path)
    amounts = dict(db.execute("SELECT id, amount FROM orders").fetchall())
    db.close()
    assert amounts["o1"] == "0.10" and amounts["o2"] == "99.9" and "o9" not in amounts
