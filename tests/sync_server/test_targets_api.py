"""Orders import endpoint and escalation storage on a real SQLite-backed Flask app."""

from __future__ import annotations

import io
from datetime import date

import openpyxl

from shared.targets import (
    EscalationState,
    Light,
    StockHealth,
    evaluate_escalations,
)
from sync_server.api import targets
from sync_server.app import create_app
from tests.sync_server.conftest import Api, make_app

CSV = (
    "订单号,客户编号,下单日期,金额,品类\n"
    "SO-1,C001,2024-02-29,1200.50,饮料;零食\n"
    "SO-2,C002,2024-03-31T23:30:00Z,300,\n"
).encode("gbk")


def targets_api(tmp_path) -> Api:
    return Api(make_app(tmp_path))


def upload(api: Api, headers: dict[str, str], data: bytes, name: str) -> object:
    return api.call(
        "POST",
        "/api/v1/targets/orders/import",
        headers,
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_gbk_csv_upload_imports_once_and_a_corrected_file_updates(tmp_path):
    api = targets_api(tmp_path)
    api.setup_org()
    admin = api.login("acme", "admin1")
    first = upload(api, admin, CSV, "orders.csv")
    assert first.status_code == 200, first.json
    assert first.json == {"format": "gbk", "inserted": 2, "updated": 0, "unchanged": 0}
    again = upload(api, admin, CSV, "orders.csv")
    assert again.json == {"format": "gbk", "inserted": 0, "updated": 0, "unchanged": 2}
    fixed = upload(api, admin, CSV.replace(b"1200.50", b"1300.00"), "orders.csv")
    assert (fixed.json["updated"], fixed.json["unchanged"]) == (1, 1)
    orders = {o.erp_order_id: o for o in targets.load_orders(api.storage, "acme")}
    assert str(orders["SO-1"].amount) == "1300.00"
    assert orders["SO-2"].ordered_on == date(2024, 4, 1)  # 23:30 UTC -> Shanghai next day


def test_a_file_with_a_bad_row_imports_nothing_and_reports_the_row(tmp_path):
    api = targets_api(tmp_path)
    api.setup_org()
    admin = api.login("acme", "admin1")
    book = openpyxl.Workbook()
    for row in [
        ["erp_order_id", "customer_id", "ordered_on", "amount"],
        ["X1", "C1", date(2024, 1, 5), 10],
        ["X2", "C1", date(2024, 1, 6), "abc"],
    ]:
        book.active.append(row)
    path = tmp_path / "orders.xlsx"
    book.save(path)
    r = upload(api, admin, path.read_bytes(), "orders.xlsx")
    assert r.status_code == 400
    assert r.json["code"] == "invalid_input"
    assert r.json["details"]["errors"][0]["row"] == 3
    assert r.json["details"]["errors"][0]["column"] == "amount"
    assert targets.load_orders(api.storage, "acme") == []


def test_json_orders_need_a_manager_or_admin(tmp_path):
    api = targets_api(tmp_path)
    api.setup_org()
    body = {
        "orders": [
            {
                "erp_order_id": "J1",
                "customer_id": "C1",
                "ordered_on": "2024-05-01",
                "amount": "9.90",
            }
        ]
    }
    rep = api.login("acme", "rep1")
    assert api.call("POST", "/api/v1/targets/orders/import", rep, json=body).status_code == 403
    manager = api.login("acme", "mgr1")
    r = api.call("POST", "/api/v1/targets/orders/import", manager, json=body)
    assert r.json["inserted"] == 1
    assert api.call("POST", "/api/v1/targets/orders/import", json=body).status_code == 401


def test_escalation_state_and_actions_survive_a_restart_and_fire_once(tmp_path):
    api = targets_api(tmp_path)
    api.setup_org()
    storage = api.storage

    def month(day: date, light: Light) -> StockHealth:
        return StockHealth("r1", day, day.replace(day=1), day, 1.0, light, (), 0, 2.3)

    state, actions = evaluate_escalations(
        targets.load_escalation_state(storage, "acme"),
        [month(date(2024, 1, 31), Light.RED), month(date(2024, 2, 29), Light.RED)],
    )
    assert targets.save_escalations(storage, "acme", state, actions) == 1
    assert targets.save_escalations(storage, "acme", state, actions) == 0  # retried batch
    # A new app process on the same database: the breach is remembered, March adds nothing.
    reopened = create_app(dict(api.app.config))
    storage2 = reopened.extensions["fieldledger.storage"]
    state2, actions2 = evaluate_escalations(
        targets.load_escalation_state(storage2, "acme"), [month(date(2024, 3, 31), Light.RED)]
    )
    assert actions2 == []
    assert state2.active == state.active != EscalationState().active
    listed = targets.list_actions(storage2, "acme")
    assert [(a["kind"], a["rep_id"], a["as_of"]) for a in listed] == [
        ("supervisor_intervention", "r1", "2024-02-29")
    ]
