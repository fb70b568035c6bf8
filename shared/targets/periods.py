"""Calendar periods of the targets: month windows and evaluation days (all local dates)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def last_day_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def previous_month_end(day: date) -> date:
    """The last day of the month before ``day``'s month."""
    return day.replace(day=1) - timedelta(days=1)


def month_window(as_of: date, months: int) -> tuple[date, date]:
    """Inclusive window of ``months`` calendar months ending at ``as_of``.

    At a month end it is exactly the trailing calendar months (31 Mar -> 1 Jan .. 31 Mar);
    on another day it runs from the first day of the month ``months - 1`` before to ``as_of``
    (a month-to-date preview).
    """
    year, month = add_months(as_of.year, as_of.month, -(months - 1))
    return date(year, month, 1), as_of


def month_ends(first: date, last: date) -> list[date]:
    """Every month end in ``[first, last]``."""
    out: list[date] = []
    year, month = first.year, first.month
    while True:
        end = last_day_of_month(year, month)
        if end > last:
            return out
        if end >= first:
            out.append(end)
        year, month = add_months(year, month, 1)


def week_ends(first: date, last: date, weekday: int = 6) -> list[date]:
    """Every ``weekday`` (Mon=0 .. Sun=6) in ``[first, last]``."""
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    out: list[date] = []
    while day <= last:
        out.append(day)
        day += timedelta(days=7)
    return out
