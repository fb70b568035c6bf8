"""Hand-made target records (docs/targets.md "Records devices pull") put into a real LocalStore
through the real pull path (``store.apply_pulled_changes``), for the targets VM and screen tests.

The numbers are chosen so the expected results can be worked out by hand in the tests:

* rep1 (李雷), March 2025: existing customers c1 (3 order days), c2 (0), c3 (3) -> mean 2.0,
  below 2.3, above 1.955 -> yellow; 3 customers need 2.3 * 3 = 6.9 order days, they have 6 ->
  1 more. Week 2025-W13 (24..30 Mar): cases c1 closed in 40 days, c3 open 75 days (overdue),
  c2 open 50 days (18 left) -> median of {40, 75} = 57.5, overdue -> yellow.
* rep2 (韩梅梅): stock 2.6 green, increment 90 days red, 12 touchpoints.
* rep3 (王强): no existing customers (grey), increment grey.
"""

from __future__ import annotations

import hashlib
from typing import Any

from client.localdb.store import LocalStore
from shared.changes import IncomingChange, Op, RecordType
from tests.client.vm_support import ORG

MATERIAL = "社区医疗竞品攻坚包\n竞品对比：价格、配送时效、账期。\n".encode()
MATERIAL_SHA = hashlib.sha256(MATERIAL).hexdigest()


def stock(
    value: float | None,
    light: str,
    customers: list[tuple[str, int]],
    *,
    as_of: str,
    start: str,
    official: bool = True,
    other: int = 0,
) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "official": official,
        "window_start": start,
        "window_end": as_of,
        "value": value,
        "light": light,
        "target": 2.3,
        "existing_customers": len(customers),
        "other_customers": other,
        "customers": [{"customer_id": c, "frequency": f} for c, f in customers],
    }


def case(
    cid: str,
    industry: str,
    visit: str,
    order: str | None,
    days: int,
    *,
    overdue: bool = False,
    in_figure: bool = True,
) -> dict[str, Any]:
    return {
        "customer_id": cid,
        "industry": industry,
        "first_visit_on": visit,
        "first_order_on": order,
        "days": days,
        "overdue": overdue,
        "in_figure": in_figure,
    }


def increment(
    value: float | None, light: str, cases: list[dict[str, Any]], as_of: str, official: bool = True
) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "official": official,
        "value": value,
        "light": light,
        "target_days": 68,
        "overdue": sum(1 for c in cases if c["overdue"]),
        "cases": cases,
    }


def business(
    start: str, end: str, touch: int = 6, real: int = 3, all_visits: int = 4, explicit: int = 2
) -> dict[str, Any]:
    return {
        "start": start,
        "end": end,
        "effective_touchpoints": touch,
        "inquiries": 2,
        "proposals": 1,
        "real_visits": real,
        "all_visits": all_visits,
        "explicit_visits": explicit,
        "need_explicitness_rate": round(explicit / real, 4) if real else None,
        "decision_chain_depth": 2.0,
        "real_visit_rate": round(real / all_visits, 4) if all_visits else None,
        "accounts": [["c1", 3], ["c2", 1]],
    }


def snapshot(
    rep: str,
    name: str,
    period: str,
    key: str,
    start: str,
    end: str,
    st: dict[str, Any],
    inc: dict[str, Any],
    bus: dict[str, Any],
) -> dict[str, Any]:
    return {
        "rep_id": rep,
        "rep_name": name,
        "team_id": "t1",
        "period": period,
        "period_key": key,
        "start": start,
        "end": end,
        "stock": st,
        "increment": inc,
        "business": bus,
    }


REP1_CASES = [
    case("c1", "社区医疗", "2025-01-10", "2025-02-19", 40),
    case("c3", "社区医疗", "2025-01-14", None, 75, overdue=True),
    case("c2", "新能源", "2025-02-08", None, 50, in_figure=False),
]


def team_snapshots() -> dict[str, dict[str, Any]]:
    m = ("2025-03-01", "2025-03-31")
    w = ("2025-03-24", "2025-03-30")
    rep1_stock = stock(
        2.0,
        "yellow",
        [("c1", 3), ("c2", 0), ("c3", 3)],
        as_of="2025-03-31",
        start="2025-01-01",
        other=1,
    )
    rep1_inc = increment(57.5, "yellow", REP1_CASES, "2025-03-30")
    rep2_cases = [
        case("n2", "新能源", "2024-12-01", "2025-03-01", 90),
        case("n3", "餐饮连锁", "2025-01-05", "2025-02-04", 30),
    ]
    rep2_inc = increment(60.0, "red", rep2_cases, "2025-03-30")
    return {
        "ts-rep1-2025-03": snapshot(
            "rep1",
            "李雷",
            "month",
            "2025-03",
            *m,
            rep1_stock,
            increment(57.5, "yellow", REP1_CASES, "2025-03-31", False),
            business(*m),
        ),
        "ts-rep1-2025-W13": snapshot(
            "rep1",
            "李雷",
            "week",
            "2025-W13",
            *w,
            stock(
                1.8,
                "red",
                [("c1", 2), ("c2", 0), ("c3", 3)],
                as_of="2025-03-30",
                start="2025-01-01",
                official=False,
            ),
            rep1_inc,
            business(*w, touch=3),
        ),
        "ts-rep1-2025-02": snapshot(
            "rep1",
            "李雷",
            "month",
            "2025-02",
            "2025-02-01",
            "2025-02-28",
            stock(1.0, "red", [("c1", 1)], as_of="2025-02-28", start="2024-12-01"),
            rep1_inc,
            business("2025-02-01", "2025-02-28"),
        ),
        "ts-rep2-2025-03": snapshot(
            "rep2",
            "韩梅梅",
            "month",
            "2025-03",
            *m,
            stock(2.6, "green", [("n9", 3)], as_of="2025-03-31", start="2025-01-01"),
            rep2_inc,
            business(*m, touch=12, real=5, all_visits=5, explicit=5),
        ),
        "ts-rep2-2025-W13": snapshot(
            "rep2",
            "韩梅梅",
            "week",
            "2025-W13",
            *w,
            stock(
                2.6, "green", [("n9", 3)], as_of="2025-03-30", start="2025-01-01", official=False
            ),
            increment(90.0, "red", rep2_cases, "2025-03-30"),
            business(*w, touch=5),
        ),
        "ts-rep3-2025-03": snapshot(
            "rep3",
            "王强",
            "month",
            "2025-03",
            *m,
            stock(None, "grey", [], as_of="2025-03-31", start="2025-01-01"),
            increment(None, "grey", [], "2025-03-31", False),
            business(*m, touch=0, real=0, all_visits=0, explicit=0),
        ),
    }


def delivery(rid: str, *, pending: bool = False, rep: str = "rep1") -> dict[str, Any]:
    mats = (
        []
        if pending
        else [
            {
                "id": "pack-1",
                "sha256": MATERIAL_SHA,
                "title_zh": "社区医疗竞品攻坚包",
                "title_en": "Community health attack pack",
                "mime": "text/plain; charset=utf-8",
                "size": len(MATERIAL),
            }
        ]
    )
    return {
        "action_key": rid,
        "kind": "support_materials" if pending else "attack_pack",
        "rep_id": rep,
        "industry": "社区医疗",
        "as_of": "2025-03-30",
        "customer_ids": ["c3"],
        "value": 75,
        "materials": mats,
        "pending": pending,
        "title_zh": "支持资料" if pending else "竞品攻坚包：社区医疗",
        "title_en": "Support materials" if pending else "Attack pack: community health",
        "detail_zh": "南山路店首访已超 68 天",
        "detail_en": "A first visit over 68 days ago",
    }


def store_metric(
    cid: str, name: str, district: str, day: str, visits: int, real: int, trials: int, conv: int
) -> dict[str, Any]:
    return {
        "customer_id": cid,
        "store_name": name,
        "district": district,
        "team_id": "t1",
        "day": day,
        "visits": visits,
        "real_visits": real,
        "real_visit_rate": round(real / visits, 4) if visits else None,
        "trial_visits": trials,
        "trial_converted": conv,
        "trial_conversion_rate": round(conv / trials, 4) if trials else None,
        "rep_ids": ["rep1"],
    }


METRICS = {
    "sm-c1-2025-03-28": store_metric("c1", "南山路店", "南山", "2025-03-28", 3, 2, 2, 1),
    "sm-c2-2025-03-28": store_metric("c2", "科技园便利店", "南山", "2025-03-28", 1, 1, 1, 1),
    "sm-c3-2025-03-28": store_metric("c3", "福田华强超市", "福田", "2025-03-28", 2, 1, 0, 0),
    "sm-c1-2025-03-29": store_metric("c1", "南山路店", "南山", "2025-03-29", 3, 3, 3, 3),
}


def pull(
    store: LocalStore, records: list[tuple[RecordType, str, dict[str, Any]]], start_seq: int = 1
) -> None:
    changes = [
        IncomingChange(
            server_seq=start_seq + i, record_type=rt, record_id=rid, op=Op.CREATE, payload=payload
        )
        for i, (rt, rid, payload) in enumerate(records)
    ]
    store.apply_pulled_changes(changes, org_id=ORG, cursor=start_seq + len(changes))


def fill(store: LocalStore, *, deliveries: bool = True, metrics: bool = True) -> None:
    recs: list[tuple[RecordType, str, dict[str, Any]]] = [
        (RecordType.TARGET_SNAPSHOT, rid, p) for rid, p in team_snapshots().items()
    ]
    if deliveries:
        recs += [
            (RecordType.MATERIAL_DELIVERY, "md-1", delivery("md-1")),
            (RecordType.MATERIAL_DELIVERY, "md-2", delivery("md-2", pending=True)),
            (RecordType.MATERIAL_DELIVERY, "md-3", delivery("md-3", rep="rep2")),
        ]
    if metrics:
        recs += [(RecordType.STORE_METRIC, rid, p) for rid, p in METRICS.items()]
    pull(store, recs)
