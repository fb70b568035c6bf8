"""Increment penetration 增量穿透力 against small hand-computed datasets (docs/targets.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.targets import (
    CustomerFact,
    FactIndex,
    Light,
    OrderFact,
    TargetSettings,
    VisitFact,
    increment_penetration,
    industry_progress,
    local_date,
)

W = date(2024, 6, 30)  # a Sunday; the closed-case window is 2024-04-01 .. 2024-06-30 (91 days)


def new(cid: str, industry: str = "nev", rep: str = "r1", **kw: object) -> CustomerFact:
    return CustomerFact(id=cid, rep_id=rep, industry=industry, new_industry=True, **kw)  # type: ignore[arg-type]


def visit(cid: str, day: date, n: int = 0, counts: bool = True) -> VisitFact:
    return VisitFact(
        id=f"{cid}-{day}-{n}", customer_id=cid, rep_id="r1", captured_on=day, counts=counts
    )


def order(cid: str, day: date) -> OrderFact:
    return OrderFact(customer_id=cid, ordered_on=day)


def june_index() -> FactIndex:
    people = [
        new("N1"),
        new("N2"),
        new("N3"),
        new("N4", industry="chips"),
        new("N5"),
        new("N6"),
        new("N7"),
        new("N8"),
        new("N9"),
        new("N10"),
        new("N11", first_order_on=date(2024, 6, 10)),
        CustomerFact(id="O1", rep_id="r1", industry="food", new_industry=False),
    ]
    visits = [
        visit("N1", date(2024, 2, 1)),
        visit("N2", date(2024, 3, 10)),
        visit("N2", date(2024, 5, 1)),
        visit("N3", date(2024, 1, 5)),
        visit("N4", date(2024, 4, 22)),
        visit("N5", date(2024, 4, 23)),
        visit("N6", date(2024, 5, 1)),
        visit("N7", date(2024, 2, 1)),
        visit("N9", date(2024, 7, 5)),
        visit("N10", date(2024, 5, 20)),
        visit("N11", date(2024, 6, 1)),
        visit("O1", date(2024, 1, 1)),
    ]
    orders = [
        order("N1", date(2024, 4, 1)),  # first day of the window
        order("N2", date(2024, 6, 30)),  # last day of the window
        order("N3", date(2024, 3, 31)),  # the day before the window
        order("N6", date(2024, 5, 11)),
        order("N6", date(2024, 6, 11)),  # a repeat order: the first one is what matters
        order("N7", date(2024, 1, 10)),  # before its first visit
        order("N10", date(2024, 7, 2)),  # after the evaluation day
        order("O1", date(2024, 6, 1)),
    ]
    return FactIndex.build(people, orders, visits)


def test_the_median_counts_closed_cases_in_the_window_and_overdue_open_cases():
    result = increment_penetration("r1", W, june_index())
    cases = {c.customer_id: c for c in result.cases}
    # N1: 1 Feb -> 1 Apr = 29 (leap Feb) + 31 = 60 days, closed on the window's first day.
    assert (cases["N1"].days, cases["N1"].in_figure) == (60, True)
    # N2: 10 Mar -> 30 Jun = 21 + 30 + 31 + 30 = 112, closed on the window's last day.
    assert (cases["N2"].days, cases["N2"].in_figure) == (112, True)
    # N3: 5 Jan -> 31 Mar = 26 + 29 + 31 = 86, closed the day before the window: not counted.
    assert (cases["N3"].days, cases["N3"].in_figure) == (86, False)
    # N4: open since 22 Apr -> 8 + 31 + 30 = 69 days > 68: overdue, counts against (69).
    assert (cases["N4"].days, cases["N4"].overdue, cases["N4"].in_figure) == (69, True, True)
    # N5: open since 23 Apr -> 68 days: not past 68 yet.
    assert (cases["N5"].days, cases["N5"].overdue, cases["N5"].in_figure) == (68, False, False)
    # N6: 1 May -> 11 May = 10. N11: visit 1 Jun -> signing date 10 Jun = 9.
    assert (cases["N6"].days, cases["N11"].days) == (10, 9)
    # N10 ordered on 2 Jul, after W: still open on W, 20 May -> 30 Jun = 11 + 30 = 41.
    assert (cases["N10"].closed, cases["N10"].days, cases["N10"].overdue) == (False, 41, False)
    # N7 ordered before any visit; N8 was never visited; N9's first visit is after W;
    # O1 is not a new industry -> no case.
    assert not {"N7", "N8", "N9", "O1"} & set(cases)
    # Figure: 9, 10, 60, 69, 112 -> median 60 <= 68, but N4 is overdue -> yellow.
    assert result.value == 60
    assert result.light is Light.YELLOW
    assert result.overdue_industries == {"chips": ("N4",)}


def test_without_open_cases_in_the_median_only_closed_cases_count():
    rules = TargetSettings(increment_open_cases_in_median=False)
    result = increment_penetration("r1", W, june_index(), rules)
    # Closed in the window: 9, 10, 60, 112 -> median (10 + 60) / 2 = 35; N4 overdue -> yellow.
    assert result.value == 35
    assert result.light is Light.YELLOW


def closed_cases(*cycles: int) -> FactIndex:
    people, visits, orders = [], [], []
    for i, days in enumerate(cycles):
        cid = f"K{i}"
        people.append(new(cid))
        visits.append(visit(cid, W - timedelta(days=days)))
        orders.append(order(cid, W))
    return FactIndex.build(people, orders, visits)


@pytest.mark.parametrize(
    ("cycles", "median", "light"),
    [
        ((68,), 68, Light.GREEN),  # exactly the target
        ((68, 69), 68.5, Light.YELLOW),  # just over
        ((85,), 85, Light.YELLOW),  # exactly 125% of 68 = 85
        ((85, 86), 85.5, Light.RED),  # just over 85
        ((10, 90, 120), 90, Light.RED),
        ((0,), 0, Light.GREEN),  # visited and ordered on the same day
    ],
)
def test_the_light_bands_of_the_median(cycles, median, light):
    result = increment_penetration("r1", W, closed_cases(*cycles))
    assert result.value == median
    assert result.light is light


def test_a_rep_without_cases_is_grey():
    assert increment_penetration("r1", W, FactIndex.build([new("Z")])).light is Light.GREY
    assert increment_penetration("nobody", W, june_index()).value is None


def test_a_young_open_case_alone_gives_no_figure_yet():
    facts = FactIndex.build([new("Y")], [], [visit("Y", W - timedelta(days=30))])
    result = increment_penetration("r1", W, facts)
    assert (result.value, result.light) == (None, Light.GREY)


def test_the_first_visit_of_any_kind_starts_the_clock():
    # A visit that failed validation still shows contact: 1 Apr -> 30 Jun = 90 days, open.
    facts = FactIndex.build([new("F")], [], [visit("F", date(2024, 4, 1), counts=False)])
    case = increment_penetration("r1", W, facts).cases[0]
    assert (case.days, case.overdue) == (90, True)


def test_a_visit_at_2230_utc_is_the_next_day_in_shanghai_and_one_day_younger():
    # 22 Apr 16:30 UTC = 23 Apr 00:30 in Shanghai -> age on 30 Jun = 68 -> not overdue.
    day = local_date(datetime(2024, 4, 22, 16, 30, tzinfo=UTC), "Asia/Shanghai")
    facts = FactIndex.build([new("T")], [], [visit("T", day)])
    case = increment_penetration("r1", W, facts).cases[0]
    assert (case.first_visit_on, case.days, case.overdue) == (date(2024, 4, 23), 68, False)
    # The same instant read in UTC would be 22 Apr -> 69 days -> overdue.
    utc_day = local_date(datetime(2024, 4, 22, 16, 30, tzinfo=UTC), "UTC")
    facts_utc = FactIndex.build([new("T")], [], [visit("T", utc_day)])
    assert increment_penetration("r1", W, facts_utc).cases[0].overdue


def test_industry_progress_summarises_each_new_industry_across_reps():
    radar = {row.industry: row for row in industry_progress(W, june_index())}
    # nev: closed in window N1 60, N2 112, N6 10, N11 9 -> median (10 + 60) / 2 = 35;
    # within 68: 60, 10, 9 -> 3 of 4. Closed earlier: N3. Open: N5, N10.
    nev = radar["nev"]
    assert (nev.cases, nev.closed_in_window, nev.open, nev.overdue) == (7, 4, 2, 0)
    assert nev.median_days == 35
    assert nev.on_target_rate == pytest.approx(0.75)
    chips = radar["chips"]
    assert (chips.cases, chips.open, chips.overdue, chips.median_days) == (1, 1, 1, None)
    assert "food" not in radar


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=90), min_size=1, max_size=9))
def test_the_median_of_closed_cycles_sits_between_the_shortest_and_longest(cycles):
    result = increment_penetration("r1", W, closed_cases(*cycles))
    assert result.value is not None
    assert min(cycles) <= result.value <= max(cycles)
    # Green exactly when the median is within 68 (no open cases here).
    assert (result.light is Light.GREEN) == (result.value <= 68)
