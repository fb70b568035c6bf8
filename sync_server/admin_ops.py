"""Admin operations shared by the admin API and the ``fieldledger-server`` CLI."""

from __future__ import annotations

import csv
import io
import time
import uuid
from typing import Any

from pydantic import ValidationError

from shared.customers import Customer
from shared.errors import InvalidInput, NotFound
from sync_server.auth import ROLES, hash_password
from sync_server.errors import AlreadyExists
from sync_server.storage.base import StorageBase, UserRow
from sync_server.sync.common import invalid_from
from sync_server.sync.orgdata import seed_org_data, upsert_customers


def create_org(storage: StorageBase, org_id: str, name: str) -> None:
    if storage.org_exists(org_id):
        raise AlreadyExists(f"organisation {org_id!r} exists", message_zh="组织已存在", field="org")
    storage.create_org(org_id, name or org_id)
    seed_org_data(storage, org_id)
    from sync_server.tickets_seed import seed_ticket_config  # tickets build on the core

    seed_ticket_config(storage, org_id)


def create_user(
    storage: StorageBase,
    config: dict[str, Any],
    org_id: str,
    username: str,
    password: str,
    role: str,
    team_id: str = "",
    display_name: str = "",
) -> UserRow:
    if not storage.org_exists(org_id):
        raise NotFound(f"organisation {org_id!r} not found", message_zh="组织不存在", field="org")
    if role not in ROLES:
        raise InvalidInput(
            f"role must be one of {', '.join(ROLES)}", message_zh="角色无效", field="role"
        )
    if storage.find_user(org_id, username) is not None:
        raise AlreadyExists(f"user {username!r} exists", message_zh="用户已存在", field="username")
    user = UserRow(
        uuid.uuid4().hex,
        org_id,
        username,
        display_name or username,
        role,
        team_id,
        hash_password(password, config),
        True,
    )
    storage.create_user(user, time.time())
    return user


def user_in_org(storage: StorageBase, org_id: str, user_ref: str) -> UserRow:
    """A user by id or username, only within the organisation."""
    user = storage.get_user(user_ref)
    if user is None or user.org_id != org_id:
        user = storage.find_user(org_id, user_ref)
    if user is None:
        raise NotFound(f"user {user_ref!r} not found", message_zh="用户不存在", field="user")
    return user


def reset_password(
    storage: StorageBase, config: dict[str, Any], org_id: str, user_ref: str, password: str
) -> None:
    user = user_in_org(storage, org_id, user_ref)
    storage.set_password(user.id, hash_password(password, config))
    storage.revoke_user_tokens(user.id, time.time())


def deactivate_user(storage: StorageBase, org_id: str, user_ref: str) -> None:
    user = user_in_org(storage, org_id, user_ref)
    storage.set_active(user.id, False)
    storage.revoke_user_tokens(user.id, time.time())


def revoke_device(storage: StorageBase, org_id: str, device_id: str) -> None:
    if storage.get_device(org_id, device_id) is None:
        raise NotFound(
            f"device {device_id!r} not found", message_zh="设备不存在", field="device_id"
        )
    storage.revoke_device(org_id, device_id, time.time())


def import_customers(storage: StorageBase, org_id: str, rows: list[dict[str, Any]]) -> list[int]:
    """Validate every row first (errors name the row and field), then write all or nothing."""
    if not storage.org_exists(org_id):
        raise NotFound(f"organisation {org_id!r} not found", message_zh="组织不存在", field="org")
    parsed: list[tuple[Customer, UserRow | None]] = []
    users = {u.username: u for u in storage.list_users(org_id)}
    for n, raw in enumerate(rows, start=1):
        data = {k: v for k, v in raw.items() if v not in (None, "") or k in ("id", "name")}
        rep = data.pop("rep", None)
        data.setdefault("org_id", org_id)
        if not data.get("id"):
            data["id"] = uuid.uuid4().hex
        try:
            customer = Customer.model_validate(data)
        except ValidationError as exc:
            err = invalid_from(exc, f"row {n}")
            raise InvalidInput(
                err.message, message_zh=f"第 {n} 行：{err.message_zh}", field=err.field, row=n
            ) from None
        owner = None
        if rep:
            owner = users.get(str(rep))
            if owner is None or owner.role != "rep":
                raise InvalidInput(
                    f"row {n}: {rep!r} is not a rep of {org_id}",
                    message_zh=f"第 {n} 行：业务员 {rep} 不存在",
                    field=f"row {n}.rep",
                    row=n,
                )
        parsed.append((customer, owner))
    return upsert_customers(storage, org_id, parsed)


def parse_customers_csv(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or "name" not in reader.fieldnames:
        raise InvalidInput(
            "the CSV needs a header row with at least 'name', 'lat', 'lon'",
            message_zh="CSV 需要表头（至少 name、lat、lon）",
            field="csv",
        )
    return [dict(r) for r in reader]
