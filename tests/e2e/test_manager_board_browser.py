"""The manager's boards in a real browser on a tablet-sized viewport (1280x800): the real sync
server (seed-demo plus tests/e2e/targets_demo.py), the app in web mode, Debian's Chromium.

mgr1 signs in → the first sync brings the team's snapshots and store metrics → 目标: the team
board with both reps and their lights → sorting by a column heading reorders the reps → a number
opens its drill-down beside the board → the heat map (yesterday's new-product trial conversion,
by store, then by district) → the industry radar → the same in English. rep1 on a phone-sized
viewport sees "My goals" with the attack pack delivered to them. Screenshots go to
artifacts/e2e/; with FIELDLEDGER_UPDATE_SCREENSHOTS=1 they refresh docs/screenshots/
(manager-board-*.png, heatmap-*.png, radar-*.png, my-goals-*.png) — a plain test run never
changes committed files.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.stack import ROOT, Rep, SyncServer, WebApp, chromium
from tests.e2e.targets_demo import enrich

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "artifacts" / "e2e"
SHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("FIELDLEDGER_UPDATE_SCREENSHOTS") == "1"
    else ARTIFACTS / "screenshots"
)
WAIT_MS = 30_000


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[SyncServer, WebApp]]:
    logs = tmp_path / "logs"
    logs.mkdir()
    server = SyncServer(tmp_path / "server", logs / "server.log")
    server.cli("init-db")
    server.cli("seed-demo")
    enrich(server.db, tmp_path / "server" / "photos")
    server.start()
    app = WebApp(tmp_path / "web", server.url, logs / "app.log")
    try:
        app.start()
        yield server, app
    finally:
        app.stop()
        server.stop()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for log in logs.iterdir():
            (ARTIFACTS / f"board-{log.name}").write_bytes(log.read_bytes())


class User(Rep):
    """The rep flow's browser steps (boot, typing that checks what the field holds), plus the
    board's own: segments, tabs and rails, screenshots by name."""

    def __init__(self, page: Any) -> None:
        super().__init__(page, SHOTS)

    def see(self, pattern: str | re.Pattern[str], timeout: int = WAIT_MS) -> Any:
        loc = self.page.get_by_text(pattern).first
        loc.wait_for(state="visible", timeout=timeout)
        return loc

    def label(self, pattern: str | re.Pattern[str], timeout: int = WAIT_MS) -> Any:
        loc = self.page.get_by_label(pattern).first
        loc.wait_for(state="attached", timeout=timeout)
        return loc

    def tap(self, name: str | re.Pattern[str]) -> None:
        self.page.get_by_role("button", name=name).first.click(timeout=WAIT_MS)
        self.page.wait_for_timeout(700)  # let the re-render land before the next click

    def switch(self, name: str, expect: str | re.Pattern[str]) -> None:
        """Tap a segment until what it shows appears (a click during a re-render is lost)."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        for _ in range(4):
            self.tap(name)
            try:
                self.see(expect, timeout=5000)
                return
            except PlaywrightTimeout:
                continue
        self.see(expect)

    def tab(self, name: str) -> None:
        """A navigation-bar tab (phone) or navigation-rail destination (tablet)."""
        tabs = self.page.get_by_role("tab", name=name)
        if tabs.count():
            tabs.first.click(timeout=WAIT_MS)
        else:
            rail = self.page.get_by_role("button", name=re.compile(rf"^{name} Tab \d"))
            rail.first.click(timeout=WAIT_MS)
        self.page.wait_for_timeout(600)

    def shot(self, name: str) -> None:
        self.page.mouse.move(640, 5)  # no hover tooltip over the picture
        self.page.wait_for_timeout(1200)  # charts animate in, tooltips fade
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / name))

    def sign_in_as(self, app: WebApp, username: str) -> None:
        self.page.goto(app.url)
        self.boot()
        self.see("首次使用")
        self.type_into("用户名", username)
        self.type_into("密码", "demo1234")
        self.sign_in(re.compile("海岸城便利店|世界之窗门店"), app.log)

    def to_english(self) -> None:
        self.tab("设置")
        self.tap("语言")  # the dropdown, then its menu entry
        self.tap("English")
        self.see("Settings")

    def y_of(self, text: str) -> float:
        box = self.page.get_by_text(text, exact=True).first.bounding_box()
        assert box is not None, text
        return float(box["y"])


def wait_synced(user: User, timeout: float = 60) -> None:
    """The first sync runs in the background after sign-in: wait for the board's words."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = str(user.page.evaluate("() => document.body.innerText"))
        if "上次同步" in body or "Last sync" in body:
            return
        user.page.wait_for_timeout(500)


def manager_tour(m: User, lang: str) -> None:
    zh = lang == "zh"
    m.tab("目标" if zh else "Goals")
    m.switch("团队看板" if zh else "Team board", "rep1")
    m.see("rep2")
    m.see("绿灯" if zh else "Green")
    m.shot(f"manager-board-{lang}.png")
    if zh:
        # sort by touchpoints one way, then the other: the two reps swap places
        heading = m.page.get_by_role("columnheader", name=re.compile("有效触点数")).first
        heading.click(timeout=WAIT_MS)
        m.page.wait_for_timeout(800)
        first = m.y_of("rep1") < m.y_of("rep2")
        heading.click(timeout=WAIT_MS)
        m.page.wait_for_timeout(800)
        assert (m.y_of("rep1") < m.y_of("rep2")) != first
        # a number opens its drill-down beside the board
        m.page.get_by_role("cell", name="rep1", exact=True).first.click(timeout=WAIT_MS)
        m.see(re.compile("^rep1 · 业务指标"))
        m.see("本机上的拜访记录")
        m.shot("manager-board-drill-zh.png")
        m.tap("返回")
    m.switch("门店热力图" if zh else "Store heat map", "按区域" if zh else "By district")
    m.see(re.compile(r"^\d{4}-\d\d-\d\d (至|to) \d{4}-\d\d-\d\d$"))
    m.shot(f"heatmap-{lang}.png")
    if zh:
        m.switch("按区域", "福田区")
        m.see("16/34")  # 南山区: the sum of its stores' converted / trials, not a mean
        m.shot("heatmap-district-zh.png")
        m.tap("按门店")
    m.switch("行业雷达" if zh else "Industry radar", "餐饮连锁")
    m.see("已成交占比" if zh else "Share with an order")
    m.shot(f"radar-{lang}.png")


def test_the_manager_board_heat_map_and_radar_on_a_tablet(
    stack: tuple[SyncServer, WebApp],
) -> None:
    _server, app = stack
    with chromium() as browser:
        ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        m = User(ctx.new_page())
        try:
            m.sign_in_as(app, "mgr1")
            wait_synced(m)
            manager_tour(m, "zh")
            m.to_english()
            manager_tour(m, "en")
        except BaseException:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            m.page.screenshot(path=str(ARTIFACTS / "board-FAILED.png"))
            raise
        ctx.close()

        ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        r = User(ctx.new_page())
        try:
            r.sign_in_as(app, "rep1")
            wait_synced(r)
            r.tab("目标")
            r.see("我的目标")
            r.see("推送给我的资料", timeout=60_000)
            r.shot("my-goals-zh.png")
            r.page.mouse.wheel(0, 900)
            r.tap(re.compile("打开 · 社区医疗竞品攻坚包"))
            r.see("返回")  # the material's own screen (its text is selectable, not in the tree)
            r.shot("my-goals-material-zh.png")
            r.tap("返回")
            r.to_english()
            r.tab("Goals")
            r.see("What to do next")
            r.shot("my-goals-en.png")
        except BaseException:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            r.page.screenshot(path=str(ARTIFACTS / "goals-FAILED.png"))
            raise
        ctx.close()
