"""Escalation rules: fire once per breach, re-arm only on green, survive a restart."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import InvalidInput
from shared.targets import (
    ActionKind,
    EscalationState,
    IncrementPenetration,
    Light,
    PenetrationCase,
    StockHealth,
    TargetSettings,
    evaluate_escalations,
    month_ends,
    week_ends,
)

G, Y, R, N = Light.GREEN, Light.YELLOW, Light.RED, Light.GREY
MONTHS = month_ends(date(2024, 1, 1), date(2025, 12, 31))  # 31 Jan 2024, 29 Feb 2024, ...
WEEKS = week_ends(date(2024, 1, 1), date(2025, 12, 31))  # Sundays


def stock(day: date, light: Light, rep: str = "r1") -> StockHealth:
    return StockHealth(rep, day, day.replace(day=1), day, None, light, (), 0, 2.3)


def overdue(cid: str, industry: str, day: date) -> PenetrationCase:
    return PenetrationCase(cid, industry, day - timedelta(days=70), None, 70, True, True)


def inc(day: date, light: Light, *cases: PenetrationCase, rep: str = "r1") -> IncrementPenetration:
    return IncrementPenetration(rep, day, None, light, cases, 68)


def run(evaluations, state=None, restart=True):
    """Feed evaluations one at a time; with ``restart`` the state goes through JSON each time."""
    state = state or EscalationState()
    fired = []
    for ev in evaluations:
        if restart:
            state = EscalationState.from_dict(json.loads(json.dumps(state.to_dict())))
        state, actions = evaluate_escalations(state, [ev])
        fired.extend(actions)
    return state, fired


def test_two_month_ends_below_target_fire_one_intervention_and_green_re_arms_it():
    lights = [Y, R, R, G, R, Y, Y]  # Jan .. Jul 2024
    _, fired = run([stock(d, light) for d, light in zip(MONTHS, lights, strict=False)])
    # Jan Y (1), Feb R (2) -> fire at 29 Feb. Mar R: already active. Apr G: ends the breach.
    # May R (1), Jun Y (2) -> fire again at 30 Jun. Jul Y: active.
    assert [(a.kind, a.as_of) for a in fired] == [
        (ActionKind.SUPERVISOR_INTERVENTION, date(2024, 2, 29)),
        (ActionKind.SUPERVISOR_INTERVENTION, date(2024, 6, 30)),
    ]


def test_month_ends_that_are_not_consecutive_do_not_make_a_streak():
    _, fired = run([stock(MONTHS[0], R), stock(MONTHS[2], R)])  # January and March
    assert fired == []


def test_a_grey_month_breaks_the_streak():
    _, fired = run([stock(MONTHS[0], R), stock(MONTHS[1], N), stock(MONTHS[2], R)])
    assert fired == []


def test_a_mid_month_preview_is_not_an_evaluation():
    _, fired = run([stock(MONTHS[0], R), stock(date(2024, 2, 15), R)])
    assert fired == []


def test_evaluating_the_same_month_end_again_is_idempotent():
    state, fired = run([stock(MONTHS[0], R), stock(MONTHS[0], R), stock(MONTHS[0], R)])
    assert fired == []
    # Recomputing February after it fired changes nothing; February then re-evaluated green
    # ends the breach, so March + April below fire again.
    state, fired = run([stock(MONTHS[1], R), stock(MONTHS[1], R)], state)
    assert len(fired) == 1
    state, fired = run([stock(MONTHS[1], G), stock(MONTHS[2], R), stock(MONTHS[3], R)], state)
    assert [a.as_of for a in fired] == [MONTHS[3]]


def test_an_older_evaluation_arriving_late_is_ignored():
    state, _ = run([stock(MONTHS[3], G)])
    _, fired = run([stock(MONTHS[1], R), stock(MONTHS[2], R)], state)
    assert fired == []


def test_a_batch_in_any_order_gives_the_same_actions_as_one_by_one():
    evaluations = [stock(d, light) for d, light in zip(MONTHS, [R, R, G, Y, Y], strict=False)]
    _, one_by_one = run(evaluations)
    _, batch = evaluate_escalations(EscalationState(), list(reversed(evaluations)))
    assert batch == one_by_one
    assert len(batch) == 2


def test_three_yellow_weeks_push_support_materials_once_until_green():
    lights = [Y, Y, Y, Y, R, Y, Y, Y, G, Y, Y, Y]
    _, fired = run([inc(d, light) for d, light in zip(WEEKS, lights, strict=False)])
    # Weeks 1-3 yellow -> fire at week 3. Weeks 4-8: active (red does not end it). Week 9 green
    # ends it; weeks 10-12 yellow -> fire again at week 12.
    assert [(a.kind, a.as_of) for a in fired] == [
        (ActionKind.SUPPORT_MATERIALS, WEEKS[2]),
        (ActionKind.SUPPORT_MATERIALS, WEEKS[11]),
    ]


def test_a_red_week_between_yellow_weeks_breaks_the_yellow_streak():
    _, fired = run([inc(d, light) for d, light in zip(WEEKS, [Y, Y, R, Y, Y], strict=False)])
    assert fired == []


def test_only_week_end_evaluations_count_toward_the_yellow_streak():
    saturday = WEEKS[1] - timedelta(days=1)
    _, fired = run([inc(WEEKS[0], Y), inc(saturday, Y), inc(WEEKS[1], Y)])
    assert fired == []  # two week ends, not three
    rules = TargetSettings(week_end_weekday=5)  # an organisation whose week ends on Saturday
    state = EscalationState()
    fired = []
    for day in (saturday - timedelta(days=14), saturday - timedelta(days=7), saturday):
        state, actions = evaluate_escalations(state, [inc(day, Y)], rules)
        fired += actions
    assert [a.as_of for a in fired] == [saturday]


def test_an_overdue_case_sends_its_industry_attack_pack_once_per_industry():
    d = WEEKS
    evaluations = [
        inc(d[0], Y, overdue("N1", "nev", d[0])),
        inc(d[1], Y, overdue("N1", "nev", d[1]), overdue("N2", "nev", d[1])),  # same industry
        inc(d[2] - timedelta(days=3), R, overdue("N1", "nev", d[2]), overdue("C1", "chips", d[2])),
        inc(d[3], G),
        inc(d[4], Y, overdue("N5", "nev", d[4])),
    ]
    _, fired = run(evaluations)
    packs = [
        (a.as_of, a.industry, a.customer_ids) for a in fired if a.kind is ActionKind.ATTACK_PACK
    ]
    # Week 1: nev pack (N1). Week 2: nev still active -> nothing. Mid-week 3: chips pack (C1),
    # any day may fire a pack. Week 4 green ends both. Week 5: a new nev breach -> pack again.
    assert packs == [
        (d[0], "nev", ("N1",)),
        (d[2] - timedelta(days=3), "chips", ("C1",)),
        (d[4], "nev", ("N5",)),
    ]


def test_the_state_is_json_data_and_a_damaged_state_is_refused():
    state, _ = run([stock(MONTHS[0], R), stock(MONTHS[1], R), inc(WEEKS[0], Y)])
    data = json.loads(json.dumps(state.to_dict()))
    assert EscalationState.from_dict(data) == state
    assert EscalationState.from_dict(None) == EscalationState()
    with pytest.raises(InvalidInput) as err:
        EscalationState.from_dict({"version": 1, "streaks": [{"track": "stock"}], "active": []})
    assert err.value.field == "escalation_state"


def test_action_keys_are_unique_per_firing():
    _, fired = run([stock(d, R, rep=r) for d in MONTHS[:2] for r in ("r1", "r2")])
    assert sorted(a.key for a in fired) == [
        "supervisor_intervention:r1::2024-02-29",
        "supervisor_intervention:r2::2024-02-29",
    ]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([G, Y, R, N]), min_size=1, max_size=20))
def test_interventions_fire_only_after_two_months_below_and_never_twice_without_green(lights):
    evaluations = [stock(d, light) for d, light in zip(MONTHS, lights, strict=False)]
    _, fired = run(evaluations)
    fired_days = [a.as_of for a in fired]
    below = (Y, R)
    for day in fired_days:
        i = MONTHS.index(day)
        assert i >= 1 and lights[i] in below and lights[i - 1] in below
    for first, second in itertools.pairwise(fired_days):
        between = lights[MONTHS.index(first) + 1 : MONTHS.index(second)]
        assert G in between
    # Any two consecutive below months with no active breach must have fired.
    active = False
    for i, light in enumerate(lights):
        if light is G:
            active = False
        elif i >= 1 and light in below and lights[i - 1] in below and not active:
            assert MONTHS[i] in fired_days
            active = True
