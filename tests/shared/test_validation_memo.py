"""Results shared through the engine's memo are the results a fresh judgement builds.

The rules look shared results up by the few values they depend on (one lookup per group: the
SOP's three rules, the fix's provider/mock/accuracy, the time's source and day). Whatever was
judged before, a visit's report must equal the one built with an empty memo.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.settings import OrgSettings, RuleCode, Severity
from shared.sop import default_sop_templates
from shared.validation import context as memo
from shared.validation.engine import ValidationContext, validate_visit
from shared.visits import GpsFix
from tests.support.factories import (
    STORE_LAT,
    STORE_LON,
    local,
    make_context,
    make_photo,
    make_visit,
    offset_point,
)

ACTIONS = [*sorted(default_sop_templates()), "no_such_action"]
# a workday, a weekend day, a public holiday, a make-up workday, a year without a schedule
DAYS = [(2025, 3, 12), (2025, 3, 15), (2025, 10, 1), (2025, 9, 28), (2031, 6, 4)]


def choices(action: str) -> dict[str, Any]:
    """What each dimension of a visit may be (for ``action``'s SOP)."""
    sop = default_sop_templates().get(action)
    slots = [s.code for s in sop.photo_slots] if sop else []
    checks = [i.code for i in sop.checklist] if sop else []
    fields = [f.code for f in sop.result_fields] if sop else []
    return {
        "day": st.sampled_from(DAYS),
        "hour": st.integers(7, 20),
        "slots": st.lists(st.sampled_from(slots), unique=True) if slots else st.just([]),
        "checklist": st.dictionaries(st.sampled_from(checks), st.booleans())
        if checks
        else st.just({}),
        "result": st.dictionaries(
            st.sampled_from(fields), st.sampled_from([True, 12, "某品牌", "", -1])
        )
        if fields
        else st.just({}),
        "fix": st.booleans(),
        "metres": st.sampled_from([0, 120, 499, 800]),
        "accuracy": st.sampled_from([4.0, 60.0, 99.98, 100.0, 100.04, 120.0]),  # limit 100 m
        "provider": st.sampled_from(["gps", "network"]),
        "mock": st.booleans(),
        "anchored": st.booleans(),
        "skew": st.sampled_from([0, 4, -290, 301, 4000]),
    }


def build(action: str, p: dict[str, Any]) -> Any:
    when = local(*p["day"], h=p["hour"])
    fix = None
    if p["fix"]:
        lat, lon = offset_point(STORE_LAT, STORE_LON, p["metres"])
        fix = GpsFix(
            lat=lat, lon=lon, accuracy_m=p["accuracy"], provider=p["provider"], is_mock=p["mock"]
        )
    return make_visit(
        when,
        action_type=action,
        anchored=p["anchored"],
        device_time=when + timedelta(seconds=p["skew"]),
        photos=[make_photo(s, when - timedelta(minutes=5)) for s in p["slots"]],
        checklist=p["checklist"],
        result=p["result"],
        fix=fix,
    )


@st.composite
def neighbours(draw: Any) -> list[Any]:
    """A visit and, for each dimension, a visit that differs from it in that one alone: a
    memo key that left a dimension out would hand one of them the other's results."""
    action = draw(st.sampled_from(ACTIONS))
    options = choices(action)
    base = {name: draw(strategy) for name, strategy in options.items()}
    out = [build(action, base)]
    for name, strategy in options.items():
        other = draw(strategy)
        if other != base[name]:
            out.append(build(action, {**base, name: other}))
    return out


SETTINGS = [
    OrgSettings(),
    OrgSettings(severities={RuleCode.TIME_WORKDAY: Severity.OFF, RuleCode.GPS_MOCK: Severity.WARN}),
]


@functools.cache
def context(action: str, settings_index: int) -> ValidationContext:
    """One context per action and settings, as the server keeps one per push: the memo's
    entries are pinned to the SOP object, so a new one would never find them."""
    return make_context(action_type=action, settings=SETTINGS[settings_index])


def judged(visit: Any, settings_index: int) -> dict[str, Any]:
    return validate_visit(visit, context(visit.action_type, settings_index)).to_json_dict()


@settings(max_examples=60, deadline=None)
@given(neighbours(), st.integers(0, len(SETTINGS) - 1))
def test_a_report_is_the_same_whatever_was_judged_before(cases: list[Any], s: int) -> None:
    fresh = []
    for visit in cases:
        memo._clear_memo()
        fresh.append(judged(visit, s))
    # now with the memo warm from its neighbours, twice (built, then looked up)
    for _ in range(2):
        assert [judged(visit, s) for visit in cases] == fresh
