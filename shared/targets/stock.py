"""Stock health 存量健康度: existing customers' repurchase frequency over a trailing window."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from shared.targets.index import FactIndex
from shared.targets.lights import Light, exact
from shared.targets.periods import month_window
from shared.targets.settings import TargetSettings


@dataclass(frozen=True, slots=True)
class CustomerRepurchase:
    customer_id: str
    frequency: int
    """Distinct order days in the window (several orders on one day count once)."""


@dataclass(frozen=True, slots=True)
class StockHealth:
    rep_id: str
    as_of: date
    window_start: date
    window_end: date
    value: float | None
    """Mean frequency over existing customers; None when the rep has none."""
    light: Light
    customers: tuple[CustomerRepurchase, ...]
    """One row per existing customer (the numbers behind the value)."""
    other_customers: int
    """The rep's customers that are not existing customers (no order before the window)."""
    target: float


def stock_light(total: int, count: int, settings: TargetSettings) -> Light:
    """Light for a mean ``total / count``, compared exactly."""
    if count == 0:
        return Light.GREY
    mean = Fraction(total, count)
    target = exact(settings.stock_repurchase_target)
    if mean >= target:
        return Light.GREEN
    if mean >= target * exact(settings.stock_yellow_ratio):
        return Light.YELLOW
    return Light.RED


def stock_health(
    rep_id: str,
    month_end: date,
    facts: FactIndex,
    settings: TargetSettings | None = None,
) -> StockHealth:
    """Stock health of one rep at ``month_end`` (any other day gives a month-to-date preview)."""
    settings = settings or TargetSettings()
    start, end = month_window(month_end, settings.stock_window_months)
    lo, hi = start.toordinal(), end.toordinal()
    rows: list[CustomerRepurchase] = []
    others = 0
    total = 0
    order_days = facts.order_days
    for cid in facts.customers_by_rep.get(rep_id, ()):
        days = order_days.get(cid)
        if not days or days[0] >= lo:
            others += 1
            continue
        frequency = bisect_right(days, hi) - bisect_left(days, lo)
        total += frequency
        rows.append(CustomerRepurchase(cid, frequency))
    count = len(rows)
    return StockHealth(
        rep_id=rep_id,
        as_of=month_end,
        window_start=start,
        window_end=end,
        value=total / count if count else None,
        light=stock_light(total, count, settings),
        customers=tuple(rows),
        other_customers=others,
        target=settings.stock_repurchase_target,
    )


def stock_health_all(
    month_end: date,
    facts: FactIndex,
    settings: TargetSettings | None = None,
    rep_ids: Iterable[str] | None = None,
) -> dict[str, StockHealth]:
    """Stock health of every rep (``rep_ids`` adds reps that own no customer: grey)."""
    reps = sorted(set(facts.customers_by_rep) | set(rep_ids or ()))
    return {rep: stock_health(rep, month_end, facts, settings) for rep in reps}
