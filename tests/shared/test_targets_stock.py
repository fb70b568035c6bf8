"""Stock health 存量健康度 against small hand-computed datasets (see docs/targets.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import InvalidInput
from shared.targets import (
    CustomerFact,
    FactIndex,
    Light,
    OrderFact,
    TargetSettings,
    local_date,
    month_window,
    stock_health,
    stock_health_all,
)


def order(customer: str, day: date, amount: str = "100") -> OrderFact:
    return OrderFact(customer_id=customer, ordered_on=day, amount=Decimal(amount))


def customers(rep: str, *ids: str) -> list[CustomerFact]:
    return [CustomerFact(id=cid, rep_id=rep) for cid in ids]


# Rep r1 at the end of March 2024; the window is 2024-01-01 .. 2024-03-31 (a leap year).
MARCH_ORDERS = [
    # A: ordered on the last day before the window -> existing customer.
    order("A", date(2023, 12, 31)),
    order("A", date(2024, 1, 1)),  # first day of the window: counts (1)
    order("A", date(2024, 1, 1), "250"),  # same day again: still 1
    order("A", date(2024, 2, 29)),  # leap day (2)
    order("A", date(2024, 3, 31)),  # last day of the window (3)
    # B: existing (order in 2023), nothing in the window -> frequency 0, pulls the mean down.
    order("B", date(2023, 6, 15)),
    # C: first order inside the window -> not an existing customer, not in the mean.
    order("C", date(2024, 1, 1)),
    order("C", date(2024, 2, 10)),
    # (D has no orders at all -> not existing.)
    # E: existing; one order a month in the window = 3; the April order is after the window;
    # a zero-amount sample and a negative return are not purchases.
    order("E", date(2023, 11, 5)),
    order("E", date(2024, 1, 15)),
    order("E", date(2024, 2, 15)),
    order("E", date(2024, 3, 15)),
    order("E", date(2024, 3, 20), "0"),
    order("E", date(2024, 3, 21), "-100"),
    order("E", date(2024, 4, 1)),
]


def march_index() -> FactIndex:
    return FactIndex.build(customers("r1", "A", "B", "C", "D", "E"), MARCH_ORDERS)


def test_the_march_window_is_january_to_march():
    assert month_window(date(2024, 3, 31), 3) == (date(2024, 1, 1), date(2024, 3, 31))
    assert month_window(date(2024, 2, 29), 3) == (date(2023, 12, 1), date(2024, 2, 29))
    assert month_window(date(2023, 2, 28), 3) == (date(2022, 12, 1), date(2023, 2, 28))


def test_a_rep_figure_is_the_mean_over_existing_customers_only():
    result = stock_health("r1", date(2024, 3, 31), march_index())
    # Existing: A (3 distinct days), B (0), E (3). C and D are not existing.
    # Mean = (3 + 0 + 3) / 3 = 2.0 -> below 2.3, at least 0.85 x 2.3 = 1.955 -> yellow.
    assert {(row.customer_id, row.frequency) for row in result.customers} == {
        ("A", 3),
        ("B", 0),
        ("E", 3),
    }
    assert result.other_customers == 2
    assert result.value == pytest.approx(2.0)
    assert result.light is Light.YELLOW
    assert (result.window_start, result.window_end) == (date(2024, 1, 1), date(2024, 3, 31))


def test_at_the_end_of_february_of_a_leap_year_the_window_ends_on_the_29th():
    result = stock_health("r1", date(2024, 2, 29), march_index())
    # Window 2023-12-01 .. 2024-02-29. Existing (ordered before 1 Dec 2023): B (June), E (Nov).
    # A's first order is 31 Dec 2023, inside the window -> not existing.
    # B: 0. E: 15 Jan, 15 Feb = 2. Mean = (0 + 2) / 2 = 1.0 < 1.955 -> red.
    assert {(row.customer_id, row.frequency) for row in result.customers} == {("B", 0), ("E", 2)}
    assert result.value == pytest.approx(1.0)
    assert result.light is Light.RED


def test_a_mean_of_exactly_the_target_is_green():
    # 10 existing customers: 7 with 2 orders and 3 with 3 -> 14 + 9 = 23 -> 23 / 10 = 2.3.
    facts = customers("r1", *[f"c{i}" for i in range(10)])
    orders = [order(f"c{i}", date(2023, 12, 1)) for i in range(10)]
    for i in range(10):
        for k in range(3 if i < 3 else 2):
            orders.append(order(f"c{i}", date(2024, 1, 10) + timedelta(days=k)))
    result = stock_health("r1", date(2024, 3, 31), FactIndex.build(facts, orders))
    assert result.value == pytest.approx(2.3)
    assert result.light is Light.GREEN


def test_the_yellow_floor_is_compared_as_the_decimal_the_admin_typed():
    # Target 1.1, yellow ratio 0.9 -> floor 0.99 exactly (in floats 1.1 * 0.9 = 0.99000000000001).
    # 100 existing customers, 99 with one order in the window and 1 with none -> 99/100 = 0.99.
    rules = TargetSettings(stock_repurchase_target=1.1, stock_yellow_ratio=0.9)
    facts = customers("r1", *[f"c{i}" for i in range(100)])
    orders = [order(f"c{i}", date(2023, 1, 1)) for i in range(100)]
    orders += [order(f"c{i}", date(2024, 3, 1)) for i in range(99)]
    result = stock_health("r1", date(2024, 3, 31), FactIndex.build(facts, orders), rules)
    assert result.light is Light.YELLOW
    # One fewer order -> 98/100 = 0.98 < 0.99 -> red.
    fewer = stock_health("r1", date(2024, 3, 31), FactIndex.build(facts, orders[:-1]), rules)
    assert fewer.light is Light.RED


def test_a_rep_without_existing_customers_has_no_value_and_a_grey_light():
    facts = customers("r2", "N1", "N2")
    orders = [order("N1", date(2024, 2, 1))]  # N1 new in the window, N2 never ordered
    result = stock_health("r2", date(2024, 3, 31), FactIndex.build(facts, orders))
    assert result.value is None
    assert result.light is Light.GREY
    assert result.customers == ()
    assert result.other_customers == 2


def test_a_rep_who_owns_no_customer_is_grey_and_listed_when_asked_for():
    results = stock_health_all(date(2024, 3, 31), march_index(), rep_ids=["r9"])
    assert set(results) == {"r1", "r9"}
    assert results["r9"].light is Light.GREY
    assert results["r9"].value is None


def test_a_window_setting_of_one_month_counts_only_that_month():
    rules = TargetSettings(stock_window_months=1)
    result = stock_health("r1", date(2024, 3, 31), march_index(), rules)
    # Window 2024-03-01 .. 31. Existing = A, B, C, E (ordered before March).
    # A: 31 Mar = 1. B: 0. C: 0. E: 15 Mar = 1. Mean = 2 / 4 = 0.5 -> red.
    assert result.value == pytest.approx(0.5)
    assert result.light is Light.RED


def test_an_order_at_2330_utc_on_the_last_day_belongs_to_the_next_month_in_shanghai():
    tz = "Asia/Shanghai"
    late = datetime(2024, 3, 31, 23, 30, tzinfo=UTC)  # 07:30 on 1 April in Shanghai
    assert local_date(late, tz) == date(2024, 4, 1)
    facts = customers("r1", "X", "Y")
    orders = [
        # X's only earlier order is at 16:00 UTC on 31 Dec = 00:00 on 1 Jan in Shanghai:
        # it is inside the window, so X is NOT an existing customer at the end of March.
        order("X", local_date(datetime(2023, 12, 31, 16, 0, tzinfo=UTC), tz)),
        # Y's order one second earlier is 23:59:59 on 31 Dec local -> Y is existing.
        order("Y", local_date(datetime(2023, 12, 31, 15, 59, 59, tzinfo=UTC), tz)),
        order("Y", local_date(late, tz)),
    ]
    index = FactIndex.build(facts, orders)
    march = stock_health("r1", date(2024, 3, 31), index)
    # Only Y is existing; its 23:30 UTC order is an April order -> 0 in the March window.
    assert [(r.customer_id, r.frequency) for r in march.customers] == [("Y", 0)]
    april = stock_health("r1", date(2024, 4, 30), index)
    # Window Feb..Apr: X (Jan 1) and Y (Dec 31) are existing; Y ordered on 1 April -> 1, X 0.
    assert {(r.customer_id, r.frequency) for r in april.customers} == {("X", 0), ("Y", 1)}
    assert april.value == pytest.approx(0.5)


def test_a_naive_timestamp_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as err:
        local_date(datetime(2024, 3, 31, 23, 30), "Asia/Shanghai")
    assert err.value.field == "timestamp"


order_days = st.dates(min_value=date(2023, 6, 1), max_value=date(2024, 6, 30))


@settings(max_examples=60, deadline=None)
@given(
    plan=st.lists(st.tuples(st.sampled_from("PQRS"), order_days), max_size=40),
    extra=st.lists(st.tuples(st.sampled_from("PQRS"), order_days), max_size=10),
)
def test_shuffling_repeating_and_later_orders_never_change_the_figure(plan, extra):
    facts = customers("r1", *"PQRS")
    base = [order(c, d) for c, d in plan]
    as_of = date(2024, 2, 29)
    expected = stock_health("r1", as_of, FactIndex.build(facts, base))
    # The same orders reversed, every order repeated the same day, and orders after as_of.
    later = [order(c, as_of + timedelta(days=1 + (d - date(2023, 6, 1)).days)) for c, d in extra]
    noisy = list(reversed(base)) + base + later
    got = stock_health("r1", as_of, FactIndex.build(facts, noisy))
    assert got.value == expected.value
    assert got.light is expected.light
    assert sorted(got.customers, key=lambda r: r.customer_id) == sorted(
        expected.customers, key=lambda r: r.customer_id
    )
    # Frequencies are bounded by the number of days in the window (1 Dec .. 29 Feb = 91).
    assert all(0 <= row.frequency <= 91 for row in got.customers)
