"""Request and response bodies of the HTTP API (their JSON schemas go into the OpenAPI doc)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.changes import ChangeOutcome, IncomingChange

_ID = r"^[A-Za-z0-9_.:-]{1,64}$"


class ErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org: str = Field(min_length=1, max_length=64)
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    device_id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    device_name: str = Field(default="", max_length=120)


class UserOut(BaseModel):
    id: str
    org_id: str
    username: str
    display_name: str
    role: Literal["rep", "manager", "admin"]
    team_id: str
    active: bool = True


class LoginResponse(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: str
    server_time: str
    epoch: str
    device_id: str
    user: UserOut


class MeResponse(BaseModel):
    user: UserOut
    device_id: str
    server_time: str


class OkResponse(BaseModel):
    ok: bool = True


class DeviceState(BaseModel):
    device_id: str
    max_seq: int


class HelloResponse(BaseModel):
    protocol_version: int
    schema_versions: list[int]
    server_time: str
    epoch: str
    max_server_seq: int
    tombstone_horizon: int
    device: DeviceState
    user: UserOut


class PushRequest(BaseModel):
    changes: list[dict[str, Any]] = Field(description="OutgoingChange objects (shared/changes.py)")


class PushResponse(BaseModel):
    outcomes: list[ChangeOutcome]
    max_server_seq: int
    server_time: str


class PullResponse(BaseModel):
    changes: list[IncomingChange]
    next_cursor: int
    has_more: bool
    max_server_seq: int
    epoch: str


class ConflictOut(BaseModel):
    id: str
    record_type: str
    record_id: str
    kind: str
    field: str
    base_value: Any = None
    server_value: Any = None
    device_value: Any = None
    device_id: str
    user_id: str
    team_id: str
    owner_user_id: str
    status: Literal["open", "resolved"]
    resolution: str | None = None
    resolved_by: str | None = None
    created_at: str
    resolved_at: str | None = None


class ConflictList(BaseModel):
    conflicts: list[ConflictOut]


class ResolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    choice: Literal["server", "device"]


class UploadCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    size: int = Field(gt=0)


class PhotoUploadCreate(UploadCreate):
    """``kind: video``: a ticket's evidence video (docs/tickets.md, "Video evidence"): the size
    may go up to the organisation's ``video_max_bytes`` and the finished bytes must be an
    MP4 / QuickTime / WebM video within the ticket settings' limits."""

    kind: Literal["photo", "video"] = "photo"


class UploadStatus(BaseModel):
    sha256: str
    size: int
    offset: int
    complete: bool


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")
    password: str = Field(min_length=8, max_length=256)
    role: Literal["rep", "manager", "admin"]
    team_id: str = Field(default="", max_length=64)
    display_name: str = Field(default="", max_length=120)


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=8, max_length=256)


class UserList(BaseModel):
    users: list[UserOut]


class DeviceOut(BaseModel):
    device_id: str
    user_id: str
    name: str
    created_at: str
    last_seen_at: str
    revoked: bool


class DeviceList(BaseModel):
    devices: list[DeviceOut]


class CustomerImportRow(BaseModel):
    model_config = ConfigDict(extra="allow")

    rep: str | None = Field(default=None, description="username of the assigned rep")


class CustomerImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customers: list[dict[str, Any]] = Field(
        description="Customer objects (shared/customers.py) with an optional 'rep' username"
    )


class SeqResponse(BaseModel):
    server_seq: int


class SeqsResponse(BaseModel):
    server_seqs: list[int]


class OrderImportRequest(BaseModel):
    """ERP orders as JSON (or send a CSV/XLSX file as multipart field ``file``)."""

    orders: list[dict[str, Any]]


class OrderImportResponse(BaseModel):
    format: str
    inserted: int
    updated: int
    unchanged: int


class HealthResponse(BaseModel):
    status: Literal["ok"]
    protocol_version: int
    schema_version: int
    storage: str


# --- tickets (sync_server/api/tickets.py) -------------------------------------------------
class SimilarTicketOut(BaseModel):
    ticket_id: str
    title: str
    problem_type: str
    root_cause_id: str | None = None
    state: str
    score: float
    cause: str
    text_score: float
    age_days: float
    answer: str | None = None


class TicketSummary(BaseModel):
    id: str
    title: str
    problem_type: str
    root_cause_id: str | None = None
    state: str
    reporter_id: str
    owner_id: str | None = None
    district: str
    province: str
    reported_at: str
    deadline: str | None = None
    overdue: bool
    answered: bool
    delivered_at: str | None = None


class TicketList(BaseModel):
    tickets: list[TicketSummary]


class TicketDetail(BaseModel):
    ticket: dict[str, Any] = Field(description="a shared.tickets.Ticket as JSON")
    similar: list[SimilarTicketOut]
    ocr_summary: str
    overdue: bool
    answer_hours: float | None = None
    record_version: int
    server_seq: int


class TicketTransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: Literal["reported", "triaged", "answered", "resolved", "closed"]
    note: str = Field(default="", max_length=1000)
    owner_id: str | None = Field(default=None, max_length=64, description="for triaged")
    deadline_hours: float | None = Field(default=None, gt=0, le=24 * 90)


class TicketAnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", max_length=8000, description="empty: the script's text")
    text_zh: str = Field(default="", max_length=8000)
    script_id: str | None = Field(default=None, max_length=64)


class TicketCommentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=4000)
    id: str | None = Field(default=None, pattern=_ID, description="default: a new uuid")


class BoardRow(BaseModel):
    key: str
    tickets: int
    delivered: int
    median_hours: float | None = None
    p90_hours: float | None = None
    overdue: int


class BoardResponse(BaseModel):
    by: Literal["type", "district", "owner"]
    rows: list[BoardRow]
    overdue_ids: list[str]
    tickets: int


class RootCauseTreeBody(BaseModel):
    nodes: list[dict[str, Any]] = Field(description="shared.tickets.RootCauseNode objects")


class AnswerScriptList(BaseModel):
    scripts: list[dict[str, Any]] = Field(description="shared.tickets.AnswerScript objects")


class DocumentOut(BaseModel):
    sha256: str
    size: int
    mime: str
    created: bool


# --- targets on the server (sync_server/api/targets_materials.py, targets_reports.py) -----
class MaterialOut(BaseModel):
    id: str
    kind: Literal["attack_pack", "support_material"]
    industry: str = Field(description="attack packs: the industry they are for")
    track: str = Field(description="support materials: stock or increment")
    title_zh: str
    title_en: str
    sha256: str
    mime: str
    size: int
    filename: str
    order: int
    active: bool


class MaterialUploadRequest(BaseModel):
    """Multipart form: ``file`` (the document) and these fields."""

    kind: Literal["attack_pack", "support_material"]
    industry: str = Field(default="", max_length=100, description="required for attack_pack")
    track: Literal["stock", "increment"] = "increment"
    title_zh: str = Field(default="", max_length=200)
    title_en: str = Field(default="", max_length=200)
    id: str = Field(default="", description="default: <kind>-<first 16 hex of the SHA-256>")
    order: int = 0


class MaterialUploadResponse(BaseModel):
    material: MaterialOut
    server_seq: int
    filled: list[str] = Field(description="pending deliveries that received it")


class MaterialResponse(BaseModel):
    material: MaterialOut
    server_seq: int


class MaterialList(BaseModel):
    materials: list[MaterialOut]


class EvaluateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date | None = Field(default=None, description="default: yesterday (org time zone)")


class EvaluateResponse(BaseModel):
    org_id: str
    as_of: str
    month_ends: list[str]
    week_ends: list[str]
    store_days: list[str]
    actions: list[dict[str, Any]]
    snapshots_written: int
    store_metrics_written: int


class TargetActionList(BaseModel):
    actions: list[dict[str, Any]] = Field(
        description="{key, kind, rep_id, industry, as_of, customer_ids, value, record_type,"
        " record_id}"
    )
