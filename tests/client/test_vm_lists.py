"""Customer list, customer profile, my visits and visit detail view-models on a real store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from client.localdb.prefill import OrderRow
from client.localdb.store import LocalStore
from client.viewmodels.customers import CustomerListVM, distance_text, pinyin_initials
from client.viewmodels.profile import CustomerProfileVM
from client.viewmodels.visit_form import VisitFormVM
from client.viewmodels.visits import MyVisitsVM, VisitDetailVM
from shared.customers import CoordSystem
from shared.geo import distance_m, to_wgs84, wgs84_to_bd09, wgs84_to_gcj02
from shared.settings import RuleCode
from shared.visits import GpsFix
from tests.client.vm_support import ACCOUNT, ORG, complete_visit, fix_at, seeded_store
from tests.support.factories import STORE_LAT, STORE_LON, make_customer, offset_point


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = seeded_store(tmp_path)
    yield s
    s.close()


def customers(store: LocalStore) -> CustomerListVM:
    vm = CustomerListVM(store, ORG)
    vm.load()
    return vm


def test_pinyin_initials_of_a_chinese_store_name() -> None:
    assert pinyin_initials("南山路店") == "nsld"
    assert pinyin_initials("7-11便利店") == "7-11bld"


def test_search_finds_customers_by_name_initials_and_address(store: LocalStore) -> None:
    vm = customers(store)
    assert vm.total == 3
    vm.set_search("南山路")
    assert [r.customer.id for r in vm.rows] == ["c1"]
    vm.set_search("KJY")  # 科技园便利店
    assert [r.customer.id for r in vm.rows] == ["c2"]
    vm.set_search("华强北")
    assert [r.customer.id for r in vm.rows] == ["c3"]
    vm.set_search("不存在的店")
    assert vm.rows == [] and vm.total == 0


def test_filters_by_district_and_grade(store: LocalStore) -> None:
    vm = customers(store)
    assert vm.districts == ["南山", "福田"] and vm.grades == ["A", "B"]
    vm.set_filters(district="南山")
    assert {r.customer.id for r in vm.rows} == {"c1", "c2"}
    vm.set_filters(grade="A")
    assert [r.customer.id for r in vm.rows] == ["c1"]
    vm.set_filters(district="", grade="")
    assert vm.total == 3


def test_sorting_by_distance_from_the_current_fix(store: LocalStore) -> None:
    vm = customers(store)
    lat, lon = offset_point(STORE_LAT, STORE_LON, 9000, 180)  # standing at c3
    vm.set_fix(GpsFix(lat=lat, lon=lon, accuracy_m=10))
    vm.set_sort_by_distance(True)
    assert [r.customer.id for r in vm.rows] == ["c3", "c1", "c2"]
    assert vm.rows[0].distance_m is not None and vm.rows[0].distance_m < 1
    assert distance_text(312.4) == ("cust.distance_m", {"m": "312"})
    assert distance_text(4210) == ("cust.distance", {"km": "4.2"})
    assert distance_text(None) is None


def test_stores_kept_in_gcj02_or_bd09_are_measured_from_their_wgs84_position(
    store: LocalStore,
) -> None:
    """The list converts a store's coordinates when it first measures a distance (not at load):
    the distance is the one from the full record's WGS-84 position."""
    at = offset_point(STORE_LAT, STORE_LON, 3000, 45)  # the same shop, written in three datums
    store.upsert_customers(
        [
            make_customer(id="g", name="火星坐标店", lat=wgs84_to_gcj02(*at)[0],
                          lon=wgs84_to_gcj02(*at)[1], coord_system=CoordSystem.GCJ02),
            make_customer(id="b", name="百度坐标店", lat=wgs84_to_bd09(*at)[0],
                          lon=wgs84_to_bd09(*at)[1], coord_system=CoordSystem.BD09),
        ]
    )  # fmt: skip
    vm = customers(store)
    fix = GpsFix(lat=at[0], lon=at[1], accuracy_m=10)
    vm.set_fix(fix)
    vm.set_sort_by_distance(True)
    assert [r.customer.id for r in vm.rows][:2] in (["g", "b"], ["b", "g"])
    for row in vm.rows:
        full = store.get_customer(row.customer.id)
        wgs = to_wgs84(full.lat, full.lon, full.coord_system)
        assert row.distance_m == distance_m(fix.lat, fix.lon, *wgs)
    # the shop itself, give or take the BD-09 transform's centimetres
    assert all(r.distance_m is not None and r.distance_m < 0.1 for r in vm.rows[:2])


def test_a_customer_visited_today_is_marked(store: LocalStore) -> None:
    complete_visit(VisitFormVM(store, ACCOUNT, "c2")).submit()
    vm = customers(store)
    marks = {r.customer.id: r.visited_today for r in vm.rows}
    assert marks == {"c1": False, "c2": True, "c3": False}


def test_the_profile_shows_prefilled_history_visits_with_thumbnails_and_drafts(
    store: LocalStore,
) -> None:
    store.upsert_orders([OrderRow("o1", "c3", date(2024, 5, 1), 1200, ["洗衣液", "纸巾"])])
    complete_visit(VisitFormVM(store, ACCOUNT, "c3")).submit()
    draft = VisitFormVM(store, ACCOUNT, "c3")
    draft.set_notes("下午再来")
    vm = CustomerProfileVM(store, ORG, "c3")
    vm.load()
    assert vm.prefill is not None
    assert vm.prefill.categories_bought == ["洗衣液", "纸巾"]
    assert vm.prefill.stock_warning == "洗衣液库存低于安全线"
    assert len(vm.visits) == 1 and vm.visits[0].action_label == "陈列优化"
    assert len(vm.visits[0].thumbnails) == 3
    assert all(t.startswith(b"\xff\xd8") for t in vm.visits[0].thumbnails)
    assert vm.drafts == [draft.visit_id]


def test_my_visits_today_and_this_week_with_their_states(store: LocalStore) -> None:
    complete_visit(VisitFormVM(store, ACCOUNT, "c1")).submit()
    vm = MyVisitsVM(store, ORG, lang="en")
    vm.load()
    assert [(r.customer_name, r.action_label, r.state_key) for r in vm.rows] == [
        ("南山路店", "Display optimization", "visits.pending")
    ]
    vm.now = lambda: datetime.now().astimezone() + timedelta(days=8)
    vm.set_period("week")
    assert vm.rows == []
    with pytest.raises(ValueError):
        vm.set_period("year")


def test_voiding_needs_a_reason_and_keeps_the_original(store: LocalStore) -> None:
    out = complete_visit(VisitFormVM(store, ACCOUNT, "c1")).submit()
    vm = VisitDetailVM(store, out.visit_id)
    vm.load()
    assert len(vm.photo_bytes()) == 3
    assert any(r.code == "gps.distance" and r.status == "pass" for r in vm.rules)
    assert not vm.void()
    assert vm.error is not None and vm.error.key == "detail.void_need_reason"
    vm.void_reason = "客户信息选错"
    assert vm.void()
    assert vm.stored is not None and vm.stored.voided and vm.stored.void_reason == "客户信息选错"
    assert vm.stored.visit.id == out.visit_id  # still there, as evidence
    assert not vm.void()  # a second void is refused with the store's message
    assert vm.error is not None and vm.error.text("zh")


def test_a_fix_too_inaccurate_is_shown_against_its_limit(store: LocalStore) -> None:
    vm = VisitFormVM(store, ACCOUNT, "c1")
    vm.set_gps(fix_at(10, accuracy=800))
    acc = vm.report.result(RuleCode.GPS_ACCURACY)  # type: ignore[union-attr]
    assert acc is not None and acc.blocks and "800" in acc.message_zh
