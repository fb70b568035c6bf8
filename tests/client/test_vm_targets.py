"""The targets view-models on a real LocalStore filled through the real pull path, with
hand-made records whose expected numbers are worked out here (tests/client/targets_records.py)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from client.materials import MaterialCache, delivered_refs, fetch_delivered
from client.sync.targets_api import TargetsOffline
from client.viewmodels.targets import MyGoalsVM
from client.viewmodels.targets_board import TeamBoardVM
from client.viewmodels.targets_drill import DrillDownVM
from client.viewmodels.targets_heatmap import HeatMapVM
from client.viewmodels.targets_radar import RadarVM
from shared.changes import IncomingChange, Op, RecordType
from tests.client.targets_records import MATERIAL, MATERIAL_SHA, fill
from tests.client.vm_support import ORG, seeded_store
from tests.support.factories import local, make_visit


class Bytes:
    """A ContentSource answering from a dict (what the server would send for each hash)."""

    def __init__(self, answers: dict[str, bytes | Exception]) -> None:
        self.answers, self.calls = answers, 0

    def material_content(self, sha256: str) -> bytes:
        self.calls += 1
        got = self.answers[sha256]
        if isinstance(got, Exception):
            raise got
        return got


def goals(tmp_path: Path) -> MyGoalsVM:
    store = seeded_store(tmp_path)
    fill(store)
    vm = MyGoalsVM(store, ORG, "rep1", MaterialCache.for_store(store))
    vm.load()
    return vm


def test_my_goals_shows_both_lights_with_the_numbers_behind_them(tmp_path: Path) -> None:
    vm = goals(tmp_path)
    assert vm.stock is not None and vm.increment is not None
    # stock: the latest MONTH snapshot (official), not the later week's preview (1.8 red)
    assert (vm.stock.light, vm.stock.value, vm.stock.official) == ("yellow", 2.0, True)
    assert vm.stock.headline.text("zh") == "老客户平均复购 2 次（目标 2.3 次）"
    assert vm.stock.facts[1].text("en") == (
        "3 existing customers (1 new or never ordered, not counted)"
    )
    # increment: the latest WEEK snapshot, median of {40, 75} = 57.5, one overdue -> yellow
    assert (vm.increment.light, vm.increment.value) == ("yellow", 57.5)
    assert vm.increment.facts[0].text("zh") == "新行业客户 3 家，未成交 2 家，超期 1 家"
    # business figures of the week: 3 real of 4 visits, 2 of 3 explicit
    assert dict(vm.business)["tg.col.real_rate"] == "75%"
    assert dict(vm.business)["tg.col.explicitness"] == "67%"


def test_what_to_do_next_names_the_customers_in_plain_words(tmp_path: Path) -> None:
    steps = [m.text("zh") for m in goals(tmp_path).next_steps]
    # 3 customers x 2.3 = 6.9 order days needed, 3 + 0 + 3 = 6 -> about 1 more
    assert steps[0] == "3 家老客户还需约 1 次复购（统计到 2025-03-31）才能达标。"
    # only customers below 2.3 are named: 科技园便利店 (c2) with 0
    assert steps[1] == "先回访复购最少的老客户：科技园便利店(0)"
    assert steps[2] == "福田华强超市（社区医疗）首访已 75 天仍未成交：用竞品攻坚包重点攻坚。"
    assert steps[3] == "科技园便利店 还有 18 天到期，尽快推动首单。"  # 68 - 50
    assert steps[4].startswith("有资料尚待管理员上传")  # the pending delivery


def test_a_green_rep_is_told_to_keep_going_and_a_rep_without_data_sees_none(
    tmp_path: Path,
) -> None:
    store = seeded_store(tmp_path)
    fill(store, deliveries=False)
    rep2 = MyGoalsVM(store, ORG, "rep2")
    rep2.load()
    assert rep2.next_steps[0].text("en").startswith("Existing customers buy again often enough")
    nobody = MyGoalsVM(store, ORG, "rep9")
    nobody.load()
    assert nobody.empty and nobody.next_steps == []


def test_delivered_materials_are_fetched_once_checked_by_hash_and_open_offline(
    tmp_path: Path,
) -> None:
    vm = goals(tmp_path)
    store = vm.store
    assert list(delivered_refs(store)) == [MATERIAL_SHA]  # the pending delivery lists none
    [pack] = [d for d in vm.deliveries if not d.pending]
    assert pack.materials[0].on_device is False
    assert vm.open_material(MATERIAL_SHA) is None and vm.error is not None
    # a server sending other bytes than the hash names: nothing is kept
    bad = fetch_delivered(store, Bytes({MATERIAL_SHA: b"tampered"}))
    assert bad.downloaded == [] and MATERIAL_SHA in bad.failed
    api = Bytes({MATERIAL_SHA: MATERIAL})
    got = fetch_delivered(store, api)
    assert got.downloaded == [MATERIAL_SHA]
    again = fetch_delivered(store, api)
    assert (again.already, api.calls) == (1, 1)  # kept: not downloaded twice
    blob = tmp_path / "device" / "local.db.materials" / MATERIAL_SHA[:2] / MATERIAL_SHA
    assert hashlib.sha256(blob.read_bytes()).hexdigest() == MATERIAL_SHA
    vm.load()
    opened = vm.open_material(MATERIAL_SHA)
    assert opened is not None and opened.text is not None
    assert opened.text.startswith("社区医疗竞品攻坚包")
    assert opened.path.suffix == ".txt" and opened.path.read_bytes() == MATERIAL
    blob.write_bytes(b"damaged on disk")  # a damaged copy is refused, not shown
    assert vm.open_material(MATERIAL_SHA) is None
    assert vm.error is not None and "损坏" in vm.error.text("zh")


def test_offline_the_fetch_stops_and_says_so(tmp_path: Path) -> None:
    vm = goals(tmp_path)
    report = fetch_delivered(vm.store, Bytes({MATERIAL_SHA: TargetsOffline("down")}))
    assert report.offline and report.downloaded == []


def test_the_team_board_sorts_by_any_column_with_nothing_to_judge_last(tmp_path: Path) -> None:
    store = seeded_store(tmp_path)
    fill(store)
    vm = TeamBoardVM(store)
    vm.load()
    names = lambda: [r.rep_name for r in vm.rows]  # noqa: E731
    assert (vm.month_key, vm.week_key) == ("2025-03", "2025-W13")
    assert names() == ["李雷", "王强", "韩梅梅"]  # stock: yellow, grey, green (worst first)
    row1 = next(r for r in vm.rows if r.rep_id == "rep1")
    # stock from the month (2.0), increment from the week (57.5), business of the month (6)
    assert (row1.values["stock_value"], row1.values["increment_value"]) == (2.0, 57.5)
    assert row1.values["touchpoints"] == 6 and row1.values["overdue"] == 1
    vm.sort("increment_light", True)
    assert names() == ["韩梅梅", "李雷", "王强"]  # red, yellow, grey
    vm.sort("touchpoints", False)
    assert names() == ["韩梅梅", "李雷", "王强"]  # 12, 6, 0
    vm.sort("explicitness", True)
    assert names() == ["李雷", "韩梅梅", "王强"]  # 0.6667, 1.0, then None last
    vm.sort("explicitness", False)
    assert names() == ["韩梅梅", "李雷", "王强"]  # None stays last
    assert vm.light_counts("stock_light") == {"red": 0, "yellow": 1, "green": 1, "grey": 1}
    assert vm.latest_month_end == date(2025, 3, 31)


def test_the_heat_map_sums_counts_and_recomputes_rates(tmp_path: Path) -> None:
    store = seeded_store(tmp_path)
    fill(store)
    vm = HeatMapVM(store, ORG, by="district")
    vm.load(today=date(2025, 3, 29))  # default: yesterday
    assert vm.day == date(2025, 3, 28)
    by = {c.key: c for c in vm.cells}
    # 南山 on 28 Mar: c1 1/2 + c2 1/1 = 2/3; 福田 had no trial -> nothing to judge
    assert (by["南山"].numerator, by["南山"].denominator) == (2, 3)
    assert abs((by["南山"].value or 0) - 2 / 3) < 1e-9
    assert by["福田"].value is None and by["福田"].shade is None
    vm.set(span="week")  # week ending Sunday 30 Mar: 28 + 29 Mar
    assert (vm.first_day, vm.last_day) == (date(2025, 3, 24), date(2025, 3, 30))
    nanshan = vm.cell("南山")
    assert nanshan is not None
    # 2+3 converted of 3+3 trials = 5/6 (the mean of the day rates would be (2/3 + 1)/2)
    assert (nanshan.numerator, nanshan.denominator) == (5, 6)
    vm.set(by="store", district="南山", metric="visits")
    assert [(c.label, c.value) for c in vm.cells] == [("南山路店", 6.0), ("科技园便利店", 1.0)]
    assert vm.cells[0].shade == 1.0  # the largest count is the darkest
    total = vm.total()
    assert total.value == 7.0
    vm.set(span="day")
    vm.move(-1)
    assert vm.day == date(2025, 3, 27) and vm.cells == []


def test_the_radar_compares_industries_across_the_team(tmp_path: Path) -> None:
    store = seeded_store(tmp_path)
    fill(store)
    vm = RadarVM(store)
    vm.load()
    rows = {r.industry: r for r in vm.rows}
    assert list(rows) == ["新能源", "社区医疗", "餐饮连锁"] and vm.radar_fits
    # 社区医疗: rep1's c1 closed in 40 days (in the window), c3 open and overdue
    med = rows["社区医疗"]
    assert (med.cases, med.closed_in_window, med.open, med.overdue) == (2, 1, 1, 1)
    assert med.median_days == 40.0 and med.on_target_rate == 1.0
    assert med.series("closed_share") == 50.0 and med.series("not_overdue") == 50.0
    # 新能源: rep1's c2 open (not overdue), rep2's n2 closed in 90 days (over 68)
    new_energy = rows["新能源"]
    assert (new_energy.cases, new_energy.closed_in_window, new_energy.open) == (2, 1, 1)
    assert new_energy.on_target_rate == 0.0 and new_energy.rep_ids == ("rep1", "rep2")


def test_drill_down_from_a_stock_number_lists_customers_and_the_visits_behind(
    tmp_path: Path,
) -> None:
    store = seeded_store(tmp_path)
    fill(store)
    inside = make_visit(local(2025, 2, 12), id="v-in", customer_id="c2", rep_id="rep1")
    outside = make_visit(local(2024, 12, 20), id="v-out", customer_id="c2", rep_id="rep1")
    other_store = make_visit(local(2025, 2, 13), id="v-c9", customer_id="c9", rep_id="rep1")
    store.apply_pulled_changes(
        [
            IncomingChange(server_seq=100 + i, record_type=RecordType.VISIT, record_id=v.id,
                           op=Op.CREATE, payload=v.model_dump(mode="json"))
            for i, v in enumerate((inside, outside, other_store))
        ],
        org_id=ORG,
        cursor=103,
    )  # fmt: skip
    vm = DrillDownVM(store, ORG, "stock", "ts-rep1-2025-03")
    vm.load()
    assert vm.title.text("zh") == "李雷 · 存量健康度 · 2025-03"
    assert [(r.title, r.flag) for r in vm.rows] == [
        ("科技园便利店", "bad"), ("南山路店", ""), ("福田华强超市", ""),
    ]  # fmt: skip
    assert vm.rows[0].detail.text("zh") == "统计期内下单 0 天（同日多单算一次）"
    # window 1 Jan .. 31 Mar: only the February visit to one of these customers
    assert [r.visit_id for r in vm.visits] == ["v-in"]
    assert vm.visits[0].detail.text("zh") == "陈列优化 · 计入"
    inc = DrillDownVM(store, ORG, "increment", "ts-rep1-2025-W13")
    inc.load()
    assert inc.rows[0].title == "福田华强超市" and inc.rows[0].flag == "bad"
    assert (
        inc.rows[0].detail.text("en") == "社区医疗 · first visit 2025-01-14, no order for 75 days"
    )
    cell = DrillDownVM(store, ORG, "district", "南山", date(2025, 3, 28), date(2025, 3, 28))
    cell.load()
    assert cell.summary[0].text("zh") == "拜访 4 · 真实 3 · 新品试用 3 · 转化 2"
    industry = DrillDownVM(store, ORG, "industry", "新能源")
    industry.load()
    assert sorted(r.title for r in industry.rows) == ["n2", "科技园便利店"]
