"""Organisation settings: every threshold the validation rules use, with its default.

Settings are server-owned organisation data that devices pull; see docs/validation.md.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Severity(StrEnum):
    """What a failing rule does to the visit."""

    BLOCK = "block"  # the visit does not count
    WARN = "warn"  # the visit counts, the failure is shown and kept as evidence
    OFF = "off"  # the rule is not evaluated


class RuleCode(StrEnum):
    """Stable codes of every validation rule (docs/validation.md lists each)."""

    PHOTOS_REQUIRED = "photos.required"
    CHECKLIST_REQUIRED = "checklist.required"
    RESULT_REQUIRED = "result.required"
    GPS_PRESENT = "gps.present"
    GPS_MOCK = "gps.mock_location"
    GPS_ACCURACY = "gps.accuracy"
    GPS_DISTANCE = "gps.distance"
    TIME_TRUSTED = "time.trusted"
    TIME_CLOCK_SKEW = "time.clock_skew"
    TIME_CALENDAR_KNOWN = "time.calendar_known"
    TIME_WORKDAY = "time.workday"
    TIME_WORK_HOURS = "time.work_hours"
    PHOTO_PROVENANCE = "photo.provenance"
    PHOTO_EXIF_TIME = "photo.exif_time"
    PHOTO_EXIF_GPS = "photo.exif_gps"
    PHOTO_REUSED = "photo.reused"


DEFAULT_SEVERITIES: dict[RuleCode, Severity] = {
    RuleCode.PHOTOS_REQUIRED: Severity.BLOCK,
    RuleCode.CHECKLIST_REQUIRED: Severity.BLOCK,
    RuleCode.RESULT_REQUIRED: Severity.BLOCK,
    RuleCode.GPS_PRESENT: Severity.BLOCK,
    RuleCode.GPS_MOCK: Severity.BLOCK,
    RuleCode.GPS_ACCURACY: Severity.BLOCK,
    RuleCode.GPS_DISTANCE: Severity.BLOCK,
    RuleCode.TIME_TRUSTED: Severity.WARN,
    RuleCode.TIME_CLOCK_SKEW: Severity.WARN,
    RuleCode.TIME_CALENDAR_KNOWN: Severity.WARN,
    RuleCode.TIME_WORKDAY: Severity.BLOCK,
    RuleCode.TIME_WORK_HOURS: Severity.BLOCK,
    RuleCode.PHOTO_PROVENANCE: Severity.BLOCK,
    RuleCode.PHOTO_EXIF_TIME: Severity.BLOCK,
    RuleCode.PHOTO_EXIF_GPS: Severity.BLOCK,
    RuleCode.PHOTO_REUSED: Severity.BLOCK,
}


class OrgSettings(BaseModel):
    """Thresholds of one organisation. Every field has a documented default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = "Asia/Shanghai"
    work_start: time = time(9, 0)
    work_end: time = time(18, 30)
    calendar_region: str = Field(
        default="CN", description="'CN' = official mainland China schedule; else plain weekdays"
    )
    weekend_days: tuple[int, ...] = Field(default=(5, 6), description="ISO weekday()-1 values")
    radius_m: float = Field(default=500.0, gt=0)
    accuracy_limit_m: float = Field(default=100.0, gt=0)
    photo_window_before_min: int = Field(default=120, ge=0, description="EXIF time earliest")
    photo_window_after_min: int = Field(default=10, ge=0, description="EXIF time latest")
    clock_skew_limit_s: int = Field(default=300, ge=0)
    phash_max_distance: int = Field(default=6, ge=0, le=7)
    severities: dict[RuleCode, Severity] = Field(default_factory=lambda: dict(DEFAULT_SEVERITIES))

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _window_is_ordered(self) -> OrgSettings:
        if self.work_end <= self.work_start:
            raise ValueError("work_end must be later than work_start")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def severity(self, code: RuleCode) -> Severity:
        chosen = self.severities.get(code)
        return chosen if chosen is not None else DEFAULT_SEVERITIES[code]
