"""The changeset format exchanged by devices and the sync server (docs/sync-protocol.md).

A device numbers its local changes with a per-device ``seq`` (1, 2, 3, …); the pair
``(device_id, seq)`` makes every push idempotent. The server gives every accepted change a
commit-ordered ``server_seq``; pulls page through changes with ``server_seq > cursor``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1


class RecordType(StrEnum):
    VISIT = "visit"  # append-only evidence (photo metadata travels inside the visit)
    VISIT_VOID = "visit_void"  # append-only: voids a visit, with a reason
    CUSTOMER = "customer"  # per-field three-way merge
    SETTINGS = "settings"  # server-authoritative, pulled only
    CALENDAR = "calendar"  # server-authoritative, pulled only
    SOP = "sop"  # server-authoritative, pulled only
    PHOTO_HASH = "photo_hash"  # server-authoritative: the organisation's photo history


class Op(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class OutgoingChange(BaseModel):
    """One local change as pushed by a device."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int = Field(ge=1)
    record_type: RecordType
    record_id: str = Field(min_length=1, max_length=64)
    op: Op
    payload: dict[str, Any] = Field(default_factory=dict)
    base_version: int | None = Field(default=None, description="for merged types: version seen")


class IncomingChange(BaseModel):
    """One change as pulled from the server."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    server_seq: int = Field(ge=1)
    record_type: RecordType
    record_id: str
    op: Op
    payload: dict[str, Any] = Field(default_factory=dict)
    version: int = 1
