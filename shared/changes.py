"""The changeset format exchanged by devices and the sync server (docs/sync-protocol.md).

A device numbers its local changes with a per-device ``seq`` (1, 2, 3, …); the pair
``(device_id, seq)`` makes every push idempotent. The server gives every accepted change a
commit-ordered ``server_seq``; pulls page through changes with ``server_seq > cursor``.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
SCHEMA_VERSION = 1  # version of the record payload schemas (X-Fieldledger-Schema)
MIN_SCHEMA_VERSION = 1  # oldest payload schema the server still upcasts


class RecordType(StrEnum):
    VISIT = "visit"  # append-only evidence (photo metadata travels inside the visit)
    VISIT_VOID = "visit_void"  # append-only: voids a visit, with a reason
    CUSTOMER = "customer"  # per-field three-way merge
    SETTINGS = "settings"  # server-authoritative, pulled only
    CALENDAR = "calendar"  # server-authoritative, pulled only
    SOP = "sop"  # server-authoritative, pulled only
    PHOTO_HASH = "photo_hash"  # server-authoritative: the organisation's photo history
    # issue tickets (docs/sync-protocol.md, section 11)
    TICKET = "ticket"  # device creates; then server-versioned (routing, answers, OCR, delivery)
    TICKET_COMMENT = "ticket_comment"  # append-only, push only: comes back inside the ticket
    ROOT_CAUSE_TREE = "root_cause_tree"  # server-authoritative, pulled only (id "root_causes")
    ANSWER_SCRIPT = "answer_script"  # server-authoritative, pulled only (one per script)
    TICKET_SETTINGS = "ticket_settings"  # server-authoritative, pulled only
    TICKET_ROUTING = "ticket_routing"  # server-authoritative, admins only (id "routing")
    # dual-track targets on the server (docs/sync-protocol.md, section 12)
    TARGET_SETTINGS = "target_settings"  # server-authoritative, pulled only (id "target_settings")
    MATERIAL = "material"  # server-authoritative: metadata of an uploaded attack pack / material
    MATERIAL_DELIVERY = "material_delivery"  # server-authoritative: materials pushed to a rep
    TARGET_TASK = "target_task"  # server-authoritative: an intervention task for a supervisor
    TARGET_SNAPSHOT = "target_snapshot"  # server-authoritative: a rep's targets for a period
    STORE_METRIC = "store_metric"  # server-authoritative: one store's visit numbers for a day
    # business-language metrics (docs/sync-protocol.md, section 13)
    TOUCHPOINT = "touchpoint"  # append-only evidence: a customer inquiry or a proposal sent
    CONTACT = "contact"  # a customer's contact with their decision role; per-field merge


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
    report: dict[str, Any] | str | None = Field(
        default=None,
        description="visits: the server's validation report; its JSON text (a string) when"
        " the pull asked for report=text",
    )


def visit_ref(org_id: str, visit_id: str) -> str:
    """The opaque id under which a visit's photos appear in the pulled ``photo_hash`` history.

    Everyone in the organisation pulls the photo hashes (to catch reused photos offline) but must
    not learn other reps' visit ids; a device excludes its own visit with this same ref.
    """
    return hashlib.sha256(f"{org_id}:{visit_id}".encode()).hexdigest()[:32]


class VisitVoid(BaseModel):
    """Payload of a ``visit_void`` record: voids a visit, with a reason (append-only)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    visit_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)


class CustomerEdit(BaseModel):
    """Payload of a ``customer`` update: the changed fields and their values at base_version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fields: dict[str, Any] = Field(min_length=1)
    base: dict[str, Any]


class OutcomeStatus(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    CONFLICT = "conflict"


class ChangeOutcome(BaseModel):
    """What the server did with one pushed change (docs/sync-protocol.md, section 6)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int
    status: OutcomeStatus
    record_type: str = ""
    record_id: str = ""
    server_seq: int | None = None
    version: int | None = None
    code: str | None = None
    message: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    first_status: OutcomeStatus | None = Field(
        default=None, description="for duplicates: the status of the first outcome"
    )


class TicketCommentPush(BaseModel):
    """Payload of a ``ticket_comment`` create (record_id = the comment id): append-only."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ticket_id: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=4000)
    created_at: AwareDatetime


class TicketStateChange(BaseModel):
    """Payload of a ``ticket`` update: a state move checked by the server's state machine."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    state: str = Field(min_length=1, max_length=16)
    note: str = Field(default="", max_length=1000)


# --- touchpoints and contacts (docs/targets.md "Touchpoints and contacts") ----------------------

TouchpointKindCode = Literal["inquiry", "proposal"]  # = shared.targets.TouchpointKind
DecisionRoleCode = Literal["procurement_head", "department_director", "vp", "other"]
ATTACHMENT_MIMES: tuple[str, ...] = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


class AttachmentRef(BaseModel):
    """A file sent with a proposal: content-addressed bytes uploaded separately."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    filename: str = Field(min_length=1, max_length=200)
    mime: str = Field(min_length=1, max_length=120)
    size: int = Field(ge=1)


class Touchpoint(BaseModel):
    """Payload of a ``touchpoint`` create (record_id = ``id``): append-only evidence.

    A proposal must carry its attachment; an inquiry may not need one (it may still have one).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    customer_id: str = Field(min_length=1, max_length=64)
    rep_id: str = Field(min_length=1, max_length=64)
    kind: TouchpointKindCode
    occurred_at: AwareDatetime
    note: str = Field(default="", max_length=1000)
    attachment: AttachmentRef | None = None


class Contact(BaseModel):
    """Payload of a ``contact`` create: a person at a customer and their decision role."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    customer_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    role: DecisionRoleCode = "other"
    title: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=40)


CONTACT_EDITABLE: tuple[str, ...] = ("name", "role", "title", "phone")
