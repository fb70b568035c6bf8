"""Escalation rules as a pure state machine; the state is plain data the server persists.

``evaluate_escalations(state, evaluations) -> (state, actions)``. Rules (docs/targets.md):

* stock: ``stock_breach_months`` consecutive month-end evaluations below the target
  (yellow or red) -> one supervisor intervention task. Only month-end evaluations count.
* increment: an open new-industry case past the target -> that industry's competitor attack
  pack to the rep (one per rep and industry); ``increment_yellow_weeks`` consecutive yellow
  week-end evaluations -> the track's support materials to the rep.
* a breach fires once and stays active until that rep's light on that track is green again;
  only then can it fire again. Evaluations older than the last one seen are ignored; the same
  day evaluated again replaces its earlier result (so recomputing is idempotent).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from shared.errors import InvalidInput
from shared.targets.increment import IncrementPenetration
from shared.targets.lights import Light
from shared.targets.periods import is_month_end, previous_month_end
from shared.targets.settings import TargetSettings
from shared.targets.stock import StockHealth

STATE_VERSION = 1


class Track(StrEnum):
    STOCK = "stock"
    INCREMENT = "increment"


class ActionKind(StrEnum):
    SUPERVISOR_INTERVENTION = "supervisor_intervention"  # 主管介入
    ATTACK_PACK = "attack_pack"  # 竞品攻坚包
    SUPPORT_MATERIALS = "support_materials"  # 支持资料


@dataclass(frozen=True, slots=True)
class Streak:
    """Consecutive qualifying evaluations of one rep on one track."""

    last: date | None = None
    """Last official evaluation day counted (month end / week end)."""
    count: int = 0
    """Consecutive qualifying evaluations ending at ``last``."""
    before: int = 0
    """``count`` as it was before ``last`` (lets the same day be evaluated again)."""
    seen: date | None = None
    """Last evaluation day seen at all (older ones are ignored)."""


@dataclass(frozen=True, slots=True)
class EscalationAction:
    kind: ActionKind
    rep_id: str
    as_of: date
    industry: str = ""
    customer_ids: tuple[str, ...] = ()
    value: float | None = None

    @property
    def key(self) -> str:
        """Idempotency key: the server stores it unique so a retried batch adds nothing."""
        return f"{self.kind}:{self.rep_id}:{self.industry}:{self.as_of.isoformat()}"


BreachKey = tuple[str, str, str]  # (action kind, rep id, industry or "")


@dataclass(frozen=True, slots=True)
class EscalationState:
    streaks: Mapping[tuple[str, str], Streak] = field(default_factory=dict)
    """(track, rep id) -> streak."""
    active: frozenset[BreachKey] = frozenset()
    """Breaches that fired and are not yet ended by a green light."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "streaks": [
                {
                    "track": track,
                    "rep_id": rep,
                    "last": s.last.isoformat() if s.last else None,
                    "count": s.count,
                    "before": s.before,
                    "seen": s.seen.isoformat() if s.seen else None,
                }
                for (track, rep), s in sorted(self.streaks.items())
            ],
            "active": [list(key) for key in sorted(self.active)],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> EscalationState:
        if not data:
            return cls()
        try:
            if data.get("version") != STATE_VERSION:
                raise ValueError(f"unknown version {data.get('version')!r}")
            streaks = {
                (Track(item["track"]).value, str(item["rep_id"])): Streak(
                    last=_day(item.get("last")),
                    count=int(item["count"]),
                    before=int(item["before"]),
                    seen=_day(item.get("seen")),
                )
                for item in data["streaks"]
            }
            active = frozenset(
                (ActionKind(k).value, str(rep), str(ind)) for k, rep, ind in data["active"]
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(
                f"escalation state is not readable: {exc}",
                message_zh="升级规则状态无法读取",
                field="escalation_state",
            ) from exc
        return cls(streaks=streaks, active=active)


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _advance(streak: Streak, day: date, qualifies: bool, previous: date) -> Streak:
    """Count an official evaluation on ``day``; ``previous`` is the official day before it."""
    if streak.last == day:
        before = streak.before
    elif streak.last == previous:
        before = streak.count
    else:
        before = 0
    return Streak(last=day, count=before + 1 if qualifies else 0, before=before, seen=day)


def evaluate_escalations(
    previous_state: EscalationState,
    new_evaluations: Iterable[StockHealth | IncrementPenetration],
    settings: TargetSettings | None = None,
) -> tuple[EscalationState, list[EscalationAction]]:
    """Apply evaluations (any order; processed by day) and return the new state and actions."""
    settings = settings or TargetSettings()
    streaks = dict(previous_state.streaks)
    active = set(previous_state.active)
    actions: list[EscalationAction] = []
    ordered = sorted(
        new_evaluations, key=lambda e: (e.as_of, isinstance(e, IncrementPenetration), e.rep_id)
    )
    for ev in ordered:
        if isinstance(ev, StockHealth):
            _stock(ev, streaks, active, actions, settings)
        else:
            _increment(ev, streaks, active, actions, settings)
    return EscalationState(streaks=streaks, active=frozenset(active)), actions


def _stock(
    ev: StockHealth,
    streaks: dict[tuple[str, str], Streak],
    active: set[BreachKey],
    actions: list[EscalationAction],
    settings: TargetSettings,
) -> None:
    if not is_month_end(ev.as_of):
        return  # a month-to-date preview is not an evaluation
    key = (Track.STOCK.value, ev.rep_id)
    streak = streaks.get(key, Streak())
    if streak.seen is not None and ev.as_of < streak.seen:
        return
    below = ev.light in (Light.YELLOW, Light.RED)
    streak = _advance(streak, ev.as_of, below, previous_month_end(ev.as_of))
    streaks[key] = streak
    breach: BreachKey = (ActionKind.SUPERVISOR_INTERVENTION.value, ev.rep_id, "")
    if ev.light is Light.GREEN:
        active.discard(breach)
    elif streak.count >= settings.stock_breach_months and breach not in active:
        active.add(breach)
        actions.append(
            EscalationAction(
                ActionKind.SUPERVISOR_INTERVENTION, ev.rep_id, ev.as_of, value=ev.value
            )
        )


def _increment(
    ev: IncrementPenetration,
    streaks: dict[tuple[str, str], Streak],
    active: set[BreachKey],
    actions: list[EscalationAction],
    settings: TargetSettings,
) -> None:
    key = (Track.INCREMENT.value, ev.rep_id)
    streak = streaks.get(key, Streak())
    if streak.seen is not None and ev.as_of < streak.seen:
        return
    if ev.as_of.weekday() == settings.week_end_weekday:
        yellow = ev.light is Light.YELLOW
        streak = _advance(streak, ev.as_of, yellow, ev.as_of - timedelta(days=7))
    else:
        streak = replace(streak, seen=ev.as_of)
    streaks[key] = streak
    if ev.light is Light.GREEN:
        for breach in [b for b in active if b[1] == ev.rep_id and b[0] in _INCREMENT_KINDS]:
            active.discard(breach)
        return
    for industry, customer_ids in ev.overdue_industries.items():
        breach = (ActionKind.ATTACK_PACK.value, ev.rep_id, industry)
        if breach not in active:
            active.add(breach)
            actions.append(
                EscalationAction(
                    ActionKind.ATTACK_PACK,
                    ev.rep_id,
                    ev.as_of,
                    industry=industry,
                    customer_ids=customer_ids,
                    value=ev.value,
                )
            )
    support: BreachKey = (ActionKind.SUPPORT_MATERIALS.value, ev.rep_id, "")
    if streak.count >= settings.increment_yellow_weeks and support not in active:
        active.add(support)
        actions.append(
            EscalationAction(ActionKind.SUPPORT_MATERIALS, ev.rep_id, ev.as_of, value=ev.value)
        )


_INCREMENT_KINDS = frozenset({ActionKind.ATTACK_PACK.value, ActionKind.SUPPORT_MATERIALS.value})
