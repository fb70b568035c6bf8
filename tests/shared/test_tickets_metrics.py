"""The report-to-answer metric: hours, median and p90 per group, overdue flags, export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.tickets import (
    Answer,
    AnswerSource,
    GroupBy,
    ProblemType,
    Scenario,
    Ticket,
    TicketState,
    answer_hours,
    export_csv,
    is_overdue,
    percentile,
    resolution_board,
)

T0 = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)


def done(i: int, hours: float | None, *, ptype: str = "policy", district: str = "南山",
         owner: str | None = "o1", deadline_h: float | None = 48,
         answered_h: float | None = None) -> Ticket:  # fmt: skip
    answers: tuple[Answer, ...] = ()
    ans_h = answered_h if answered_h is not None else hours
    if ans_h is not None:
        answers = (
            Answer(id=f"a{i}", source=AnswerSource.OWNER, author_id=owner or "system", text="x",
                   created_at=T0 + timedelta(hours=ans_h)),
        )  # fmt: skip
    return Ticket(
        id=f"t{i}", org_id="org", reporter_id="rep", problem_type=ProblemType(ptype),
        scenario=Scenario(customer_id="c", district=district), text="x", device_time=T0,
        state=TicketState.ANSWERED if answers else TicketState.TRIAGED, owner_id=owner,
        deadline=T0 + timedelta(hours=deadline_h) if deadline_h is not None else None,
        answers=answers,
        delivered_at=T0 + timedelta(hours=hours) if hours is not None else None,
    )  # fmt: skip


def test_percentiles_interpolate_between_closest_ranks():
    assert percentile([], 50) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 11)), 90) == pytest.approx(9.1)
    assert percentile([142.0, 29.0, 30.0], 50) == 30.0


@given(st.lists(st.floats(0, 1e4, allow_nan=False), min_size=1, max_size=50))
def test_the_median_lies_between_min_and_p90_and_p90_below_max(values):
    med, p90 = percentile(values, 50), percentile(values, 90)
    assert med is not None and p90 is not None
    assert min(values) <= med <= p90 + 1e-9 <= max(values) + 2e-9


def test_the_board_by_type_district_and_owner():
    now = T0 + timedelta(hours=200)
    tickets = [
        done(1, 10),
        done(2, 20),
        done(3, 30, deadline_h=24),  # policy/南山/o1; t3 late
        done(4, 142, ptype="product", district="福田", owner="o2", deadline_h=100),  # late
        done(5, None, ptype="product", district="福田", owner="o2", deadline_h=100),  # open late
        done(6, None, ptype="product", district="福田", owner="o2", deadline_h=300),  # open ok
    ]
    by_type = {r.key: r for r in resolution_board(tickets, GroupBy.TYPE, now)}
    assert by_type["policy"].median_hours == 20 and by_type["policy"].p90_hours == pytest.approx(28)
    assert (by_type["policy"].tickets, by_type["policy"].delivered) == (3, 3)
    assert by_type["policy"].overdue == 1
    assert by_type["product"].median_hours == 142 and by_type["product"].overdue == 2
    assert (by_type["product"].tickets, by_type["product"].delivered) == (3, 1)
    by_district = resolution_board(tickets, GroupBy.DISTRICT, now)
    assert [r.key for r in by_district] == ["南山", "福田"]
    by_owner = {r.key: r.median_hours for r in resolution_board(tickets, GroupBy.OWNER, now)}
    assert by_owner == {"o1": 20, "o2": 142}


def test_overdue_means_no_answer_by_the_deadline():
    t = done(1, None, deadline_h=24)
    assert not is_overdue(t, T0 + timedelta(hours=23))
    assert is_overdue(t, T0 + timedelta(hours=25))
    assert not is_overdue(done(2, 30, answered_h=20, deadline_h=24), T0 + timedelta(days=9))
    assert is_overdue(done(3, 30, answered_h=25, deadline_h=24), T0 + timedelta(hours=25))
    assert not is_overdue(done(4, None, deadline_h=None), T0 + timedelta(days=99))
    closed = t.model_copy(update={"state": TicketState.CLOSED})
    assert not is_overdue(closed, T0 + timedelta(days=9))


def test_hours_never_go_negative_when_the_device_reported_later_than_delivery():
    t = done(1, 1).model_copy(update={"device_time": T0 + timedelta(hours=5)})
    assert answer_hours(t) == 0.0


def test_the_export_has_one_row_per_ticket_with_the_metric():
    rows = list(csv.DictReader(io.StringIO(export_csv([done(1, 29), done(2, None)], T0))))
    assert [r["id"] for r in rows] == ["t1", "t2"]
    assert rows[0]["answer_hours"] == "29.00" and rows[1]["answer_hours"] == ""
    assert rows[0]["time_trusted"] == "no" and rows[0]["district"] == "南山"
