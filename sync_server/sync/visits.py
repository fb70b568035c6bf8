"""Visits and visit voids: append-only evidence, re-validated by the server.

The device's verdict is never trusted: the server builds the ValidationContext from its own
settings, calendar, customer, SOP and the organisation's photo history and stores its report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.changes import Op, OutgoingChange, RecordType, VisitVoid, visit_ref
from shared.errors import FieldledgerError, InvalidInput
from shared.settings import Severity
from shared.trusted_time import trusted_time
from shared.validation.engine import ValidationContext, validate_visit
from shared.visits import Visit
from sync_server.storage.base import ConflictRow, OutcomeRow, StoredRecord
from sync_server.sync.common import (
    OpNotAllowed,
    UnknownCustomer,
    UnknownRecord,
    applied,
    can_edit,
    conflicted,
    new_id,
    parse_model,
)
from sync_server.sync.context import PushContext
from sync_server.sync.reports import stored_report


def _only_create(change: OutgoingChange) -> None:
    if change.op is not Op.CREATE:
        raise OpNotAllowed(
            f"{change.record_type.value} records are append-only: only 'create' is allowed",
            message_zh="该记录只能新增，不能修改或删除",
            field="op",
        )


def _conflict_row(pc: PushContext, change: OutgoingChange, kind: str, **values: Any) -> ConflictRow:
    return ConflictRow(
        id=new_id(),
        org_id=pc.scope.org_id,
        record_type=change.record_type.value,
        record_id=change.record_id,
        kind=kind,
        device_id=pc.scope.device_id,
        user_id=pc.scope.user_id,
        team_id=pc.scope.team_id,
        created_at=pc.now,
        **values,
    )


def _assigned_at(pc: PushContext, customer: StoredRecord, when: datetime) -> bool:
    """Was the customer in the pusher's scope now, or at the visit's captured time?"""
    scope = pc.scope
    if scope.role == "admin":
        return True
    if not customer.deleted and can_edit(scope, customer):
        return True
    t = when.timestamp()
    for a in pc.assignments(customer.record_id):
        if a.valid_from <= t and (a.valid_to is None or t < a.valid_to):
            if scope.role == "rep" and a.user_id == scope.user_id:
                return True
            if scope.role == "manager" and scope.team_id and a.team_id == scope.team_id:
                return True
    return False


_to_python = Visit.__pydantic_serializer__.to_python
ReadVisit = tuple[Visit, dict[str, Any], Any]  # the visit, its canonical payload, device report


def read_visit(change: OutgoingChange) -> ReadVisit:
    """A visit change's payload parsed (its error names the field), its canonical JSON form
    and the device's own report (kept as evidence, never trusted)."""
    payload = change.payload
    device_report = None
    if "device_report" in payload:
        payload = dict(payload)
        device_report = payload.pop("device_report")
    visit = parse_model(Visit, payload, "payload")
    # visit.model_dump(mode="json"): pydantic-core's serializer, called directly
    return visit, _to_python(visit, mode="json"), device_report


def read_visits_ahead(pc: PushContext, changes: list[OutgoingChange]) -> None:
    """:func:`read_visit` for the visits of a push, before they are judged (while a
    pipelining database answers the push's lookups); ``push_visit`` takes each from here."""
    ahead = pc.visits_read
    for change in changes:
        if change.record_type is RecordType.VISIT and change.op is Op.CREATE:
            try:
                ahead[id(change)] = read_visit(change)
            except FieldledgerError as err:
                ahead[id(change)] = err


def push_visit(pc: PushContext, change: OutgoingChange) -> OutcomeRow:
    _only_create(change)
    scope = pc.scope
    ahead = pc.visits_read.pop(id(change), None)
    if ahead is None:
        visit, canonical, device_report = read_visit(change)
    elif isinstance(ahead, FieldledgerError):
        raise ahead
    else:
        visit, canonical, device_report = ahead
    if visit.id != change.record_id:
        raise InvalidInput(
            "payload.id must equal record_id", message_zh="记录编号不一致", field="payload.id"
        )
    if visit.org_id != scope.org_id:
        raise InvalidInput(
            "payload.org_id is not your organisation",
            message_zh="拜访所属组织与登录组织不符",
            field="payload.org_id",
        )
    if visit.rep_id != scope.user_id:
        raise InvalidInput(
            "payload.rep_id must be the signed-in user's id",
            message_zh="拜访的业务员必须是当前登录用户",
            field="payload.rep_id",
        )
    existing = pc.record("visit", visit.id)
    if existing is not None:
        if existing.payload == canonical:
            return applied(scope.device_id, change, existing, already_stored=True)
        row = _conflict_row(
            pc, change, "visit_id_taken", server_value=existing.payload, device_value=canonical
        )
        pc.tx.add_conflicts([row])
        return conflicted(
            scope.device_id,
            change,
            "visit_id_taken",
            "another visit with this id is already stored; both are kept",
            "该编号已有另一条拜访记录，两者均已保留",
            [row.id],
        )
    customer = pc.record("customer", visit.customer_id)
    if customer is None:
        raise UnknownCustomer(
            f"unknown customer {visit.customer_id!r}",
            message_zh="客户不存在",
            field="payload.customer_id",
        )
    if visit.amends is not None:
        amended = pc.record("visit", visit.amends)
        if amended is None or amended.owner_user_id != visit.rep_id:
            raise UnknownRecord(
                f"the amended visit {visit.amends!r} is not one of your visits",
                message_zh="被更正的拜访不存在或不属于您",
                field="payload.amends",
            )
    when = trusted_time(visit.device_time, visit.anchor, visit.elapsed_since_anchor_ms)
    if not _assigned_at(pc, customer, when.value):
        row = _conflict_row(
            pc,
            change,
            "scope_revoked",
            owner_user_id=customer.owner_user_id,
            server_value=None,
            device_value=canonical,
        )
        pc.tx.add_conflicts([row])
        return conflicted(
            scope.device_id,
            change,
            "scope_revoked",
            "the customer was not assigned to you when this visit was captured",
            "拜访时该客户不在您的负责范围内",
            [row.id],
        )
    if visit.photos:
        ctx = ValidationContext(
            settings=pc.settings,
            calendar=pc.calendar,
            customer=pc.customer_model(customer),
            sop=pc.sop(visit.action_type),
            history=_Excluding(pc.history, visit_ref(pc.scope.org_id, visit.id)),
        )
    else:
        ctx = pc.context(customer, visit.action_type)
    judged = validate_visit(visit, ctx, when)
    blocking = [r for r in judged.results if not r.passed and r.severity is Severity.BLOCK]
    rec = StoredRecord(
        org_id=scope.org_id,
        record_type="visit",
        record_id=visit.id,
        version=1,
        server_seq=pc.tx.next_seq(),
        payload=canonical,
        owner_user_id=visit.rep_id,
        team_id=scope.team_id,
        report=stored_report(judged, device_report, counts=not blocking),
        updated_at=pc.now,
    )
    pc.put(rec, new=True)  # ``existing`` was None: no record of this id
    _record_photos(pc, visit)
    return applied(
        scope.device_id,
        change,
        rec,
        report={"counts": not blocking, "blocking": sorted({r.code._value_ for r in blocking})},
    )


class _Excluding:
    """The org's photo history, never matching the visit being judged (by its ref)."""

    def __init__(self, index: Any, ref: str) -> None:
        self._index = index
        self._ref = ref

    def find(
        self, sha256: str, phash: str, *, max_distance: int, exclude_visit_id: str | None = None
    ) -> Any:
        return self._index.find(
            sha256, phash, max_distance=max_distance, exclude_visit_id=self._ref
        )


def _record_photos(pc: PushContext, visit: Visit) -> None:
    links: list[tuple[str, str]] = []
    for photo in visit.photos:
        links.append((photo.sha256, visit.id))
        if photo.stored_sha256:
            links.append((photo.stored_sha256, visit.id))
        ref = visit_ref(pc.scope.org_id, visit.id)
        pc.history.add(photo.sha256, photo.phash, ref)
        pc.put(
            StoredRecord(
                org_id=pc.scope.org_id,
                record_type="photo_hash",
                record_id=f"{photo.sha256}:{ref}",
                version=1,
                server_seq=pc.tx.next_seq(),
                payload={"sha256": photo.sha256, "phash": photo.phash, "visit_ref": ref},
                scope_kind="org",
                updated_at=pc.now,
            )
        )
    if links:
        pc.tx.add_visit_photos(links)


def push_visit_void(pc: PushContext, change: OutgoingChange) -> OutcomeRow:
    _only_create(change)
    scope = pc.scope
    void = parse_model(VisitVoid, change.payload, "payload")
    canonical = void.model_dump(mode="json")
    existing = pc.record("visit_void", change.record_id)
    if existing is not None:
        if existing.payload == canonical:
            return applied(scope.device_id, change, existing, already_stored=True)
        row = _conflict_row(
            pc, change, "visit_id_taken", server_value=existing.payload, device_value=canonical
        )
        pc.tx.add_conflicts([row])
        return conflicted(
            scope.device_id,
            change,
            "visit_id_taken",
            "another void with this id is already stored",
            "该编号已有另一条作废记录",
            [row.id],
        )
    visit = pc.record("visit", void.visit_id)
    if visit is None:
        raise UnknownRecord(
            f"unknown visit {void.visit_id!r}", message_zh="拜访不存在", field="payload.visit_id"
        )
    if not can_edit(scope, visit):
        row = _conflict_row(
            pc, change, "scope_revoked", owner_user_id=visit.owner_user_id, device_value=canonical
        )
        pc.tx.add_conflicts([row])
        return conflicted(
            scope.device_id,
            change,
            "scope_revoked",
            "you may not void this visit",
            "您无权作废该拜访",
            [row.id],
        )
    rec = StoredRecord(
        org_id=scope.org_id,
        record_type="visit_void",
        record_id=change.record_id,
        version=1,
        server_seq=pc.tx.next_seq(),
        payload=canonical,
        owner_user_id=visit.owner_user_id,
        team_id=visit.team_id,
        updated_at=pc.now,
    )
    pc.put(rec)
    return applied(scope.device_id, change, rec)
