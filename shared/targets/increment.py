"""Increment penetration 增量穿透力: first-order cycle of new-industry customers."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from shared.targets.index import FactIndex
from shared.targets.lights import Light, exact
from shared.targets.settings import TargetSettings


@dataclass(frozen=True, slots=True)
class PenetrationCase:
    """A new-industry customer from its first visit on."""

    customer_id: str
    industry: str
    first_visit_on: date
    first_order_on: date | None
    """None while the case is open (no order on or before the evaluation day)."""
    days: int
    """The cycle if closed; the age so far (evaluation day - first visit) if open."""
    overdue: bool
    """Open and older than the target."""
    in_figure: bool
    """Counted in the rep's median (closed in the window, or open and overdue)."""

    @property
    def closed(self) -> bool:
        return self.first_order_on is not None


@dataclass(frozen=True, slots=True)
class IncrementPenetration:
    rep_id: str
    as_of: date
    value: float | None
    """Median days of the cases in the figure; None when there is none."""
    light: Light
    cases: tuple[PenetrationCase, ...]
    target_days: int

    @property
    def overdue_cases(self) -> tuple[PenetrationCase, ...]:
        return tuple(case for case in self.cases if case.overdue)

    @property
    def overdue_industries(self) -> dict[str, tuple[str, ...]]:
        """Industry -> customer ids of its overdue open cases."""
        out: dict[str, list[str]] = defaultdict(list)
        for case in self.overdue_cases:
            out[case.industry].append(case.customer_id)
        return {industry: tuple(ids) for industry, ids in sorted(out.items())}


def penetration_cases(
    customer_ids: Iterable[str], as_of: date, facts: FactIndex, settings: TargetSettings
) -> list[PenetrationCase]:
    """The cases among ``customer_ids`` as known on ``as_of`` (later facts are ignored)."""
    day = as_of.toordinal()
    window_first = day - settings.increment_closed_window_days + 1
    target = settings.increment_cycle_target_days
    in_median = settings.increment_open_cases_in_median
    cases: list[PenetrationCase] = []
    for cid in customer_ids:
        customer = facts.customers.get(cid)
        if customer is None or not customer.new_industry:
            continue
        visits = facts.visit_days.get(cid)
        if not visits or visits[0] > day:
            continue  # no visit yet: the clock has not started
        first_visit = visits[0]
        orders = facts.order_days.get(cid)
        first_order = orders[0] if orders else None
        if customer.first_order_on is not None:
            signed = customer.first_order_on.toordinal()
            first_order = signed if first_order is None else min(first_order, signed)
        if first_order is not None and first_order > day:
            first_order = None  # not yet ordered as of the evaluation day
        if first_order is not None and first_order < first_visit:
            continue  # won before any visit: nothing to measure
        if first_order is not None:
            days = first_order - first_visit
            overdue = False
            in_figure = first_order >= window_first
        else:
            days = day - first_visit
            overdue = days > target
            in_figure = overdue and in_median
        cases.append(
            PenetrationCase(
                customer_id=cid,
                industry=customer.industry,
                first_visit_on=date.fromordinal(first_visit),
                first_order_on=date.fromordinal(first_order) if first_order is not None else None,
                days=days,
                overdue=overdue,
                in_figure=in_figure,
            )
        )
    return cases


def increment_light(value: float | None, any_overdue: bool, settings: TargetSettings) -> Light:
    if value is None:
        return Light.YELLOW if any_overdue else Light.GREY
    median = Fraction(value)
    target = exact(settings.increment_cycle_target_days)
    if median <= target and not any_overdue:
        return Light.GREEN
    if median <= target * exact(settings.increment_yellow_ratio):
        return Light.YELLOW
    return Light.RED


def increment_penetration(
    rep_id: str,
    week_end: date,
    facts: FactIndex,
    settings: TargetSettings | None = None,
) -> IncrementPenetration:
    """Increment penetration of one rep as of ``week_end``."""
    settings = settings or TargetSettings()
    cases = penetration_cases(facts.customers_by_rep.get(rep_id, ()), week_end, facts, settings)
    figure = [case.days for case in cases if case.in_figure]
    value = float(statistics.median(figure)) if figure else None
    any_overdue = any(case.overdue for case in cases)
    return IncrementPenetration(
        rep_id=rep_id,
        as_of=week_end,
        value=value,
        light=increment_light(value, any_overdue, settings),
        cases=tuple(cases),
        target_days=settings.increment_cycle_target_days,
    )


def increment_penetration_all(
    week_end: date,
    facts: FactIndex,
    settings: TargetSettings | None = None,
    rep_ids: Iterable[str] | None = None,
) -> dict[str, IncrementPenetration]:
    reps = sorted(set(facts.customers_by_rep) | set(rep_ids or ()))
    return {rep: increment_penetration(rep, week_end, facts, settings) for rep in reps}


@dataclass(frozen=True, slots=True)
class IndustryProgress:
    """One axis of the per-industry radar chart 各行业攻坚进度对比雷达图."""

    industry: str
    cases: int
    closed_in_window: int
    open: int
    overdue: int
    median_days: float | None
    """Median first-order cycle of the cases closed in the window."""
    on_target_rate: float | None
    """Share of cases closed in the window whose cycle was within the target."""


def industry_progress(
    as_of: date, facts: FactIndex, settings: TargetSettings | None = None
) -> list[IndustryProgress]:
    """Per new industry, across all reps, as of ``as_of``."""
    settings = settings or TargetSettings()
    by_industry: dict[str, list[PenetrationCase]] = defaultdict(list)
    for case in penetration_cases(facts.customers, as_of, facts, settings):
        by_industry[case.industry].append(case)
    target = settings.increment_cycle_target_days
    out: list[IndustryProgress] = []
    for industry, cases in sorted(by_industry.items()):
        closed = [c.days for c in cases if c.closed and c.in_figure]
        out.append(
            IndustryProgress(
                industry=industry,
                cases=len(cases),
                closed_in_window=len(closed),
                open=sum(1 for c in cases if not c.closed),
                overdue=sum(1 for c in cases if c.overdue),
                median_days=float(statistics.median(closed)) if closed else None,
                on_target_rate=sum(1 for d in closed if d <= target) / len(closed)
                if closed
                else None,
            )
        )
    return out
