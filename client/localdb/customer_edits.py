"""Customers edited on the device, and how pending edits are replayed on the server's copy.

A customer row holds the server's copy (``server_json``, at ``version``) and what the rep sees
(``data_json``): the server's copy with every pending local edit applied on top, in outbox
order (Replicache's rebase). When the server answers an edit, or a pull brings a new server
copy, the displayed row is rebuilt from the server copy and the edits still pending, so a
refused or conflicting edit never lingers on the device.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, bindparam, select, update

from client.localdb import outbox
from client.localdb.ids import stored_ids
from client.localdb.schema import customers_t, outbox_t
from client.localdb.timefmt import now_text
from shared.changes import Op, RecordType
from shared.customers import Customer
from shared.errors import Conflict, InvalidInput, NotFound, invalid_from_pydantic

FROZEN_FIELDS = ("id", "org_id")


def _row(conn: Connection, customer_id: str) -> Any:
    return conn.execute(select(customers_t).where(customers_t.c.id == customer_id)).first()


def _display_values(data: dict[str, Any], now: str) -> dict[str, Any]:
    return {
        "org_id": data["org_id"],
        "name": data["name"],
        "address": data.get("address", ""),
        "district": data.get("district", ""),
        "grade": data.get("grade", ""),
        "data_json": json.dumps(data, ensure_ascii=False),
        "updated_at": now,
    }


def create_customer(conn: Connection, customer: Customer) -> int:
    """A customer created on the device (the rep becomes its owner on the server)."""
    if _row(conn, customer.id) is not None:
        raise Conflict(
            f"A customer with id {customer.id} already exists on this device.",
            message_zh=f"本机已有编号为 {customer.id} 的客户。",
            field="id",
        )
    data = customer.model_dump(mode="json")
    conn.execute(
        customers_t.insert().values(
            id=customer.id, version=0, server_json=None, **_display_values(data, now_text())
        )
    )
    return outbox.append(conn, RecordType.CUSTOMER, customer.id, Op.CREATE, data)


def edit_customer(conn: Connection, customer_id: str, fields: dict[str, Any]) -> int:
    """Change some fields of a customer; the outbox entry carries the values seen before."""
    row = _row(conn, customer_id)
    if row is None:
        raise NotFound(
            f"No customer {customer_id} on this device.",
            message_zh=f"本机没有客户 {customer_id}。",
            field="customer_id",
        )
    if not isinstance(fields, dict) or not fields:
        raise InvalidInput(
            "Give at least one field to change.", message_zh="请至少修改一个字段。", field="fields"
        )
    for name in fields:
        if name in FROZEN_FIELDS or name not in Customer.model_fields:
            raise InvalidInput(
                f"The customer field {name!r} cannot be changed.",
                message_zh=f"客户字段 {name} 不可修改。",
                field=f"fields.{name}",
            )
    current = json.loads(row.data_json)
    try:
        merged = Customer.model_validate({**current, **fields}).model_dump(mode="json")
    except ValidationError as exc:
        raise invalid_from_pydantic(exc, prefix="fields") from None
    changed = {k: merged[k] for k in fields if merged[k] != current.get(k)}
    if not changed:
        raise InvalidInput(
            "Nothing changed: the values are the ones already stored.",
            message_zh="没有任何修改：新值与现有值相同。",
            field="fields",
        )
    base = {k: current.get(k) for k in changed}
    conn.execute(
        update(customers_t)
        .where(customers_t.c.id == customer_id)
        .values(**_display_values(merged, now_text()))
    )
    payload = {"fields": changed, "base": base}
    return outbox.append(
        conn, RecordType.CUSTOMER, customer_id, Op.UPDATE, payload, base_version=row.version
    )


def pending_customer_ids(conn: Connection) -> set[str]:
    q = select(outbox_t.c.record_id).where(
        outbox_t.c.acked_at.is_(None), outbox_t.c.record_type == RecordType.CUSTOMER.value
    )
    return set(conn.execute(q).scalars())


def _pending_edits(conn: Connection, customer_id: str) -> list[dict[str, Any]]:
    q = (
        select(outbox_t.c.op, outbox_t.c.payload_json)
        .where(
            outbox_t.c.acked_at.is_(None),
            outbox_t.c.record_type == RecordType.CUSTOMER.value,
            outbox_t.c.record_id == customer_id,
        )
        .order_by(outbox_t.c.seq)
    )
    edits = []
    for op, payload_json in conn.execute(q):
        payload = json.loads(payload_json)
        if op == Op.UPDATE.value and isinstance(payload.get("fields"), dict):
            edits.append(payload["fields"])
    return edits


def rebase(conn: Connection, customer_id: str) -> None:
    """Rebuild the displayed row: the server's copy plus the edits still pending."""
    row = _row(conn, customer_id)
    if row is None:
        return
    if row.server_json is None:
        if not _has_entries(conn, customer_id, pending_only=True):
            # Created here, answered by the server, never pulled: a refused create leaves no
            # phantom; an accepted one comes back with the next pull.
            conn.execute(customers_t.delete().where(customers_t.c.id == customer_id))
        return
    data = json.loads(row.server_json)
    for fields in _pending_edits(conn, customer_id):
        candidate = {**data, **fields}
        try:
            data = Customer.model_validate(candidate).model_dump(mode="json")
        except ValidationError:
            continue  # an edit the server will refuse: not shown
    conn.execute(
        update(customers_t)
        .where(customers_t.c.id == customer_id)
        .values(**_display_values(data, now_text()))
    )


def _has_entries(conn: Connection, customer_id: str, *, pending_only: bool) -> bool:
    q = select(outbox_t.c.seq).where(
        outbox_t.c.record_type == RecordType.CUSTOMER.value, outbox_t.c.record_id == customer_id
    )
    if pending_only:
        q = q.where(outbox_t.c.acked_at.is_(None))
    return conn.execute(q.limit(1)).first() is not None


def put_server_customers(conn: Connection, rows: list[tuple[dict[str, Any], int]]) -> None:
    """Store the server's copies (payload, version) and rebuild what the rep sees.

    In bulk (a first pull brings thousands): one lookup of the stored ids, one ``executemany``
    of the new rows, then one of the known ones (a customer twice in ``rows`` is inserted, then
    updated: the last copy wins, as row by row), then the rep's pending edits re-applied."""
    if not rows:
        return
    pending = pending_customer_ids(conn)
    now = now_text()
    stored = stored_ids(conn, "customers", [str(payload["id"]) for payload, _ in rows])
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for payload, version in rows:
        cid = str(payload["id"])
        text = json.dumps(payload, ensure_ascii=False)
        values = {
            "version": version,
            "server_json": text,
            **_display_values(payload, now),
            "data_json": text,  # what _display_values writes, encoded once
        }
        if cid in stored:
            updates.append({"b_id": cid, **values})
        else:
            inserts.append({"id": cid, **values})
            stored.add(cid)
    if inserts:
        conn.execute(customers_t.insert(), inserts)
    if updates:
        conn.execute(
            update(customers_t).where(customers_t.c.id == bindparam("b_id")),
            updates,
        )
    for cid in dict.fromkeys(str(payload["id"]) for payload, _ in rows):
        if cid in pending:
            rebase(conn, cid)


def delete_customer(conn: Connection, customer_id: str) -> None:
    conn.execute(customers_t.delete().where(customers_t.c.id == customer_id))


def reapply_pending_creates(conn: Connection) -> None:
    """After a wipe: customers created here and not yet accepted stay visible."""
    q = (
        select(outbox_t.c.record_id, outbox_t.c.payload_json)
        .where(
            outbox_t.c.acked_at.is_(None),
            outbox_t.c.record_type == RecordType.CUSTOMER.value,
            outbox_t.c.op == Op.CREATE.value,
        )
        .order_by(outbox_t.c.seq)
    )
    now = now_text()
    for cid, payload_json in conn.execute(q).all():
        data = json.loads(payload_json)
        if _row(conn, cid) is None:
            conn.execute(
                customers_t.insert().values(
                    id=cid, version=0, server_json=None, **_display_values(data, now)
                )
            )
