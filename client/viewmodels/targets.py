""" "My goals" 我的目标: a rep's two traffic lights, the numbers behind them, what to do next in
plain words, and the materials delivered to them (openable offline). Read from the pulled
``target_snapshot`` and ``material_delivery`` records (docs/manager-app.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from client.i18n import Msg
from client.localdb.store import LocalStore
from client.materials import MaterialCache, MaterialRef, _ref
from client.viewmodels.targets_data import (
    Snapshot,
    customer_names,
    latest_by_rep,
    load_deliveries,
    load_snapshots,
    num,
)
from shared.errors import FieldledgerError

SOON_DAYS = 21  # open new-industry cases this close to the target are named in "what next"
NEXT_STEPS_MAX = 3  # customers named per step


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@dataclass(frozen=True)
class TrackView:
    track: str  # "stock" | "increment"
    light: str  # green / yellow / red / grey
    value: float | None
    headline: Msg
    facts: list[Msg]
    period_key: str
    official: bool
    record_id: str  # the snapshot behind it (drill-down)


@dataclass(frozen=True)
class MaterialView:
    ref: MaterialRef
    on_device: bool


@dataclass(frozen=True)
class DeliveryView:
    record_id: str
    kind: str
    title: Msg
    detail: Msg
    as_of: str
    pending: bool
    materials: list[MaterialView]


@dataclass(frozen=True)
class Opened:
    """A material opened offline: where it was written, and its text when it is text."""

    path: Path
    text: str | None


def stock_view(snap: Snapshot) -> TrackView:
    s = snap.stock
    value, target = num(s.get("value")), num(s.get("target")) or 0.0
    n_existing = int(s.get("existing_customers") or 0)
    facts = [
        Msg(
            "tg.stock.window", {"start": s.get("window_start", ""), "end": s.get("window_end", "")}
        ),
        Msg("tg.stock.customers", {"n": n_existing, "other": int(s.get("other_customers") or 0)}),
    ]
    if not s.get("official"):
        facts.append(Msg("tg.preview"))
    headline = (
        Msg("tg.stock.none")
        if value is None
        else Msg("tg.stock.value", {"value": fmt(value, 2), "target": fmt(target, 2)})
    )
    return TrackView(
        "stock",
        str(s.get("light") or "grey"),
        value,
        headline,
        facts,
        snap.period_key,
        bool(s.get("official")),
        snap.record_id,
    )


def increment_view(snap: Snapshot) -> TrackView:
    p = snap.increment
    value, target = num(p.get("value")), int(p.get("target_days") or 68)
    cases = [c for c in p.get("cases") or [] if isinstance(c, dict)]
    open_n = sum(1 for c in cases if not c.get("first_order_on"))
    facts = [
        Msg(
            "tg.inc.cases", {"n": len(cases), "open": open_n, "overdue": int(p.get("overdue") or 0)}
        ),
        Msg("tg.as_of", {"day": p.get("as_of", "")}),
    ]
    headline = (
        Msg("tg.inc.none")
        if value is None
        else Msg("tg.inc.value", {"value": fmt(value), "target": target})
    )
    return TrackView(
        "increment",
        str(p.get("light") or "grey"),
        value,
        headline,
        facts,
        snap.period_key,
        bool(p.get("official")),
        snap.record_id,
    )


def stock_steps(snap: Snapshot, names: dict[str, str]) -> list[Msg]:
    s = snap.stock
    light, value, target = s.get("light"), num(s.get("value")), num(s.get("target")) or 0.0
    rows = [c for c in s.get("customers") or [] if isinstance(c, dict)]
    if light == "green":
        return [Msg("tg.next.stock_green")]
    if value is None or not rows:
        return [Msg("tg.next.stock_grey")]
    total = sum(int(c.get("frequency") or 0) for c in rows)
    missing = max(1, math.ceil(target * len(rows) - total - 1e-9))
    below = [c for c in rows if int(c.get("frequency") or 0) < target]
    low = sorted(below, key=lambda c: (int(c.get("frequency") or 0), str(c.get("customer_id"))))
    named = "、".join(
        f"{names.get(str(c['customer_id']), str(c['customer_id']))}({int(c.get('frequency') or 0)})"
        for c in low[:NEXT_STEPS_MAX]
    )
    return [
        Msg(
            "tg.next.stock_missing",
            {"n": missing, "customers": len(rows), "end": s.get("window_end", "")},
        ),
        Msg("tg.next.stock_visit", {"names": named}),
    ]


def increment_steps(snap: Snapshot, names: dict[str, str]) -> list[Msg]:
    p = snap.increment
    target = int(p.get("target_days") or 68)
    cases = [c for c in p.get("cases") or [] if isinstance(c, dict)]
    out: list[Msg] = []
    for c in sorted((c for c in cases if c.get("overdue")), key=lambda c: -int(c.get("days") or 0)):
        name = names.get(str(c.get("customer_id")), str(c.get("customer_id")))
        out.append(
            Msg(
                "tg.next.overdue",
                {"name": name, "days": int(c.get("days") or 0), "industry": c.get("industry", "")},
            )
        )
    soon = [
        c
        for c in cases
        if not c.get("first_order_on")
        and not c.get("overdue")
        and target - int(c.get("days") or 0) <= SOON_DAYS
    ]
    for c in sorted(soon, key=lambda c: -int(c.get("days") or 0))[:NEXT_STEPS_MAX]:
        name = names.get(str(c.get("customer_id")), str(c.get("customer_id")))
        out.append(Msg("tg.next.soon", {"name": name, "left": target - int(c.get("days") or 0)}))
    light = p.get("light")
    if light == "red":
        out.insert(0, Msg("tg.next.inc_red", {"value": fmt(num(p.get("value"))), "target": target}))
    if not out:
        out.append(Msg("tg.next.inc_green" if light == "green" else "tg.next.inc_grey"))
    return out


def business_lines(snap: Snapshot) -> list[tuple[str, str]]:
    """(catalogue key, value text) of the period's business-language metrics."""
    b = snap.business
    return [
        ("tg.col.touchpoints", str(b.get("effective_touchpoints", "—"))),
        ("tg.col.explicitness", pct(num(b.get("need_explicitness_rate")))),
        ("tg.col.depth", fmt(num(b.get("decision_chain_depth")), 2)),
        ("tg.col.real_rate", pct(num(b.get("real_visit_rate")))),
    ]


def delivery_view(d: dict[str, Any], cache: MaterialCache | None) -> DeliveryView:
    refs = [r for r in (_ref(m) for m in d.get("materials") or []) if r is not None]
    return DeliveryView(
        record_id=str(d["record_id"]),
        kind=str(d.get("kind") or ""),
        title=Msg.raw(
            str(d.get("title_zh") or ""), str(d.get("title_en") or d.get("title_zh") or "")
        ),
        detail=Msg.raw(str(d.get("detail_zh") or ""), str(d.get("detail_en") or "")),
        as_of=str(d.get("as_of") or ""),
        pending=bool(d.get("pending")),
        materials=[MaterialView(r, cache is not None and cache.has(r.sha256)) for r in refs],
    )


@dataclass
class MyGoalsVM:
    store: LocalStore
    org_id: str
    rep_id: str
    cache: MaterialCache | None = None
    stock: TrackView | None = None
    increment: TrackView | None = None
    business: list[tuple[str, str]] = field(default_factory=list)
    business_period: str = ""
    next_steps: list[Msg] = field(default_factory=list)
    deliveries: list[DeliveryView] = field(default_factory=list)
    error: Msg | None = None

    def load(self) -> None:
        snaps = [s for s in load_snapshots(self.store) if s.rep_id == self.rep_id]
        month = latest_by_rep(snaps, "month").get(self.rep_id)
        week = latest_by_rep(snaps, "week").get(self.rep_id)
        names = customer_names(self.store, self.org_id)
        self.stock = stock_view(month) if month else (stock_view(week) if week else None)
        self.increment = (
            increment_view(week) if week else (increment_view(month) if month else None)
        )
        latest = week or month
        self.business = business_lines(latest) if latest else []
        self.business_period = f"{latest.start} ~ {latest.end}" if latest else ""
        steps: list[Msg] = []
        if month or week:
            steps += stock_steps(month or week, names)  # type: ignore[arg-type]
            steps += increment_steps(week or month, names)  # type: ignore[arg-type]
        self.deliveries = [
            delivery_view(d, self.cache) for d in load_deliveries(self.store, self.rep_id)
        ]
        if any(d.pending for d in self.deliveries):
            steps.append(Msg("tg.next.pending"))
        self.next_steps = steps

    @property
    def empty(self) -> bool:
        return self.stock is None and self.increment is None and not self.deliveries

    def open_material(self, sha256: str) -> Opened | None:
        """Write the material under its name and return where; text materials also read."""
        self.error = None
        ref = next(
            (m.ref for d in self.deliveries for m in d.materials if m.ref.sha256 == sha256), None
        )
        if ref is None or self.cache is None:
            self.error = Msg("tg.mat.missing")
            return None
        try:
            path = self.cache.export(ref)
        except FieldledgerError:
            self.error = Msg("tg.mat.missing")
            return None
        text = None
        if ref.mime.startswith("text/"):
            text = path.read_bytes().decode("utf-8", errors="replace")
        return Opened(path, text)
