"""Factories for sync server tests: organisations, users, customers, visits, changes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.customers import Customer
from sync_server.storage.base import Scope, StorageBase, UserRow
from sync_server.sync.orgdata import seed_org_data, upsert_customers

NANSHAN = (22.5333, 113.9304)


def uid() -> str:
    return uuid.uuid4().hex


@dataclass
class Org:
    org_id: str
    rep1: Scope
    rep2: Scope
    manager: Scope
    admin: Scope
    other_team_rep: Scope
    users: dict[str, UserRow]


def make_user(
    storage: StorageBase, org_id: str, username: str, role: str, team: str, pw_hash: str = "x"
) -> UserRow:
    user = UserRow(uid(), org_id, username, username, role, team, pw_hash, True)
    storage.create_user(user, 0.0)
    return user


def scope_of(user: UserRow, device_id: str | None = None) -> Scope:
    return Scope(user.org_id, user.id, user.role, user.team_id, device_id or uid())


def make_org(storage: StorageBase, org_id: str | None = None, seed: bool = True) -> Org:
    org_id = org_id or "org" + uid()[:8]
    storage.create_org(org_id, org_id)
    if seed:
        seed_org_data(storage, org_id)
    users = {
        "rep1": make_user(storage, org_id, "rep1", "rep", "t1"),
        "rep2": make_user(storage, org_id, "rep2", "rep", "t1"),
        "rep3": make_user(storage, org_id, "rep3", "rep", "t2"),
        "mgr1": make_user(storage, org_id, "mgr1", "manager", "t1"),
        "admin1": make_user(storage, org_id, "admin1", "admin", ""),
    }
    return Org(
        org_id,
        scope_of(users["rep1"]),
        scope_of(users["rep2"]),
        scope_of(users["mgr1"]),
        scope_of(users["admin1"]),
        scope_of(users["rep3"]),
        users,
    )


def customer(org_id: str, cid: str | None = None, **over: Any) -> Customer:
    data: dict[str, Any] = {
        "id": cid or uid(),
        "org_id": org_id,
        "name": "Store",
        "address": "Nanshan Ave 1",
        "lat": NANSHAN[0],
        "lon": NANSHAN[1],
    }
    data.update(over)
    return Customer.model_validate(data)


def add_customer(storage: StorageBase, org: Org, owner: str | None = "rep1", **over: Any) -> str:
    c = customer(org.org_id, **over)
    upsert_customers(storage, org.org_id, [(c, org.users[owner] if owner else None)])
    return c.id


def visit_payload(
    org_id: str, customer_id: str, rep_id: str, vid: str | None = None, **over: Any
) -> dict[str, Any]:
    when = datetime(2024, 3, 12, 3, 0, tzinfo=UTC)  # Tuesday 11:00 in Shanghai
    data: dict[str, Any] = {
        "id": vid or uid(),
        "org_id": org_id,
        "customer_id": customer_id,
        "rep_id": rep_id,
        "action_type": "replenishment",
        "checklist": {"stock_counted": True},
        "result": {"stock_count": 12},
        "device_time": when.isoformat(),
        "anchor": {"server_time": (when - timedelta(minutes=5)).isoformat()},
        "elapsed_since_anchor_ms": 300_000,
        "gps": {"lat": NANSHAN[0], "lon": NANSHAN[1], "accuracy_m": 10},
    }
    data.update(over)
    return data


def change(
    seq: int,
    record_type: str,
    record_id: str,
    payload: dict[str, Any],
    op: str = "create",
    base_version: int | None = None,
) -> dict[str, Any]:
    return {
        "seq": seq,
        "record_type": record_type,
        "record_id": record_id,
        "op": op,
        "payload": payload,
        "base_version": base_version,
    }


def visit_change(seq: int, org: Org, scope: Scope, customer_id: str, **over: Any) -> dict[str, Any]:
    payload = visit_payload(org.org_id, customer_id, scope.user_id, **over)
    return change(seq, "visit", payload["id"], payload)
