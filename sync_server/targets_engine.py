"""Evaluate an organisation's targets and persist everything in one transaction
(docs/targets.md "Server"): snapshots, store metrics, the escalation state, new actions and
their records (intervention tasks, material deliveries), and the evaluated period keys.

``evaluate_org(storage, org_id, as_of, force=False)``: the official periods ending on or before
``as_of`` (default: yesterday in the organisation's time zone) — month ends for stock health,
week ends for increment penetration, and the last 7 days of store metrics. Without ``force``
(the scheduler) a period whose key is in ``target_periods`` is skipped, and periods missed while
the server was down are caught up (at most 12 months / 26 weeks back from the last evaluated
one). With ``force`` (the CLI) the latest month end and week end are evaluated again: the same
day replaces its earlier result in the state machine and action keys are unique, so nothing
fires twice. The state is read inside the write transaction, which holds the organisation's
lock: two processes evaluating at once serialise.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.changes import RecordType
from shared.targets import (
    ActionKind,
    EscalationAction,
    EscalationState,
    IncrementPenetration,
    StockHealth,
    TargetSettings,
    evaluate_escalations,
    increment_penetration,
    month_ends,
    stock_health,
    week_ends,
)
from sync_server.storage.base import StorageBase, WriteTx
from sync_server.sync.orgdata import get_settings
from sync_server.targets_compute import (
    latest_month_end,
    latest_week_end,
    month_snapshot,
    store_day_metrics,
    store_payload,
    week_snapshot,
)
from sync_server.targets_facts import OrgFacts, load_facts
from sync_server.targets_materials import _tx_run, active_materials, pick_materials
from sync_server.targets_records import (
    People,
    action_record_id,
    load_target_settings,
    put_record,
    snapshot_id,
    store_metric_id,
)

MAX_CATCH_UP_MONTHS = 12
MAX_CATCH_UP_WEEKS = 26
STORE_METRIC_DAYS = 7


@dataclass
class EvalResult:
    org_id: str
    as_of: date
    month_ends: list[date] = field(default_factory=list)
    week_ends: list[date] = field(default_factory=list)
    store_days: list[date] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    snapshots_written: int = 0
    store_metrics_written: int = 0

    @property
    def skipped(self) -> bool:
        return not (self.month_ends or self.week_ends or self.store_days)

    def to_dict(self) -> dict[str, Any]:
        return {
            "org_id": self.org_id,
            "as_of": self.as_of.isoformat(),
            "month_ends": [d.isoformat() for d in self.month_ends],
            "week_ends": [d.isoformat() for d in self.week_ends],
            "store_days": [d.isoformat() for d in self.store_days],
            "actions": self.actions,
            "snapshots_written": self.snapshots_written,
            "store_metrics_written": self.store_metrics_written,
        }


def yesterday(tz: str, now: datetime | None = None) -> date:
    moment = now or datetime.now(ZoneInfo(tz))
    return moment.astimezone(ZoneInfo(tz)).date() - timedelta(days=1)


def done_keys(storage: StorageBase, org_id: str) -> set[str]:
    rows = storage._all(  # type: ignore[attr-defined]
        "SELECT period_key FROM target_periods WHERE org_id = %s", (org_id,)
    )
    return {str(r[0]) for r in rows}


def _last_done(keys: set[str], prefix: str) -> date | None:
    days = [date.fromisoformat(k[len(prefix) :]) for k in keys if k.startswith(prefix)]
    return max(days) if days else None


def due_periods(
    keys: set[str], as_of: date, settings: TargetSettings, force: bool
) -> tuple[list[date], list[date], list[date]]:
    """(month ends, week ends, store-metric days) to evaluate now."""
    month = latest_month_end(as_of)
    week = latest_week_end(as_of, settings.week_end_weekday)
    if force:
        months, weeks = [month], [week]
    else:
        last_m = _last_done(keys, "month:")
        last_w = _last_done(keys, "week:")
        months = (
            month_ends(last_m + timedelta(days=1), as_of)[-MAX_CATCH_UP_MONTHS:]
            if last_m
            else [month]
        )
        weeks = (
            week_ends(last_w + timedelta(days=1), as_of, settings.week_end_weekday)[
                -MAX_CATCH_UP_WEEKS:
            ]
            if last_w
            else [week]
        )
        months = [m for m in months if f"month:{m.isoformat()}" not in keys]
        weeks = [w for w in weeks if f"week:{w.isoformat()}" not in keys]
    days: list[date] = []
    if force or f"day:{as_of.isoformat()}" not in keys:
        days = [as_of - timedelta(days=n) for n in range(STORE_METRIC_DAYS - 1, -1, -1)]
    return months, weeks, days


def evaluate_org(
    storage: StorageBase,
    org_id: str,
    as_of: date | None = None,
    *,
    force: bool = False,
    now: datetime | None = None,
) -> EvalResult:
    tz = get_settings(storage, org_id).timezone
    settings = load_target_settings(storage, org_id)
    as_of = as_of or yesterday(tz, now)
    result = EvalResult(org_id, as_of)
    months, weeks, days = due_periods(done_keys(storage, org_id), as_of, settings, force)
    if not (months or weeks or days):
        return result
    facts = load_facts(storage, org_id, tz)
    people = People.load(storage, org_id)
    is_rep = {uid for uid, u in people.users.items() if u.role == "rep"}
    reps = sorted(set(people.reps()) | {c.rep_id for c in facts.customers if c.rep_id in is_rep})
    idx = facts.index()
    snapshots: dict[str, tuple[str, dict[str, Any]]] = {}
    evaluations: list[StockHealth | IncrementPenetration] = []
    for m in months:
        for rep in reps:
            snap = month_snapshot(rep, m, idx, settings)
            snapshots[snapshot_id(rep, snap["period_key"])] = (rep, snap)
            evaluations.append(stock_health(rep, m, idx, settings))
    for w in weeks:
        for rep in reps:
            snap = week_snapshot(rep, w, idx, settings)
            snapshots[snapshot_id(rep, snap["period_key"])] = (rep, snap)
            evaluations.append(increment_penetration(rep, w, idx, settings))
    metrics = store_day_metrics(facts, days[0], days[-1]) if days else {}
    with storage.write(org_id) as tx:
        if not force:
            keys = {_key(p, d) for p, ds in (("month", months), ("week", weeks)) for d in ds}
            if days:
                keys.add(f"day:{as_of.isoformat()}")
            if keys & _tx_done_keys(tx):
                return EvalResult(org_id, as_of)  # another process evaluated meanwhile
        state = _load_state(tx)
        state, actions = evaluate_escalations(state, evaluations, settings)
        new = _new_actions(tx, actions)
        _save_state(tx, state)
        for action in new:
            result.actions.append(_apply_action(tx, action, people, settings))
        result.snapshots_written = _write_snapshots(tx, snapshots, people)
        result.store_metrics_written = _write_store_metrics(tx, metrics, days, facts)
        summary = json.dumps({"actions": len(new), "snapshots": result.snapshots_written})
        marks = [_key("month", m) for m in months] + [_key("week", w) for w in weeks]
        if days:
            marks.append(f"day:{as_of.isoformat()}")
        for key in marks:
            _tx_run(
                tx,
                "INSERT INTO target_periods (org_id, period_key, evaluated_at, summary)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (org_id, period_key) DO UPDATE"
                " SET evaluated_at = excluded.evaluated_at, summary = excluded.summary",
                (org_id, key, time.time(), summary),
            )
    result.month_ends, result.week_ends, result.store_days = months, weeks, days
    return result


def _key(prefix: str, day: date) -> str:
    return f"{prefix}:{day.isoformat()}"


def _tx_done_keys(tx: WriteTx) -> set[str]:
    rows = _tx_run(tx, "SELECT period_key FROM target_periods WHERE org_id = %s", (tx.org_id,))
    return {str(r[0]) for r in rows}


def _load_state(tx: WriteTx) -> EscalationState:
    rows = _tx_run(tx, "SELECT state FROM target_escalation_state WHERE org_id = %s", (tx.org_id,))
    return EscalationState.from_dict(json.loads(rows[0][0]) if rows else None)


def _save_state(tx: WriteTx, state: EscalationState) -> None:
    _tx_run(
        tx,
        "INSERT INTO target_escalation_state (org_id, state, updated_at) VALUES (%s, %s, %s)"
        " ON CONFLICT (org_id) DO UPDATE SET state = excluded.state,"
        " updated_at = excluded.updated_at",
        (tx.org_id, json.dumps(state.to_dict()), time.time()),
    )


def _new_actions(tx: WriteTx, actions: list[EscalationAction]) -> list[EscalationAction]:
    """Actions whose key is not stored yet (each key is stored once, with its record)."""
    if not actions:
        return []
    marks = ", ".join(["%s"] * len(actions))
    rows = _tx_run(
        tx,
        f"SELECT action_key FROM target_actions WHERE org_id = %s AND action_key IN ({marks})",
        (tx.org_id, *[a.key for a in actions]),
    )
    stored = {str(r[0]) for r in rows}
    out, seen = [], set()
    for a in actions:
        if a.key not in stored and a.key not in seen:
            seen.add(a.key)
            out.append(a)
    return out


def _apply_action(
    tx: WriteTx, action: EscalationAction, people: People, settings: TargetSettings
) -> dict[str, Any]:
    from sync_server.targets_actions import delivery_payload, task_payload

    team = people.team_of(action.rep_id)
    if action.kind is ActionKind.SUPERVISOR_INTERVENTION:
        record_type, rid = RecordType.TARGET_TASK.value, action_record_id("tt", action.key)
        supervisors = people.supervisors(action.rep_id)
        payload = task_payload(rid, action, people, supervisors, settings)
        owner = supervisors[0] if supervisors else ""
    else:
        record_type, rid = RecordType.MATERIAL_DELIVERY.value, action_record_id("md", action.key)
        kind = "attack_pack" if action.kind is ActionKind.ATTACK_PACK else "support_material"
        chosen = pick_materials(
            active_materials(tx), kind, action.industry, settings.support_materials_per_push
        )
        payload = delivery_payload(rid, action, people, chosen, settings)
        owner = action.rep_id
    put_record(tx, record_type, rid, payload, owner=owner, team=team)
    stored = {"customer_ids": list(action.customer_ids), "value": action.value,
              "record_type": record_type, "record_id": rid}  # fmt: skip
    _tx_run(
        tx,
        "INSERT INTO target_actions (org_id, action_key, kind, rep_id, industry, as_of, payload,"
        " created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (org_id, action_key) DO NOTHING",
        (tx.org_id, action.key, action.kind.value, action.rep_id, action.industry,
         action.as_of.isoformat(), json.dumps(stored), time.time()),
    )  # fmt: skip
    return {"key": action.key, "kind": action.kind.value, "rep_id": action.rep_id,
            "industry": action.industry, "as_of": action.as_of.isoformat(), **stored}  # fmt: skip


def _write_snapshots(
    tx: WriteTx, snapshots: dict[str, tuple[str, dict[str, Any]]], people: People
) -> int:
    if not snapshots:
        return 0
    current = tx.get_records(RecordType.TARGET_SNAPSHOT.value, list(snapshots))
    written = 0
    for rid, (rep, snap) in snapshots.items():
        team = people.team_of(rep)
        payload = {"id": rid, "rep_id": rep, "rep_name": people.name(rep), "team_id": team,
                   **snap}  # fmt: skip
        rec = put_record(
            tx, RecordType.TARGET_SNAPSHOT.value, rid, payload, owner=rep, team=team,
            current=current.get(rid), known=True,
        )  # fmt: skip
        written += rec is not None
    return written


def _write_store_metrics(
    tx: WriteTx, metrics: dict[tuple[str, date], dict[str, Any]], days: list[date],
    facts: OrgFacts,
) -> int:  # fmt: skip
    """Upsert every store-day with visits; a stored store-day that lost its visits (voided)
    is written again with zeros."""
    rtype = RecordType.STORE_METRIC.value
    wanted = {store_metric_id(cid, day.isoformat()): p for (cid, day), p in metrics.items()}
    for day in days:
        rows = _tx_run(
            tx,
            "SELECT record_id, payload FROM records WHERE org_id = %s AND record_type = %s"
            " AND deleted = 0 AND record_id LIKE %s",
            (tx.org_id, rtype, f"sm-%-{day.isoformat()}"),
        )
        for rid, raw in rows:
            if rid not in wanted:
                old = json.loads(raw)
                cell = {"visits": 0, "real_visits": 0, "trial_visits": 0, "trial_converted": 0,
                        "reps": set()}  # fmt: skip
                wanted[rid] = store_payload(facts, old["customer_id"], day, cell)
    if not wanted:
        return 0
    current = tx.get_records(rtype, list(wanted))
    written = 0
    for rid, payload in wanted.items():
        rec = put_record(
            tx, rtype, rid, {"id": rid, **payload}, team=payload["team_id"],
            current=current.get(rid), known=True,
        )  # fmt: skip
        written += rec is not None
    return written
