"""The pulled target records as the boards read them (docs/targets.md "Records devices pull").

Snapshots, store metrics and material deliveries have no table of their own on the device:
they are ``pulled_records`` (``store.pulled_records(type)``). Everything here is read-only and
works offline; a malformed payload is skipped rather than breaking a board.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from client.localdb.store import LocalStore
from shared.changes import RecordType
from shared.errors import FieldledgerError

LIGHT_ORDER = {"red": 0, "yellow": 1, "grey": 2, "green": 3}  # worst first


def as_date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw)[:10])
    except ValueError:
        return None


def num(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    return float(raw)


@dataclass(frozen=True)
class Snapshot:
    """One ``target_snapshot`` payload (a rep's numbers for a month end or a week end)."""

    record_id: str
    rep_id: str
    rep_name: str
    team_id: str
    period: str  # "month" | "week"
    period_key: str
    start: date
    end: date
    stock: dict[str, Any]
    increment: dict[str, Any]
    business: dict[str, Any]

    @classmethod
    def parse(cls, record_id: str, p: dict[str, Any]) -> Snapshot | None:
        start, end = as_date(p.get("start")), as_date(p.get("end"))
        if start is None or end is None or p.get("period") not in ("month", "week"):
            return None
        parts = [p.get(k) for k in ("stock", "increment", "business")]
        if not all(isinstance(x, dict) for x in parts) or not p.get("rep_id"):
            return None
        return cls(
            record_id=record_id,
            rep_id=str(p["rep_id"]),
            rep_name=str(p.get("rep_name") or p["rep_id"]),
            team_id=str(p.get("team_id") or ""),
            period=str(p["period"]),
            period_key=str(p.get("period_key") or ""),
            start=start,
            end=end,
            stock=parts[0],  # type: ignore[arg-type]
            increment=parts[1],  # type: ignore[arg-type]
            business=parts[2],  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class StoreMetric:
    """One ``store_metric`` payload: a store's visits and trials on one local day."""

    customer_id: str
    store_name: str
    district: str
    day: date
    visits: int
    real_visits: int
    trial_visits: int
    trial_converted: int
    rep_ids: tuple[str, ...]

    @classmethod
    def parse(cls, p: dict[str, Any]) -> StoreMetric | None:
        day = as_date(p.get("day"))
        if day is None or not p.get("customer_id"):
            return None
        try:
            counts = [
                int(p.get(k) or 0)
                for k in ("visits", "real_visits", "trial_visits", "trial_converted")
            ]
        except (TypeError, ValueError):
            return None
        return cls(
            customer_id=str(p["customer_id"]),
            store_name=str(p.get("store_name") or p["customer_id"]),
            district=str(p.get("district") or ""),
            day=day,
            visits=counts[0],
            real_visits=counts[1],
            trial_visits=counts[2],
            trial_converted=counts[3],
            rep_ids=tuple(str(r) for r in p.get("rep_ids") or ()),
        )


def load_snapshots(store: LocalStore) -> list[Snapshot]:
    out = []
    for rid, _v, payload in store.pulled_records(RecordType.TARGET_SNAPSHOT.value):
        snap = Snapshot.parse(rid, payload)
        if snap is not None:
            out.append(snap)
    return out


def latest_by_rep(snaps: list[Snapshot], period: str) -> dict[str, Snapshot]:
    """Per rep, the snapshot of ``period`` with the latest end."""
    out: dict[str, Snapshot] = {}
    for s in snaps:
        if s.period == period and (s.rep_id not in out or s.end > out[s.rep_id].end):
            out[s.rep_id] = s
    return out


def load_store_metrics(store: LocalStore) -> list[StoreMetric]:
    out = []
    for _rid, _v, payload in store.pulled_records(RecordType.STORE_METRIC.value):
        m = StoreMetric.parse(payload)
        if m is not None:
            out.append(m)
    return out


def load_deliveries(store: LocalStore, rep_id: str | None = None) -> list[dict[str, Any]]:
    """Material deliveries (newest first), optionally only those to ``rep_id``."""
    rows = [
        {"record_id": rid, **payload}
        for rid, _v, payload in store.pulled_records(RecordType.MATERIAL_DELIVERY.value)
        if rep_id is None or payload.get("rep_id") == rep_id
    ]
    return sorted(rows, key=lambda d: (str(d.get("as_of") or ""), d["record_id"]), reverse=True)


def customer_names(store: LocalStore, org_id: str) -> dict[str, str]:
    return {c.id: c.name for c in store.list_customers(org_id, limit=100_000)}


def org_zone(store: LocalStore, org_id: str) -> ZoneInfo:
    try:
        return ZoneInfo(store.get_settings(org_id).timezone)
    except (FieldledgerError, KeyError, ValueError):
        return ZoneInfo("Asia/Shanghai")


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(zone).date()
