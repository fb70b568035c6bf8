"""Target facts from the server's storage: customers, ERP orders, visits (with their server
validation reports), touchpoints (docs/targets.md "Server", "Facts from storage").

* customer: a live ``customer`` record; ``rep_id`` = its owner (the current assignment),
  ``district`` / ``industry`` / ``new_industry`` from the payload, ``first_order_on`` from an
  optional payload field of that name (a signing date).
* visit: a live ``visit`` record not voided by a ``visit_void`` and not replaced by an amending
  visit (``amends``). Its day is the local date of the report's trusted ``visit_time`` (else the
  device time); it counts when the report says ``counts``. Result fields read:
  ``budget_recorded`` / ``timing_recorded`` / ``decision_chain_recorded`` (booleans, or a
  non-empty ``budget`` / ``timing`` / ``decision_chain`` — the SOP result fields of
  ``shared.sop.NEED_RESULTS``; at least one ``roles_reached`` also records the chain),
  ``roles_reached`` (list of decision roles), ``trial_converted`` (boolean, store metrics).
* touchpoint: a live ``touchpoint`` record (``customer_id``, ``rep_id``, ``kind`` inquiry /
  proposal, ``occurred_on`` or ``occurred_at``), once devices log them; bad ones are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.targets import (
    CustomerFact,
    DecisionRole,
    FactIndex,
    OrderFact,
    TouchpointFact,
    TouchpointKind,
    VisitFact,
    local_date,
)
from sync_server.storage.base import StorageBase


@dataclass(frozen=True)
class StoreInfo:
    id: str
    name: str
    district: str
    team_id: str
    rep_id: str


@dataclass(frozen=True)
class VisitRow:
    """A visit as the store metrics need it (more than ``VisitFact`` holds)."""

    fact: VisitFact
    action_type: str
    trial_converted: bool | None


@dataclass(frozen=True)
class OrgFacts:
    customers: list[CustomerFact]
    orders: list[OrderFact]
    visits: list[VisitRow]
    touchpoints: list[TouchpointFact]
    stores: dict[str, StoreInfo]

    def index(self, customer_ids: Iterable[str] | None = None) -> FactIndex:
        """The fact index, optionally limited to some customers (a district report)."""
        if customer_ids is None:
            return FactIndex.build(
                self.customers, self.orders, (v.fact for v in self.visits), self.touchpoints
            )
        keep = set(customer_ids)
        return FactIndex.build(
            [c for c in self.customers if c.id in keep],
            [o for o in self.orders if o.customer_id in keep],
            [v.fact for v in self.visits if v.fact.customer_id in keep],
            [t for t in self.touchpoints if t.customer_id in keep],
        )


def _rows(storage: StorageBase, org_id: str, record_type: str) -> list[tuple[Any, ...]]:
    return storage._all(  # type: ignore[attr-defined,no-any-return]
        "SELECT record_id, payload, report, owner_user_id, team_id FROM records"
        " WHERE org_id = %s AND record_type = %s AND deleted = 0",
        (org_id, record_type),
    )


def _flag(result: dict[str, Any], name: str) -> bool:
    value = result.get(f"{name}_recorded")
    if isinstance(value, bool):
        return value
    raw = result.get(name)
    return raw not in (None, "", [], {}, False)


def _roles(result: dict[str, Any]) -> frozenset[DecisionRole]:
    raw = result.get("roles_reached") or []
    if not isinstance(raw, list):
        return frozenset()
    known = {r.value for r in DecisionRole}
    return frozenset(DecisionRole(r) for r in raw if isinstance(r, str) and r in known)


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _day(value: Any, zone: ZoneInfo) -> date | None:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    moment = _moment(value)
    return local_date(moment, zone) if moment else None


def load_customers(
    storage: StorageBase, org_id: str
) -> tuple[list[CustomerFact], dict[str, StoreInfo]]:
    customers: list[CustomerFact] = []
    stores: dict[str, StoreInfo] = {}
    for cid, raw, _report, owner, team in _rows(storage, org_id, "customer"):
        p = json.loads(raw)
        signed = p.get("first_order_on")
        customers.append(
            CustomerFact(
                id=cid,
                rep_id=owner or "",
                district=str(p.get("district") or ""),
                industry=str(p.get("industry") or ""),
                new_industry=bool(p.get("new_industry")),
                first_order_on=date.fromisoformat(signed) if isinstance(signed, str) else None,
            )
        )
        stores[cid] = StoreInfo(
            cid, str(p.get("name") or cid), str(p.get("district") or ""), team or "", owner or ""
        )
    return customers, stores


def load_visits(storage: StorageBase, org_id: str, zone: ZoneInfo) -> list[VisitRow]:
    voided = {json.loads(r[1]).get("visit_id") for r in _rows(storage, org_id, "visit_void")}
    raw_visits = [(rid, json.loads(p), json.loads(rep) if rep else {}) for rid, p, rep, _, _ in
                  _rows(storage, org_id, "visit")]  # fmt: skip
    amended = {p.get("amends") for _, p, _ in raw_visits if p.get("amends")}
    out: list[VisitRow] = []
    for rid, p, report in raw_visits:
        if rid in voided or rid in amended:
            continue
        moment = _moment(report.get("visit_time")) or _moment(p.get("device_time"))
        if moment is None:
            continue
        result = p.get("result") if isinstance(p.get("result"), dict) else {}
        trial = result.get("trial_converted")
        roles = _roles(result)
        fact = VisitFact(
            id=rid,
            customer_id=str(p.get("customer_id", "")),
            rep_id=str(p.get("rep_id", "")),
            captured_on=local_date(moment, zone),
            counts=bool(report.get("counts", False)),
            budget_recorded=_flag(result, "budget"),
            timing_recorded=_flag(result, "timing"),
            # the chain is recorded by its text or by ticking the roles reached
            decision_chain_recorded=_flag(result, "decision_chain") or bool(roles),
            roles_reached=roles,
        )
        converted = trial if isinstance(trial, bool) else None
        out.append(VisitRow(fact, str(p.get("action_type", "")), converted))
    return out


def load_touchpoints(storage: StorageBase, org_id: str, zone: ZoneInfo) -> list[TouchpointFact]:
    out: list[TouchpointFact] = []
    for rid, raw, _report, owner, _team in _rows(storage, org_id, "touchpoint"):
        p = json.loads(raw)
        day = _day(p.get("occurred_on"), zone) or _day(p.get("occurred_at"), zone)
        kind = p.get("kind")
        if day is None or kind not in {k.value for k in TouchpointKind}:
            continue
        out.append(
            TouchpointFact(
                id=rid,
                customer_id=str(p.get("customer_id", "")),
                rep_id=str(p.get("rep_id") or owner or ""),
                kind=TouchpointKind(kind),
                occurred_on=day,
            )
        )
    return out


def load_facts(storage: StorageBase, org_id: str, tz: str) -> OrgFacts:
    from sync_server.api.targets import load_orders

    zone = ZoneInfo(tz)
    customers, stores = load_customers(storage, org_id)
    return OrgFacts(
        customers=customers,
        orders=load_orders(storage, org_id),
        visits=load_visits(storage, org_id, zone),
        touchpoints=load_touchpoints(storage, org_id, zone),
        stores=stores,
    )
