"""Payloads of the records an escalation action creates (docs/targets.md "Server").

* ``target_task`` (supervisor intervention 主管介入): for the rep's supervisors (the active
  managers of the rep's team), with what to do next.
* ``material_delivery`` (attack pack 竞品攻坚包 / support materials 支持资料): for the rep, listing
  the materials (id, sha256, titles, mime, size) the device downloads and keeps for offline
  opening. ``pending`` is true when no matching material was uploaded yet; the upload of one
  fills it (a new version).
"""

from __future__ import annotations

from typing import Any

from shared.targets import ActionKind, EscalationAction, TargetSettings
from sync_server.targets_records import People


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def task_payload(
    rid: str,
    action: EscalationAction,
    people: People,
    supervisors: list[str],
    settings: TargetSettings,
) -> dict[str, Any]:
    name = people.name(action.rep_id)
    months = settings.stock_breach_months
    target = settings.stock_repurchase_target
    return {
        "id": rid,
        "action_key": action.key,
        "kind": ActionKind.SUPERVISOR_INTERVENTION.value,
        "rep_id": action.rep_id,
        "rep_name": name,
        "team_id": people.team_of(action.rep_id),
        "supervisor_ids": supervisors,
        "as_of": action.as_of.isoformat(),
        "value": action.value,
        "target": target,
        "state": "open",
        "title_zh": f"主管介入：{name} 存量健康度连续 {months} 个月未达标",
        "title_en": f"Intervene: {name}'s stock health below target {months} month ends running",
        "detail_zh": (
            f"截至 {action.as_of.isoformat()}，存量客户平均复购频次 {_fmt(action.value)}，"
            f"目标 {target}。请与业务员一起复盘存量客户名单，安排陪访并制定复购计划。"
        ),
        "detail_en": (
            f"On {action.as_of.isoformat()} the mean repurchase frequency of existing customers"
            f" was {_fmt(action.value)} against {target}. Review the existing customers with"
            " the rep, join visits and agree a repurchase plan."
        ),
    }


def delivery_payload(
    rid: str,
    action: EscalationAction,
    people: People,
    materials: list[dict[str, Any]],
    settings: TargetSettings,
) -> dict[str, Any]:
    target = settings.increment_cycle_target_days
    if action.kind is ActionKind.ATTACK_PACK:
        title_zh = f"竞品攻坚包：{action.industry}"
        title_en = f"Competitor attack pack: {action.industry}"
        detail_zh = (
            f"{action.industry} 行业有新客户自首次拜访起已超过 {target} 天未下单"
            f"（{len(action.customer_ids)} 家）。请使用攻坚包中的资料推进首单。"
        )
        detail_en = (
            f"{len(action.customer_ids)} new {action.industry} customer(s) have gone more than"
            f" {target} days since the first visit without an order. Use the pack to win the"
            " first order."
        )
    else:
        weeks = settings.increment_yellow_weeks
        title_zh = "增量穿透力支持资料"
        title_en = "Increment penetration support materials"
        detail_zh = f"增量穿透力连续 {weeks} 周黄灯。请学习以下资料，缩短新行业客户的首单周期。"
        detail_en = (
            f"Increment penetration has been yellow {weeks} week ends running. Use these"
            " materials to shorten the first-order cycle of new-industry customers."
        )
    return {
        "id": rid,
        "action_key": action.key,
        "kind": action.kind.value,
        "rep_id": action.rep_id,
        "team_id": people.team_of(action.rep_id),
        "industry": action.industry,
        "as_of": action.as_of.isoformat(),
        "customer_ids": list(action.customer_ids),
        "value": action.value,
        "materials": materials,
        "pending": not materials,
        "per_push": settings.support_materials_per_push,
        "title_zh": title_zh,
        "title_en": title_en,
        "detail_zh": detail_zh,
        "detail_en": detail_en,
    }
