"""Work calendars: which dates are workdays, including mainland China's official schedule.

In mainland China the State Council (国务院办公厅) publishes each year's public holidays and the
weekend make-up workdays (调休上班) that pay for the long breaks, usually in November for the next
year. A Saturday can therefore be a workday and a Tuesday a holiday. :class:`WorkCalendar` holds
the published :class:`YearSchedule` of each loaded year and answers :meth:`WorkCalendar.day` with
dictionary lookups only (it is called once per validated visit).

* Region ``"CN"``: a year that is not loaded falls back to plain weekdays with ``known=False``, so
  the validator can say "calendar for 2031 not loaded" instead of guessing silently.
* Any other region: weekdays are workdays, plus the org's own holidays / make-up days for the
  loaded years; every answer is ``known=True``.

:func:`china_calendar` seeds the official years from the maintained ``chinesecalendar`` package;
an admin adds a newly published year with :func:`parse_year_schedule` (JSON format in
docs/calendar.md) and :meth:`WorkCalendar.with_year`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.errors import InvalidInput

__all__ = [
    "DayInfo",
    "DayKind",
    "WorkCalendar",
    "YearSchedule",
    "china_calendar",
    "china_seed_years",
    "parse_year_schedule",
    "schedule_to_json",
]

OFFICIAL_REGIONS = frozenset({"CN"})


class DayKind(StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP_WORKDAY = "makeup_workday"


class DayInfo(BaseModel):
    """What the calendar says about one date."""

    model_config = ConfigDict(frozen=True)

    date: date
    kind: DayKind
    is_workday: bool
    # False: the region has an official schedule but this year is not loaded, so the answer
    # fell back to plain weekdays.
    known: bool
    name: str = ""  # holiday name (or the holiday a make-up workday pays for), if any


class YearSchedule(BaseModel):
    """One year's published holidays and make-up workdays."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int = Field(ge=1, le=9999)
    holidays: dict[date, str] = Field(default_factory=dict)  # date -> holiday name
    makeup_workdays: dict[date, str] = Field(default_factory=dict)  # date -> holiday made up for
    source: str = ""

    @field_validator("holidays", "makeup_workdays")
    @classmethod
    def _dates_in_year(cls, value: dict[date, str], info: ValidationInfo) -> dict[date, str]:
        year = info.data.get("year")
        if year is not None:
            wrong = sorted(d for d in value if d.year != year)
            if wrong:
                raise ValueError(f"{info.field_name}: {wrong[0].isoformat()} is not in year {year}")
        if info.field_name == "makeup_workdays":
            both = sorted(set(value) & set(info.data.get("holidays", {})))
            if both:
                raise ValueError(
                    f"makeup_workdays: {both[0].isoformat()} is also listed in holidays"
                )
        return value


# DayInfo answers per calendar object: id -> (the calendar, kept alive so its id is not reused;
# date -> DayInfo)
_DAYS: dict[int, tuple[WorkCalendar, dict[date, DayInfo]]] = {}


class WorkCalendar(BaseModel):
    """Weekend days plus the loaded years' schedules of one region."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    region: str = Field(default="CN", min_length=1, max_length=32)
    weekend_days: tuple[int, ...] = (5, 6)  # date.weekday(): Monday=0 ... Sunday=6
    years: dict[int, YearSchedule] = Field(default_factory=dict)

    @field_validator("weekend_days")
    @classmethod
    def _valid_weekdays(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 0 <= d <= 6 for d in value) or len(set(value)) != len(value):
            raise ValueError("weekend_days: distinct numbers 0 (Monday) .. 6 (Sunday)")
        return value

    @field_validator("years")
    @classmethod
    def _keys_match(cls, value: dict[int, YearSchedule]) -> dict[int, YearSchedule]:
        for year, schedule in value.items():
            if schedule.year != year:
                raise ValueError(f"years: key {year} holds the schedule of {schedule.year}")
        return value

    @property
    def is_official_region(self) -> bool:
        return self.region.upper() in OFFICIAL_REGIONS

    def day(self, d: date) -> DayInfo:
        """Classify ``d``; O(1), never raises for any ``datetime.date``. Answers are kept per
        calendar object (it is immutable): the server classifies a day for every visit."""
        hit = _DAYS.get(id(self))
        if hit is None or hit[0] is not self:
            if len(_DAYS) > 64:
                _DAYS.clear()
            hit = _DAYS[id(self)] = (self, {})
        days = hit[1]
        info = days.get(d)
        if info is None:
            if len(days) >= 4096:
                days.clear()
            info = days[d] = self._classify(d)
        return info

    def _classify(self, d: date) -> DayInfo:
        schedule = self.years.get(d.year)
        if schedule is not None:
            name = schedule.holidays.get(d)
            if name is not None:
                return DayInfo(
                    date=d, kind=DayKind.HOLIDAY, is_workday=False, known=True, name=name
                )
            name = schedule.makeup_workdays.get(d)
            if name is not None:
                return DayInfo(
                    date=d, kind=DayKind.MAKEUP_WORKDAY, is_workday=True, known=True, name=name
                )
        known = schedule is not None or not self.is_official_region
        if d.weekday() in self.weekend_days:
            return DayInfo(date=d, kind=DayKind.WEEKEND, is_workday=False, known=known)
        return DayInfo(date=d, kind=DayKind.WORKDAY, is_workday=True, known=known)

    def with_year(self, schedule: YearSchedule) -> WorkCalendar:
        """A copy with ``schedule`` added, replacing any schedule already loaded for its year."""
        return self.model_copy(update={"years": {**self.years, schedule.year: schedule}})

    def loaded_years(self) -> list[int]:
        return sorted(self.years)


# --- seed from the chinesecalendar package ------------------------------------------------


def china_seed_years() -> list[int]:
    """Years the installed ``chinesecalendar`` package has official data for (2004-2026 in 1.11)."""
    import chinese_calendar

    return sorted(
        {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    )


def _holiday_names() -> dict[str, str]:
    import chinese_calendar

    return {h.value: str(getattr(h, "chinese", "") or h.value) for h in chinese_calendar.Holiday}


def china_calendar(years: Iterable[int] | None = None) -> WorkCalendar:
    """Mainland China's calendar seeded from ``chinesecalendar``.

    ``years`` selects which years to load; years the package does not know are skipped (they
    then fall back to weekdays with ``known=False``). Holiday names are the Chinese names.
    """
    import chinese_calendar

    names = _holiday_names()
    wanted = set(china_seed_years()) if years is None else set(years)
    holidays: dict[int, dict[date, str]] = {}
    makeups: dict[int, dict[date, str]] = {}
    # One pass over the package's tables (they are small dicts keyed by date).
    for d, value in chinese_calendar.holidays.items():
        if d.year in wanted:
            holidays.setdefault(d.year, {})[d] = names.get(str(value), str(value))
    for d, value in chinese_calendar.workdays.items():
        if d.year in wanted:
            makeups.setdefault(d.year, {})[d] = names.get(str(value), str(value))
    source = f"chinesecalendar {chinese_calendar.__version__} (国务院办公厅 notices)"
    schedules = {
        y: YearSchedule(
            year=y, holidays=holidays.get(y, {}), makeup_workdays=makeups.get(y, {}), source=source
        )
        for y in sorted(set(holidays) | set(makeups))
    }
    return WorkCalendar(region="CN", years=schedules)


# --- admin JSON format ---------------------------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TOP_KEYS = frozenset({"year", "holidays", "makeup_workdays", "source"})
_ENTRY_KEYS = frozenset({"date", "name"})
_MAX_NAME = 100
_MAX_SOURCE = 500


def _bad(field: str, en: str, zh: str) -> InvalidInput:
    return InvalidInput(f"{field}: {en}", message_zh=f"{field}：{zh}", field=field)


def _parse_entries(raw: Any, key: str, year: int) -> dict[date, str]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise _bad(key, "must be a list of {date, name}", "必须是 {date, name} 列表")
    out: dict[date, str] = {}
    for i, entry in enumerate(raw):
        path = f"{key}[{i}]"
        if not isinstance(entry, dict):
            raise _bad(path, "must be an object {date, name}", "必须是对象 {date, name}")
        extra = sorted(str(k) for k in entry if k not in _ENTRY_KEYS)
        if extra:
            raise _bad(f"{path}.{extra[0]}", "unknown key", "未知字段")
        text = entry.get("date")
        if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
            raise _bad(f"{path}.date", "must be a date YYYY-MM-DD", "必须是日期 YYYY-MM-DD")
        try:
            d = date.fromisoformat(text)
        except ValueError:
            raise _bad(
                f"{path}.date", f"{text} is not a real date", f"{text} 不是有效日期"
            ) from None
        if d.year != year:
            raise _bad(f"{path}.date", f"{text} is not in year {year}", f"{text} 不在 {year} 年")
        if d in out:
            raise _bad(f"{path}.date", f"{text} is listed twice", f"{text} 重复")
        name = entry.get("name", "")
        if not isinstance(name, str) or len(name) > _MAX_NAME:
            raise _bad(
                f"{path}.name",
                f"must be text of at most {_MAX_NAME} characters",
                f"必须是不超过 {_MAX_NAME} 个字符的文本",
            )
        out[d] = name
    return out


def parse_year_schedule(data: dict[str, Any]) -> YearSchedule:
    """Parse the admin JSON format; bad input raises InvalidInput naming the field path."""
    if not isinstance(data, dict):
        raise _bad("schedule", "must be a JSON object", "必须是 JSON 对象")
    extra = sorted(str(k) for k in data if k not in _TOP_KEYS)
    if extra:
        raise _bad(extra[0], "unknown key", "未知字段")
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise _bad("year", "must be a whole year such as 2027", "必须是年份，例如 2027")
    source = data.get("source", "")
    if not isinstance(source, str) or len(source) > _MAX_SOURCE:
        raise _bad(
            "source",
            f"must be text of at most {_MAX_SOURCE} characters",
            f"必须是不超过 {_MAX_SOURCE} 个字符的文本",
        )
    holidays = _parse_entries(data.get("holidays"), "holidays", year)
    makeups = _parse_entries(data.get("makeup_workdays"), "makeup_workdays", year)
    for i, d in enumerate(makeups):
        if d in holidays:
            raise _bad(
                f"makeup_workdays[{i}].date",
                f"{d.isoformat()} is also listed in holidays",
                f"{d.isoformat()} 同时出现在 holidays 中",
            )
    return YearSchedule(year=year, holidays=holidays, makeup_workdays=makeups, source=source)


def schedule_to_json(s: YearSchedule) -> dict[str, Any]:
    """The admin JSON form of ``s`` (dates sorted); ``parse_year_schedule`` inverts it."""
    return {
        "year": s.year,
        "holidays": [{"date": d.isoformat(), "name": s.holidays[d]} for d in sorted(s.holidays)],
        "makeup_workdays": [
            {"date": d.isoformat(), "name": s.makeup_workdays[d]} for d in sorted(s.makeup_workdays)
        ],
        "source": s.source,
    }
