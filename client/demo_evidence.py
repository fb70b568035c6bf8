"""The evidence-core demo: capture visits from the bundled photos and print the verdicts.

The demo pretends the device last saw the server on Wednesday 2025-03-12 at 10:00 Beijing time,
so its trusted time — and so the verdicts — do not depend on when you run it.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from client.anchor import save_anchor
from client.capture import CaptureRequest, PhotoInput, camera_stamp, capture_visit
from client.cli.report_text import render_report
from client.localdb.store import LocalStore
from shared.customers import CoordSystem, Customer
from shared.geo import wgs84_to_gcj02
from shared.visits import GpsFix, Provenance

ASSETS = Path(__file__).resolve().parent / "assets" / "demo"
STORE_WGS84 = (22.5333, 113.9305)
ANCHOR = datetime.fromisoformat("2025-03-12T10:00:00+08:00")


def demo_customer() -> Customer:
    lat, lon = wgs84_to_gcj02(*STORE_WGS84)  # as an Amap geocode would give it
    return Customer(
        id="nanshan-01",
        org_id="demo",
        name="南山路店",
        address="深圳市南山区南山大道 1 号",
        lat=lat,
        lon=lon,
        coord_system=CoordSystem.GCJ02,
        district="南山",
        province="广东",
        industry="retail",
        grade="A",
        stock_warning="堆头库存低于 2 天",
    )


def _photo(store: LocalStore, name: str, slot: str, fix: GpsFix, camera: bool) -> PhotoInput:
    data = (ASSETS / name).read_bytes()
    if camera:
        return PhotoInput(slot, data, Provenance.APP_CAMERA, camera_stamp(store, fix))
    return PhotoInput(slot, data, Provenance.FILE_PICKER)


def run(db_dir: Path, lang: str = "zh") -> list[bool]:
    """Capture the demo visits into a fresh database under ``db_dir``; return their verdicts."""
    zh = lang.startswith("zh")
    print(
        "演示：设备上次联网时服务器时间为 2025-03-12（周三）10:00 北京时间；之后按单调时钟计时。"
        "\n设备自身时钟是今天，所以会提示时钟偏差——这正是可信时间规则要发现的情况。"
        if zh
        else "Demo: the device last saw the server at Wed 2025-03-12 10:00 Beijing time and counts"
        " from there on its monotonic clock.\nIts own wall clock says today, so the clock-skew"
        " warning shows: exactly what the trusted-time rule is for."
    )
    shutil.rmtree(db_dir, ignore_errors=True)
    db_dir.mkdir(parents=True)
    verdicts = []
    with LocalStore.open(db_dir / "device.sqlite") as store:
        store.upsert_customers([demo_customer()])
        save_anchor(store, ANCHOR)
        at_store = GpsFix(lat=STORE_WGS84[0], lon=STORE_WGS84[1], accuracy_m=12, provider="gps")
        good = CaptureRequest(
            org_id="demo",
            rep_id="rep1",
            customer_id="nanshan-01",
            action_type="display_optimization",
            gps=at_store,
            photos=[
                _photo(store, f"{s}.jpg", s, at_store, camera=True)
                for s in ("storefront", "stack_display", "price_tag")
            ],
            checklist={"facing_fixed": True, "pop_placed": True},
            result={"order_taken": True},
        )
        far = GpsFix(lat=22.5405, lon=113.9305, accuracy_m=35, provider="network")
        bad = CaptureRequest(
            org_id="demo",
            rep_id="rep1",
            customer_id="nanshan-01",
            action_type="display_optimization",
            gps=far,
            photos=[
                _photo(store, "storefront.jpg", "storefront", far, camera=True),
                _photo(store, "gallery_old.jpg", "stack_display", far, camera=False),
            ],
            checklist={"facing_fixed": True},
            result={"order_taken": False},
        )
        titles = {
            "zh": [
                "拜访 1：门店内，应用相机拍摄 3 张",
                "拜访 2：800 m 外，重复照片 + 上周相册照片",
            ],
            "en": [
                "Visit 1: in the store, 3 app-camera photos",
                "Visit 2: 800 m away, a reused photo + last week's gallery photo",
            ],
        }["zh" if lang.startswith("zh") else "en"]
        for title, req in zip(titles, (good, bad), strict=True):
            outcome = capture_visit(store, req)
            print(f"\n=== {title} ===")
            print(render_report(outcome.report, lang))
            verdicts.append(outcome.report.counts)
        counts = store.pending_counts()
    print(f"\noutbox: {counts}  database: {db_dir / 'device.sqlite'}")
    return verdicts
