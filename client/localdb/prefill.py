"""Orders pulled for pre-fill, and the pre-fill of a new visit form for one customer.

Visit intervals use the visits' ``device_time`` (the ``captured_at`` column), not the trusted
time of their validation report: pre-fill is a planning hint for the rep, not evidence, and
``device_time`` is on every visit while a trusted time may be missing. A wrong phone clock
only skews the hint. Voided visits are left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert

from client.localdb.customers import find_customer
from client.localdb.schema import orders_t
from client.localdb.visits import visit_times
from shared.errors import InvalidInput

INTERVAL_VISITS = 3  # the last 3 visits give 2 intervals
ORDERS_SCANNED = 200  # the most recent orders looked at for categories


@dataclass(frozen=True)
class OrderRow:
    id: str
    customer_id: str
    ordered_on: date
    amount: Decimal | float
    categories: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Prefill:
    categories_bought: list[str]  # distinct, most recent first
    last_visit_intervals_days: list[float]  # newest first
    last_visit_at: datetime | None
    stock_warning: str


def _amount_text(order: OrderRow) -> str:
    try:
        amount = Decimal(str(order.amount))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(
            f"Order {order.id}: amount {order.amount!r} is not a number.",
            message_zh=f"订单 {order.id} 的金额 {order.amount!r} 不是数字。",
            field="amount",
        ) from exc
    if not amount.is_finite():
        raise InvalidInput(
            f"Order {order.id}: amount must be finite.",
            message_zh=f"订单 {order.id} 的金额必须是有限数。",
            field="amount",
        )
    return str(amount)


def upsert_orders(conn: Connection, rows: list[OrderRow]) -> None:
    if not rows:
        return
    values = [
        {
            "id": r.id,
            "customer_id": r.customer_id,
            "ordered_on": r.ordered_on.isoformat(),
            "amount": _amount_text(r),
            "categories_json": json.dumps(list(r.categories), ensure_ascii=False),
        }
        for r in rows
    ]
    stmt = insert(orders_t)
    cols = ("customer_id", "ordered_on", "amount", "categories_json")
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"], set_={c: stmt.excluded[c] for c in cols}
    )
    conn.execute(stmt, values)


def categories_bought(conn: Connection, customer_id: str) -> list[str]:
    q = (
        select(orders_t.c.categories_json)
        .where(orders_t.c.customer_id == customer_id)
        .order_by(orders_t.c.ordered_on.desc(), orders_t.c.id.desc())
        .limit(ORDERS_SCANNED)
    )
    seen: dict[str, None] = {}
    for text in conn.execute(q).scalars():
        for category in json.loads(text):
            seen.setdefault(category, None)
    return list(seen)


def prefill(conn: Connection, customer_id: str) -> Prefill:
    times = visit_times(conn, customer_id, INTERVAL_VISITS)
    intervals = [(a - b).total_seconds() / 86400 for a, b in pairwise(times)]
    customer = find_customer(conn, customer_id)
    return Prefill(
        categories_bought=categories_bought(conn, customer_id),
        last_visit_intervals_days=intervals,
        last_visit_at=times[0] if times else None,
        stock_warning=customer.stock_warning if customer else "",
    )
