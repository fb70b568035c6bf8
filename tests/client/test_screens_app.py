"""The app's real Flet controls on a page over a recording connection, driven by their handlers."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import flet as ft
import pytest

from client.app import AppConfig
from client.localdb.store import LocalStore
from client.viewmodels.account import load_account
from client.viewmodels.visit_form import VisitFormVM
from tests.client.screen_support import PHONE, TABLET, AppHarness
from tests.client.vm_support import ACCOUNT, complete_visit, fix_at, fresh_photo, seeded_store


def config(store: LocalStore, login: Any = None, sync: Any = None) -> AppConfig:
    def no_login(*_: str) -> dict[str, Any]:
        raise OSError("offline")

    return AppConfig(store_for=lambda page: store, login=login or no_login, sync_factory=sync)


def position(fix: Any) -> dict[str, float]:
    """What the geolocator client answers."""
    return {"latitude": fix.lat, "longitude": fix.lon, "accuracy": 12.0}


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_a_fresh_device_opens_on_first_run_and_signs_in(tmp_path: Path) -> None:
    store = LocalStore.open(tmp_path / "d" / "local.db")

    def login(url: str, org: str, user: str, pw: str) -> dict[str, Any]:
        return {"token": "x", "user": {"id": "u1", "org_id": "org1", "display_name": "李雷"}}

    async def scenario() -> None:
        app = await AppHarness(config(store, login)).start()
        try:
            assert "连接公司的同步服务器" in " ".join(app.texts())
            await app.type(app.find(ft.TextField, "企业代码"), "demo")
            await app.type(app.find(ft.TextField, "用户名"), "li")
            await app.click(app.find(ft.FilledButton, "登录并登记设备"))
            assert "请填写密码" in app.texts()
            await app.type(app.find(ft.TextField, "密码"), "pw")
            await app.click(app.find(ft.FilledButton, "登录并登记设备"))
            assert load_account(store) is not None
            assert app.page.navigation_bar is not None  # the main screens now
            assert app.errors() == []
        finally:
            app.close()

    run(scenario())


def test_what_was_typed_at_first_run_survives_a_rebuild_and_a_resize_rebuilds_nothing(
    tmp_path: Path,
) -> None:
    store = LocalStore.open(tmp_path / "d" / "local.db")

    async def scenario() -> None:
        app = await AppHarness(config(store)).start()
        try:
            await app.type(app.find(ft.TextField, "用户名"), "li")
            await app.type(app.find(ft.TextField, "密码"), "pw")
            shell = app.page.data
            form = app.find(ft.TextField, "用户名")
            shell.relayout()  # a resize within the phone layout: the same controls stay
            assert app.find(ft.TextField, "用户名") is form
            shell.render()  # a rebuild (a status update...): the typed values come back
            assert app.find(ft.TextField, "用户名") is not form
            assert app.find(ft.TextField, "用户名").value == "li"
            assert app.find(ft.TextField, "密码").value == "pw"
        finally:
            app.close()

    run(scenario())


def test_a_second_tap_while_signing_in_waits_for_the_first_and_the_button_says_so(
    tmp_path: Path,
) -> None:
    store = LocalStore.open(tmp_path / "d" / "local.db")
    entered, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow_login(url: str, org: str, user: str, pw: str) -> dict[str, Any]:
        calls.append(user)
        entered.set()
        release.wait(10)
        return {"token": "x", "user": {"id": "u1", "org_id": "org1", "display_name": "李雷"}}

    async def scenario() -> None:
        app = await AppHarness(config(store, slow_login)).start()
        try:
            for label, text in (("企业代码", "demo"), ("用户名", "li"), ("密码", "pw")):
                await app.type(app.find(ft.TextField, label), text)
            button = app.find(ft.FilledButton, "登录并登记设备")
            first = asyncio.ensure_future(app.click(button))
            while not entered.is_set():
                await asyncio.sleep(0.01)
            assert button.disabled and button.content == "正在登录…"
            await app.click(button)  # the impatient second tap
            assert calls == ["li"] and load_account(store) is None
            release.set()
            await first
            assert calls == ["li"]  # one sign-in, one device registration
            assert load_account(store) is not None
            assert app.errors() == []
        finally:
            release.set()
            app.close()

    run(scenario())


def test_an_unreachable_server_at_first_run_is_said_in_plain_words(tmp_path: Path) -> None:
    store = LocalStore.open(tmp_path / "d" / "local.db")

    async def scenario() -> None:
        app = await AppHarness(config(store)).start()
        try:
            for label, text in (("企业代码", "demo"), ("用户名", "li"), ("密码", "pw")):
                await app.type(app.find(ft.TextField, label), text)
            await app.click(app.find(ft.FilledButton, "登录并登记设备"))
            assert "连不上服务器：请检查地址和网络后重试" in app.texts()
        finally:
            app.close()

    run(scenario())


def test_customer_search_narrows_the_list_and_opens_a_profile(tmp_path: Path) -> None:
    store = seeded_store(tmp_path)

    async def scenario() -> None:
        app = await AppHarness(config(store)).start()
        try:
            assert "共 3 个客户" in app.texts()
            await app.type(app.find(ft.TextField, "搜索客户"), "kjy")
            assert "共 1 个客户" in app.texts()
            await app.click(app.find(ft.ListTile, "科技园便利店"))
            assert app.shell.detail.name == "profile"
            assert "历史成交品类" in app.texts() and "新建拜访" in app.texts()
        finally:
            app.close()

    run(scenario())


def test_a_display_visit_from_profile_to_saved_with_the_live_panel(tmp_path: Path) -> None:
    store = seeded_store(tmp_path)

    async def scenario() -> None:
        app = await AppHarness(config(store)).start()
        try:
            app.shell.open("profile", customer_id="c1")
            await app.click(app.find(ft.FilledButton, "新建拜访"))
            await app.select(app.find(ft.Dropdown, "拜访动作"), "display_optimization")
            assert "不计为有效拜访" in app.texts()
            for i, slot in enumerate(("门头", "堆头", "价签")):
                button = app.find(ft.OutlinedButton, f"从相册选择 · {slot}")
                click = asyncio.create_task(app.click(button))
                data = fresh_photo(30 + i)
                await app.answer("pick_files", [{"id": 1, "name": "p.jpg", "size": len(data),
                                                 "bytes": data}])  # fmt: skip
                await click
                assert app.errors() == [], slot
            for item in ("排面已整理", "POP物料已张贴"):
                await app.toggle(app.find(ft.Checkbox, item), True)
            far = fix_at(800)
            click = asyncio.create_task(app.click(app.find(ft.OutlinedButton, "获取定位")))
            await app.answer("get_current_position", position(far))
            await click
            texts = " ".join(app.texts())
            assert "> 500 m" in texts and "怎么办：请在门店内重新定位" in texts
            near = fix_at(30)
            click = asyncio.create_task(app.click(app.find(ft.OutlinedButton, "获取定位")))
            await app.answer("get_current_position", position(near))
            await click
            assert "≤ 500 m" in " ".join(app.texts())
            form = app.shell.screens["visit_form"]
            assert form.vm.checklist == {"facing_fixed": True, "pop_placed": True}
            assert form.vm.counts
            await app.click(app.find(ft.FilledButton, "提交（本机保存）"))
            assert app.shell.detail.name == "visit_detail"
            assert app.shell.notice.value == "已保存：本次拜访计为有效拜访。"
            assert store.pending_counts()["visits"] == 1
            assert app.errors() == []
        finally:
            app.close()

    run(scenario())


def test_the_tablet_layout_shows_two_panes_and_a_rail(tmp_path: Path) -> None:
    store = seeded_store(tmp_path)

    async def scenario() -> None:
        app = await AppHarness(config(store), TABLET).start()
        try:
            assert app.page.navigation_bar is None
            assert isinstance(app.shell.nav, ft.NavigationRail)
            await app.click(app.find(ft.ListTile, "南山路店"))
            texts = app.texts()
            assert "共 3 个客户" in texts and "新建拜访" in texts  # list and profile side by side
        finally:
            app.close()

    run(scenario())


def test_switching_to_english_relabels_every_screen(tmp_path: Path) -> None:
    store = seeded_store(tmp_path)

    async def scenario() -> None:
        app = await AppHarness(config(store)).start()
        try:
            app.shell.go_tab("settings")
            await app.select(app.find(ft.Dropdown, "语言"), "en")
            assert "Language" in app.texts() and app.shell.lang == "en"
            app.shell.go_tab("customers")
            assert "3 customers" in app.texts()
        finally:
            app.close()

    run(scenario())


def test_sign_out_is_refused_on_screen_while_work_is_unsynced(tmp_path: Path) -> None:
    store = seeded_store(tmp_path)
    complete_visit(VisitFormVM(store, ACCOUNT, "c1")).submit()

    async def scenario() -> None:
        app = await AppHarness(config(store)).start()
        try:
            app.shell.go_tab("settings")
            await app.click(app.find(ft.OutlinedButton, "退出登录"))
            assert any("还有 1 条记录未同步" in t for t in app.texts())
            assert load_account(store) is not None
            await app.toggle(app.find(ft.Checkbox, "我确认放弃未同步的记录"), True)
            await app.click(app.find(ft.OutlinedButton, "退出登录"))
            assert load_account(store) is None
            assert "首次使用" in app.texts()
        finally:
            app.close()

    run(scenario())


@pytest.mark.parametrize("size", [PHONE, TABLET])
def test_every_screen_renders_with_the_status_bar(
    tmp_path: Path, size: tuple[float, float]
) -> None:
    store = seeded_store(tmp_path)
    out = complete_visit(VisitFormVM(store, ACCOUNT, "c1")).submit()

    async def scenario() -> None:
        app = await AppHarness(config(store), size).start()
        try:
            for tab in ("customers", "visits", "sync", "settings"):
                app.shell.go_tab(tab)
                assert "待同步 1 条拜访 · 3 张照片" in app.texts(), tab
            app.shell.open("visit_detail", visit_id=out.visit_id)
            assert "有效拜访" in app.texts()
            app.shell.open("visit_form", customer_id="c2")
            assert "实时校验" in app.texts()
            assert app.errors() == []
        finally:
            app.close()

    run(scenario())
