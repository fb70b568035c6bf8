"""The ticket screens' real Flet controls on a page over a recording connection."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import flet as ft

from client.app import AppConfig
from client.localdb.store import LocalStore
from client.screens.tickets import API_KEY
from client.sync.tickets_api import TicketsApi
from client.sync.transport import HttpTransport
from shared.changes import IncomingChange, Op, RecordType
from tests.client.screen_support import TABLET, AppHarness
from tests.client.test_vm_tickets_detail import SIMILAR, answered, reported
from tests.client.vm_support import ORG, seeded_store
from tests.support.photos import make_jpeg


def config(store: LocalStore) -> AppConfig:
    def no_login(*_: str) -> dict[str, Any]:
        raise OSError("offline")

    return AppConfig(store_for=lambda page: store, login=no_login)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_a_rep_reports_a_problem_with_a_photo_from_the_tickets_tab(tmp_path: Path) -> None:
    store = seeded_store(tmp_path)

    async def scenario() -> None:
        app = await AppHarness(config(store)).start()
        try:
            app.shell.go_tab("tickets")
            assert "还没有工单" in app.texts()
            await app.click(app.find(ft.FilledButton, "报告问题"))
            await app.click(app.find(ft.FilledButton, "提交工单（本机保存）"))
            assert "请选择问题类型" in app.texts()
            await app.select(app.find(ft.Dropdown, "问题类型"), "policy")
            await app.select(app.find(ft.Dropdown, "根因类别"), "policy.vbp_pricing")
            await app.select(app.find(ft.Dropdown, "具体根因"), "policy.vbp_pricing.price_cap")
            await app.type(app.find(ft.TextField, "问题描述"), "集采限价低于我方报价")
            await app.type(app.find(ft.TextField, "片区"), "南山")
            await app.select(app.find(ft.Dropdown, "影响范围"), "district")
            data = make_jpeg(480, 360, seed=3)
            click = asyncio.create_task(
                app.click(app.find(ft.OutlinedButton, "从相册选择证据照片"))
            )
            await app.answer("pick_files", [{"id": 1, "name": "p.jpg", "size": len(data),
                                             "bytes": data}])  # fmt: skip
            await click
            assert "证据照片 1/5" in app.texts()
            await app.click(app.find(ft.FilledButton, "提交工单（本机保存）"))
            assert app.errors() == []
            texts = app.texts()
            assert "工单已保存在本机，下次同步时上报" in texts
            assert "集采限价低于我方报价" in texts  # listed under my tickets
            [entry] = store.pending_changes()
            assert entry.payload["impact_scope"] == "district"
            assert entry.payload["scenario"]["district"] == "南山"
            assert len(entry.payload["evidence"]["photos"]) == 1
        finally:
            app.close()

    run(scenario())


def test_the_detail_on_a_tablet_shows_the_answer_ocr_similar_and_takes_a_reopen(
    tmp_path: Path,
) -> None:
    store = seeded_store(tmp_path)
    t = reported(store)
    change = IncomingChange(server_seq=9, record_type=RecordType.TICKET, record_id=t.id,
                            op=Op.CREATE, payload=answered(t), report=SIMILAR)  # fmt: skip
    store.apply_pulled_changes([change], org_id=ORG, cursor=9)

    async def scenario() -> None:
        app = await AppHarness(config(store), TABLET).start()
        try:
            app.shell.go_tab("tickets")
            await app.click(app.find(ft.ListTile, "集采最高有效申报价"))
            texts = app.texts()
            expected_texts = (
                "标准应答话术",
                "不得低于公司批准底价报价。",
                "最高有效申报价 12.50 元",
                "→ 按底价执行",
                "请附招标编号",
                "问题已解决",
            )
            for expected in expected_texts:
                assert any(expected in x for x in texts), expected
            assert app.page.navigation_bar is None  # tablet: the rail, list and detail panes
            await app.click(app.find(ft.OutlinedButton, "答复没有帮助，重新打开"))
            assert "请说明答复为什么没有帮助" in app.texts()
            await app.type(app.find(ft.TextField, "没有帮助的原因"), "医院不接受")
            await app.click(app.find(ft.OutlinedButton, "答复没有帮助，重新打开"))
            assert any("待同步：已分派" in x for x in app.texts())
            assert app.errors() == []
        finally:
            app.close()

    run(scenario())


def test_a_manager_offline_sees_the_triage_queue_say_it_needs_the_server(tmp_path: Path) -> None:
    store = seeded_store(tmp_path)
    store.set_meta("session.user", json.dumps({"id": "rep1", "role": "manager"}))

    def offline() -> TicketsApi:
        return TicketsApi(HttpTransport("http://127.0.0.1:9", "t", connect_timeout=0.5))

    async def scenario() -> None:
        app = await AppHarness(config(store)).start()
        try:
            app.shell.screens_state[API_KEY] = offline
            app.shell.go_tab("tickets")
            seg = next(c for c in app.all_controls() if isinstance(c, ft.SegmentedButton))
            assert [s.value for s in seg.segments] == ["mine", "triage", "board"]
            app.session.apply_patch(seg._i, {"selected": ["triage"]})
            await app.event(seg, "change", ["triage"])
            assert any("此功能需要联网" in x for x in app.texts())
            app.shell.screens_state["tickets_view"] = "board"
            app.shell.render()
            assert any("此功能需要联网" in x for x in app.texts())
            assert app.errors() == []
        finally:
            app.close()

    run(scenario())


def test_a_manager_answers_from_the_triage_queue_and_sees_the_board(tmp_path: Path) -> None:
    from client.sync.engine import SyncEngine
    from client.sync.session import TOKEN_KEY
    from client.viewmodels.account import Account, save_account
    from client.viewmodels.tickets import ReportTicketVM
    from sync_server.tickets_seed import seed_ticket_config
    from tests.sim.harness import FlaskTransport, make_world, new_device

    world = make_world(tmp_path / "server")
    seed_ticket_config(world.storage, world.org_id, owner_id=world.users["mgr1"])
    rep = new_device(world, tmp_path / "rep.db", "rep1")
    rep_wire = FlaskTransport(world.client(), lambda: rep.get_meta(TOKEN_KEY))
    assert SyncEngine(rep, rep_wire).sync().error is None
    vm = ReportTicketVM(rep, world.org_id, world.users["rep1"], customer_id="rep1-c0")
    vm.set_type("product")
    vm.text = "包装破损，客户要求退货"
    assert vm.submit() is not None
    assert SyncEngine(rep, rep_wire).sync().error is None
    mgr = new_device(world, tmp_path / "mgr.db", "mgr1")
    save_account(mgr, Account(server_url="http://server.test", org="acme", org_id=world.org_id,
                              rep_id=world.users["mgr1"], username="mgr1"))  # fmt: skip
    mgr_wire = FlaskTransport(world.client(), lambda: mgr.get_meta(TOKEN_KEY))

    async def scenario() -> None:
        app = await AppHarness(config(mgr)).start()
        try:
            app.shell.screens_state[API_KEY] = lambda: TicketsApi(mgr_wire)
            app.shell.screens_state["tickets_view"] = "triage"
            app.shell.go_tab("tickets")
            await app.click(app.find(ft.ListTile, "包装破损"))
            await app.click(app.find(ft.FilledButton, "发送答复"))
            assert "请填写答复内容或选择一条话术" in app.texts()
            await app.type(
                app.find(ft.TextField, "答复内容"), "请按退货流程提交，物流已安排上门取件。"
            )
            await app.click(app.find(ft.FilledButton, "发送答复"))
            assert "已答复，上报人同步后即可看到" in app.texts()
            assert "没有待处理的工单" in app.texts()
            app.shell.screens_state["tickets_view"] = "board"
            app.shell.render()
            assert any(x.startswith("产品：1 单 · 已送达 0") for x in app.texts())
            assert app.errors() == []
        finally:
            app.close()

    run(scenario())
