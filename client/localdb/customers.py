"""Customers as pulled from the server: bulk upsert, lookup, indexed list/search.

The light projection the customer list is built from (``CustomerSummary``) is read without
SQLAlchemy, in :mod:`client.localdb.reader`."""

from __future__ import annotations

from sqlalchemy import Connection, or_, select
from sqlalchemy.dialects.sqlite import insert

from client.localdb.schema import customers_t
from client.localdb.timefmt import now_text
from shared.customers import Customer
from shared.errors import NotFound


def upsert_customers(conn: Connection, customers: list[Customer]) -> None:
    if not customers:
        return
    now = now_text()
    rows = [
        {
            "id": c.id,
            "org_id": c.org_id,
            "name": c.name,
            "address": c.address,
            "district": c.district,
            "grade": c.grade,
            "data_json": c.model_dump_json(),
            "updated_at": now,
        }
        for c in customers
    ]
    stmt = insert(customers_t)
    columns = ("org_id", "name", "address", "district", "grade", "data_json", "updated_at")
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"], set_={c: stmt.excluded[c] for c in columns}
    )
    conn.execute(stmt, rows)  # executemany


def find_customer(conn: Connection, customer_id: str) -> Customer | None:
    q = select(customers_t.c.data_json).where(customers_t.c.id == customer_id)
    text = conn.execute(q).scalar_one_or_none()
    return None if text is None else Customer.model_validate_json(text)


def get_customer(conn: Connection, customer_id: str) -> Customer:
    found = find_customer(conn, customer_id)
    if found is None:
        raise NotFound(
            f"No customer {customer_id} on this device.",
            message_zh=f"本机没有客户 {customer_id}。",
            field="customer_id",
        )
    return found


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_customers(
    conn: Connection, org_id: str, *, search: str, district: str, grade: str, limit: int
) -> list[Customer]:
    q = select(customers_t.c.data_json).where(customers_t.c.org_id == org_id)
    term = search.strip()
    if term:
        pattern = _like(term)
        q = q.where(
            or_(
                customers_t.c.name.like(pattern, escape="\\"),
                customers_t.c.address.like(pattern, escape="\\"),
            )
        )
    if district:
        q = q.where(customers_t.c.district == district)
    if grade:
        q = q.where(customers_t.c.grade == grade)
    q = q.order_by(customers_t.c.name, customers_t.c.id).limit(limit)
    return [Customer.model_validate_json(t) for t in conn.execute(q).scalars()]
