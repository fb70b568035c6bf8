"""The touchpoint screen (phone, offline) and the admin screen (tablet, against a live server
and offline) as real Flet controls over the recording connection."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flet as ft
import pytest

from client.app import AppConfig
from client.localdb.store import LocalStore
from client.screens.admin import API_KEY
from client.sync.admin_api import AdminApi
from client.sync.transport import HttpTransport
from sync_server import create_app
from sync_server.seed import DEMO_PASSWORD
from tests.client.screen_support import TABLET, AppHarness
from tests.client.vm_support import seeded_store
from tests.sim.harness import LiveServer, server_config

PDF = b"%PDF-1.4\n" + b"x" * 3000 + b"\n%%EOF\n"


def segmented(app: AppHarness) -> Any:
    return next(c for c in app.all_controls() if isinstance(c, ft.SegmentedButton))


def config(store: LocalStore) -> AppConfig:
    def no_login(*_: str) -> dict[str, Any]:
        raise OSError("offline")

    return AppConfig(store_for=lambda page: store, login=no_login)


def test_a_rep_logs_an_inquiry_a_proposal_and_a_contact_offline(tmp_path: Path) -> None:
    store = seeded_store(tmp_path)

    async def scenario() -> None:
        app = await AppHarness(config(store)).start()
        try:
            app.shell.open("profile", customer_id="c1")
            await app.click(app.find(ft.OutlinedButton, "触点与联系人"))
            assert "还没有记录触点" in app.texts()
            await app.type(app.find(ft.TextField, "内容"), "询价：洗衣液 50 箱")
            await app.click(app.find(ft.FilledButton, "保存（本机"))
            assert "已保存在本机，下次同步时发送" in app.texts()
            assert "询价：洗衣液 50 箱" in app.texts()
            # a proposal: refused without its document, saved with a PDF
            seg = segmented(app)
            app.session.apply_patch(seg._i, {"selected": ["proposal"]})
            await app.event(seg, "change", json.dumps(["proposal"]))
            await app.click(app.find(ft.FilledButton, "保存（本机"))
            assert "方案发送须附上所发送的方案文件" in app.texts()
            click = asyncio.create_task(app.click(app.find(ft.OutlinedButton, "选择方案文件")))
            await app.answer("pick_files", [{"id": 1, "name": "方案.pdf", "size": len(PDF),
                                             "bytes": PDF}])  # fmt: skip
            await click
            assert "已选择：方案.pdf" in app.texts()
            await app.click(app.find(ft.FilledButton, "保存（本机"))
            assert app.errors() == []
            # a contact with their decision role
            await app.type(app.find(ft.TextField, "姓名"), "王副总")
            await app.select(app.find(ft.Dropdown, "决策角色"), "vp")
            await app.click(app.find(ft.OutlinedButton, "添加联系人"))
            texts = app.texts()
            assert "王副总" in texts and any("副总 · 待同步" in t for t in texts)
            entries = store.pending_changes()
            assert [e.record_type for e in entries] == ["touchpoint", "touchpoint", "contact"]
            assert entries[1].payload["kind"] == "proposal"
            assert entries[1].payload["attachment"]["filename"] == "方案.pdf"
            assert entries[2].payload["role"] == "vp"
        finally:
            app.close()

    asyncio.run(scenario())


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    app = create_app(server_config(tmp_path / "server", OCR_ENABLED=False))
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    server = LiveServer(app)
    try:
        yield server
    finally:
        server.stop()


def _admin_api(server: LiveServer) -> AdminApi:
    t = HttpTransport(server.url)
    token = t.login("demo", "admin1", DEMO_PASSWORD, "admin-tablet", "tablet")["token"]
    return AdminApi(HttpTransport(server.url, token))


def test_an_admin_edits_thresholds_and_sees_users_on_a_tablet(
    tmp_path: Path, live: LiveServer
) -> None:
    store = seeded_store(tmp_path)
    api = _admin_api(live)

    async def scenario() -> None:
        app = await AppHarness(config(store), size=TABLET).start()
        try:
            app.shell.screens_state[API_KEY] = lambda: api
            app.shell.open("admin")
            texts = app.texts()
            assert "管理功能需要联网；离线时无法查看或修改。" in texts and "拜访校验阈值" in texts
            await app.type(app.find(ft.TextField, "门店距离半径（米）"), "320")
            await app.select(app.find(ft.Dropdown, "工作时间"), "warn")
            await app.click(app.find(ft.FilledButton, "保存"))
            assert "已保存，设备下次同步时生效" in app.texts()
            assert api.org_settings()["radius_m"] == 320.0
            assert api.org_settings()["severities"]["time.work_hours"] == "warn"
            seg = segmented(app)
            app.session.apply_patch(seg._i, {"selected": ["users"]})
            await app.event(seg, "change", json.dumps(["users"]))
            texts = app.texts()
            assert any("(rep1)" in t for t in texts) and "设备" in texts
            assert app.errors() == []
            # offline now (nothing listens on port 9): the screen says so plainly
            dead = AdminApi(HttpTransport("http://127.0.0.1:9", "token"))
            app.shell.screens_state[API_KEY] = lambda: dead
            app.shell.screens_state.pop("admin_vm_users", None)
            app.shell.render()
            assert "连不上服务器：管理功能需要联网，请联网后重试。" in app.texts()
        finally:
            app.close()

    asyncio.run(scenario())
