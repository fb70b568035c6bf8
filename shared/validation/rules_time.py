"""Rules on when the visit happened: trusted time, clock skew, workday, work hours."""

from __future__ import annotations

from shared.settings import RuleCode
from shared.trusted_time import TrustedTime
from shared.validation.context import ValidationContext, make_result
from shared.validation.report import RuleResult

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


def check_time(when: TrustedTime, ctx: ValidationContext) -> list[RuleResult]:
    s = ctx.settings
    results = [
        make_result(
            s,
            RuleCode.TIME_TRUSTED,
            when.trusted,
            "时间已由服务器校准" if when.trusted else "时间来自设备时钟，未经服务器校准",
            "Time anchored to the server" if when.trusted else "Time from the device clock only",
            measured=when.source.value,
            limit="anchor",
            hint_zh="联网同步一次以校准时间",
            hint_en="Sync once online to anchor the time",
        )
    ]
    limit = s.clock_skew_limit_s
    if when.skew_s is None:
        results.append(
            make_result(
                s,
                RuleCode.TIME_CLOCK_SKEW,
                True,
                "无服务器时间，无法比较设备时钟",
                "No server anchor to compare the device clock",
                limit=limit,
                unit="s",
            )
        )
    else:
        skew = round(when.skew_s)
        ok = abs(when.skew_s) <= limit
        results.append(
            make_result(
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
        )
    local = when.value.astimezone(s.tz)
    day = ctx.calendar.day(local.date())
    day_iso = local.date().isoformat()
    results.append(
        make_result(
            s,
            RuleCode.TIME_CALENDAR_KNOWN,
            day.known,
            f"{local.year} 年节假日安排已加载"
            if day.known
            else f"未加载 {local.year} 年节假日安排，按周一至周五判断",
            f"{local.year} holiday schedule loaded"
            if day.known
            else f"No {local.year} holiday schedule loaded; judged by weekdays",
            measured=day.known,
            limit=True,
            hint_zh="请管理员导入当年官方节假日安排后同步",
            hint_en="Ask an admin to load this year's official schedule, then sync",
        )
    )
    kind = day.kind.value
    name = f"（{day.name}）" if day.name else ""
    name_en = f" ({day.name})" if day.name else ""
    results.append(
        make_result(
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
    )
    start, end = s.work_start, s.work_end
    t = local.time().replace(microsecond=0, tzinfo=None)
    ok = start <= t <= end
    window = f"{start:%H:%M}–{end:%H:%M}"
    results.append(
        make_result(
            s,
            RuleCode.TIME_WORK_HOURS,
            ok,
            f"拜访时间 {t:%H:%M:%S} {'在' if ok else '不在'} {window} 内",
            f"Visit at {t:%H:%M:%S} {'within' if ok else 'outside'} {window}",
            measured=f"{t:%H:%M:%S}",
            limit=window,
            hint_zh=f"请在工作时间 {window} 内拜访",
            hint_en=f"Visit within working hours {window}",
        )
    )
    return results
