"""Rules on when the visit happened: trusted time, clock skew, workday, work hours."""

from __future__ import annotations

from datetime import time
from functools import lru_cache

from shared.settings import OrgSettings, RuleCode
from shared.trusted_time import TrustedTime
from shared.validation.context import ValidationContext, make_result, memo_result, memo_results
from shared.validation.report import RuleResult
from shared.workcal import DayInfo

_DAY_ZH = {
    "workday": "工作日",
    "weekend": "周末",
    "holiday": "法定节假日",
    "makeup_workday": "调休工作日",
}
_DAY_EN = {
    "workday": "a workday",
    "weekend": "a weekend day",
    "holiday": "a public holiday",
    "makeup_workday": "a make-up workday",
}


@lru_cache(maxsize=64)
def _window(start: time, end: time) -> tuple[str, str, str]:
    """The work window as text, and the hints that name it (built once per window)."""
    window = f"{start:%H:%M}–{end:%H:%M}"
    return window, f"请在工作时间 {window} 内拜访", f"Visit within working hours {window}"


def check_time(when: TrustedTime, ctx: ValidationContext) -> list[RuleResult]:
    s = ctx.settings
    source = when.source._value_  # the member's value (.value goes through a descriptor)
    if when.skew_s is None:
        skew_result = memo_result(s, ("time.skew", None), lambda: _skew(s, None, True))
    else:
        skew = round(when.skew_s)
        ok = abs(when.skew_s) <= s.clock_skew_limit_s
        skew_result = memo_result(s, ("time.skew", skew, ok), lambda: _skew(s, skew, ok))
    local = when.value.astimezone(s.tz)
    day = ctx.calendar.day(local.date())
    # the time's source and the visit's day decide three results: one lookup for them
    trusted, known, workday = memo_results(
        s,
        ("time.day", source, day.date, day.kind, day.is_workday, day.name, day.known),
        lambda: (_trusted(s, when.trusted, source), _known(s, day.date.year, day.known),
                 _workday(s, day)),
    )  # fmt: skip
    results = [trusted, skew_result, known, workday]
    start, end = s.work_start, s.work_end
    t = local.time()  # naive
    if t.microsecond:
        t = t.replace(microsecond=0)
    ok = start <= t <= end
    window, hint_zh, hint_en = _window(start, end)
    hms = f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}"  # f"{t:%H:%M:%S}", without strftime
    results.append(
        make_result(
            s,
            RuleCode.TIME_WORK_HOURS,
            ok,
            f"拜访时间 {hms} {'在' if ok else '不在'} {window} 内",
            f"Visit at {hms} {'within' if ok else 'outside'} {window}",
            measured=hms,
            limit=window,
            hint_zh=hint_zh,
            hint_en=hint_en,
        )
    )
    return results


def _trusted(s: OrgSettings, trusted: bool, source: str) -> RuleResult:
    return make_result(
        s,
        RuleCode.TIME_TRUSTED,
        trusted,
        "时间已由服务器校准" if trusted else "时间来自设备时钟，未经服务器校准",
        "Time anchored to the server" if trusted else "Time from the device clock only",
        measured=source,
        limit="anchor",
        hint_zh="联网同步一次以校准时间",
        hint_en="Sync once online to anchor the time",
    )


def _known(s: OrgSettings, year: int, known: bool) -> RuleResult:
    return make_result(
        s,
        RuleCode.TIME_CALENDAR_KNOWN,
        known,
        f"{year} 年节假日安排已加载" if known else f"未加载 {year} 年节假日安排，按周一至周五判断",
        f"{year} holiday schedule loaded"
        if known
        else f"No {year} holiday schedule loaded; judged by weekdays",
        measured=known,
        limit=True,
        hint_zh="请管理员导入当年官方节假日安排后同步",
        hint_en="Ask an admin to load this year's official schedule, then sync",
    )


def _workday(s: OrgSettings, day: DayInfo) -> RuleResult:
    kind = day.kind.value
    day_iso = day.date.isoformat()
    name = f"（{day.name}）" if day.name else ""
    name_en = f" ({day.name})" if day.name else ""
    return make_result(
        s,
        RuleCode.TIME_WORKDAY,
        day.is_workday,
        f"{day_iso} 是{_DAY_ZH[kind]}{name}",
        f"{day_iso} is {_DAY_EN[kind]}{name_en}",
        measured=kind,
        limit="workday",
        hint_zh="非工作日的拜访不计入",
        hint_en="Visits on non-workdays do not count",
    )


def _skew(s: OrgSettings, skew: int | None, ok: bool) -> RuleResult:
    limit = s.clock_skew_limit_s
    if skew is None:
        return make_result(
            s,
            RuleCode.TIME_CLOCK_SKEW,
            True,
            "无服务器时间，无法比较设备时钟",
            "No server anchor to compare the device clock",
            limit=limit,
            unit="s",
        )
    return make_result(
        s,
        RuleCode.TIME_CLOCK_SKEW,
        ok,
        f"设备时钟偏差 {skew} 秒 {'≤' if ok else '>'} {limit} 秒",
        f"Device clock off by {skew} s {'≤' if ok else '>'} {limit} s",
        measured=skew,
        limit=limit,
        unit="s",
        hint_zh="请将手机时间设为自动",
        hint_en="Set the phone's clock to automatic",
    )
