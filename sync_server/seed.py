"""Demo data: organisation "demo", a Nanshan (Shenzhen) district of 12 stores, users, visits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.customers import CoordSystem
from shared.geo import wgs84_to_gcj02
from sync_server import admin_ops
from sync_server.storage.base import Scope, StorageBase
from sync_server.sync.push import apply_push

DEMO_PASSWORD = "demo1234"
TEAM = "nanshan"

# (name, address, WGS-84 lat, lon, kept in GCJ-02 as a map app would give it?)
STORES: list[tuple[str, str, float, float, bool]] = [
    ("海岸城便利店", "南山区文心五路33号", 22.5170, 113.9368, True),
    ("深大南门超市", "南山区南海大道3688号", 22.5337, 113.9362, False),
    ("腾讯滨海大厦小卖部", "南山区滨海大道33号", 22.5225, 113.9357, True),
    ("南山书城便利店", "南山区南海大道2748号", 22.5213, 113.9269, False),
    ("科技园北站店", "南山区科苑北路", 22.5480, 113.9440, True),
    ("后海地铁站店", "南山区后海大道", 22.5233, 113.9370, False),
    ("蛇口海上世界店", "南山区望海路1128号", 22.4833, 113.9148, True),
    ("桃园路百货", "南山区桃园路", 22.5368, 113.9200, False),
    ("世界之窗门店", "南山区深南大道9037号", 22.5347, 113.9736, False),
    ("白石洲社区店", "南山区沙河街", 22.5380, 113.9640, True),
    ("南头古城店", "南山区南头街道", 22.5450, 113.9170, False),
    ("前海湾便利店", "南山区前海路", 22.5280, 113.9050, False),
]


def seed_demo(storage: StorageBase, config: dict[str, Any], org_id: str = "demo") -> dict[str, str]:
    admin_ops.create_org(storage, org_id, "演示公司 Demo Co.")
    users = {
        name: admin_ops.create_user(storage, config, org_id, name, DEMO_PASSWORD, role, team)
        for name, role, team in [
            ("rep1", "rep", TEAM),
            ("rep2", "rep", TEAM),
            ("mgr1", "manager", TEAM),
            ("admin1", "admin", ""),
        ]
    }
    rows: list[dict[str, Any]] = []
    for i, (name, address, lat, lon, gcj) in enumerate(STORES):
        if gcj:
            lat, lon = wgs84_to_gcj02(lat, lon)
        rows.append(
            {
                "id": f"store{i + 1:02d}",
                "name": name,
                "address": address,
                "lat": round(lat, 6),
                "lon": round(lon, 6),
                "coord_system": (CoordSystem.GCJ02 if gcj else CoordSystem.WGS84).value,
                "district": "南山区",
                "province": "广东省",
                "industry": "便利店",
                "grade": "AB"[i % 2],
                "stock_warning": "库存低于安全线" if i % 5 == 0 else "",
                "rep": "rep1" if i % 2 == 0 else "rep2",
            }
        )
    admin_ops.import_customers(storage, org_id, rows)
    rep = users["rep1"]
    scope = Scope(org_id, rep.id, "rep", TEAM, "seed-" + uuid.uuid4().hex[:8])
    start = datetime.now(UTC).replace(hour=2, minute=0, second=0, microsecond=0)
    changes = []
    for n, i in enumerate((0, 2, 4), start=1):
        _, _, lat, lon, _ = STORES[i]
        when = start - timedelta(days=n)
        vid = uuid.uuid4().hex
        changes.append(
            {
                "seq": n,
                "record_type": "visit",
                "record_id": vid,
                "op": "create",
                "payload": {
                    "id": vid,
                    "org_id": org_id,
                    "customer_id": f"store{i + 1:02d}",
                    "rep_id": rep.id,
                    "action_type": "replenishment",
                    "checklist": {"stock_counted": True},
                    "result": {"stock_count": 20 + n, "order_taken": True},
                    "notes": f"演示订单 demo order #{n}",
                    "device_time": when.isoformat(),
                    "gps": {"lat": lat, "lon": lon, "accuracy_m": 12},
                },
            }
        )
    apply_push(storage, scope, changes)
    from sync_server.tickets_seed import seed_ticket_config

    seed_ticket_config(storage, org_id, owner_id=users["mgr1"].id)
    from sync_server.targets_seed import seed_targets

    seed_targets(storage, org_id, [row["id"] for row in rows])
    return {name: u.id for name, u in users.items()}
