"""Work calendars and mainland China's official holiday schedule (shared/workcal.py)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.errors import InvalidInput
from shared.workcal import (
    DayKind,
    WorkCalendar,
    YearSchedule,
    china_calendar,
    china_seed_years,
    parse_year_schedule,
    schedule_to_json,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "cn-2027-example.json"


@pytest.fixture(scope="module")
def cn() -> WorkCalendar:
    return china_calendar()


# Dates below are from the State Council (国务院办公厅) notices for 2024, 2025 and 2026,
# cross-checked against the chinesecalendar package tables.
@pytest.mark.parametrize(
    "d",
    [
        date(2024, 2, 4),  # Sunday, worked for the Spring Festival break
        date(2024, 9, 14),  # Saturday, Mid-autumn
        date(2025, 1, 26),  # Sunday, Spring Festival
        date(2025, 10, 11),  # Saturday, National Day
        date(2026, 1, 4),  # Sunday, New Year's Day
        date(2026, 2, 14),  # Saturday, Spring Festival
    ],
)
def test_a_weekend_make_up_day_is_a_workday(cn: WorkCalendar, d: date) -> None:
    assert d.weekday() >= 5
    info = cn.day(d)
    assert info.kind is DayKind.MAKEUP_WORKDAY
    assert info.is_workday
    assert info.known
    assert info.name


@pytest.mark.parametrize(
    ("d", "name"),
    [
        (date(2024, 10, 1), "国庆节"),  # Tuesday
        (date(2025, 10, 6), "中秋"),  # Monday; Mid-autumn fell inside the National Day break
        (date(2025, 1, 28), "春节"),  # Tuesday, Spring Festival eve
        (date(2026, 2, 16), "春节"),  # Monday
    ],
)
def test_a_weekday_national_holiday_is_not_a_workday(cn: WorkCalendar, d: date, name: str) -> None:
    assert d.weekday() < 5
    info = cn.day(d)
    assert info.kind is DayKind.HOLIDAY
    assert not info.is_workday
    assert info.name == name


def test_an_ordinary_saturday_is_not_a_workday(cn: WorkCalendar) -> None:
    info = cn.day(date(2025, 3, 15))
    assert info.kind is DayKind.WEEKEND
    assert not info.is_workday
    assert info.known


def test_a_plain_wednesday_is_a_workday(cn: WorkCalendar) -> None:
    info = cn.day(date(2025, 3, 12))
    assert info.kind is DayKind.WORKDAY
    assert info.is_workday
    assert info.known
    assert info.name == ""


def test_the_calendar_agrees_with_the_package_on_every_day_of_recent_years(
    cn: WorkCalendar,
) -> None:
    d = date(2023, 1, 1)
    while d.year <= 2026:
        assert cn.day(d).is_workday == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


def test_the_package_seeds_every_year_from_2004_to_2026(cn: WorkCalendar) -> None:
    assert china_seed_years() == list(range(2004, 2027))
    assert cn.loaded_years() == china_seed_years()


def test_only_the_asked_years_are_loaded_and_unknown_ones_are_skipped() -> None:
    cal = china_calendar([2025, 2031])
    assert cal.loaded_years() == [2025]
    assert not cal.day(date(2024, 10, 1)).known


def test_a_year_without_a_schedule_falls_back_to_weekdays_and_says_so(cn: WorkCalendar) -> None:
    wednesday, saturday = cn.day(date(2031, 1, 1)), cn.day(date(2031, 1, 4))
    assert (wednesday.kind, wednesday.is_workday, wednesday.known) == (DayKind.WORKDAY, True, False)
    assert (saturday.kind, saturday.is_workday, saturday.known) == (DayKind.WEEKEND, False, False)


def test_loading_a_year_makes_it_known(cn: WorkCalendar) -> None:
    schedule = YearSchedule(
        year=2031,
        holidays={date(2031, 1, 1): "元旦"},
        makeup_workdays={date(2031, 1, 4): "元旦"},
    )
    updated = cn.with_year(schedule)
    assert 2031 in updated.loaded_years()
    assert 2031 not in cn.loaded_years()  # the original is unchanged
    assert updated.day(date(2031, 1, 1)).kind is DayKind.HOLIDAY
    assert updated.day(date(2031, 1, 4)).is_workday
    assert updated.day(date(2031, 1, 5)).known


def test_with_year_replaces_a_loaded_year(cn: WorkCalendar) -> None:
    replaced = cn.with_year(YearSchedule(year=2025, source="corrected"))
    assert replaced.years[2025].source == "corrected"
    assert replaced.day(date(2025, 10, 1)).kind is DayKind.WORKDAY


@pytest.mark.parametrize(
    "d", [date.min, date.max, date(1, 1, 6), date(9999, 12, 25), date(2004, 1, 1)]
)
def test_the_extreme_dates_never_raise(cn: WorkCalendar, d: date) -> None:
    info = cn.day(d)
    assert info.date == d
    assert info.is_workday == (info.kind in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY))


@given(st.dates())
def test_any_date_gets_a_consistent_answer(d: date) -> None:
    info = china_calendar([2024]).day(d)
    assert info.date == d
    assert info.is_workday == (info.kind in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY))
    assert info.known == (d.year == 2024)


def test_a_non_official_region_uses_plain_weekdays_and_is_always_known() -> None:
    plain = WorkCalendar(region="plain")
    assert plain.day(date(2024, 10, 1)).is_workday  # no CN holidays
    assert plain.day(date(2024, 10, 1)).known
    assert not plain.day(date(2024, 2, 4)).is_workday  # Sunday


def test_an_org_calendar_honours_its_own_holidays_and_weekend() -> None:
    de = WorkCalendar(
        region="DE",
        weekend_days=(5, 6),
        years={2025: YearSchedule(year=2025, holidays={date(2025, 10, 3): "Tag der Einheit"})},
    )
    assert de.day(date(2025, 10, 3)).kind is DayKind.HOLIDAY
    assert de.day(date(2030, 10, 3)).known
    gulf = WorkCalendar(region="AE", weekend_days=(4, 5))  # Friday-Saturday weekend
    assert not gulf.day(date(2025, 3, 14)).is_workday  # Friday
    assert gulf.day(date(2025, 3, 16)).is_workday  # Sunday


def test_a_schedule_date_outside_its_year_is_refused() -> None:
    with pytest.raises(ValidationError, match="holidays"):
        YearSchedule(year=2027, holidays={date(2026, 12, 31): "x"})


def test_a_date_both_holiday_and_makeup_is_refused() -> None:
    with pytest.raises(ValidationError, match="makeup_workdays"):
        YearSchedule(
            year=2027, holidays={date(2027, 1, 1): "a"}, makeup_workdays={date(2027, 1, 1): "a"}
        )


def test_a_calendar_key_must_match_its_schedule_year() -> None:
    with pytest.raises(ValidationError, match="years"):
        WorkCalendar(years={2026: YearSchedule(year=2027)})


def test_weekend_days_must_be_weekday_numbers() -> None:
    with pytest.raises(ValidationError, match="weekend_days"):
        WorkCalendar(weekend_days=(6, 7))


def test_the_example_file_parses_and_is_marked_as_an_example() -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    schedule = parse_year_schedule(data)
    assert schedule.year == 2027
    assert "EXAMPLE" in schedule.source
    cal = china_calendar().with_year(schedule)
    assert cal.day(date(2027, 10, 1)).kind is DayKind.HOLIDAY
    assert cal.day(date(2027, 9, 26)).kind is DayKind.MAKEUP_WORKDAY
    assert schedule_to_json(schedule) == data


def _good() -> dict[str, Any]:
    return {
        "year": 2027,
        "holidays": [
            {"date": "2027-01-01", "name": "元旦"},
            {"date": "2027-01-02", "name": "元旦"},
            {"date": "2027-01-03", "name": "元旦"},
            {"date": "2027-02-06", "name": "春节"},
        ],
        "makeup_workdays": [{"date": "2027-01-31", "name": "春节"}],
        "source": "test",
    }


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = _good()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_with(("holidays", 3, "date"), "2027-02-30"), "holidays[3].date"),
        (_with(("holidays", 3, "date"), "27-2-6"), "holidays[3].date"),
        (_with(("holidays", 3, "date"), 20270206), "holidays[3].date"),
        (_with(("holidays", 2, "date"), "2026-01-03"), "holidays[2].date"),
        (_with(("holidays", 1, "date"), "2027-01-01"), "holidays[1].date"),
        (_with(("holidays", 0, "name"), 5), "holidays[0].name"),
        (_with(("holidays", 0, "name"), "x" * 101), "holidays[0].name"),
        (_with(("holidays", 0, "when"), "x"), "holidays[0].when"),
        (_with(("holidays", 2), "2027-01-03"), "holidays[2]"),
        (_with(("holidays",), {"2027-01-01": "元旦"}), "holidays"),
        (_with(("makeup_workdays", 0, "date"), "2027-02-06"), "makeup_workdays[0].date"),
        (_with(("year",), "2027"), "year"),
        (_with(("year",), True), "year"),
        (_with(("year",), 0), "year"),
        (_with(("source",), ["x"]), "source"),
        (_with(("extra",), 1), "extra"),
    ],
)
def test_a_bad_schedule_names_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_year_schedule(data)
    assert caught.value.field == field
    assert field in caught.value.message
    assert field in caught.value.message_zh


def test_a_schedule_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_year_schedule([1, 2])  # type: ignore[arg-type]
    assert caught.value.field == "schedule"


def test_missing_lists_mean_no_entries() -> None:
    schedule = parse_year_schedule({"year": 2030})
    assert schedule == YearSchedule(year=2030)


@st.composite
def schedules(draw: st.DrawFn) -> YearSchedule:
    year = draw(st.integers(min_value=1, max_value=9999))
    days = st.dates(min_value=date(year, 1, 1), max_value=date(year, 12, 31))
    names = st.text(max_size=20)
    holidays = draw(st.dictionaries(days, names, max_size=15))
    makeups = draw(st.dictionaries(days, names, max_size=5))
    makeups = {d: n for d, n in makeups.items() if d not in holidays}
    return YearSchedule(
        year=year, holidays=holidays, makeup_workdays=makeups, source=draw(st.text(max_size=40))
    )


@given(schedules())
def test_schedule_json_round_trips(schedule: YearSchedule) -> None:
    data = schedule_to_json(schedule)
    assert parse_year_schedule(json.loads(json.dumps(data))) == schedule


def test_the_seeded_schedule_round_trips_through_json(cn: WorkCalendar) -> None:
    for year in (2015, 2020, 2026):
        schedule = cn.years[year]
        assert parse_year_schedule(schedule_to_json(schedule)) == schedule


def test_a_whole_calendar_survives_pydantic_json_storage(cn: WorkCalendar) -> None:
    # The device stores the org calendar with model_dump_json / model_validate_json.
    custom = cn.with_year(parse_year_schedule(_good()))
    restored = WorkCalendar.model_validate_json(custom.model_dump_json())
    assert restored == custom
    assert restored.day(date(2027, 1, 31)).kind is DayKind.MAKEUP_WORKDAY
