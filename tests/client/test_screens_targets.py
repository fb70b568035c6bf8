"""The targets screens' real Flet controls on a page over a recording connection: "My goals" on a
phone, the manager's board / heat map / radar / drill-down on a tablet, exports."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path
from typing import Any

import flet as ft
import flet_charts as fch
import pytest

from client.app import AppConfig
from client.localdb.store import LocalStore
from client.materials import fetch_delivered
from client.screens.targets_board import API_KEY
from client.sync.targets_api import TargetsApi
from client.sync.transport import HttpTransport
from tests.client.screen_support import PHONE, TABLET, AppHarness
from tests.client.targets_records import MATERIAL, MATERIAL_SHA, fill
from tests.client.test_vm_targets import Bytes
from tests.client.vm_support import seeded_store


def config(store: LocalStore) -> AppConfig:
    def no_login(*_: str) -> dict[str, Any]:
        raise OSError("offline")

    return AppConfig(store_for=lambda page: store, login=no_login)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def as_manager(store: LocalStore) -> None:
    store.set_meta("session.user", json.dumps({"id": "rep1", "role": "manager"}))


def board_names(app: AppHarness) -> list[str]:
    table = next(c for c in app.all_controls() if isinstance(c, ft.DataTable))
    return [row.cells[0].content.value for row in table.rows]


def test_a_rep_sees_my_goals_on_a_phone_and_opens_a_material_offline(tmp_path: Path) -> None:
    store = seeded_store(tmp_path)
    fill(store)
    fetch_delivered(store, Bytes({MATERIAL_SHA: MATERIAL}))  # as after a sync

    async def scenario() -> None:
        app = await AppHarness(config(store), PHONE).start()
        try:
            app.shell.go_tab("goals")
            texts = app.texts()
            for expected in ("我的目标", "存量健康度", "增量穿透力", "黄灯", "下一步怎么做",
                             "推送给我的资料", "老客户平均复购 2 次（目标 2.3 次）"):  # fmt: skip
                assert any(expected in x for x in texts), expected
            labels = [c.label for c in app.all_controls() if isinstance(c, ft.Semantics)]
            assert "存量健康度：黄灯" in labels  # the light is read out, not only coloured
            await app.click(app.find(ft.OutlinedButton, "打开 · 社区医疗竞品攻坚包"))
            assert app.errors() == []
            texts = app.texts()
            assert any(x.startswith("社区医疗竞品攻坚包\n竞品对比") for x in texts)
            assert any("local.db.materials" in x and x.startswith("已保存到本机") for x in texts)
            assert app.page.appbar.title.value == "推送给我的资料"  # phone: one pane with Back
            await app.click(app.find(ft.TextButton, "返回"))
            assert app.shell.detail is None
        finally:
            app.close()

    run(scenario())


def test_a_manager_sorts_the_team_board_and_drills_into_a_number_on_a_tablet(
    tmp_path: Path,
) -> None:
    store = seeded_store(tmp_path)
    fill(store)
    as_manager(store)

    async def scenario() -> None:
        app = await AppHarness(config(store), TABLET).start()
        try:
            app.shell.lang = "en"
            app.shell.go_tab("goals")
            assert board_names(app) == ["李雷", "王强", "韩梅梅"]  # worst stock light first
            table = next(c for c in app.all_controls() if isinstance(c, ft.DataTable))
            touch = table.columns[6]
            await app.event(touch, "sort", {"ci": 6, "asc": True})
            assert board_names(app) == ["王强", "李雷", "韩梅梅"]  # 0, 6, 12 touchpoints
            table = next(c for c in app.all_controls() if isinstance(c, ft.DataTable))
            assert (table.sort_column_index, table.sort_ascending) == (6, True)
            await app.event(table.columns[6], "sort", {"ci": 6, "asc": False})
            assert board_names(app) == ["韩梅梅", "李雷", "王强"]
            table = next(c for c in app.all_controls() if isinstance(c, ft.DataTable))
            rep1 = next(r for r in table.rows if r.cells[0].content.value == "李雷")
            await app.event(rep1.cells[2], "tap")  # the stock value 2.0
            assert app.errors() == []
            texts = app.texts()
            assert "李雷 · Existing-customer health · 2025-03" in texts
            assert "科技园便利店" in texts  # the customer behind the 0
            # tablet: the board stays beside the drill-down
            assert any(isinstance(c, ft.DataTable) for c in app.all_controls())
        finally:
            app.close()

    run(scenario())


def test_the_heat_map_and_the_radar_render_from_synced_data(tmp_path: Path) -> None:
    store = seeded_store(tmp_path)
    fill(store)
    as_manager(store)

    async def scenario() -> None:
        app = await AppHarness(config(store), TABLET).start()
        try:
            app.shell.screens_state["targets_view"] = "heatmap"
            app.shell.screens_state["targets_heatmap"] = {
                "by": "district",
                "day": date(2025, 3, 28),
            }
            app.shell.go_tab("goals")
            labels = [c.label for c in app.all_controls() if isinstance(c, ft.Semantics)]
            assert "南山 67%" in labels and "福田 无试用" in labels
            assert "2025-03-28 至 2025-03-28" in app.texts()
            week = next(c for c in app.all_controls() if isinstance(c, ft.SegmentedButton)
                        and [s.value for s in c.segments] == ["day", "week"])  # fmt: skip
            app.session.apply_patch(week._i, {"selected": ["week"]})
            await app.event(week, "change", None)
            labels = [c.label for c in app.all_controls() if isinstance(c, ft.Semantics)]
            assert "南山 83%" in labels  # 5/6 over the week
            cell = next(c for c in app.all_controls()
                        if isinstance(c, ft.Semantics) and c.label == "南山 83%")  # fmt: skip
            await app.click(cell.content)
            assert "拜访 7 · 真实 6 · 新品试用 6 · 转化 5" in app.texts()
            app.shell.screens_state["targets_view"] = "radar"
            app.shell.go_tab("goals")
            [radar] = [c for c in app.all_controls() if isinstance(c, fch.RadarChart)]
            assert [t.text for t in radar.titles] == ["新能源", "社区医疗", "餐饮连锁"]
            assert [e.value for e in radar.data_sets[0].entries] == [50.0, 50.0, 100.0]
            assert app.errors() == []
        finally:
            app.close()

    run(scenario())


def test_offline_an_export_says_it_needs_a_connection_and_saves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "docs"
    monkeypatch.setenv("FIELDLEDGER_DOCUMENTS", str(docs))
    store = seeded_store(tmp_path)
    fill(store)
    as_manager(store)

    async def scenario() -> None:
        app = await AppHarness(config(store), TABLET).start()
        try:
            app.shell.screens_state[API_KEY] = lambda: TargetsApi(
                HttpTransport("http://127.0.0.1:9", "t")
            )
            app.shell.go_tab("goals")
            await app.click(app.find(ft.FilledButton, "导出看板 Excel"))
            assert "连不上服务器：导出需要联网，未保存任何文件。" in app.texts()
            assert not docs.exists()
        finally:
            app.close()

    run(scenario())


def test_a_manager_saves_the_board_and_a_district_report_from_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from client.sync.session import TOKEN_KEY
    from tests.sim.harness import FlaskTransport, make_world, new_device

    docs = tmp_path / "docs"
    monkeypatch.setenv("FIELDLEDGER_DOCUMENTS", str(docs))
    world = make_world(tmp_path / "server")
    mgr = new_device(world, tmp_path / "mgr.db", "mgr1")
    from client.viewmodels.account import Account, save_account

    save_account(mgr, Account(server_url="http://server.test", org="acme", org_id=world.org_id,
                              rep_id=world.users["mgr1"], username="mgr1"))  # fmt: skip
    wire = FlaskTransport(world.client(), lambda: mgr.get_meta(TOKEN_KEY))
    fill(mgr)

    async def scenario() -> None:
        app = await AppHarness(config(mgr), TABLET).start()
        try:
            app.shell.screens_state[API_KEY] = lambda: TargetsApi(wire)
            app.shell.go_tab("goals")
            await app.click(app.find(ft.FilledButton, "导出看板 Excel"))
            saved = docs / "team-board-2025-03-31.xlsx"
            assert f"已保存到：{saved}" in app.texts()
            assert saved.read_bytes()[:2] == b"PK"  # an XLSX is a zip
            # the district report: no customers of this manager in 南山 -> the server says so
            await app.click(app.find(ft.OutlinedButton, "下载区域诊断报告 PDF"))
            texts = app.texts()
            assert any("该区域没有您可查看的客户" in x for x in texts)
            assert app.errors() == []
        finally:
            app.close()

    run(scenario())
