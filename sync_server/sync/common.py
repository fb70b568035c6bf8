"""Helpers shared by the push handlers: outcomes, scope checks, pydantic errors."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shared.changes import OutgoingChange
from shared.errors import FieldledgerError, InvalidInput
from sync_server.storage.base import OutcomeRow, Scope, StoredRecord


class PushRejected(FieldledgerError):
    """A change that can never apply: the device marks it processed and shows it."""

    code = "rejected"


class OpNotAllowed(PushRejected):
    code = "op_not_allowed"


class UnknownRecord(PushRejected):
    code = "unknown_record"


class UnknownCustomer(PushRejected):
    code = "unknown_customer"


class ServerAuthoritative(PushRejected):
    code = "server_authoritative"


M = TypeVar("M", bound=BaseModel)


def parse_model(model: type[M], data: Any, prefix: str) -> M:
    """Validate ``data``; a failure names the first bad field (``payload.gps.lat``).

    ``model.model_validate(data)``, calling pydantic-core's validator directly (the same call
    with the same defaults, without the wrapper's argument handling: a push parses hundreds)."""
    try:
        return model.__pydantic_validator__.validate_python(data)  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise invalid_from(exc, prefix) from None


def invalid_from(exc: ValidationError, prefix: str) -> InvalidInput:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first.get("loc", ()))
    field = ".".join(p for p in (prefix, loc) if p) or "body"
    msg = first.get("msg", "invalid value")
    return InvalidInput(f"{field}: {msg}", message_zh=f"字段 {field} 无效：{msg}", field=field)


def new_id() -> str:
    return uuid.uuid4().hex


def can_edit(scope: Scope, rec: StoredRecord) -> bool:
    """May the scope change this record (and see it)?"""
    if rec.org_id != scope.org_id:
        return False
    if scope.role == "admin":
        return True
    if rec.scope_kind == "org":
        return False
    if scope.role == "manager":
        return bool(scope.team_id) and rec.team_id == scope.team_id
    return rec.owner_user_id == scope.user_id


def applied(
    device_id: str, change: OutgoingChange, rec: StoredRecord, **details: Any
) -> OutcomeRow:
    return OutcomeRow(
        device_id,
        change.seq,
        "applied",
        change.record_type._value_,
        change.record_id,
        rec.server_seq,
        rec.version,
        details=details,
    )


def rejected(device_id: str, seq: int, rtype: str, rid: str, err: FieldledgerError) -> OutcomeRow:
    details = dict(err.details)
    details["message_zh"] = err.message_zh
    return OutcomeRow(
        device_id, seq, "rejected", rtype, rid, None, None, err.code, err.message, details
    )


def conflicted(
    device_id: str,
    change: OutgoingChange,
    code: str,
    message: str,
    message_zh: str,
    conflict_ids: list[str],
    rec: StoredRecord | None = None,
) -> OutcomeRow:
    return OutcomeRow(
        device_id,
        change.seq,
        "conflict",
        change.record_type.value,
        change.record_id,
        rec.server_seq if rec else None,
        rec.version if rec else None,
        code,
        message,
        {"conflict_ids": conflict_ids, "message_zh": message_zh},
    )
