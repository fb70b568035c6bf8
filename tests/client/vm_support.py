"""Shared set-up for the app's view-model and screen tests: a real LocalStore with an org."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from client.localdb.store import LocalStore
from client.sync.api import SyncResult, SyncStatus
from client.viewmodels.account import Account, save_account
from client.viewmodels.visit_form import VisitFormVM
from shared.customers import CoordSystem
from shared.settings import DEFAULT_SEVERITIES, OrgSettings, RuleCode, Severity
from shared.sop import default_sop_templates
from shared.visits import GpsFix
from tests.support.factories import SHANGHAI, STORE_LAT, STORE_LON, make_customer, offset_point
from tests.support.photos import make_jpeg

ORG = "org1"
ACCOUNT = Account(
    server_url="http://127.0.0.1:9", org="demo", org_id=ORG, rep_id="rep1", username="li",
    display_name="李雷", token="t",
)  # fmt: skip


def clock_free_settings() -> OrgSettings:
    """Default thresholds, but the time-of-day rules only warn: tests must not depend on when
    they run. Every GPS and photo rule keeps its default (blocking) severity."""
    sev = dict(DEFAULT_SEVERITIES)
    for code in (RuleCode.TIME_WORKDAY, RuleCode.TIME_WORK_HOURS):
        sev[code] = Severity.WARN
    return OrgSettings(severities=sev)


def seeded_store(tmp_path: Path) -> LocalStore:
    store = LocalStore.open(tmp_path / "device" / "local.db")
    store.put_settings(ORG, clock_free_settings())
    for sop in default_sop_templates().values():
        store.put_sop(ORG, sop)
    near = offset_point(STORE_LAT, STORE_LON, 2000, 90)
    far = offset_point(STORE_LAT, STORE_LON, 9000, 180)
    store.upsert_customers(
        [
            make_customer(),  # c1 南山路店, district 南山, grade A
            make_customer(
                id="c2", name="科技园便利店", address="深圳市南山区科技园 8 号",
                lat=near[0], lon=near[1], district="南山", grade="B",
            ),
            make_customer(
                id="c3", name="福田华强超市", address="深圳市福田区华强北路 3 号",
                lat=far[0], lon=far[1], district="福田", grade="A",
                coord_system=CoordSystem.WGS84, stock_warning="洗衣液库存低于安全线",
            ),
        ]
    )  # fmt: skip
    save_account(store, ACCOUNT)
    return store


def fix_at(metres: float = 20.0, accuracy: float = 15.0) -> GpsFix:
    lat, lon = offset_point(STORE_LAT, STORE_LON, metres, 30)
    return GpsFix(lat=lat, lon=lon, accuracy_m=accuracy)


def fresh_photo(seed: int, *, minutes_ago: int = 2, gps: bool = True) -> bytes:
    """A file-picker JPEG taken just now at the store (it proves itself by its EXIF)."""
    taken = datetime.now(SHANGHAI) - timedelta(minutes=minutes_ago)
    return make_jpeg(
        480, 360, seed=seed, taken_at=taken.replace(tzinfo=None), offset="+08:00",
        gps=(STORE_LAT, STORE_LON) if gps else None, extra_exif=False,
    )  # fmt: skip


class RecordingSync:
    """A SyncService stand-in that plays a scripted result (the real engine is not there yet)."""

    def __init__(self, result: SyncResult, status: SyncStatus | None = None) -> None:
        self.result = result
        self._status = status or SyncStatus()
        self.calls = 0

    def sync(self, on_progress: object | None = None) -> SyncResult:
        from client.sync.api import SyncPhase, SyncProgress

        self.calls += 1
        if callable(on_progress):
            on_progress(SyncProgress(SyncPhase.PUSHING, 1, 2, 100, 400))
            on_progress(SyncProgress(SyncPhase.UPLOADING, 2, 2, 400, 400))
        return self.result

    def status(self) -> SyncStatus:
        return self._status


def complete_visit(vm: VisitFormVM) -> VisitFormVM:
    """Fill a display-optimization visit that counts (3 fresh photos, checklist, GPS 20 m)."""
    vm.set_action("display_optimization")
    for i, slot in enumerate(("storefront", "stack_display", "price_tag")):
        assert vm.add_photo(slot, fresh_photo(i + 11))
    vm.set_check("facing_fixed", True)
    vm.set_check("pop_placed", True)
    vm.set_gps(fix_at(20))
    return vm
