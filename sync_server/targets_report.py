"""Quarterly regional sales diagnosis 区域销售诊断 per district, as a PDF (docs/targets.md
"Server"). Numbers come from the same functions as the snapshots, over the district's customers
only (a manager's report: only their team's customers there). Chinese text is drawn with the
bundled font (OpenType/CFF, embedded as a subset by fpdf2).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

import shared
from shared.errors import InvalidInput
from shared.targets import (
    TargetSettings,
    business_metrics,
    increment_penetration,
    industry_progress,
    month_ends,
    stock_health,
)
from sync_server.targets_board import LIGHT_ZH
from sync_server.targets_compute import store_day_metrics
from sync_server.targets_facts import OrgFacts
from sync_server.targets_records import People

FONT_FILE = Path(shared.__file__).resolve().parent / "data/fonts/FieldledgerSansSC-Regular.otf"
LIGHT_RGB = {"green": (200, 230, 201), "yellow": (255, 245, 157), "red": (255, 205, 210),
             "grey": (224, 224, 224)}  # fmt: skip


KIND_LABEL = {
    "supervisor_intervention": "主管介入 Supervisor intervention",
    "attack_pack": "竞品攻坚包 Attack pack",
    "support_materials": "支持资料 Support materials",
}


def parse_quarter(raw: str | None) -> tuple[str, date, date]:
    m = re.fullmatch(r"(\d{4})Q([1-4])", (raw or "").strip().upper())
    if not m:
        raise InvalidInput(
            "quarter must look like 2025Q1",
            message_zh="quarter 参数格式应为 2025Q1",
            field="quarter",
        )
    year, q = int(m.group(1)), int(m.group(2))
    start = date(year, 3 * q - 2, 1)
    end = month_ends(date(year, 3 * q, 1), date(year, 3 * q, 31))[0]
    return f"{year}Q{q}", start, end


@dataclass(frozen=True)
class DistrictReport:
    district: str
    quarter: str
    start: date
    end: date
    reps: list[dict[str, Any]]
    industries: list[dict[str, Any]]
    totals: dict[str, Any]
    actions: list[dict[str, Any]]


def _f(value: float | None, pct: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.0f}%" if pct else f"{value:.2f}"


def build_report(
    facts: OrgFacts,
    customer_ids: set[str],
    district: str,
    quarter: str,
    start: date,
    end: date,
    settings: TargetSettings,
    people: People,
    actions: list[dict[str, Any]],
) -> DistrictReport:
    idx = facts.index(customer_ids)
    reps = sorted(
        {c.rep_id for c in facts.customers if c.id in customer_ids and c.rep_id}
        | {v.fact.rep_id for v in facts.visits if v.fact.customer_id in customer_ids},
        key=lambda r: (people.name(r), r),
    )
    ends = month_ends(start, end)
    rows = []
    for rep in reps:
        stock = [stock_health(rep, m, idx, settings) for m in ends]
        inc = increment_penetration(rep, end, idx, settings)
        biz = business_metrics(rep, start, end, idx)
        rows.append(
            {
                "rep_id": rep,
                "name": people.name(rep),
                "stock": [(h.value, h.light.value) for h in stock],
                "increment": (inc.value, inc.light.value, len(inc.overdue_cases)),
                "touchpoints": biz.effective_touchpoints,
                "need_explicitness": biz.need_explicitness_rate,
                "depth": biz.decision_chain_depth,
                "real_visit_rate": biz.real_visit_rate,
            }
        )
    cells = store_day_metrics(facts, start, end)
    mine = [p for (cid, _), p in cells.items() if cid in customer_ids]
    visits = sum(p["visits"] for p in mine)
    real = sum(p["real_visits"] for p in mine)
    trials = sum(p["trial_visits"] for p in mine)
    converted = sum(p["trial_converted"] for p in mine)
    totals = {
        "stores": len(customer_ids),
        "visits": visits,
        "real_visits": real,
        "real_visit_rate": real / visits if visits else None,
        "trial_visits": trials,
        "trial_converted": converted,
        "trial_conversion_rate": converted / trials if trials else None,
    }
    industries = [
        {"industry": p.industry, "cases": p.cases, "closed": p.closed_in_window, "open": p.open,
         "overdue": p.overdue, "median": p.median_days, "on_target": p.on_target_rate}
        for p in industry_progress(end, idx, settings)
    ]  # fmt: skip
    rep_set = set(reps)
    fired = [
        a for a in actions if a["rep_id"] in rep_set and start.isoformat() <= a["as_of"] <=
        end.isoformat()
    ]  # fmt: skip
    return DistrictReport(district, quarter, start, end, rows, industries, totals, fired)


def diagnosis(r: DistrictReport, settings: TargetSettings) -> list[tuple[str, str]]:
    """Plain sentences (zh, en) from the numbers."""
    out: list[tuple[str, str]] = []
    n = len(r.reps)
    below = sum(1 for row in r.reps if row["stock"] and row["stock"][-1][1] in ("yellow", "red"))
    out.append(
        (
            f"季末存量健康度未达标（低于 {settings.stock_repurchase_target}）的业务员："
            f"{below} / {n}。",
            f"Reps below the stock target ({settings.stock_repurchase_target}) at quarter end:"
            f" {below} / {n}.",
        )
    )
    overdue = sum(row["increment"][2] for row in r.reps)
    out.append(
        (
            f"超过 {settings.increment_cycle_target_days} 天仍未首单的新行业客户：{overdue} 家。",
            f"New-industry customers past {settings.increment_cycle_target_days} days without"
            f" a first order: {overdue}.",
        )
    )
    t = r.totals
    out.append(
        (
            f"拜访 {t['visits']} 次，真实拜访率 {_f(t['real_visit_rate'], True)}；"
            f"新品试用转化 {t['trial_converted']} / {t['trial_visits']}。",
            f"{t['visits']} visits, real-visit rate {_f(t['real_visit_rate'], True)};"
            f" new-product trials converted {t['trial_converted']} / {t['trial_visits']}.",
        )
    )
    out.append((f"本季度触发升级 {len(r.actions)} 次。", f"Escalations fired: {len(r.actions)}."))
    return out


class _Pdf(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.add_font("sc", "", str(FONT_FILE))
        self.set_auto_page_break(auto=True, margin=12)

    def heading(self, text: str) -> None:
        self.set_font("sc", size=12)
        self.cell(0, 9, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("sc", size=9)

    def grid(self, headers: list[str], rows: list[list[str]], widths: Sequence[float],
             lights: dict[tuple[int, int], str] | None = None) -> None:  # fmt: skip
        self.set_font("sc", size=8)
        self.set_fill_color(238, 238, 238)
        for h, w in zip(headers, widths, strict=True):
            self.cell(w, 7, h, border=1, fill=True)
        self.ln(7)
        for i, row in enumerate(rows):
            for j, (value, w) in enumerate(zip(row, widths, strict=True)):
                light = (lights or {}).get((i, j))
                if light:
                    self.set_fill_color(*LIGHT_RGB[light])
                self.cell(w, 6.5, value, border=1, fill=bool(light))
            self.ln(6.5)
        self.ln(3)


def render_pdf(r: DistrictReport, settings: TargetSettings) -> bytes:
    pdf = _Pdf()
    pdf.set_title(f"区域销售诊断 {r.district} {r.quarter}")
    pdf.set_creator("Fieldledger")
    pdf.add_page()
    pdf.set_font("sc", size=16)
    pdf.cell(0, 10, f"区域销售诊断 Regional sales diagnosis — {r.district} — {r.quarter}",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    pdf.set_font("sc", size=9)
    pdf.cell(0, 6, f"{r.start.isoformat()} .. {r.end.isoformat()}  门店 stores: "
             f"{r.totals['stores']}  业务员 reps: {len(r.reps)}",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    pdf.heading("诊断 Diagnosis")
    for zh, en in diagnosis(r, settings):
        pdf.multi_cell(0, 5.5, f"• {zh}  {en}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    month_names = [d.strftime("%Y-%m") for d in month_ends(r.start, r.end)]
    pdf.heading("存量健康度（月末） Stock health at month ends")
    rows, lights = [], {}
    for i, row in enumerate(r.reps):
        cells = [row["name"]]
        for j, (value, light) in enumerate(row["stock"]):
            cells.append(f"{_f(value)} {LIGHT_ZH[light]}")
            lights[(i, j + 1)] = light
        rows.append(cells)
    pdf.grid(["业务员 Rep", *month_names], rows, [50] + [40] * len(month_names), lights)
    pdf.heading("增量穿透力与业务指标 Increment penetration and business metrics")
    rows, lights = [], {}
    for i, row in enumerate(r.reps):
        value, light, overdue = row["increment"]
        lights[(i, 1)] = light
        rows.append([row["name"], f"{_f(value)} {LIGHT_ZH[light]}", str(overdue),
                     str(row["touchpoints"]), _f(row["need_explicitness"], True),
                     _f(row["depth"]), _f(row["real_visit_rate"], True)])  # fmt: skip
    headers = ["业务员 Rep", "增量(天) Median days", "超期 Overdue", "有效触点 Touchpoints",
               "需求显性化 Explicit", "决策链深度 Depth", "真实拜访率 Real visits"]  # fmt: skip
    pdf.grid(headers, rows, [50, 36, 26, 36, 36, 36, 36], lights)
    if r.industries:
        pdf.heading("各行业攻坚进度 Progress per new industry")
        rows = [[p["industry"], str(p["cases"]), str(p["closed"]), str(p["open"]),
                 str(p["overdue"]), _f(p["median"]), _f(p["on_target"], True)]
                for p in r.industries]  # fmt: skip
        headers = ["行业 Industry", "案例 Cases", "已首单 Closed", "进行中 Open", "超期 Overdue",
                   "中位天数 Median", "达标率 On target"]  # fmt: skip
        pdf.grid(headers, rows, [50, 30, 30, 30, 30, 30, 30])
    if r.actions:
        pdf.heading("升级记录 Escalations")
        names = {row["rep_id"]: row["name"] for row in r.reps}
        rows = [[a["as_of"], names.get(a["rep_id"], a["rep_id"]), KIND_LABEL.get(a["kind"],
                 a["kind"]), a["industry"]] for a in r.actions]  # fmt: skip
        pdf.grid(["日期 Date", "业务员 Rep", "类型 Kind", "行业 Industry"], rows, [36, 50, 60, 50])
    return bytes(pdf.output())
