"""The numbers the server publishes, one function each, so snapshots, the XLSX board and the
PDF report show the same figures (docs/targets.md "Server").
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from shared.targets import (
    BusinessMetrics,
    FactIndex,
    IncrementPenetration,
    StockHealth,
    TargetSettings,
    business_metrics,
    increment_penetration,
    is_month_end,
    stock_health,
)
from sync_server.targets_facts import OrgFacts, VisitRow


def latest_month_end(day: date) -> date:
    """``day`` when it is a month end, else the last day of the previous month."""
    return day if is_month_end(day) else day.replace(day=1) - timedelta(days=1)


def latest_week_end(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def week_key(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def _num(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def stock_out(h: StockHealth, official: bool) -> dict[str, Any]:
    return {
        "as_of": h.as_of.isoformat(),
        "official": official,
        "window_start": h.window_start.isoformat(),
        "window_end": h.window_end.isoformat(),
        "value": _num(h.value),
        "light": h.light.value,
        "target": h.target,
        "existing_customers": len(h.customers),
        "other_customers": h.other_customers,
        "customers": [
            {"customer_id": c.customer_id, "frequency": c.frequency} for c in h.customers
        ],
    }


def increment_out(p: IncrementPenetration, official: bool) -> dict[str, Any]:
    return {
        "as_of": p.as_of.isoformat(),
        "official": official,
        "value": _num(p.value),
        "light": p.light.value,
        "target_days": p.target_days,
        "overdue": len(p.overdue_cases),
        "cases": [
            {
                "customer_id": c.customer_id,
                "industry": c.industry,
                "first_visit_on": c.first_visit_on.isoformat(),
                "first_order_on": c.first_order_on.isoformat() if c.first_order_on else None,
                "days": c.days,
                "overdue": c.overdue,
                "in_figure": c.in_figure,
            }
            for c in p.cases
        ],
    }


def business_out(b: BusinessMetrics) -> dict[str, Any]:
    return {
        "start": b.start.isoformat(),
        "end": b.end.isoformat(),
        "effective_touchpoints": b.effective_touchpoints,
        "inquiries": b.inquiries,
        "proposals": b.proposals,
        "real_visits": b.real_visits,
        "all_visits": b.all_visits,
        "explicit_visits": b.explicit_visits,
        "need_explicitness_rate": _num(b.need_explicitness_rate),
        "decision_chain_depth": _num(b.decision_chain_depth),
        "real_visit_rate": _num(b.real_visit_rate),
        "accounts": [[cid, depth] for cid, depth in b.account_depth],
    }


def month_snapshot(
    rep_id: str, month_end: date, idx: FactIndex, settings: TargetSettings
) -> dict[str, Any]:
    """Official stock health at the month end, increment as of that day, the month's metrics."""
    first = month_end.replace(day=1)
    return {
        "period": "month",
        "period_key": month_key(month_end),
        "start": first.isoformat(),
        "end": month_end.isoformat(),
        "stock": stock_out(stock_health(rep_id, month_end, idx, settings), True),
        "increment": increment_out(increment_penetration(rep_id, month_end, idx, settings), False),
        "business": business_out(business_metrics(rep_id, first, month_end, idx)),
    }


def week_snapshot(
    rep_id: str, week_end: date, idx: FactIndex, settings: TargetSettings
) -> dict[str, Any]:
    """Official increment penetration at the week end, a month-to-date stock preview, the
    week's metrics."""
    start = week_end - timedelta(days=6)
    return {
        "period": "week",
        "period_key": week_key(week_end),
        "start": start.isoformat(),
        "end": week_end.isoformat(),
        "stock": stock_out(stock_health(rep_id, week_end, idx, settings), is_month_end(week_end)),
        "increment": increment_out(increment_penetration(rep_id, week_end, idx, settings), True),
        "business": business_out(business_metrics(rep_id, start, week_end, idx)),
    }


def store_day_metrics(
    facts: OrgFacts, first: date, last: date
) -> dict[tuple[str, date], dict[str, Any]]:
    """Per store and local day in ``[first, last]``: visits, real visits (passed validation),
    new-product trials among real visits (``trial_converted`` recorded) and conversions."""
    acc: dict[tuple[str, date], dict[str, Any]] = defaultdict(
        lambda: {"visits": 0, "real_visits": 0, "trial_visits": 0, "trial_converted": 0,
                 "reps": set()}
    )  # fmt: skip
    for row in facts.visits:
        v = row.fact
        if not first <= v.captured_on <= last:
            continue
        cell = acc[(v.customer_id, v.captured_on)]
        cell["visits"] += 1
        cell["reps"].add(v.rep_id)
        if v.counts:
            cell["real_visits"] += 1
            if row.trial_converted is not None:
                cell["trial_visits"] += 1
                cell["trial_converted"] += int(row.trial_converted)
    return {key: store_payload(facts, key[0], key[1], cell) for key, cell in acc.items()}


def store_payload(
    facts: OrgFacts, customer_id: str, day: date, cell: dict[str, Any]
) -> dict[str, Any]:
    store = facts.stores.get(customer_id)
    visits, real, trials = cell["visits"], cell["real_visits"], cell["trial_visits"]
    return {
        "customer_id": customer_id,
        "store_name": store.name if store else customer_id,
        "district": store.district if store else "",
        "team_id": store.team_id if store else "",
        "day": day.isoformat(),
        "visits": visits,
        "real_visits": real,
        "real_visit_rate": _num(real / visits) if visits else None,
        "trial_visits": trials,
        "trial_converted": cell["trial_converted"],
        "trial_conversion_rate": _num(cell["trial_converted"] / trials) if trials else None,
        "rep_ids": sorted(cell["reps"]),
    }


def visits_in(facts: OrgFacts, customer_ids: set[str], first: date, last: date) -> list[VisitRow]:
    return [
        v
        for v in facts.visits
        if v.fact.customer_id in customer_ids and first <= v.fact.captured_on <= last
    ]
