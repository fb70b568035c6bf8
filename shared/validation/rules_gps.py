"""Rules on the visit's GPS fix: present, not mocked, accurate enough, near the customer.

Accuracy policy (docs/validation.md): the fix must first be accurate to within
``accuracy_limit_m``; the distance rule then judges the fix's centre against ``radius_m``.
Accuracy is not added to the distance: the accuracy gate already bounds the uncertainty, and a
rep standing in the store with a ±60 m fix must not be refused at 460 m.
"""

from __future__ import annotations

from shared.geo import distance_m, to_wgs84
from shared.settings import OrgSettings, RuleCode
from shared.validation.context import ValidationContext, make_result, memo_result, memo_results
from shared.validation.report import RuleResult
from shared.visits import Visit


def customer_distance_m(ctx: ValidationContext, lat: float, lon: float) -> float:
    c = ctx.customer
    c_lat, c_lon = to_wgs84(c.lat, c.lon, c.coord_system)
    return distance_m(lat, lon, c_lat, c_lon)


_NO_FIX = (RuleCode.GPS_PRESENT, RuleCode.GPS_MOCK, RuleCode.GPS_ACCURACY, RuleCode.GPS_DISTANCE)


def _no_fix(s: OrgSettings, code: RuleCode) -> RuleResult:
    return make_result(
        s,
        code,
        False,
        "未获取定位",
        "No GPS fix",
        hint_zh="请打开定位并在门店内重新定位",
        hint_en="Turn on location and get a fix inside the store",
        limit=s.radius_m if code is RuleCode.GPS_DISTANCE else None,
    )


def _no_fix_memo(s: OrgSettings, code: RuleCode) -> RuleResult:
    return memo_result(s, ("gps.none", code), lambda: _no_fix(s, code))


def _present(s: OrgSettings, provider: str) -> RuleResult:
    return make_result(
        s,
        RuleCode.GPS_PRESENT,
        True,
        f"已定位（{provider}）",
        f"GPS fix present ({provider})",
        measured=provider,
    )


def _mock(s: OrgSettings, is_mock: bool) -> RuleResult:
    return make_result(
        s,
        RuleCode.GPS_MOCK,
        not is_mock,
        "检测到模拟定位" if is_mock else "非模拟定位",
        "Mock location detected" if is_mock else "Not a mock location",
        measured=is_mock,
        limit=False,
        hint_zh="请关闭模拟定位应用后重新定位",
        hint_en="Turn off the mock-location app and get a new fix",
    )


def _accuracy(s: OrgSettings, acc: float, ok: bool) -> RuleResult:
    acc_limit = s.accuracy_limit_m
    return make_result(
        s,
        RuleCode.GPS_ACCURACY,
        ok,
        f"定位精度 ±{acc:g} m {'≤' if ok else '>'} {acc_limit:g} m",
        f"GPS accuracy ±{acc:g} m {'≤' if ok else '>'} {acc_limit:g} m",
        measured=acc,
        limit=acc_limit,
        unit="m",
        hint_zh="请走到门口或窗边，等待定位精度提高后重新定位",
        hint_en="Move near the entrance or a window and wait for a better fix",
    )


def check_gps(visit: Visit, ctx: ValidationContext) -> list[RuleResult]:
    s, fix = ctx.settings, visit.gps
    if fix is None:
        return [_no_fix_memo(s, c) for c in _NO_FIX]
    provider, mock = fix.provider, fix.is_mock
    acc = round(fix.accuracy_m, 1)
    acc_ok = fix.accuracy_m <= s.accuracy_limit_m
    # the provider, the mock flag and the accuracy (phones report a handful of values,
    # rounded here to 0.1 m): one lookup for the three results they alone decide
    results = list(
        memo_results(
            s,
            ("gps.fix", provider, mock, acc, acc_ok),
            lambda: (_present(s, provider), _mock(s, mock), _accuracy(s, acc, acc_ok)),
        )
    )
    dist = customer_distance_m(ctx, fix.lat, fix.lon)
    shown, radius = round(dist), s.radius_m
    ok = dist <= radius
    results.append(
        make_result(
            s,
            RuleCode.GPS_DISTANCE,
            ok,
            f"距门店 {shown} m {'≤' if ok else '>'} {radius:g} m",
            f"{shown} m from the store {'≤' if ok else '>'} {radius:g} m",
            measured=round(dist, 1),
            limit=radius,
            unit="m",
            hint_zh="请在门店内重新定位；若门店位置有误请联系主管",
            hint_en="Get a new fix inside the store; "
            "if the store's location is wrong, tell your manager",
        )
    )
    return results
