"""The rep's whole day in a real browser: the real sync server, the real app in web mode, Debian's
headless Chromium driven by Playwright (issue 4, "Done when").

log in (rep1 / demo1234, org demo) → open a customer → new display-optimization visit → 3 photos
through the file picker (real JPEGs with fresh EXIF) → GPS 800 m away: the live panel shows the
failing distance rule → the fake geolocation moves to the store, GPS again: the rule passes →
the server stops → submit (saved on the device, says it counts) → reload the page: the same
device, the pending visit still there → the server starts again on the same database and port →
sync from the sync screen → on the server: the visit exactly once, its 3 photos uploaded and
verified by hash, and the server's own validation report stored.

Controls are found by their semantic labels (Flutter's semantics tree, enabled by clicking
``flt-semantics-placeholder``). Screenshots of each step go to ``artifacts/e2e/<step>.png``.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shared.validation.report import expand_report
from tests.e2e.stack import ROOT, Rep, SyncServer, WebApp, chromium
from tests.support.factories import offset_point
from tests.support.photos import make_jpeg

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "artifacts" / "e2e"
STORE_NAME = "世界之窗门店"  # seed-demo's store09, rep1's, coordinates kept in WGS-84
STORE_ID = "store09"
STORE_LAT, STORE_LON = 22.5347, 113.9736
FAR_LAT, FAR_LON = offset_point(STORE_LAT, STORE_LON, 800, 90)
SLOTS = ("门头", "堆头", "价签")  # the display-optimization SOP's three photo slots
SHANGHAI = ZoneInfo("Asia/Shanghai")
WAIT_MS = 20_000

# The seeded organisation's time-of-day and workday rules would block a visit captured outside
# 09:00-18:30 on a working day in Shanghai, so the outcome of this test would depend on when it
# runs. They are made warn-only (every GPS and photo rule keeps its blocking default) with the
# server's own `set-settings` command before the app first syncs.
SETTINGS = {"severities": {"time.workday": "warn", "time.work_hours": "warn"}}


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[SyncServer, WebApp]]:
    logs = tmp_path / "logs"
    logs.mkdir()
    server = SyncServer(tmp_path / "server", logs / "server.log")
    server.cli("init-db")
    server.cli("seed-demo")
    server.cli("set-settings", "demo", json.dumps(SETTINGS))
    server.start()
    app = WebApp(tmp_path / "web", server.url, logs / "app.log")
    try:
        app.start()
        yield server, app
    finally:
        app.stop()
        server.stop()
        for log in logs.iterdir():  # kept next to the screenshots for a failed run
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / log.name).write_bytes(log.read_bytes())


def fresh_photo(seed: int) -> bytes:
    """A picked JPEG that proves itself: EXIF time a minute ago (Shanghai), EXIF GPS at the
    store."""
    taken = datetime.now(SHANGHAI) - timedelta(minutes=1)
    return make_jpeg(
        640, 480, seed=seed, taken_at=taken.replace(tzinfo=None), offset="+08:00",
        gps=(STORE_LAT, STORE_LON), extra_exif=False,
    )  # fmt: skip


def test_a_visit_made_offline_reaches_the_server_once_with_photos_and_report(
    stack: tuple[SyncServer, WebApp], tmp_path: Path
) -> None:
    server, app = stack
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    photos = {slot: tmp_path / f"photo-{i}.jpg" for i, slot in enumerate(SLOTS)}
    for i, path in enumerate(photos.values()):
        path.write_bytes(fresh_photo(100 + i))

    with chromium() as browser:
        ctx = browser.new_context(
            viewport={"width": 480, "height": 1000},
            geolocation={"latitude": FAR_LAT, "longitude": FAR_LON, "accuracy": 10},
            permissions=["geolocation"],
            locale="zh-CN",
        )
        page = ctx.new_page()
        rep = Rep(page, ARTIFACTS)
        try:
            rep_day(rep, server, app, photos)
        except BaseException:
            rep.shot("FAILED")
            raise
    assert_on_server_once(server, app, list(photos.values()))


def rep_day(rep: Rep, server: SyncServer, app: WebApp, photos: dict[str, Path]) -> None:
    page = rep.page
    page.goto(app.url)
    rep.boot()

    # -- sign in ---------------------------------------------------------------------------
    rep.see("首次使用")
    rep.type_into("用户名", "rep1")
    rep.type_into("密码", "demo1234")
    rep.shot("login")
    rep.sign_in(re.compile(re.escape(STORE_NAME)), app.log)  # the first sync brought them
    rep.shot("customers")

    # -- open the customer, start a display-optimization visit -----------------------------
    rep.text(STORE_NAME).click()
    rep.see("新建拜访")
    rep.shot("profile")
    rep.tap("新建拜访")
    rep.see("实时校验")
    rep.tap("拜访动作")  # the action dropdown, then its menu entry
    rep.tap("陈列优化")
    rep.see("排面已整理")
    for item in ("排面已整理", "POP物料已张贴"):
        page.get_by_role("checkbox", name=item).first.click()
    rep.shot("new-visit")

    # -- three photos through the file picker ----------------------------------------------
    for n, (slot, path) in enumerate(photos.items(), start=1):
        with page.expect_file_chooser(timeout=WAIT_MS) as chooser:
            rep.tap(f"从相册选择 · {slot}")
        chooser.value.set_files(str(path))
        rep.see(f"照片 {n}/3" if n < 3 else "照片 3/3 张齐全")
    rep.shot("three-photos")

    # -- GPS 800 m away: the live panel shows the failing distance rule ---------------------
    rep.tap("获取定位")
    rep.see(re.compile(r"^距门店 \d+ m > 500 m"))
    far = rep.text(re.compile(r"^距门店 \d+ m > 500 m")).inner_text()
    metres = int(re.findall(r"距门店 (\d+) m", far)[0])
    assert 700 <= metres <= 900, far
    assert "不计为有效拜访" in rep.body()
    rep.shot("gps-too-far")

    # -- fixed: the rep walks to the store and locates again -------------------------------
    page.context.set_geolocation({"latitude": STORE_LAT, "longitude": STORE_LON, "accuracy": 8})
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    at_store = f"{STORE_LAT:.5f}, {STORE_LON:.5f}"
    for _ in range(5):  # the browser may answer once more from its cached position
        rep.tap("获取定位")
        try:
            rep.see(at_store, timeout=4000)
            break
        except PlaywrightTimeout:
            continue
    rep.see(re.compile(r"^距门店 \d+ m ≤ 500 m"))
    rep.see(re.compile("^有效拜访$"))
    assert "> 500 m" not in rep.body()
    rep.shot("gps-fixed")

    # -- the server goes down; submit saves on the device and says the visit counts --------
    server.stop()
    rep.tap("提交（本机保存）")
    rep.see("已保存：本次拜访计为有效拜访。")
    rep.see("待同步 1 条拜访 · 3 张照片")
    rep.shot("submitted-offline")

    # -- reload the page: the same device, the pending visit is still there ----------------
    page.reload()
    rep.boot()
    rep.see("待同步 1 条拜访 · 3 张照片", timeout=60_000)
    page.get_by_role("tab", name="我的拜访").click()
    rep.see(f"{STORE_NAME} · 陈列优化")
    rep.see(re.compile("有效拜访 · 待同步"))
    rep.shot("reloaded-pending")
    assert len(app.device_dbs()) == 1, app.device_dbs()  # one browser = one device

    # -- the server is back (same database, same port); sync from the sync screen ----------
    server.start()
    page.get_by_role("tab", name="同步").click()
    rep.tap("立即同步")
    rep.see("同步完成", timeout=60_000)
    rep.see("待同步 0 条拜访 · 0 张照片")
    rep.shot("synced")
    page.get_by_role("tab", name="我的拜访").click()
    rep.see(re.compile("有效拜访 · 已同步"))
    rep.shot("visits-synced")


def assert_on_server_once(server: SyncServer, app: WebApp, picked: list[Path]) -> None:
    """The visit is on the server exactly once, with 3 verified photos and its own report."""
    rows = [
        (rid, json.loads(payload), report)
        for rid, payload, report in server.query(
            "SELECT record_id, payload, report FROM records"
            " WHERE org_id = 'demo' AND record_type = 'visit' AND deleted = 0"
        )
    ]
    ours = [r for r in rows if r[1]["customer_id"] == STORE_ID]
    assert len(ours) == 1, ours
    visit_id, payload, report_json = ours[0]
    assert payload["action_type"] == "display_optimization"
    assert len(app.device_dbs()) == 1
    with sqlite3.connect(app.device_dbs()[0]) as local:
        local_ids = [r[0] for r in local.execute("SELECT id FROM visits")]
    assert visit_id in local_ids

    assert report_json, "the server stored no validation report"
    report = expand_report(json.loads(report_json))  # stored with compact results
    assert report["visit_id"] == visit_id
    codes = {r["code"] for r in report["results"]}
    assert {"gps.distance", "photos.required", "photo.exif_time"} <= codes
    distance = next(r for r in report["results"] if r["code"] == "gps.distance")
    assert distance["passed"] is True

    evidence = payload["photos"]
    assert sorted(e["slot"] for e in evidence) == sorted(
        ("storefront", "stack_display", "price_tag")
    )
    # the evidence is of the very files picked in the browser
    assert {e["sha256"] for e in evidence} == {
        hashlib.sha256(path.read_bytes()).hexdigest() for path in picked
    }
    shas = [e["stored_sha256"] for e in evidence]  # the watermarked bytes the device uploads
    assert len(set(shas)) == 3
    linked = {r[0] for r in server.query(
        "SELECT sha256 FROM visit_photos WHERE org_id = 'demo' AND visit_id = ?", visit_id
    )}  # fmt: skip
    assert set(shas) <= linked
    complete = server.query(
        "SELECT sha256 FROM photo_uploads WHERE org_id = 'demo' AND complete = 1"
    )
    assert set(shas) <= {r[0] for r in complete}
    token = server.login("admin1")
    for sha in shas:
        code, data = server.api("GET", f"/photos/{sha}/content", token)
        assert code == 200 and hashlib.sha256(data).hexdigest() == sha
        assert data.startswith(b"\xff\xd8")  # a JPEG
