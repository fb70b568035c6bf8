"""Radar 各行业攻坚进度对比雷达图: progress per new industry across the team's reps, from the
cases in the reps' latest week snapshots (the same cases as ``shared.targets.industry_progress``
counts on the server: closed in the window, open, overdue, median cycle, share within target)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from client.localdb.store import LocalStore
from client.viewmodels.targets_data import Snapshot, latest_by_rep, load_snapshots

AXES_MIN = 3  # a radar needs at least three industries (flet-charts' RadarDataSet)
SERIES = ("closed_share", "on_target", "not_overdue")


@dataclass(frozen=True)
class IndustryRow:
    industry: str
    cases: int
    closed_in_window: int
    open: int
    overdue: int
    median_days: float | None
    on_target_rate: float | None
    customer_ids: tuple[str, ...]
    rep_ids: tuple[str, ...]

    def series(self, name: str) -> float:
        """0..100 for the radar: closed share of cases, share of closed within target, share
        of cases not overdue."""
        if not self.cases:
            return 0.0
        if name == "closed_share":
            return 100.0 * self.closed_in_window / self.cases
        if name == "on_target":
            return 100.0 * (self.on_target_rate or 0.0)
        return 100.0 * (self.cases - self.overdue) / self.cases


def industry_rows(snaps: list[Snapshot], target_days: int = 68) -> list[IndustryRow]:
    by: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for s in snaps:
        target_days = int(s.increment.get("target_days") or target_days)
        for c in s.increment.get("cases") or []:
            if isinstance(c, dict) and c.get("industry"):
                by[str(c["industry"])].append((s.rep_id, c))
    out = []
    for industry, items in sorted(by.items()):
        cases = [c for _r, c in items]
        closed = [
            int(c.get("days") or 0) for c in cases if c.get("first_order_on") and c.get("in_figure")
        ]
        out.append(
            IndustryRow(
                industry=industry,
                cases=len(cases),
                closed_in_window=len(closed),
                open=sum(1 for c in cases if not c.get("first_order_on")),
                overdue=sum(1 for c in cases if c.get("overdue")),
                median_days=float(statistics.median(closed)) if closed else None,
                on_target_rate=(sum(1 for d in closed if d <= target_days) / len(closed))
                if closed
                else None,
                customer_ids=tuple(sorted({str(c.get("customer_id")) for c in cases})),
                rep_ids=tuple(sorted({r for r, _c in items})),
            )
        )
    return out


@dataclass
class RadarVM:
    store: LocalStore
    rows: list[IndustryRow] = field(default_factory=list)
    week_key: str = ""

    def load(self) -> None:
        weeks = latest_by_rep(load_snapshots(self.store), "week")
        self.week_key = max((s.period_key for s in weeks.values()), default="")
        self.rows = industry_rows(list(weeks.values()))

    @property
    def radar_fits(self) -> bool:
        return len(self.rows) >= AXES_MIN
