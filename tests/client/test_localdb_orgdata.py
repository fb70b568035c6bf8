"""Organisation data pulled from the server: settings, calendar, SOPs, customers, photo hashes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from client.localdb import LocalStore
from shared.customers import Customer
from shared.errors import InvalidInput, NotFound
from shared.settings import OrgSettings
from shared.sop import Label, SopTemplate, default_sop_templates


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    with LocalStore.open(tmp_path / "local.db") as s:
        yield s


def customer(i: int, **kw: object) -> Customer:
    base: dict[str, object] = {
        "id": f"c{i}",
        "org_id": "org1",
        "name": f"Store {i:05d}",
        "address": f"{i} Nanshan Avenue",
        "lat": 22.5,
        "lon": 113.9,
    }
    base.update(kw)
    return Customer(**base)  # type: ignore[arg-type]


def test_settings_default_until_pulled_then_round_trip(store: LocalStore) -> None:
    assert store.get_settings("org1") == OrgSettings()
    custom = OrgSettings(radius_m=250.0, timezone="Asia/Urumqi")
    store.put_settings("org1", custom)
    store.put_settings("org1", custom.model_copy(update={"radius_m": 300.0}))
    assert store.get_settings("org1").radius_m == 300.0
    assert store.get_settings("org1").timezone == "Asia/Urumqi"
    assert store.get_settings("org2") == OrgSettings()


def test_the_calendar_is_kept_as_json_and_bad_json_is_refused(store: LocalStore) -> None:
    assert store.get_calendar_json("org1") is None
    store.put_calendar_json("org1", '{"region": "CN"}')
    with pytest.raises(InvalidInput) as caught:
        store.put_calendar_json("org1", "{not json")
    assert caught.value.field == "calendar"
    assert store.get_calendar_json("org1") == '{"region": "CN"}'


def test_a_stored_work_calendar_reads_back_as_the_model(store: LocalStore) -> None:
    workcal = pytest.importorskip("shared.workcal")
    cal = workcal.china_calendar()
    store.put_calendar_json("org1", cal.model_dump_json())
    assert store.get_calendar("org1") == cal
    assert store.get_calendar("org2") is None


def test_sops_default_to_the_four_templates_until_pulled(store: LocalStore) -> None:
    assert store.get_sops("org1") == default_sop_templates()
    mine = SopTemplate(action_type="tasting", label=Label(zh="试吃", en="Tasting"), version=3)
    store.put_sop("org1", mine)
    store.put_sop("org1", mine.model_copy(update={"version": 4}))
    assert store.get_sops("org1") == {"tasting": mine.model_copy(update={"version": 4})}


def test_customers_upsert_in_bulk_and_read_back(store: LocalStore) -> None:
    store.upsert_customers([customer(i) for i in range(50)])
    store.upsert_customers([customer(7, name="Renamed", stock_warning="可乐缺货")])
    assert store.get_customer("c7").name == "Renamed"
    assert store.get_customer("c7").stock_warning == "可乐缺货"
    assert len(store.list_customers("org1")) == 50
    with pytest.raises(NotFound) as caught:
        store.get_customer("c999")
    assert caught.value.field == "customer_id"


def test_customer_search_matches_name_or_address_and_filters(store: LocalStore) -> None:
    store.upsert_customers(
        [
            customer(1, name="华润万家 南山店", district="南山", grade="A"),
            customer(2, name="沃尔玛", address="福田区 华强北", district="福田", grade="B"),
            customer(3, name="100%_shop", district="南山", grade="B"),
            customer(4, name="华联", org_id="org2"),
        ]
    )
    names = lambda **kw: [c.name for c in store.list_customers("org1", **kw)]  # noqa: E731
    assert names(search="华") == ["华润万家 南山店", "沃尔玛"]
    assert names(search="华", district="南山") == ["华润万家 南山店"]
    assert names(grade="B") == ["100%_shop", "沃尔玛"]
    assert names(search="%_") == ["100%_shop"]  # wildcards are literal
    assert names(search="0%") == ["100%_shop"]
    assert names(limit=1) == ["100%_shop"]


def test_the_customer_search_uses_the_org_name_index(store: LocalStore) -> None:
    with store.engine.connect() as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT data_json FROM customers WHERE org_id = 'org1' "
            "AND name LIKE '%x%' ORDER BY name LIMIT 200"
        ).all()
    assert any("ix_customers_org_name" in str(row) for row in plan)


def test_pulled_photo_hashes_are_kept_once(store: LocalStore) -> None:
    rows = [("a" * 64, "1" * 16, "v1"), ("b" * 64, "2" * 16, "v2")]
    store.add_photo_hashes(rows)
    store.add_photo_hashes(rows[:1])
    store.add_photo_hashes([])
    assert sorted(store.photo_hash_rows()) == rows
