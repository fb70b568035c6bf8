"""Touchpoints and contacts under the sync guarantees (docs/sync-protocol.md, section 13).

* ``touchpoint`` create: append-only evidence of a customer inquiry 客户询价/咨询 or a proposal
  sent 方案发送 (with its attachment). Checked: ``id`` = record id, ``rep_id`` = the token's user,
  the customer exists and is (or was, at ``occurred_at``) in the pusher's scope, the kind, the
  date (not more than a day ahead of the server, not older than ``MAX_AGE_DAYS``), and a proposal
  names its attachment (SHA-256, file name, a document/image type). Stored scoped like a visit
  (owner = rep, team = the rep's team); the attachment is linked as ``touchpoint:<id>`` so the
  upload garbage collector keeps its bytes.
* ``contact`` create / update / delete: a person at a customer and their decision role. Scoped
  like the customer at the time of writing (owner and team of the customer record). Updates are
  ``{"fields", "base"}`` with the same per-field three-way merge as customers.

The handlers are registered into ``sync_server.sync.push.HANDLERS`` when this module is imported
(``sync_server.api.touchpoints`` imports it), so the push path itself is unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from shared.changes import (
    ATTACHMENT_MIMES,
    CONTACT_EDITABLE,
    Contact,
    CustomerEdit,
    Op,
    OutgoingChange,
    RecordType,
    Touchpoint,
)
from shared.errors import InvalidInput
from sync_server.storage.base import ConflictRow, OutcomeRow, StoredRecord
from sync_server.sync.common import (
    OpNotAllowed,
    PushRejected,
    UnknownCustomer,
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
from sync_server.sync.visits import _assigned_at

ATTACHMENT_LINK = "touchpoint:"  # visit_photos.visit_id of a touchpoint's attachment
MAX_AGE_DAYS = 400
MAX_AHEAD = timedelta(days=1)


class RecordIdTaken(PushRejected):
    code = "record_id_taken"


def _conflict(
    pc: PushContext, change: OutgoingChange, kind: str, owner: str, **values: Any
) -> ConflictRow:
    row = ConflictRow(
        id=new_id(),
        org_id=pc.scope.org_id,
        record_type=change.record_type.value,
        record_id=change.record_id,
        kind=kind,
        device_id=pc.scope.device_id,
        user_id=pc.scope.user_id,
        team_id=pc.scope.team_id,
        owner_user_id=owner,
        created_at=pc.now,
        **values,
    )
    pc.tx.add_conflicts([row])
    return row


def _scope_revoked(
    pc: PushContext, change: OutgoingChange, customer: StoredRecord, device_value: Any
) -> OutcomeRow:
    row = _conflict(pc, change, "scope_revoked", customer.owner_user_id, device_value=device_value)
    return conflicted(
        pc.scope.device_id,
        change,
        "scope_revoked",
        "the customer is not (or was not then) assigned to you; kept for your manager",
        "该客户不在（或当时不在）您的负责范围内，已保留供主管处理",
        [row.id],
    )


def _customer(pc: PushContext, customer_id: str) -> StoredRecord:
    customer = pc.record("customer", customer_id)
    if customer is None:
        raise UnknownCustomer(
            f"unknown customer {customer_id!r}",
            message_zh="客户不存在",
            field="payload.customer_id",
        )
    return customer


def _same_id(payload_id: str, change: OutgoingChange) -> None:
    if payload_id != change.record_id:
        raise InvalidInput(
            "payload.id must equal record_id", message_zh="记录编号不一致", field="payload.id"
        )


def _taken(change: OutgoingChange) -> RecordIdTaken:
    return RecordIdTaken(
        f"{change.record_type.value} {change.record_id!r} exists with other content",
        message_zh="该记录编号已被占用",
        field="record_id",
    )


# --- touchpoints ------------------------------------------------------------------------------


def _check_touchpoint(tp: Touchpoint, now: datetime) -> None:
    if tp.occurred_at > now + MAX_AHEAD:
        raise InvalidInput(
            "payload.occurred_at lies in the future",
            message_zh="触点时间晚于当前时间",
            field="payload.occurred_at",
        )
    if tp.occurred_at < now - timedelta(days=MAX_AGE_DAYS):
        raise InvalidInput(
            f"payload.occurred_at is more than {MAX_AGE_DAYS} days old",
            message_zh=f"触点时间早于 {MAX_AGE_DAYS} 天前",
            field="payload.occurred_at",
        )
    if tp.kind == "proposal" and tp.attachment is None:
        raise InvalidInput(
            "a proposal must carry its attachment (the document sent)",
            message_zh="方案发送须附上所发送的方案文件",
            field="payload.attachment",
        )
    if tp.attachment is not None and tp.attachment.mime not in ATTACHMENT_MIMES:
        raise InvalidInput(
            f"attachment type {tp.attachment.mime!r} is not a PDF, image or office document",
            message_zh="附件须为 PDF、图片或 Office 文档",
            field="payload.attachment.mime",
        )


def push_touchpoint(pc: PushContext, change: OutgoingChange) -> OutcomeRow:
    if change.op is not Op.CREATE:
        raise OpNotAllowed(
            "touchpoints are append-only: only 'create' is allowed",
            message_zh="触点记录只能新增，不能修改或删除",
            field="op",
        )
    scope = pc.scope
    tp = parse_model(Touchpoint, change.payload, "payload")
    _same_id(tp.id, change)
    if tp.rep_id != scope.user_id:
        raise InvalidInput(
            "payload.rep_id must be the signed-in user's id",
            message_zh="触点的业务员必须是当前登录用户",
            field="payload.rep_id",
        )
    canonical = tp.model_dump(mode="json")
    existing = pc.record("touchpoint", tp.id)
    if existing is not None:
        if existing.payload == canonical:
            return applied(scope.device_id, change, existing, already_stored=True)
        raise _taken(change)
    _check_touchpoint(tp, datetime.fromtimestamp(pc.now, UTC))
    customer = _customer(pc, tp.customer_id)
    if not _assigned_at(pc, customer, tp.occurred_at):
        return _scope_revoked(pc, change, customer, canonical)
    rec = StoredRecord(
        org_id=scope.org_id,
        record_type="touchpoint",
        record_id=tp.id,
        version=1,
        server_seq=pc.tx.next_seq(),
        payload=canonical,
        owner_user_id=tp.rep_id,
        team_id=scope.team_id,
        updated_at=pc.now,
    )
    pc.put(rec)
    if tp.attachment is not None:
        pc.tx.add_visit_photos([(tp.attachment.sha256, ATTACHMENT_LINK + tp.id)])
    return applied(scope.device_id, change, rec)


# --- contacts ---------------------------------------------------------------------------------


def push_contact(pc: PushContext, change: OutgoingChange) -> OutcomeRow:
    if change.op is Op.CREATE:
        return _create_contact(pc, change)
    if change.op is Op.UPDATE:
        return _update_contact(pc, change)
    return _delete_contact(pc, change)


def _create_contact(pc: PushContext, change: OutgoingChange) -> OutcomeRow:
    scope = pc.scope
    contact = parse_model(Contact, change.payload, "payload")
    _same_id(contact.id, change)
    canonical = contact.model_dump(mode="json")
    existing = pc.record("contact", contact.id)
    if existing is not None:
        if existing.payload == canonical and not existing.deleted:
            return applied(scope.device_id, change, existing, already_stored=True)
        raise _taken(change)
    customer = _customer(pc, contact.customer_id)
    if customer.deleted or not can_edit(scope, customer):
        return _scope_revoked(pc, change, customer, canonical)
    rec = StoredRecord(
        org_id=scope.org_id,
        record_type="contact",
        record_id=contact.id,
        version=1,
        server_seq=pc.tx.next_seq(),
        payload=canonical,
        owner_user_id=customer.owner_user_id,
        team_id=customer.team_id,
        updated_at=pc.now,
    )
    pc.put(rec)
    return applied(scope.device_id, change, rec)


def _editable_contact(pc: PushContext, change: OutgoingChange) -> StoredRecord | OutcomeRow:
    rec = pc.record("contact", change.record_id)
    if rec is None or rec.org_id != pc.scope.org_id:
        raise UnknownRecord(
            f"unknown contact {change.record_id!r}",
            message_zh="联系人不存在",
            field="record_id",
        )
    if not can_edit(pc.scope, rec):
        row = _conflict(pc, change, "scope_revoked", rec.owner_user_id, device_value=change.payload)
        return conflicted(
            pc.scope.device_id,
            change,
            "scope_revoked",
            "this contact's customer is no longer assigned to you",
            "该联系人所属客户已不在您的负责范围内",
            [row.id],
        )
    return rec


def _update_contact(pc: PushContext, change: OutgoingChange) -> OutcomeRow:
    scope = pc.scope
    edit = parse_model(CustomerEdit, change.payload, "payload")
    for name in edit.fields:
        if name not in CONTACT_EDITABLE:
            raise InvalidInput(
                f"field {name!r} of a contact cannot be changed",
                message_zh=f"联系人字段 {name} 不可修改",
                field=f"payload.fields.{name}",
            )
        if name not in edit.base:
            raise InvalidInput(
                f"payload.base must hold the old value of {name!r}",
                message_zh=f"缺少字段 {name} 的原值",
                field=f"payload.base.{name}",
            )
    found = _editable_contact(pc, change)
    if isinstance(found, OutcomeRow):
        return found
    rec = found
    if rec.deleted:
        row = _conflict(pc, change, "record_deleted", rec.owner_user_id, device_value=edit.fields)
        return conflicted(
            scope.device_id,
            change,
            "record_deleted",
            "the contact was deleted meanwhile",
            "该联系人已被删除",
            [row.id],
        )
    current = rec.payload
    try:
        wanted = Contact.model_validate({**current, **edit.fields}).model_dump(mode="json")
    except ValidationError as exc:
        raise invalid_from(exc, "payload.fields") from None
    merged, clashes = merge_fields(
        current, wanted, edit.base, edit.fields, same_version=rec.version == change.base_version
    )
    conflict_ids = [
        _conflict(
            pc,
            change,
            "field_conflict",
            rec.owner_user_id,
            field=c.name,
            base_value=c.base,
            server_value=c.server,
            device_value=c.device,
        ).id
        for c in clashes
    ]
    changed = merged != current
    if changed:
        rec = _next_version(pc, rec, merged)
    if conflict_ids:
        return conflicted(
            scope.device_id,
            change,
            "field_conflict",
            "someone changed the same field first; their value stays",
            "他人已先修改同一字段，暂保留其值",
            conflict_ids,
            rec if changed else None,
        )
    return applied(scope.device_id, change, rec)


def _next_version(
    pc: PushContext, rec: StoredRecord, payload: dict[str, Any], *, deleted: bool = False
) -> StoredRecord:
    new = StoredRecord(
        org_id=rec.org_id,
        record_type=rec.record_type,
        record_id=rec.record_id,
        version=rec.version + 1,
        server_seq=pc.tx.next_seq(),
        payload=payload,
        deleted=deleted,
        scope_kind=rec.scope_kind,
        owner_user_id=rec.owner_user_id,
        team_id=rec.team_id,
        updated_at=pc.now,
    )
    pc.put(new)
    return new


def _delete_contact(pc: PushContext, change: OutgoingChange) -> OutcomeRow:
    found = _editable_contact(pc, change)
    if isinstance(found, OutcomeRow):
        return found
    if found.deleted:
        return applied(pc.scope.device_id, change, found, already_deleted=True)
    return applied(
        pc.scope.device_id, change, _next_version(pc, found, found.payload, deleted=True)
    )


def register() -> None:
    from sync_server.sync.push import HANDLERS

    HANDLERS.setdefault(RecordType.TOUCHPOINT, push_touchpoint)
    HANDLERS.setdefault(RecordType.CONTACT, push_contact)


register()
