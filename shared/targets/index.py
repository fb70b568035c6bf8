"""Group the facts once so that every target is a lookup, not a scan.

Days are stored as proleptic ordinals (``date.toordinal()``) in sorted lists, so "orders of this
customer in the window" is two bisections. Building the index is one pass over each input.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from shared.targets.facts import CustomerFact, OrderFact, TouchpointFact, VisitFact


@dataclass(frozen=True, slots=True)
class FactIndex:
    customers: dict[str, CustomerFact]
    customers_by_rep: dict[str, tuple[str, ...]]
    order_days: dict[str, list[int]]
    """customer -> sorted distinct days with a purchase (amount > 0)."""
    visit_days: dict[str, list[int]]
    """customer -> sorted distinct days with any visit (counting or not)."""
    visits_by_rep: dict[str, tuple[VisitFact, ...]]
    visits_by_customer: dict[str, tuple[VisitFact, ...]]
    touchpoints_by_rep: dict[str, tuple[TouchpointFact, ...]]

    @classmethod
    def build(
        cls,
        customers: Iterable[CustomerFact],
        orders: Iterable[OrderFact] = (),
        visits: Iterable[VisitFact] = (),
        touchpoints: Iterable[TouchpointFact] = (),
    ) -> FactIndex:
        by_id: dict[str, CustomerFact] = {}
        by_rep: dict[str, list[str]] = defaultdict(list)
        for customer in customers:
            by_id[customer.id] = customer
        for customer in by_id.values():
            by_rep[customer.rep_id].append(customer.id)

        # Dates are collected first and turned into ordinals once per distinct day (faster).
        day_sets: dict[str, set[date]] = defaultdict(set)
        for order in orders:
            if order.amount > 0:
                day_sets[order.customer_id].add(order.ordered_on)
        order_days = {cid: sorted(map(date.toordinal, days)) for cid, days in day_sets.items()}

        visit_sets: dict[str, set[date]] = defaultdict(set)
        v_by_rep: dict[str, list[VisitFact]] = defaultdict(list)
        v_by_customer: dict[str, list[VisitFact]] = defaultdict(list)
        for visit in visits:
            visit_sets[visit.customer_id].add(visit.captured_on)
            v_by_rep[visit.rep_id].append(visit)
            v_by_customer[visit.customer_id].append(visit)

        t_by_rep: dict[str, list[TouchpointFact]] = defaultdict(list)
        for touchpoint in touchpoints:
            t_by_rep[touchpoint.rep_id].append(touchpoint)

        return cls(
            customers=by_id,
            customers_by_rep={rep: tuple(ids) for rep, ids in by_rep.items()},
            order_days=order_days,
            visit_days={cid: sorted(map(date.toordinal, days)) for cid, days in visit_sets.items()},
            visits_by_rep={rep: tuple(vs) for rep, vs in v_by_rep.items()},
            visits_by_customer={cid: tuple(vs) for cid, vs in v_by_customer.items()},
            touchpoints_by_rep={rep: tuple(ts) for rep, ts in t_by_rep.items()},
        )

    @property
    def rep_ids(self) -> tuple[str, ...]:
        return tuple(sorted(self.customers_by_rep))
