"""Targets benchmark: recompute every target for 200 reps, 20,000 customers, 1,000,000 orders.

Run: ``.venv/bin/python bench/bench_targets.py [--runs 3]``. Not a test: prints the median of
the runs and the target (<= 10 s). One run = group the facts once (FactIndex.build) + stock
health of every rep at a month end + increment penetration of every rep at a week end + the
business metrics of every rep over the month + the per-industry radar + escalation rules.
Data is generated deterministically (seeded) and is not timed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.targets import (
    CustomerFact,
    DecisionRole,
    EscalationState,
    FactIndex,
    OrderFact,
    TargetSettings,
    TouchpointFact,
    TouchpointKind,
    VisitFact,
    business_metrics_all,
    evaluate_escalations,
    increment_penetration_all,
    industry_progress,
    stock_health_all,
)

TARGET_S = 10.0
REPS, CUSTOMERS, ORDERS, VISITS, TOUCHPOINTS = 200, 20_000, 1_000_000, 200_000, 50_000
START = date(2024, 1, 1)
DAYS = 730  # two years of history
MONTH_END = date(2025, 12, 31)
WEEK_END = date(2025, 12, 28)  # a Sunday
INDUSTRIES = ("new_energy_auto", "semiconductor", "medical", "food", "logistics", "retail")
ROLES = tuple(DecisionRole)


def generate(seed: int = 20240229) -> tuple[list, list, list, list]:
    rng = random.Random(seed)
    customers = [
        CustomerFact(
            id=f"c{i:05d}",
            rep_id=f"r{i % REPS:03d}",
            district=f"d{i % 40:02d}",
            industry=rng.choice(INDUSTRIES),
            new_industry=rng.random() < 0.1,
        )
        for i in range(CUSTOMERS)
    ]
    days = [START + timedelta(days=d) for d in range(DAYS)]
    amounts = [Decimal(a) for a in range(-5, 5000, 7)]
    cids = [c.id for c in customers]
    orders = [
        OrderFact(
            customer_id=cids[int(rng.random() ** 1.5 * CUSTOMERS)],
            ordered_on=days[rng.randrange(DAYS)],
            amount=amounts[rng.randrange(len(amounts))],
            categories=("A",),
            erp_order_id=f"o{n}",
        )
        for n in range(ORDERS)
    ]
    visits = []
    for n in range(VISITS):
        customer = customers[rng.randrange(CUSTOMERS)]
        visits.append(
            VisitFact(
                id=f"v{n}",
                customer_id=customer.id,
                rep_id=customer.rep_id,
                captured_on=days[rng.randrange(DAYS)],
                counts=rng.random() < 0.9,
                budget_recorded=rng.random() < 0.6,
                timing_recorded=rng.random() < 0.6,
                decision_chain_recorded=rng.random() < 0.5,
                roles_reached=frozenset(rng.sample(ROLES, rng.randrange(3))),
            )
        )
    touchpoints = [
        TouchpointFact(
            id=f"t{n}",
            customer_id=cids[rng.randrange(CUSTOMERS)],
            rep_id=f"r{rng.randrange(REPS):03d}",
            kind=TouchpointKind.INQUIRY if rng.random() < 0.6 else TouchpointKind.PROPOSAL,
            occurred_on=days[rng.randrange(DAYS)],
        )
        for n in range(TOUCHPOINTS)
    ]
    return customers, orders, visits, touchpoints


def recompute_all(customers: list, orders: list, visits: list, touchpoints: list) -> int:
    settings = TargetSettings()
    index = FactIndex.build(customers, orders, visits, touchpoints)
    stock = stock_health_all(MONTH_END, index, settings)
    increment = increment_penetration_all(WEEK_END, index, settings)
    business = business_metrics_all(MONTH_END.replace(day=1), MONTH_END, index)
    radar = industry_progress(WEEK_END, index, settings)
    _, actions = evaluate_escalations(
        EscalationState(), [*stock.values(), *increment.values()], settings
    )
    return len(stock) + len(increment) + len(business) + len(radar) + len(actions)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    data = generate()
    print(
        f"generated {REPS} reps, {CUSTOMERS} customers, {ORDERS} orders, {VISITS} visits, "
        f"{TOUCHPOINTS} touchpoints in {time.perf_counter() - start:.1f} s (not timed)"
    )
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        recompute_all(*data)
        times.append(time.perf_counter() - start)
    print("runs:", ", ".join(f"{t:.2f} s" for t in times))
    median = statistics.median(times)
    verdict = "OK" if median <= TARGET_S else "OVER TARGET"
    print(
        f"recompute all targets: median {median:.2f} s of {args.runs} runs "
        f"(target <= {TARGET_S:.0f} s, ratio {median / TARGET_S:.2f}) {verdict}"
    )


if __name__ == "__main__":
    main()
