"""Target snapshots and store metrics as pulled records: the numbers (worked out by hand from
the world in tests/sync_server/targets_support.py) and who pulls them (both backends)."""

from __future__ import annotations

import json
import time
from datetime import date
from typing import Any

from sync_server.storage.base import StoredRecord
from sync_server.targets_engine import evaluate_org
from tests.sync_server.targets_support import TargetsWorld, put_visit, tworld_fixture  # noqa: F401


def of_type(w: TargetsWorld, who: str, record_type: str) -> dict[str, dict[str, Any]]:
    return {c["record_id"]: c["payload"] for c in w.pull(who) if c["record_type"] == record_type}


def snap(w: TargetsWorld, who: str, rep: str, period_key: str) -> dict[str, Any]:
    rep_id = w.users[rep].id
    found = [
        p
        for p in of_type(w, who, "target_snapshot").values()
        if p["rep_id"] == rep_id and p["period_key"] == period_key
    ]
    assert len(found) == 1, (who, rep, period_key)
    return found[0]


def test_month_and_week_snapshots_hold_the_hand_computed_numbers(tworld: TargetsWorld):
    evaluate_org(tworld.api.storage, "acme", date(2025, 3, 31), force=True)
    march = snap(tworld, "rep1", "rep1", "2025-03")
    stock = march["stock"]
    # Window 1 Jan .. 31 Mar: A ordered 10 Jan (1), B not (0); N1 never ordered (not existing).
    assert (stock["value"], stock["light"], stock["official"]) == (0.5, "red", True)
    assert sorted((c["customer_id"], c["frequency"]) for c in stock["customers"]) == [
        ("A", 1),
        ("B", 0),
    ]
    assert stock["other_customers"] == 1 and stock["window_start"] == "2025-01-01"
    # March visits of rep1: A twice (real), B once (failed validation); no touchpoints logged.
    biz = march["business"]
    assert (biz["all_visits"], biz["real_visits"], biz["effective_touchpoints"]) == (3, 2, 2)
    assert biz["real_visit_rate"] == round(2 / 3, 4) and biz["need_explicitness_rate"] == 0.0
    assert march["rep_name"] == "rep1" and march["team_id"] == "t1"

    week = snap(tworld, "rep1", "rep1", "2025-W13")  # Sun 30 Mar 2025
    inc = week["increment"]
    # N1: first visit 2 Jan, open: 30 Mar - 2 Jan = 29 + 28 + 30 = 87 days > 85 -> red.
    assert (inc["value"], inc["light"], inc["overdue"], inc["official"]) == (87.0, "red", 1, True)
    assert week["stock"]["official"] is False and week["stock"]["value"] == 0.5
    assert (week["start"], week["end"]) == ("2025-03-24", "2025-03-30")

    rep2 = snap(tworld, "rep2", "rep2", "2025-W13")["increment"]
    # N2 closed in 10 days (1 -> 11 Jan), N3 open 87 days: median (10 + 87) / 2 = 48.5, but an
    # overdue case stops green -> yellow.
    assert (rep2["value"], rep2["light"], rep2["overdue"]) == (48.5, "yellow", 1)
    assert snap(tworld, "rep2", "rep2", "2025-03")["stock"]["light"] == "grey"


def test_snapshots_reach_the_rep_their_manager_and_admins_only(tworld: TargetsWorld):
    evaluate_org(tworld.api.storage, "acme", date(2025, 3, 31), force=True)
    ids = {n: u.id for n, u in tworld.users.items() if hasattr(u, "id")}

    def reps_seen(who: str) -> set[str]:
        by_id = {v: k for k, v in ids.items()}
        snaps = of_type(tworld, who, "target_snapshot").values()
        return {by_id[p["rep_id"]] for p in snaps}

    assert reps_seen("rep1") == {"rep1"}
    assert reps_seen("rep2") == {"rep2"}
    assert reps_seen("rep3") == {"rep3"}
    assert reps_seen("mgr1") == {"rep1", "rep2"}
    assert reps_seen("admin1") == {"rep1", "rep2", "rep3"}
    assert of_type(tworld, "other_admin", "target_snapshot") == {}


def test_store_metrics_count_real_visits_and_trials_per_local_day(tworld: TargetsWorld):
    # 16:30 UTC on 24 Mar is 00:30 on 25 Mar in Shanghai.
    put_visit(tworld.api, tworld.users, "rep2", "N2", "2025-03-24T16:30:00+00:00")
    evaluate_org(tworld.api.storage, "acme", date(2025, 3, 31), force=True)
    metrics = {
        (p["customer_id"], p["day"]): p for p in of_type(tworld, "mgr1", "store_metric").values()
    }
    assert set(metrics) == {("A", "2025-03-28"), ("B", "2025-03-28"), ("N2", "2025-03-25")}
    a = metrics[("A", "2025-03-28")]
    assert (a["visits"], a["real_visits"], a["trial_visits"], a["trial_converted"]) == (2, 2, 2, 1)
    assert (a["trial_conversion_rate"], a["real_visit_rate"]) == (0.5, 1.0)
    assert (a["store_name"], a["district"], a["team_id"]) == ("海岸城店", "南山区", "t1")
    b = metrics[("B", "2025-03-28")]
    assert (b["visits"], b["real_visits"], b["real_visit_rate"], b["trial_conversion_rate"]) == (
        1, 0, 0.0, None,
    )  # fmt: skip
    assert (
        of_type(tworld, "admin1", "store_metric").keys()
        == of_type(tworld, "mgr1", "store_metric").keys()
    )
    for rep in ("rep1", "rep2", "rep3"):
        assert of_type(tworld, rep, "store_metric") == {}


def test_a_voided_visit_leaves_the_store_metric_on_the_next_evaluation(tworld: TargetsWorld):
    storage = tworld.api.storage
    evaluate_org(storage, "acme", date(2025, 3, 31), force=True)
    rows = storage._all(  # type: ignore[attr-defined]
        "SELECT record_id, payload FROM records WHERE org_id = 'acme' AND record_type = 'visit'"
    )
    converted = [
        rid for rid, raw in rows if json.loads(raw)["result"].get("trial_converted") is True
    ]
    assert len(converted) == 1
    with storage.write("acme") as tx:
        tx.put_records([StoredRecord("acme", "visit_void", "void-1", 1, tx.next_seq(),
                                     {"visit_id": converted[0], "reason": "wrong store"},
                                     owner_user_id=tworld.users["rep1"].id, team_id="t1",
                                     updated_at=time.time())])  # fmt: skip
    evaluate_org(storage, "acme", date(2025, 3, 31), force=True)
    a = [p for p in of_type(tworld, "mgr1", "store_metric").values() if p["customer_id"] == "A"]
    assert [(p["visits"], p["trial_visits"], p["trial_converted"]) for p in a] == [(1, 1, 0)]


def test_target_settings_are_an_org_record_and_change_the_lights(tworld: TargetsWorld):
    admin = tworld.headers["admin1"]
    bad = tworld.api.call("PUT", "/api/v1/targets/settings", admin,
                          json={"stock_repurchase_target": -1})  # fmt: skip
    assert bad.status_code == 400 and "stock_repurchase_target" in bad.json["details"]["field"]
    as_rep = tworld.api.call("PUT", "/api/v1/targets/settings", tworld.headers["rep1"], json={})
    assert as_rep.status_code == 403
    ok = tworld.api.call("PUT", "/api/v1/targets/settings", admin,
                         json={"stock_repurchase_target": 0.5})  # fmt: skip
    assert ok.status_code == 200, ok.json
    assert tworld.get("rep1", "/api/v1/targets/settings").json["stock_repurchase_target"] == 0.5
    pulled = of_type(tworld, "rep1", "target_settings")
    assert pulled["target_settings"]["stock_repurchase_target"] == 0.5
    evaluate_org(tworld.api.storage, "acme", date(2025, 3, 31), force=True)
    stock = snap(tworld, "rep1", "rep1", "2025-03")["stock"]
    assert (stock["value"], stock["light"], stock["target"]) == (0.5, "green", 0.5)


def test_evaluate_endpoint_runs_the_engine_for_admins(tworld: TargetsWorld):
    r = tworld.api.call("POST", "/api/v1/targets/evaluate", tworld.headers["admin1"],
                        json={"as_of": "2025-02-28"})  # fmt: skip
    assert r.status_code == 200, r.json
    assert r.json["month_ends"] == ["2025-02-28"] and r.json["week_ends"] == ["2025-02-23"]
    bad = tworld.api.call("POST", "/api/v1/targets/evaluate", tworld.headers["admin1"],
                          json={"as_of": "yesterday"})  # fmt: skip
    assert bad.status_code == 400 and bad.json["details"]["field"] == "as_of"
    acts = tworld.get("mgr1", "/api/v1/targets/actions").json["actions"]
    assert isinstance(acts, list)
    assert tworld.get("rep1", "/api/v1/targets/actions").status_code == 403
