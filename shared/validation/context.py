"""What a validation needs besides the visit: the organisation's data at the time of judging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from shared.customers import Customer
from shared.settings import OrgSettings, RuleCode, Severity
from shared.sop import SopTemplate
from shared.validation.report import RuleResult

if TYPE_CHECKING:
    from shared.photos.reuse import ReuseMatch
    from shared.workcal import WorkCalendar


class PhotoHistory(Protocol):
    """The organisation's earlier photos (device: pulled hash index; server: its own table)."""

    def find(
        self, sha256: str, phash: str, *, max_distance: int, exclude_visit_id: str | None = None
    ) -> ReuseMatch | None: ...


@dataclass(frozen=True)
class ValidationContext:
    settings: OrgSettings
    calendar: WorkCalendar
    customer: Customer
    sop: SopTemplate | None
    history: PhotoHistory | None = None


def make_result(
    settings: OrgSettings,
    code: RuleCode,
    passed: bool,
    zh: str,
    en: str,
    *,
    measured: Any = None,
    limit: Any = None,
    unit: str = "",
    subject: str = "",
    hint_zh: str = "",
    hint_en: str = "",
) -> RuleResult:
    """One rule's outcome; hints are only kept for failures."""
    return RuleResult(
        code=code,
        passed=passed,
        severity=settings.severity(code),
        measured=measured,
        limit=limit,
        unit=unit,
        subject=subject,
        message_zh=zh,
        message_en=en,
        hint_zh="" if passed else hint_zh,
        hint_en="" if passed else hint_en,
    )


def is_enabled(settings: OrgSettings, code: RuleCode) -> bool:
    return settings.severity(code) is not Severity.OFF
