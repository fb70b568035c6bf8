"""The video button of the report screen and the admins' answer-script and routing-rule
editors: real Flet controls on a page over the recording connection, the real server behind
the REST client (Flask in-process)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import flet as ft

from client.screens.tickets import API_KEY
from client.sync.session import TOKEN_KEY
from client.sync.tickets_api import TicketsApi
from client.viewmodels.account import Account, save_account
from sync_server import admin_ops
from sync_server.tickets_seed import seed_ticket_config
from sync_server.tickets_store import get_document, load_config
from tests.client.screen_support import AppHarness
from tests.client.test_screens_tickets import config, run
from tests.client.vm_support import seeded_store
from tests.sim.harness import PASSWORD, FlaskTransport, World, make_world, new_device
from tests.support.videos import make_mp4

VOLUME_RULES = "policy.vbp_pricing.volume_rules"


def test_a_rep_attaches_one_video_with_the_file_picker_and_saves_the_report(
    tmp_path: Path,
) -> None:
    store = seeded_store(tmp_path)
    video = make_mp4(12.0, media_bytes=3000)

    async def scenario() -> None:
        app = await AppHarness(config(store)).start()
        try:
            app.shell.go_tab("tickets")
            await app.click(app.find(ft.FilledButton, "报告问题"))
            await app.select(app.find(ft.Dropdown, "问题类型"), "competitor")
            await app.type(app.find(ft.TextField, "问题描述"), "竞品买断陈列")
            assert any("或 1 段视频（最长 60 秒，最大 50 MB）" in t for t in app.texts())
            click = asyncio.create_task(app.click(app.find(ft.OutlinedButton, "选择视频")))
            await app.answer("pick_files", [{"id": 1, "name": "v.mp4", "size": len(video),
                                             "bytes": video}])  # fmt: skip
            await click
            assert "证据视频 12 秒 · 0.0 MB" in app.texts()
            await app.click(app.find(ft.FilledButton, "提交工单（本机保存）"))
            assert app.errors() == []
            assert "工单已保存在本机，下次同步时上报" in app.texts()
            [entry] = store.pending_changes()
            assert entry.payload["evidence"]["video"]["duration_s"] == 12.0
        finally:
            app.close()

    run(scenario())


def admin_world(tmp_path: Path) -> tuple[World, Any, TicketsApi]:
    world = make_world(tmp_path / "server", OCR_ENABLED=False)
    admin = admin_ops.create_user(world.storage, world.app.config, world.org_id, "admin1",
                                  PASSWORD, "admin", "")  # fmt: skip
    seed_ticket_config(world.storage, world.org_id, owner_id=world.users["mgr1"])
    store = new_device(world, tmp_path / "admin.db", "admin1")
    save_account(store, Account(server_url="http://server.test", org="acme", org_id=world.org_id,
                                rep_id=admin.id, username="admin1"))  # fmt: skip
    wire = FlaskTransport(world.client(), lambda: store.get_meta(TOKEN_KEY))
    return world, store, TicketsApi(wire)


def test_an_admin_writes_a_script_and_attaches_a_document_on_the_screen(tmp_path: Path) -> None:
    world, store, api = admin_world(tmp_path)
    doc = "带量分配规则：按上一年度实际用量分配。".encode()

    async def scenario() -> None:
        app = await AppHarness(config(store)).start()
        try:
            app.shell.screens_state[API_KEY] = lambda: api
            app.shell.screens_state["tickets_view"] = "admin"
            app.shell.screens_state["tickets_admin_part"] = "kb"
            app.shell.go_tab("tickets")
            assert "（无话术）" in app.texts()
            await app.click(app.find(ft.TextButton, "编辑话术: 约定采购量分配规则"))
            await app.click(app.find(ft.OutlinedButton, "附加政策文件"))
            assert any("请先保存这条根因的话术" in t for t in app.texts())
            await app.type(app.find(ft.TextField, "话术（中文）"), "带量按医院历史用量分配。")
            await app.click(app.find(ft.FilledButton, "保存话术"))
            assert any("请填写中文和英文话术" in t for t in app.texts())
            await app.type(app.find(ft.TextField, "话术（英文）"), "Volume follows usage.")
            await app.click(app.find(ft.FilledButton, "保存话术"))
            assert "已保存到服务器，各设备同步后生效" in app.texts()
            assert "带量按医院历史用量分配。" in app.texts()
            await app.type(app.find(ft.TextField, "文件标题（中文）"), "带量分配规则")
            click = asyncio.create_task(app.click(app.find(ft.OutlinedButton, "附加政策文件")))
            await app.answer("pick_files", [{"id": 1, "name": "rules.txt", "size": len(doc),
                                             "bytes": doc}])  # fmt: skip
            await click
            assert "政策文件：带量分配规则" in app.texts()
            assert app.errors() == []
        finally:
            app.close()

    run(scenario())
    script = load_config(world.storage, world.org_id).kb.script_for(VOLUME_RULES)
    assert script is not None and script.text_en == "Volume follows usage."
    [d] = script.documents
    assert (d.title_zh, d.title_en, d.mime) == ("带量分配规则", "rules.txt", "text/plain")
    assert get_document(world.storage, world.org_id, d.sha256)[0] == doc


def test_an_admin_adds_edits_and_removes_a_routing_rule_on_the_screen(tmp_path: Path) -> None:
    world, store, api = admin_world(tmp_path)
    rep2 = world.users["rep2"]

    def rules() -> list[Any]:
        return list(load_config(world.storage, world.org_id).table.rules)

    async def scenario() -> None:
        app = await AppHarness(config(store)).start()
        try:
            app.shell.screens_state[API_KEY] = lambda: api
            app.shell.screens_state["tickets_view"] = "admin"
            app.shell.screens_state["tickets_admin_part"] = "routing"
            app.shell.go_tab("tickets")
            texts = app.texts()
            assert any(t.startswith("政策 · 任意 · 任意 → ") for t in texts)
            assert any(t.startswith("兜底责任人：") for t in texts)
            await app.select(app.find(ft.Dropdown, "问题类型"), "product")
            await app.type(app.find(ft.TextField, "省份"), "广东省")
            await app.type(app.find(ft.TextField, "责任人用户编号"), "nobody")
            await app.click(app.find(ft.FilledButton, "保存规则"))
            assert "责任人不存在" in app.texts() and rules()[0].id == "policy-all"
            await app.type(app.find(ft.TextField, "责任人用户编号"), rep2)
            await app.type(app.find(ft.TextField, "规则时限"), "24")
            await app.click(app.find(ft.FilledButton, "保存规则"))
            assert app.errors() == []
            [new] = [r for r in rules() if r.id != "policy-all"]
            assert (new.province, new.owner_id, new.deadline_hours) == ("广东省", rep2, 24)
            assert f"产品 · 广东省 · 任意 → {rep2} · 24 小时" in app.texts()
            await app.click(app.find(ft.TextButton, f"编辑 {new.id}"))
            assert f"编辑规则 {new.id}" in app.texts()
            await app.type(app.find(ft.TextField, "片区"), "南山区")
            await app.click(app.find(ft.FilledButton, "保存规则"))
            assert [r.district for r in rules() if r.id == new.id] == ["南山区"]
            await app.click(app.find(ft.TextButton, "删除 policy-all"))
            assert [r.id for r in rules()] == [new.id]
            assert "规则已删除" in app.texts()
        finally:
            app.close()

    run(scenario())
