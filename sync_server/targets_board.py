"""The team board 团队看板 (reps x tracks x lights) and its XLSX export (docs/targets.md
"Server"). Rows are built with the snapshot functions, so the export shows the numbers the
devices pull: stock health at the latest month end on or before ``as_of``, increment
penetration at the latest week end, business metrics over that month.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from shared.targets import FactIndex, TargetSettings
from sync_server.storage.base import Scope
from sync_server.targets_compute import (
    latest_month_end,
    latest_week_end,
    month_snapshot,
    week_snapshot,
)
from sync_server.targets_facts import OrgFacts
from sync_server.targets_records import People

LIGHT_ZH = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "grey": "灰灯"}
LIGHT_RGB = {"green": "C8E6C9", "yellow": "FFF59D", "red": "FFCDD2", "grey": "E0E0E0"}


@dataclass(frozen=True)
class BoardRow:
    rep_id: str
    rep_name: str
    team_id: str
    month: dict[str, Any]
    """The month snapshot (official stock health, the month's business metrics)."""
    week: dict[str, Any]
    """The week snapshot (official increment penetration)."""


def visible_reps(scope: Scope, people: People, facts: OrgFacts) -> list[str]:
    """Admins: every rep; managers: the reps of their team (a manager without a team: none)."""
    is_rep = {uid for uid, u in people.users.items() if u.role == "rep"}
    reps = set(people.reps()) | {c.rep_id for c in facts.customers if c.rep_id in is_rep}
    if scope.role == "admin":
        return sorted(reps, key=lambda r: (people.name(r), r))
    if scope.role == "manager" and scope.team_id:
        mine = {r for r in reps if people.team_of(r) == scope.team_id}
        return sorted(mine, key=lambda r: (people.name(r), r))
    return []


def board_rows(
    reps: list[str], as_of: date, idx: FactIndex, settings: TargetSettings, people: People
) -> list[BoardRow]:
    m = latest_month_end(as_of)
    w = latest_week_end(as_of, settings.week_end_weekday)
    return [
        BoardRow(
            rep,
            people.name(rep),
            people.team_of(rep),
            month_snapshot(rep, m, idx, settings),
            week_snapshot(rep, w, idx, settings),
        )
        for rep in reps
    ]


HEADERS = (
    "业务员 Rep",
    "团队 Team",
    "存量健康度 Stock health",
    "存量灯 Stock light",
    "存量客户 Existing customers",
    "增量穿透力(天) Increment median days",
    "增量灯 Increment light",
    "超期案例 Overdue cases",
    "有效触点数 Effective touchpoints",
    "需求显性化率 Need explicitness",
    "决策链穿透深度 Decision-chain depth",
    "真实拜访率 Real-visit rate",
)


def row_values(row: BoardRow) -> list[Any]:
    stock, inc, biz = row.month["stock"], row.week["increment"], row.month["business"]
    return [
        row.rep_name,
        row.team_id,
        stock["value"],
        f"{LIGHT_ZH[stock['light']]} {stock['light']}",
        stock["existing_customers"],
        inc["value"],
        f"{LIGHT_ZH[inc['light']]} {inc['light']}",
        inc["overdue"],
        biz["effective_touchpoints"],
        biz["need_explicitness_rate"],
        biz["decision_chain_depth"],
        biz["real_visit_rate"],
    ]


def board_xlsx(rows: list[BoardRow], as_of: date, settings: TargetSettings) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "团队看板 Team board"
    m = latest_month_end(as_of)
    w = latest_week_end(as_of, settings.week_end_weekday)
    ws.append([f"团队看板 Team board — 存量 stock {m.isoformat()}, 增量 increment {w.isoformat()}"])
    ws["A1"].font = Font(bold=True)
    ws.append(list(HEADERS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row_values(row))
        r = ws.max_row
        for col, light in ((4, row.month["stock"]["light"]), (7, row.week["increment"]["light"])):
            ws.cell(r, col).fill = PatternFill("solid", fgColor=LIGHT_RGB[light])
        for col in (10, 12):
            ws.cell(r, col).number_format = "0.0%"
        ws.cell(r, 3).number_format = "0.00"
        ws.cell(r, 11).number_format = "0.00"
    widths = (16, 10, 14, 12, 10, 14, 12, 10, 12, 12, 12, 12)
    for letter, width in zip("ABCDEFGHIJKL", widths, strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "B3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
