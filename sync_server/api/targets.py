"""Targets API: ERP orders import (CSV / XLSX upload or JSON) and the target tables' storage.

Tables come from migration 0002_targets.sql. Register with ``app.register_blueprint(bp)``.
Storage helpers here use the SQL backends' connection pool; every import is one transaction,
so a file is applied whole or not at all.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, jsonify, request

from shared.errors import InvalidInput
from shared.targets import EscalationAction, EscalationState, OrderFact
from sync_server.app import get_storage
from sync_server.auth import current_scope, require_auth
from sync_server.orders_import import (
    ImportedOrder,
    ImportPlan,
    ParsedOrders,
    parse_order_records,
    parse_orders,
    plan_import,
)
from sync_server.storage.base import StorageBase
from sync_server.sync.orgdata import get_settings

bp = Blueprint("targets", __name__, url_prefix="/api/v1/targets")
_CHUNK = 500
_COLS = "erp_order_id, customer_id, ordered_on, amount, categories"


@bp.post("/orders/import")
@require_auth("admin", "manager")
def import_orders() -> Response:
    """Multipart ``file`` (CSV or XLSX) or JSON ``{"orders": [...]}``; all or nothing."""
    storage = get_storage()
    org_id = current_scope().org_id
    tz = get_settings(storage, org_id).timezone
    upload = request.files.get("file")
    if upload is not None:
        parsed = parse_orders(upload.read(), upload.filename or "", tz=tz)
    else:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or "orders" not in body:
            raise InvalidInput(
                "send a file field (CSV or XLSX) or a JSON object with orders",
                message_zh="请上传 CSV / XLSX 文件，或提交包含 orders 的 JSON",
                field="file",
            )
        parsed = parse_order_records(body["orders"], tz=tz)
    plan = apply_import(storage, org_id, parsed)
    return jsonify(
        {
            "format": parsed.source_format,
            "inserted": len(plan.inserts),
            "updated": len(plan.updates),
            "unchanged": plan.unchanged,
        }
    )


# --- storage -----------------------------------------------------------------------------


@contextmanager
def _transaction(storage: StorageBase) -> Iterator[Any]:
    """A write transaction on the SQL backends (SQLite takes the write lock up front)."""
    with storage._conn() as conn:  # type: ignore[attr-defined]
        cur = conn.cursor()
        cur.execute("BEGIN IMMEDIATE" if storage.dialect == "sqlite" else "BEGIN")
        yield cur
        cur.execute("COMMIT")


def _q(storage: StorageBase, sql: str) -> str:
    return storage._q(sql)  # type: ignore[attr-defined,no-any-return]


def _row_to_order(row: Sequence[Any]) -> ImportedOrder:
    return ImportedOrder(
        erp_order_id=str(row[0]),
        customer_id=str(row[1]),
        ordered_on=date.fromisoformat(str(row[2])),
        amount=Decimal(str(row[3])),
        categories=tuple(json.loads(row[4])),
    )


def apply_import(storage: StorageBase, org_id: str, parsed: ParsedOrders) -> ImportPlan:
    """Plan against the stored orders and apply inserts and updates in one transaction."""
    ids = [order.erp_order_id for order in parsed.orders]
    now = time.time()
    with _transaction(storage) as cur:
        existing: dict[str, ImportedOrder] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cur.execute(
                _q(
                    storage,
                    f"SELECT {_COLS} FROM erp_orders WHERE org_id = %s"
                    f" AND erp_order_id IN ({marks})",
                ),
                (org_id, *chunk),
            )
            for row in cur.fetchall():
                existing[str(row[0])] = _row_to_order(row)
        plan = plan_import(parsed, existing)  # raises on any row error: nothing written
        upsert = _q(
            storage,
            f"INSERT INTO erp_orders (org_id, {_COLS}, imported_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (org_id, erp_order_id) DO UPDATE SET customer_id = excluded.customer_id,"
            " ordered_on = excluded.ordered_on, amount = excluded.amount,"
            " categories = excluded.categories, imported_at = excluded.imported_at",
        )
        rows = [
            (
                org_id,
                o.erp_order_id,
                o.customer_id,
                o.ordered_on.isoformat(),
                str(o.amount),
                json.dumps(list(o.categories), ensure_ascii=False),
                now,
            )
            for o in (*plan.inserts, *plan.updates)
        ]
        if rows:
            cur.executemany(upsert, rows)
    return plan


def load_orders(storage: StorageBase, org_id: str) -> list[OrderFact]:
    """Every stored order of the organisation as target facts."""
    with storage._conn() as conn:  # type: ignore[attr-defined]
        cur = conn.cursor()
        cur.execute(_q(storage, f"SELECT {_COLS} FROM erp_orders WHERE org_id = %s"), (org_id,))
        return [_row_to_order(row).to_fact() for row in cur.fetchall()]


def load_escalation_state(storage: StorageBase, org_id: str) -> EscalationState:
    with storage._conn() as conn:  # type: ignore[attr-defined]
        cur = conn.cursor()
        cur.execute(
            _q(storage, "SELECT state FROM target_escalation_state WHERE org_id = %s"), (org_id,)
        )
        row = cur.fetchone()
    return EscalationState.from_dict(json.loads(row[0]) if row else None)


def save_escalations(
    storage: StorageBase,
    org_id: str,
    state: EscalationState,
    actions: Sequence[EscalationAction],
) -> int:
    """Persist the new state and the actions together; an action key is stored once.

    Returns how many actions were new (a retried batch adds none).
    """
    now = time.time()
    added = 0
    with _transaction(storage) as cur:
        cur.execute(
            _q(
                storage,
                "INSERT INTO target_escalation_state (org_id, state, updated_at)"
                " VALUES (%s, %s, %s) ON CONFLICT (org_id) DO UPDATE"
                " SET state = excluded.state, updated_at = excluded.updated_at",
            ),
            (org_id, json.dumps(state.to_dict()), now),
        )
        for action in actions:
            payload = {"customer_ids": list(action.customer_ids), "value": action.value}
            cur.execute(
                _q(
                    storage,
                    "INSERT INTO target_actions (org_id, action_key, kind, rep_id, industry,"
                    " as_of, payload, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT (org_id, action_key) DO NOTHING",
                ),
                (
                    org_id,
                    action.key,
                    action.kind.value,
                    action.rep_id,
                    action.industry,
                    action.as_of.isoformat(),
                    json.dumps(payload),
                    now,
                ),
            )
            added += int(cur.rowcount or 0)
    return added


def list_actions(storage: StorageBase, org_id: str) -> list[dict[str, Any]]:
    with storage._conn() as conn:  # type: ignore[attr-defined]
        cur = conn.cursor()
        cur.execute(
            _q(
                storage,
                "SELECT action_key, kind, rep_id, industry, as_of, payload FROM target_actions"
                " WHERE org_id = %s ORDER BY as_of, action_key",
            ),
            (org_id,),
        )
        return [
            {
                "key": r[0],
                "kind": r[1],
                "rep_id": r[2],
                "industry": r[3],
                "as_of": r[4],
                **json.loads(r[5]),
            }
            for r in cur.fetchall()
        ]
