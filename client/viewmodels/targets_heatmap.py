"""Heat map 热力图 of a chosen metric by store or by district for a chosen day or week, from the
pulled ``store_metric`` records (one per store and local day with visits).

A district, or a week, is the **sum of the counts** of its store-days; rates are recomputed from
the sums, never averaged (docs/targets.md "Store metric"). Works offline.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from client.localdb.store import LocalStore
from client.viewmodels.targets_data import StoreMetric, load_store_metrics, org_zone

# metric -> (numerator field, denominator field or None for a plain count)
METRICS: dict[str, tuple[str, str | None]] = {
    "trial_conversion_rate": ("trial_converted", "trial_visits"),
    "real_visit_rate": ("real_visits", "visits"),
    "visits": ("visits", None),
    "trial_visits": ("trial_visits", None),
}
SPANS = ("day", "week")
GROUPS = ("store", "district")


@dataclass(frozen=True)
class HeatCell:
    key: str  # store id or district name
    label: str
    district: str
    value: float | None  # rate 0..1 or a count; None = nothing to judge (no trials)
    numerator: int
    denominator: int | None
    shade: float | None  # 0..1 position on the colour scale

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None


def _sum(rows: list[StoreMetric], name: str) -> int:
    return sum(int(getattr(r, name)) for r in rows)


@dataclass
class HeatMapVM:
    store: LocalStore
    org_id: str
    metric: str = "trial_conversion_rate"
    span: str = "day"
    by: str = "store"
    district: str = ""  # "" = every district (store view only)
    day: date | None = None
    week_end_weekday: int = 6
    cells: list[HeatCell] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    days_with_data: list[date] = field(default_factory=list)
    _rows: list[StoreMetric] = field(default_factory=list)

    def load(self, today: date | None = None) -> None:
        self._rows = load_store_metrics(self.store)
        self.districts = sorted({r.district for r in self._rows if r.district})
        self.days_with_data = sorted({r.day for r in self._rows})
        if self.day is None:
            today = today or datetime.now(org_zone(self.store, self.org_id)).date()
            yesterday = today - timedelta(days=1)
            past = [d for d in self.days_with_data if d <= yesterday]
            self.day = yesterday if yesterday in self.days_with_data or not past else past[-1]
        self.compute()

    @property
    def first_day(self) -> date:
        assert self.day is not None
        if self.span == "day":
            return self.day
        return self.last_day - timedelta(days=6)

    @property
    def last_day(self) -> date:
        assert self.day is not None
        if self.span == "day":
            return self.day
        return self.day + timedelta(days=(self.week_end_weekday - self.day.weekday()) % 7)

    def set(
        self,
        *,
        metric: str | None = None,
        span: str | None = None,
        by: str | None = None,
        district: str | None = None,
    ) -> None:
        if metric in METRICS:
            self.metric = metric
        if span in SPANS:
            self.span = span
        if by in GROUPS:
            self.by = by
        if district is not None:
            self.district = district if district in self.districts else ""
        self.compute()

    def move(self, steps: int) -> None:
        """Previous / next day (or week)."""
        assert self.day is not None
        self.day += timedelta(days=steps * (7 if self.span == "week" else 1))
        self.compute()

    def compute(self) -> None:
        first, last = self.first_day, self.last_day
        rows = [r for r in self._rows if first <= r.day <= last]
        if self.by == "store" and self.district:
            rows = [r for r in rows if r.district == self.district]
        groups: dict[str, list[StoreMetric]] = defaultdict(list)
        for r in rows:
            groups[r.customer_id if self.by == "store" else (r.district or "—")].append(r)
        num_f, den_f = METRICS[self.metric]
        cells = []
        for key, members in groups.items():
            n = _sum(members, num_f)
            d = _sum(members, den_f) if den_f else None
            value = (n / d if d else None) if den_f else float(n)
            label = members[0].store_name if self.by == "store" else key
            cells.append(HeatCell(key, label, members[0].district, value, n, d, None))
        top = max((c.value or 0.0 for c in cells), default=0.0)
        self.cells = sorted(
            (
                HeatCell(
                    c.key,
                    c.label,
                    c.district,
                    c.value,
                    c.numerator,
                    c.denominator,
                    None
                    if c.value is None
                    else (c.value if den_f else (c.value / top if top else 0.0)),
                )
                for c in cells
            ),
            key=lambda c: (c.value is None, -(c.value or 0.0), c.label),
        )

    def cell(self, key: str) -> HeatCell | None:
        return next((c for c in self.cells if c.key == key), None)

    def total(self) -> HeatCell:
        """All shown cells together (sums, rate from the sums)."""
        den_f = METRICS[self.metric][1]
        n = sum(c.numerator for c in self.cells)
        d = sum(c.denominator or 0 for c in self.cells) if den_f else None
        value = (n / d if d else None) if den_f else float(n)
        return HeatCell("all", "", "", value, n, d, None)
