"""Customers pushed by devices: per-field three-way merge against the base the device saw.

Same field changed concurrently: the server's current value stays (first committed wins, a
deterministic provisional winner) and a conflict row keeps base, server and device values.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from shared.changes import CustomerEdit, Op, OutgoingChange
from shared.customers import Customer
from shared.errors import InvalidInput
from sync_server.storage.base import ConflictRow, OutcomeRow, StoredRecord
from sync_server.sync.common import (
    OpNotAllowed,
    UnknownRecord,
    applied,
    can_edit,
    conflicted,
    invalid_from,
    new_id,
    parse_model,
)
from sync_server.sync.context import PushContext
from sync_server.sync.merge import merge_fields

_FROZEN_FIELDS = {"id", "org_id"}


def _conflict(
    pc: PushContext, change: OutgoingChange, rec: StoredRecord | None, kind: str, **values: Any
) -> ConflictRow:
    row = ConflictRow(
        id=new_id(),
        org_id=pc.scope.org_id,
        record_type="customer",
        record_id=change.record_id,
        kind=kind,
        device_id=pc.scope.device_id,
        user_id=pc.scope.user_id,
        team_id=pc.scope.team_id or (rec.team_id if rec else ""),
        owner_user_id=rec.owner_user_id if rec else "",
        created_at=pc.now,
        **values,
    )
    pc.tx.add_conflicts([row])
    return row


def push_customer(pc: PushContext, change: OutgoingChange) -> OutcomeRow:
    if change.op is Op.CREATE:
        return _create(pc, change)
    if change.op is Op.UPDATE:
        return _update(pc, change)
    return _delete(pc, change)


def _create(pc: PushContext, change: OutgoingChange) -> OutcomeRow:
    scope = pc.scope
    customer = parse_model(Customer, change.payload, "payload")
    if customer.id != change.record_id:
        raise InvalidInput(
            "payload.id must equal record_id", message_zh="记录编号不一致", field="payload.id"
        )
    if customer.org_id != scope.org_id:
        raise InvalidInput(
            "payload.org_id is not your organisation",
            message_zh="客户所属组织与登录组织不符",
            field="payload.org_id",
        )
    canonical = customer.model_dump(mode="json")
    existing = pc.record("customer", customer.id)
    if existing is not None:
        if not existing.deleted and existing.payload == canonical:
            return applied(scope.device_id, change, existing, already_stored=True)
        row = _conflict(
            pc,
            change,
            existing,
            "record_exists",
            server_value=existing.payload,
            device_value=canonical,
        )
        return conflicted(
            scope.device_id,
            change,
            "record_exists",
            "a customer with this id already exists; the server's copy stays",
            "该客户编号已存在，保留服务器版本",
            [row.id],
            existing,
        )
    owner = scope.user_id if scope.role == "rep" else ""
    rec = StoredRecord(
        org_id=scope.org_id,
        record_type="customer",
        record_id=customer.id,
        version=1,
        server_seq=pc.tx.next_seq(),
        payload=canonical,
        owner_user_id=owner,
        team_id=scope.team_id,
        updated_at=pc.now,
    )
    pc.put(rec)
    if owner:
        pc.tx.assign_customer(customer.id, owner, scope.team_id, pc.now)
    return applied(scope.device_id, change, rec)


def _existing_or_conflict(
    pc: PushContext, change: OutgoingChange
) -> tuple[StoredRecord | None, OutcomeRow | None]:
    rec = pc.record("customer", change.record_id)
    if rec is None:
        raise UnknownRecord(
            f"unknown customer {change.record_id!r}", message_zh="客户不存在", field="record_id"
        )
    scope = pc.scope
    if rec.deleted:
        row = _conflict(pc, change, rec, "record_deleted", device_value=change.payload)
        return rec, conflicted(
            scope.device_id,
            change,
            "record_deleted",
            "the customer was deleted on the server",
            "该客户已在服务器删除",
            [row.id],
            rec,
        )
    if not can_edit(scope, rec):
        row = _conflict(pc, change, rec, "scope_revoked", device_value=change.payload)
        return rec, conflicted(
            scope.device_id,
            change,
            "scope_revoked",
            "this customer is no longer assigned to you",
            "该客户已不在您的负责范围内",
            [row.id],
        )
    return rec, None


def _update(pc: PushContext, change: OutgoingChange) -> OutcomeRow:
    scope = pc.scope
    if change.base_version is None:
        raise InvalidInput(
            "base_version is required for a customer update",
            message_zh="更新客户需要 base_version",
            field="base_version",
        )
    edit = parse_model(CustomerEdit, change.payload, "payload")
    for name in edit.fields:
        if name in _FROZEN_FIELDS or name not in Customer.model_fields:
            raise InvalidInput(
                f"field {name!r} cannot be changed",
                message_zh=f"字段 {name} 不可修改",
                field=f"payload.fields.{name}",
            )
        if name not in edit.base:
            raise InvalidInput(
                f"payload.base must hold the old value of {name!r}",
                message_zh=f"缺少字段 {name} 的原值",
                field=f"payload.base.{name}",
            )
    rec, outcome = _existing_or_conflict(pc, change)
    if outcome is not None or rec is None:
        return outcome  # type: ignore[return-value]
    current = rec.payload
    try:
        wanted = Customer.model_validate({**current, **edit.fields}).model_dump(mode="json")
    except ValidationError as exc:
        raise invalid_from(exc, "payload.fields") from None
    merged, clashes = merge_fields(
        current, wanted, edit.base, edit.fields, same_version=rec.version == change.base_version
    )
    conflict_ids = [
        _conflict(
            pc,
            change,
            rec,
            "field_conflict",
            field=c.name,
            base_value=c.base,
            server_value=c.server,
            device_value=c.device,
        ).id
        for c in clashes
    ]
    if merged != current:
        rec = StoredRecord(
            org_id=rec.org_id,
            record_type="customer",
            record_id=rec.record_id,
            version=rec.version + 1,
            server_seq=pc.tx.next_seq(),
            payload=merged,
            scope_kind=rec.scope_kind,
            owner_user_id=rec.owner_user_id,
            team_id=rec.team_id,
            updated_at=pc.now,
        )
        pc.put(rec)
    if conflict_ids:
        return conflicted(
            scope.device_id,
            change,
            "field_conflict",
            "someone changed the same field first; their value stays",
            "他人已先修改同一字段，暂保留其值",
            conflict_ids,
            rec if merged != current else None,
        )
    return applied(scope.device_id, change, rec)


def _delete(pc: PushContext, change: OutgoingChange) -> OutcomeRow:
    scope = pc.scope
    if scope.role == "rep":
        raise OpNotAllowed(
            "reps may not delete customers", message_zh="业务员不能删除客户", field="op"
        )
    rec = pc.record("customer", change.record_id)
    if rec is not None and rec.deleted:
        return applied(scope.device_id, change, rec, already_deleted=True)
    rec, outcome = _existing_or_conflict(pc, change)
    if outcome is not None or rec is None:
        return outcome  # type: ignore[return-value]
    tomb = StoredRecord(
        org_id=rec.org_id,
        record_type="customer",
        record_id=rec.record_id,
        version=rec.version + 1,
        server_seq=pc.tx.next_seq(),
        payload=rec.payload,
        deleted=True,
        scope_kind=rec.scope_kind,
        owner_user_id=rec.owner_user_id,
        team_id=rec.team_id,
        updated_at=pc.now,
    )
    pc.put(tomb)
    pc.tx.assign_customer(rec.record_id, "", "", pc.now)
    return applied(scope.device_id, change, tomb)
