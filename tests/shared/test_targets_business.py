"""Business-language metrics against a hand-computed month (docs/targets.md)."""

from __future__ import annotations

from datetime import date

import pytest

from shared.errors import InvalidInput
from shared.targets import (
    CustomerFact,
    DecisionRole,
    FactIndex,
    TouchpointFact,
    TouchpointKind,
    VisitFact,
    business_metrics,
    business_metrics_all,
)

PROC, DIR, VP, OTHER = (
    DecisionRole.PROCUREMENT_HEAD,
    DecisionRole.DEPARTMENT_DIRECTOR,
    DecisionRole.VP,
    DecisionRole.OTHER,
)
MARCH = (date(2024, 3, 1), date(2024, 3, 31))


def visit(
    vid: str,
    cid: str,
    day: date,
    *,
    rep: str = "r1",
    counts: bool = True,
    recorded: str = "",
    roles: tuple[DecisionRole, ...] = (),
) -> VisitFact:
    return VisitFact(
        id=vid,
        customer_id=cid,
        rep_id=rep,
        captured_on=day,
        counts=counts,
        budget_recorded="b" in recorded,
        timing_recorded="t" in recorded,
        decision_chain_recorded="d" in recorded,
        roles_reached=frozenset(roles),
    )


def touch(tid: str, kind: TouchpointKind, day: date, rep: str = "r1") -> TouchpointFact:
    return TouchpointFact(id=tid, customer_id="A", rep_id=rep, kind=kind, occurred_on=day)


def march_index() -> FactIndex:
    inquiry, proposal = TouchpointKind.INQUIRY, TouchpointKind.PROPOSAL
    return FactIndex.build(
        [CustomerFact(id=c, rep_id="r1") for c in "ABC"],
        visits=[
            visit("V1", "A", date(2024, 3, 1), recorded="btd", roles=(PROC,)),
            visit("V2", "A", date(2024, 3, 15), recorded="bt", roles=(DIR, OTHER)),
            visit("V3", "B", date(2024, 3, 31), counts=False, recorded="btd", roles=(PROC,)),
            visit("V4", "B", date(2024, 2, 29), roles=(VP,)),
            visit("V5", "B", date(2024, 3, 20), recorded="btd"),
            visit("V6", "C", date(2024, 4, 1), roles=(PROC, DIR, VP)),
            visit("V7", "A", date(2024, 4, 1), roles=(VP,)),
            visit("X1", "A", date(2024, 3, 10), rep="r2", roles=(VP,)),
        ],
        touchpoints=[
            touch("T1", inquiry, date(2024, 3, 1)),
            touch("T2", inquiry, date(2024, 3, 31)),
            touch("T3", proposal, date(2024, 3, 31)),
            touch("T4", inquiry, date(2024, 2, 29)),
            touch("T5", proposal, date(2024, 4, 1)),
            touch("T6", proposal, date(2024, 3, 5), rep="r2"),
        ],
    )


def test_the_dashboard_numbers_of_a_month():
    m = business_metrics("r1", *MARCH, march_index())
    # r1's March visits: V1, V2, V3, V5 (V4 is in February, V6/V7 in April) -> 4 visits;
    # V3 failed validation -> 3 real visits -> real-visit rate 3/4.
    assert (m.all_visits, m.real_visits) == (4, 3)
    assert m.real_visit_rate == pytest.approx(0.75)
    # Touchpoints: inquiries T1, T2 (1 and 31 March) = 2; proposals T3 = 1 (T4/T5 outside,
    # T6 is r2's). Effective = 2 inquiries + 3 real visits + 1 proposal = 6.
    assert (m.inquiries, m.proposals, m.effective_touchpoints) == (2, 1, 6)
    # Need explicitness: real visits with budget+timing+chain = V1, V5 (V2 lacks the chain,
    # V3 does not count) -> 2/3.
    assert m.explicit_visits == 2
    assert m.need_explicitness_rate == pytest.approx(2 / 3)
    # Depth: accounts with a real visit in March = A, B.
    # A: procurement (V1) + director (V2; "other" adds nothing) + VP (r2's X1 on 10 Mar) = 3;
    #    V7's VP is in April, after the period.
    # B: VP (V4 in February, up to the end of the period) = 1; V3's procurement head does not
    #    count (failed visit). Mean = (3 + 1) / 2 = 2.0.
    assert m.account_depth == (("A", 3), ("B", 1))
    assert m.decision_chain_depth == pytest.approx(2.0)


def test_a_rep_without_visits_has_no_rates_but_counts_touchpoints():
    m = business_metrics("r2", date(2024, 3, 11), date(2024, 3, 31), march_index())
    # X1 (10 Mar) is before this period; T6 (5 Mar) too.
    assert (m.all_visits, m.effective_touchpoints) == (0, 0)
    assert m.real_visit_rate is None
    assert m.need_explicitness_rate is None
    assert m.decision_chain_depth is None


def test_all_reps_includes_reps_known_only_from_visits_or_touchpoints():
    everyone = business_metrics_all(*MARCH, march_index())
    assert set(everyone) == {"r1", "r2"}
    assert everyone["r2"].effective_touchpoints == 2  # X1 real visit + T6 proposal


def test_a_period_ending_before_it_starts_is_refused():
    with pytest.raises(InvalidInput) as err:
        business_metrics("r1", date(2024, 3, 31), date(2024, 3, 1), march_index())
    assert err.value.field == "end"
