"""Phone and tablet screenshots of the rep's app in Chinese and English (docs/screenshots/).

Real content from a real run: the sync server (``fieldledger-server``, seed-demo, on a temp
SQLite file) and the app in web mode (no CDN) on 127.0.0.1, driven in Debian's headless
Chromium through Playwright (never ``playwright install``), the way a rep taps: sign in, open a
store with history, make a display-optimization visit with 3 photos (the GPS first 800 m away,
so the live panel shows the failing distance rule), fix the GPS and submit, sync (with an open
conflict made by two other devices of the same rep), make a second visit left unsynced, then
the visit list, the sync screen and settings.

    .venv/bin/python build/screenshots.py [--out docs/screenshots] [--lang zh en]

Files: ``<phone|tablet>-<screen>-<lang>.png`` for screen in customers, profile, visit_form,
visits, sync, settings. Uses the process helpers of tests/e2e/stack.py (the E2E test's stack).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.stack import Rep, SyncServer, WebApp, chromium  # noqa: E402
from tests.support.factories import offset_point  # noqa: E402
from tests.support.photos import make_jpeg  # noqa: E402

SIZES = {"phone": (390, 844), "tablet": (1280, 800)}
STORE = ("海岸城便利店", 22.5170, 113.9368)  # store01: rep1's, with seeded visit history
SECOND = ("腾讯滨海大厦小卖部", 22.5225, 113.9357)  # store03
SETTINGS = {"severities": {"time.workday": "warn", "time.work_hours": "warn"}}
WORDS = {
    "zh": {"customers": "客户", "visits": "我的拜访", "sync": "同步", "settings": "设置",
           "new": "新建拜访", "action": "拜访动作", "display": "陈列优化", "pick": "从相册选择",
           "gps": "获取定位", "submit": "提交（本机保存）", "sync_now": "立即同步",
           "done": "同步完成", "sign_out": "退出登录", "today": "今天",
           "slots": ("门头", "堆头", "价签"),
           "check": ("排面已整理", "POP物料已张贴"), "validation": "实时校验", "saved": "已保存"},
    "en": {"customers": "Customers", "visits": "My visits", "sync": "Sync",
           "settings": "Settings", "new": "New visit", "action": "Action",
           "display": "Display optimization", "pick": "Pick from files", "gps": "Get location",
           "submit": "Submit (saved on this device)", "sync_now": "Sync now",
           "done": "Sync finished", "sign_out": "Sign out", "today": "Today",
           "slots": ("Storefront", "Stack display", "Price tag"),
           "check": ("Facings tidied", "POP material placed"), "validation": "Live validation",
           "saved": "Saved"},
}  # fmt: skip


def photo(seed: int, lat: float, lon: float) -> bytes:
    taken = datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(minutes=3)
    return make_jpeg(
        800, 600, seed=seed, taken_at=taken.replace(tzinfo=None), offset="+08:00",
        gps=(lat, lon), extra_exif=False,
    )  # fmt: skip


def make_conflict(server: SyncServer, work: Path) -> None:
    """Two other phones of rep1 change the same store's address: the second gets a conflict,
    which every device of rep1 lists on its sync screen."""
    from client.localdb.store import LocalStore
    from client.sync.engine import engine_for
    from client.sync.session import login

    phones = [LocalStore.open(work / name / "local.db") for name in ("a", "b")]
    try:
        for store in phones:  # both hold the same version of the store first
            login(store, server.url, "demo", "rep1", "demo1234")
            assert engine_for(store).sync().ok
        for store, value in zip(phones, ("海岸城 2 楼东门", "海岸城 1 楼北门"), strict=True):
            store.edit_customer("store01", {"address": value})
            assert engine_for(store).sync().ok
    finally:
        for store in phones:
            store.close()


class Shooter:
    def __init__(self, rep: Rep, out: Path, kind: str, lang: str, work: Path) -> None:
        self.rep, self.out, self.kind, self.lang, self.work = rep, out, kind, lang, work
        self.w = WORDS[lang]
        self.saved: list[Path] = []

    def save(self, screen: str) -> None:
        page = self.rep.page
        page.mouse.move(SIZES[self.kind][0] - 4, 130)  # off the buttons: no hover tooltip shown
        page.wait_for_timeout(1200)
        path = self.out / f"{self.kind}-{screen}-{self.lang}.png"
        page.screenshot(path=str(path))
        self.saved.append(path)
        print(path, flush=True)

    def _tab_control(self, name: str) -> object:
        page = self.rep.page
        target = page.get_by_role("tab", name=name, exact=True)
        if target.count() == 0:  # the tablet's navigation rail
            target = page.get_by_role("button", name=name)
        return target.first

    def tab(self, name: str, marker: str | re.Pattern[str] | None = None) -> None:
        """Tap a tab; with ``marker``, make sure it opened (tap another tab and back if not)."""
        w = self.w
        for attempt in range(3):
            self._tab_control(name).click()  # type: ignore[attr-defined]
            self.rep.page.wait_for_timeout(800)
            if marker is None:
                return
            try:
                self.rep.see(marker, timeout=3000)
                return
            except Exception:
                other = w["visits"] if name != w["visits"] else w["customers"]
                self._tab_control(other).click()  # type: ignore[attr-defined]
                self.rep.page.wait_for_timeout(800 * (attempt + 1))
        raise AssertionError(f"the {name} tab did not open")

    def scroll(self, dy: int) -> None:
        page = self.rep.page
        w, h = SIZES[self.kind]
        page.mouse.move(w - 60 if self.kind == "phone" else w - 200, h // 2)
        page.mouse.wheel(0, dy)
        page.wait_for_timeout(600)

    def scroll_to(self, text: re.Pattern[str]) -> None:
        """Wheel down until ``text`` is in the lower part of the window (Flutter draws on a
        canvas: the DOM cannot scroll it)."""
        h = SIZES[self.kind][1]
        for _ in range(30):
            box = self.rep.page.get_by_text(text).first.bounding_box()
            if box is not None and box["y"] < h * 0.55:
                return
            self.scroll(160)

    def visit(self, store: tuple[str, float, float], seed: int, *, fix: bool) -> None:
        rep, w, page = self.rep, self.w, self.rep.page
        name, lat, lon = store
        far = offset_point(lat, lon, 800, 90)
        page.context.set_geolocation({"latitude": far[0], "longitude": far[1], "accuracy": 12})
        rep.text(name).click()
        rep.see(w["new"])
        if seed == 1:
            self.save("profile")
        rep.tap(w["new"])
        rep.see(w["validation"])
        rep.tap(w["action"])
        rep.tap(w["display"])
        for item in w["check"]:
            page.get_by_role("checkbox", name=item).first.click()
        for i, slot in enumerate(w["slots"]):
            path = self.work / f"{self.kind}-{self.lang}-{seed}-{i}.jpg"
            run = ("zh", "en").index(self.lang) * 2 + list(SIZES).index(self.kind)
            path.write_bytes(photo(1000 * run + seed * 10 + i, lat, lon))  # never the same image
            with page.expect_file_chooser(timeout=20_000) as chooser:
                rep.tap(f"{w['pick']} · {slot}")
            chooser.value.set_files(str(path))
            page.wait_for_timeout(700)
        self.scroll_to(re.compile("^" + re.escape(w["gps"]) + "$"))
        rep.tap(w["gps"])
        rep.see(f"{far[0]:.5f}, {far[1]:.5f}")
        page.wait_for_timeout(1500)
        if seed == 1:
            self.scroll_to(re.compile(r"^(距门店 \d+|\d+ m from the store)"))
            self.save("visit_form")
        if fix:
            page.context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 8})
            for _ in range(4):
                rep.tap(w["gps"])
                try:
                    rep.see(f"{lat:.5f}, {lon:.5f}", timeout=4000)
                    break
                except Exception:  # the browser answered from its cache once more
                    continue
        rep.tap(w["submit"])
        rep.see(w["saved"])

    def run(self, server: SyncServer, app: WebApp, browser: object) -> None:
        w_, h_ = SIZES[self.kind]
        ctx = browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": w_, "height": h_},
            geolocation={"latitude": STORE[1], "longitude": STORE[2], "accuracy": 10},
            permissions=["geolocation"],
        )
        self.rep.page = page = ctx.new_page()
        rep, w = self.rep, self.w
        page.goto(app.url)
        rep.boot()
        rep.type_into("用户名", "rep1")
        rep.type_into("密码", "demo1234")
        rep.tap("登录并登记设备")
        rep.see(STORE[0], timeout=60_000)
        if self.lang == "en":
            self.tab("设置", "退出登录")
            rep.tap("语言")
            rep.tap("English")
            rep.see("Sign out")
            self.tab(w["customers"], STORE[0])
        rep.see(STORE[0])
        if self.kind == "phone":
            self.save("customers")
        self.visit(STORE, 1, fix=True)
        self.tab(w["sync"], w["sync_now"])
        rep.tap(w["sync_now"])
        rep.see(w["done"], timeout=60_000)
        self.save("sync")
        self.tab(w["customers"], STORE[0])
        self.visit(SECOND, 2, fix=False)  # left unsynced, and it does not count
        self.tab(w["customers"], STORE[0])
        if self.kind == "tablet":  # the list with a store's profile open beside it
            rep.text(STORE[0]).click()
            rep.see(w["new"])
            self.save("customers")
        self.tab(w["visits"], w["today"])
        if self.kind == "tablet":
            rep.text(re.compile(STORE[0] + " · ")).click()
        self.save("visits")
        self.tab(w["settings"], w["sign_out"])
        self.save("settings")
        ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--lang", choices=["zh", "en"], nargs="*", default=["zh", "en"])
    parser.add_argument("--size", choices=list(SIZES), nargs="*", default=list(SIZES))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="fl-shots-"))
    server = SyncServer(work / "server", work / "server.log")
    server.cli("init-db")
    server.cli("seed-demo")
    server.cli("set-settings", "demo", json.dumps(SETTINGS))
    server.start()
    app = WebApp(work / "web", server.url, work / "app.log")
    app.start()
    try:
        make_conflict(server, work / "other-phones")
        with chromium() as browser:
            for lang in args.lang:
                for kind in args.size:
                    shooter = Shooter(Rep(None, work), args.out, kind, lang, work)
                    try:
                        shooter.run(server, app, browser)
                    except Exception:
                        shooter.rep.page.screenshot(path=str(work / f"FAILED-{kind}-{lang}.png"))
                        print(f"failed: {kind} {lang}; see {work}", file=sys.stderr)
                        raise
    finally:
        app.stop()
        server.stop()


if __name__ == "__main__":
    main()
