"""More target data on a ``seed-demo`` server, so the manager's boards have every light, a heat
map across districts and a radar of four industries (used by the manager-board browser test).

Written straight into the server's database through its storage layer, before the server
process starts: new-industry customers with first visits of various ages (and orders for some),
new-product trial visits yesterday in the demo stores, then one forced evaluation.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from shared.customers import Customer
from sync_server import create_app
from sync_server.api.targets import apply_import
from sync_server.orders_import import parse_order_records
from sync_server.storage.base import StorageBase, StoredRecord
from sync_server.sync.orgdata import upsert_customers
from sync_server.targets_engine import evaluate_org

# (id, name, district, industry, rep, first visit days ago, first order days after the visit)
NEW_INDUSTRY: list[tuple[str, str, str, str, str, int, int | None]] = [
    ("ni01", "桃源社区卫生服务站", "福田区", "社区医疗", "rep1", 95, None),
    ("ni02", "香蜜湖社康中心", "福田区", "社区医疗", "rep2", 70, 40),
    ("ni03", "前海储能站", "宝安区", "新能源", "rep1", 60, 30),
    ("ni04", "西乡充电站", "宝安区", "新能源", "rep2", 120, 100),
    ("ni05", "海岸城火锅连锁", "南山区", "餐饮连锁", "rep1", 50, 20),
    ("ni06", "蛇口茶餐厅连锁", "南山区", "餐饮连锁", "rep2", 30, None),
    ("ni07", "科技园培训中心", "南山区", "教育培训", "rep1", 80, 60),
    ("ni08", "宝安职业学校", "宝安区", "教育培训", "rep2", 45, None),
]


def _visit(
    storage: StorageBase,
    org_id: str,
    rep: Any,
    customer_id: str,
    when: datetime,
    action_type: str,
    result: dict[str, Any],
    counts: bool = True,
) -> None:
    vid = uuid.uuid4().hex
    with storage.write(org_id) as tx:
        tx.put_records(
            [
                StoredRecord(
                    org_id=org_id,
                    record_type="visit",
                    record_id=vid,
                    version=1,
                    server_seq=tx.next_seq(),
                    payload={
                        "id": vid,
                        "org_id": org_id,
                        "customer_id": customer_id,
                        "rep_id": rep.id,
                        "action_type": action_type,
                        "result": result,
                        "device_time": when.isoformat(),
                    },
                    owner_user_id=rep.id,
                    team_id=rep.team_id,
                    report={"counts": counts, "visit_time": when.isoformat(), "results": []},
                    updated_at=time.time(),
                )
            ]
        )


def enrich(db: Path, photos: Path, org: str = "demo") -> None:
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{db}",
            "PHOTO_DIR": str(photos),
            "OCR_ENABLED": False,
            "TARGETS_SCHEDULER": False,
        }
    )
    storage: StorageBase = app.extensions["fieldledger.storage"]
    users = {n: storage.find_user(org, n) for n in ("rep1", "rep2")}
    org_id = users["rep1"].org_id  # type: ignore[union-attr]
    now = datetime.now(UTC).replace(hour=2, minute=0, second=0, microsecond=0)
    rows, orders = [], []
    for cid, name, district, industry, rep, ago, order_after in NEW_INDUSTRY:
        c = Customer.model_validate(
            {
                "id": cid,
                "org_id": org_id,
                "name": name,
                "address": f"{district}{name}",
                "lat": 22.55,
                "lon": 113.93,
                "district": district,
                "industry": industry,
                "new_industry": True,
            }
        )
        rows.append((c, users[rep]))
        first = now - timedelta(days=ago)
        _visit(
            storage,
            org_id,
            users[rep],
            cid,
            first,
            "replenishment",
            {
                "budget_recorded": True,
                "timing_recorded": ago % 2 == 0,
                "decision_chain_recorded": True,
                "roles_reached": ["procurement_head"],
            },
        )
        if order_after is not None:
            day: date = (first + timedelta(days=order_after)).date()
            orders.append(
                {
                    "erp_order_id": f"NI-{cid}",
                    "customer_id": cid,
                    "ordered_on": day.isoformat(),
                    "amount": "880.00",
                }
            )
    upsert_customers(storage, org_id, rows)  # type: ignore[arg-type]
    apply_import(storage, org_id, parse_order_records(orders, tz="Asia/Shanghai"))
    yesterday = now - timedelta(days=1)
    for i in range(1, 13):  # trials yesterday in the demo stores: 0..3 converted of 3
        rep = users["rep1" if i % 2 else "rep2"]
        for n in range(3):
            _visit(
                storage,
                org_id,
                rep,
                f"store{i:02d}",
                yesterday + timedelta(minutes=20 * n),
                "new_product",
                {"trial_converted": n < i % 4},
                counts=i % 5 != 0 or n > 0,
            )
    for cid, *_rest in NEW_INDUSTRY[:4]:  # a few visits in other districts yesterday
        _visit(storage, org_id, users["rep1"], cid, yesterday, "replenishment", {})
    evaluate_org(storage, org_id, force=True)
    storage.close()
