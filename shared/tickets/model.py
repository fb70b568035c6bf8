"""The five-dimension issue ticket 问题溯源五维工单 (docs/tickets.md).

scenario 发生场景 — impact scope 影响范围 — resolution path 解决路径 — owner 责任人 — deadline 时限,
plus the problem type and its root-cause node, evidence (up to 5 photos or 1 video), the rep's
text, answers and append-only comments. Tickets are immutable values: every change makes a new
one (``model_copy``) through the functions in ``states``, ``routing`` and ``answers``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from shared.customers import Customer
from shared.errors import InvalidInput, invalid_from_pydantic
from shared.trusted_time import TrustedTime, trusted_time
from shared.visits import TimeAnchor, Visit

SHA256 = r"^[0-9a-f]{64}$"
MAX_PHOTOS = 5  # hard cap of the model; TicketSettings may only lower it


class ProblemType(StrEnum):
    POLICY = "policy"  # 政策
    PRODUCT = "product"  # 产品
    SERVICE = "service"  # 服务
    COMPETITOR = "competitor"  # 竞品
    PROCESS = "process"  # 流程


class ImpactScope(StrEnum):
    CUSTOMER = "customer"  # 单客户
    DISTRICT = "district"  # 片区
    PROVINCE = "province"  # 省
    NATIONAL = "national"  # 全国


class TicketState(StrEnum):
    REPORTED = "reported"  # 已上报
    TRIAGED = "triaged"  # 已分派
    ANSWERED = "answered"  # 已答复
    RESOLVED = "resolved"  # 已解决
    CLOSED = "closed"  # 已关闭


class ResolutionPath(StrEnum):
    STANDARD_ANSWER = "standard_answer"  # known root cause: the answer script was pushed
    OWNER = "owner"  # routed to an owner by the routing rules
    MANAGER_TRIAGE = "manager_triage"  # no rule matched: waits in the managers' triage queue


class AnswerSource(StrEnum):
    AUTO = "auto"  # the standard answer script of the root cause, pushed by the server
    OWNER = "owner"  # written by the owner (or a manager) for this ticket


LABELS_ZH: dict[str, str] = {
    "policy": "政策", "product": "产品", "service": "服务", "competitor": "竞品",
    "process": "流程", "customer": "单客户", "district": "片区", "province": "省",
    "national": "全国", "reported": "已上报", "triaged": "已分派", "answered": "已答复",
    "resolved": "已解决", "closed": "已关闭",
}  # fmt: skip


class Scenario(BaseModel):
    """Where and when the problem happened; pre-filled from the current visit when there is one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_id: str | None = Field(default=None, max_length=64)
    visit_id: str | None = Field(default=None, max_length=64)
    place: str = Field(default="", max_length=500, description="address or store name")
    district: str = Field(default="", max_length=100)
    province: str = Field(default="", max_length=100)
    country: str = Field(default="CN", min_length=2, max_length=2)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    occurred_at: AwareDatetime | None = None


class VideoEvidence(BaseModel):
    """One short video kept as an evidence blob; limits are in ``TicketSettings``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str = Field(pattern=SHA256)
    size_bytes: int = Field(gt=0)
    duration_s: float = Field(gt=0)
    mime: str = Field(default="video/mp4", pattern=r"^video/[a-z0-9.+-]+$")


class Evidence(BaseModel):
    """Up to 5 photos (sha256 of evidence blobs, same pipeline as visits) OR one video."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    photos: tuple[str, ...] = Field(default=(), max_length=MAX_PHOTOS)
    video: VideoEvidence | None = None

    @model_validator(mode="after")
    def _photos_or_video(self) -> Evidence:
        if self.photos and self.video is not None:
            raise ValueError("evidence is up to 5 photos or 1 video, not both")
        for sha in self.photos:
            if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
                raise ValueError(f"photo {sha!r} is not a lowercase sha256 hex digest")
        if len(set(self.photos)) != len(self.photos):
            raise ValueError("the same photo is attached twice")
        return self


class TicketSettings(BaseModel):
    """Per-organisation ticket limits (server-owned, pulled by devices)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_photos: int = Field(default=MAX_PHOTOS, ge=0, le=MAX_PHOTOS)
    video_max_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    video_max_duration_s: float = Field(default=60.0, gt=0)
    default_deadline_hours: float = Field(default=48.0, gt=0)
    similar_window_days: int = Field(default=30, ge=1, le=365)
    similar_limit: int = Field(default=10, ge=1, le=100)


class Answer(BaseModel):
    """An actionable answer to the rep: a standard script or an owner's own answer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    source: AnswerSource
    author_id: str = Field(min_length=1, max_length=64, description="'system' for auto answers")
    text: str = Field(min_length=1, max_length=8000)
    text_zh: str = Field(default="", max_length=8000)
    script_id: str | None = Field(default=None, max_length=64)
    documents: tuple[str, ...] = Field(default=(), description="sha256 of policy documents")
    created_at: AwareDatetime


class Comment(BaseModel):
    """A comment on a ticket. Comments are append-only: never edited, never removed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    author_id: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=4000)
    created_at: AwareDatetime


class StateChange(BaseModel):
    """One entry of the ticket's history: who moved it from where to where, and when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    from_state: TicketState
    to_state: TicketState
    actor_id: str
    role: str
    at: AwareDatetime
    note: str = Field(default="", max_length=1000)


class Ticket(BaseModel):
    """One issue ticket. ``device_time``/``anchor``/``elapsed_since_anchor_ms`` follow visits."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    org_id: str = Field(min_length=1, max_length=64)
    reporter_id: str = Field(min_length=1, max_length=64)
    device_id: str = Field(default="", max_length=64)
    problem_type: ProblemType
    root_cause_id: str | None = Field(default=None, max_length=64)
    scenario: Scenario = Field(default_factory=Scenario)
    impact_scope: ImpactScope = ImpactScope.CUSTOMER
    text: str = Field(min_length=1, max_length=4000)
    evidence: Evidence = Field(default_factory=Evidence)
    device_time: AwareDatetime = Field(description="device wall clock at report, kept as evidence")
    anchor: TimeAnchor | None = None
    elapsed_since_anchor_ms: int | None = Field(default=None, ge=0)
    # set by the server
    state: TicketState = TicketState.REPORTED
    resolution_path: ResolutionPath | None = None
    owner_id: str | None = Field(default=None, max_length=64)
    deadline: AwareDatetime | None = None
    routing_rule_id: str | None = None
    answers: tuple[Answer, ...] = ()
    comments: tuple[Comment, ...] = ()
    history: tuple[StateChange, ...] = ()
    ocr_text: dict[str, str] = Field(default_factory=dict, description="photo sha256 -> text")
    delivered_at: AwareDatetime | None = Field(
        default=None, description="when the reporter's device pull acknowledged the first answer"
    )
    version: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _scope_has_its_place(self) -> Ticket:
        needed = {
            ImpactScope.CUSTOMER: ("customer_id", self.scenario.customer_id),
            ImpactScope.DISTRICT: ("district", self.scenario.district),
            ImpactScope.PROVINCE: ("province", self.scenario.province),
        }.get(self.impact_scope)
        if needed is not None and not needed[1]:
            raise ValueError(f"impact scope {self.impact_scope} needs scenario.{needed[0]}")
        return self

    @property
    def reported(self) -> TrustedTime:
        """Report time under the trusted-time rules (anchor + monotonic elapsed)."""
        return trusted_time(self.device_time, self.anchor, self.elapsed_since_anchor_ms)

    @property
    def reported_at(self) -> datetime:
        return self.reported.value

    @property
    def first_answer(self) -> Answer | None:
        return min(self.answers, key=lambda a: a.created_at) if self.answers else None

    @property
    def ocr_summary(self) -> str:
        """All OCR text of the evidence photos, in the order the photos were attached."""
        parts = [self.ocr_text.get(sha, "") for sha in self.evidence.photos]
        return "\n".join(p for p in parts if p)


def check_evidence(evidence: Evidence, settings: TicketSettings) -> None:
    """Refuse evidence over the organisation's limits, naming the field."""
    if len(evidence.photos) > settings.max_photos:
        raise InvalidInput(
            f"evidence.photos: {len(evidence.photos)} photos, at most {settings.max_photos}",
            message_zh=f"照片 {len(evidence.photos)} 张，最多 {settings.max_photos} 张",
            field="evidence.photos",
        )
    video = evidence.video
    if video is None:
        return
    if video.size_bytes > settings.video_max_bytes:
        raise InvalidInput(
            f"evidence.video.size_bytes: {video.size_bytes} bytes, at most "
            f"{settings.video_max_bytes}",
            message_zh=f"视频大小 {video.size_bytes} 字节，超过上限 {settings.video_max_bytes}",
            field="evidence.video.size_bytes",
        )
    if video.duration_s > settings.video_max_duration_s:
        raise InvalidInput(
            f"evidence.video.duration_s: {video.duration_s:g} s, at most "
            f"{settings.video_max_duration_s:g} s",
            message_zh=f"视频时长 {video.duration_s:g} 秒，"
            f"超过上限 {settings.video_max_duration_s:g} 秒",
            field="evidence.video.duration_s",
        )


def scenario_from_visit(visit: Visit, customer: Customer | None = None) -> Scenario:
    """The scenario pre-filled from the visit the rep is on: customer, place and time."""
    when = trusted_time(visit.device_time, visit.anchor, visit.elapsed_since_anchor_ms)
    return Scenario(
        customer_id=visit.customer_id,
        visit_id=visit.id,
        place=(customer.address or customer.name) if customer else "",
        district=customer.district if customer else "",
        province=customer.province if customer else "",
        lat=visit.gps.lat if visit.gps else None,
        lon=visit.gps.lon if visit.gps else None,
        occurred_at=when.value,
    )


def parse_ticket(payload: dict[str, Any]) -> Ticket:
    """A ticket from JSON-like data; a bad field is an ``InvalidInput`` naming it."""
    try:
        return Ticket.model_validate(payload)
    except ValidationError as exc:
        raise invalid_from_pydantic(exc, prefix="ticket") from None
