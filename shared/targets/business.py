"""Business-language metrics of the dashboard: touchpoints, need explicitness, chain depth."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from shared.errors import InvalidInput
from shared.targets.facts import DEPTH_ROLES, DecisionRole, TouchpointKind
from shared.targets.index import FactIndex


@dataclass(frozen=True, slots=True)
class BusinessMetrics:
    rep_id: str
    start: date
    end: date
    inquiries: int
    proposals: int
    real_visits: int
    """Visits in the period that passed validation (they count)."""
    all_visits: int
    explicit_visits: int
    """Real visits where budget, timing and decision chain were all recorded."""
    account_depth: tuple[tuple[str, int], ...]
    """(customer id, distinct decision roles reached up to ``end``) per account visited."""

    @property
    def effective_touchpoints(self) -> int:
        """有效触点数 = inquiries + real visits + proposals sent."""
        return self.inquiries + self.real_visits + self.proposals

    @property
    def need_explicitness_rate(self) -> float | None:
        """需求显性化率 = explicit visits / real visits; None without real visits."""
        return self.explicit_visits / self.real_visits if self.real_visits else None

    @property
    def decision_chain_depth(self) -> float | None:
        """决策链穿透深度 = mean roles reached (0..3) over the accounts visited in the period."""
        if not self.account_depth:
            return None
        return sum(depth for _, depth in self.account_depth) / len(self.account_depth)

    @property
    def real_visit_rate(self) -> float | None:
        """真实拜访率 = real visits / all visits; None without visits."""
        return self.real_visits / self.all_visits if self.all_visits else None


def business_metrics(rep_id: str, start: date, end: date, facts: FactIndex) -> BusinessMetrics:
    """The rep's metrics over the inclusive local-date period ``[start, end]``."""
    if end < start:
        raise InvalidInput(
            "the period ends before it starts",
            message_zh="统计周期的结束日期早于开始日期",
            field="end",
        )
    inquiries = proposals = 0
    for touchpoint in facts.touchpoints_by_rep.get(rep_id, ()):
        if start <= touchpoint.occurred_on <= end:
            if touchpoint.kind is TouchpointKind.INQUIRY:
                inquiries += 1
            else:
                proposals += 1
    real = every = explicit = 0
    accounts: set[str] = set()
    for visit in facts.visits_by_rep.get(rep_id, ()):
        if not start <= visit.captured_on <= end:
            continue
        every += 1
        if visit.counts:
            real += 1
            accounts.add(visit.customer_id)
            if visit.need_explicit:
                explicit += 1
    depth = tuple((cid, _depth(cid, end, facts)) for cid in sorted(accounts))
    return BusinessMetrics(
        rep_id=rep_id,
        start=start,
        end=end,
        inquiries=inquiries,
        proposals=proposals,
        real_visits=real,
        all_visits=every,
        explicit_visits=explicit,
        account_depth=depth,
    )


def _depth(customer_id: str, end: date, facts: FactIndex) -> int:
    """Distinct depth roles reached at an account by real visits on or before ``end``."""
    reached: set[DecisionRole] = set()
    for visit in facts.visits_by_customer.get(customer_id, ()):
        if visit.counts and visit.captured_on <= end:
            reached.update(visit.roles_reached)
    return len(reached & DEPTH_ROLES)


def business_metrics_all(
    start: date, end: date, facts: FactIndex, rep_ids: Iterable[str] | None = None
) -> dict[str, BusinessMetrics]:
    reps = sorted(
        set(facts.customers_by_rep)
        | set(facts.visits_by_rep)
        | set(facts.touchpoints_by_rep)
        | set(rep_ids or ())
    )
    return {rep: business_metrics(rep, start, end, facts) for rep in reps}
