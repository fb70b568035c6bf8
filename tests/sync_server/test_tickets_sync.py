"""Tickets travel under the sync guarantees: pushed, routed, answered, pulled, delivered."""

from __future__ import annotations

from datetime import datetime

from sync_server.tickets_store import pending_deliveries
from tests.sync_server.test_tickets_world import (
    VOLUME_RULES,
    TicketWorld,
    set_routing,
    ticket_payload,
    tworld_fixture,  # noqa: F401  (the tworld fixture)
)


def test_a_known_root_cause_is_answered_automatically_and_delivery_is_recorded(
    tworld: TicketWorld,
):
    w = tworld
    out = w.report("rep1", hours_ago=2.0)
    tid = out["record_id"]
    assert out["details"]["state"] == "answered"
    assert out["details"]["resolution_path"] == "standard_answer"
    pulled = w.pull("rep1")[tid]
    ticket = pulled["payload"]
    assert ticket["answers"][0]["source"] == "auto" and ticket["answers"][0]["documents"]
    assert ticket["delivered_at"] is None  # pulled, but not yet acknowledged
    storage = w.api.storage
    assert pending_deliveries(storage, "acme", w.users["rep1"].id) == [tid]
    again = w.pull("rep1")[tid]  # the next pull's cursor covers the answered version
    delivered = datetime.fromisoformat(again["payload"]["delivered_at"])
    reported = datetime.fromisoformat(ticket["device_time"])
    assert 1.9 < (delivered - reported).total_seconds() / 3600 < 2.2
    assert pending_deliveries(storage, "acme", w.users["rep1"].id) == []
    detail = w.get("rep1", f"/{tid}").json
    assert 1.9 < detail["answer_hours"] < 2.2


def test_a_managers_pull_does_not_count_as_delivery(tworld: TicketWorld):
    w = tworld
    tid = w.report("rep1")["record_id"]
    w.pull("mgr1")
    w.pull("mgr1")
    assert w.get("mgr1", f"/{tid}").json["ticket"]["delivered_at"] is None


def test_an_unknown_root_cause_is_routed_to_an_owner_with_a_deadline(tworld: TicketWorld):
    w = tworld
    mgr = w.users["mgr1"].id
    set_routing(
        w,
        {"rules": [{"id": "vbp-nanshan", "district": "南山区", "owner_id": mgr,
                    "deadline_hours": 24}]},
    )  # fmt: skip
    out = w.report("rep1", root=VOLUME_RULES, text="带量采购分配规则不清楚")
    assert out["details"]["state"] == "triaged" and out["details"]["owner_id"] == mgr
    t = w.pull("rep1")[out["record_id"]]["payload"]
    assert t["owner_id"] == mgr and t["routing_rule_id"] == "vbp-nanshan"
    deadline = datetime.fromisoformat(t["deadline"])
    routed_at = datetime.fromisoformat(t["history"][-1]["at"])
    assert abs((deadline - routed_at).total_seconds() - 24 * 3600) < 1
    queue = w.get("mgr1", "/triage").json["tickets"]
    assert [q["id"] for q in queue] == [out["record_id"]]


def test_without_a_rule_a_ticket_waits_in_the_managers_triage_queue(tworld: TicketWorld):
    w = tworld
    out = w.report("rep1", root=None, problem_type="service", text="配送总是晚到两天")
    assert out["details"]["state"] == "reported"
    assert out["details"]["resolution_path"] == "manager_triage"
    assert out["record_id"] in [q["id"] for q in w.get("admin1", "/triage").json["tickets"]]
    assert w.get("rep1", "/triage").status_code == 403


def test_a_rep_sees_their_own_tickets_a_manager_the_teams_an_admin_the_orgs(tworld: TicketWorld):
    w = tworld
    mine = w.report("rep1")["record_id"]
    other_team = w.report("rep3")["record_id"]
    assert mine in w.pull("rep1") and other_team not in w.pull("rep1")
    assert mine not in w.pull("rep2")
    assert w.get("rep2", f"/{mine}").status_code == 404
    assert [t["id"] for t in w.get("rep2", "").json["tickets"]] == []
    manager = w.pull("mgr1")
    assert mine in manager and other_team not in manager
    assert w.get("mgr1", f"/{other_team}").status_code == 404
    assert {mine, other_team} <= set(w.pull("admin1"))
    assert w.api.call("GET", f"/api/v1/tickets/{mine}", w.headers["other_admin"]).status_code == 404


def test_similar_tickets_of_the_same_district_reach_the_reporter(tworld: TicketWorld):
    w = tworld
    first = w.report("rep2", text="集采最高有效申报价低于我方报价 南山医院")["record_id"]
    w.report("rep3", district="福田区", text="集采最高有效申报价低于我方报价")  # other district
    out = w.report("rep1", text="医院说集采最高有效申报价低于我方报价")
    assert [s["ticket_id"] for s in out["details"]["similar"]] == [first]
    pulled = w.pull("rep1")[out["record_id"]]
    similar = pulled["report"]["similar"]
    assert similar[0]["ticket_id"] == first and similar[0]["cause"] == "same_node"
    assert similar[0]["score"] > 0.5 and "集采" in similar[0]["title"]
    assert "reporter_id" not in similar[0]


def test_comments_append_and_a_reporter_resolves_from_the_device(tworld: TicketWorld):
    w = tworld
    tid = w.report("rep1")["record_id"]
    comment = {"ticket_id": tid, "text": "客户接受了", "created_at": "2025-01-01T00:00:00+00:00"}
    out = w.push("rep1", [{"record_type": "ticket_comment", "record_id": "c1", "op": "create",
                           "payload": comment}])  # fmt: skip
    assert out[0]["status"] == "applied"
    again = w.push("rep1", [{"record_type": "ticket_comment", "record_id": "c1", "op": "create",
                             "payload": comment}])  # fmt: skip
    assert again[0]["status"] == "applied"  # re-queued: nothing appended twice
    stranger = w.push("rep2", [{"record_type": "ticket_comment", "record_id": "c2", "op": "create",
                                "payload": {**comment, "ticket_id": tid}}])  # fmt: skip
    assert stranger[0]["status"] == "rejected" and stranger[0]["code"] == "unknown_record"
    state = w.push("rep1", [{"record_type": "ticket", "record_id": tid, "op": "update",
                             "payload": {"state": "resolved", "note": "ok"}}])  # fmt: skip
    assert state[0]["status"] == "applied"
    t = w.pull("rep1")[tid]["payload"]
    assert [c["id"] for c in t["comments"]] == ["c1"] and t["state"] == "resolved"
    final = w.push("rep1", [{"record_type": "ticket", "record_id": tid, "op": "update",
                             "payload": {"state": "triaged"}}])  # fmt: skip
    assert final[0]["status"] == "rejected" and final[0]["code"] == "illegal_transition"
    assert final[0]["details"]["from_state"] == "resolved"


def test_a_requeued_report_is_idempotent_and_a_taken_id_is_refused(tworld: TicketWorld):
    w = tworld
    payload = ticket_payload(w.users["rep1"].id)
    change = {"record_type": "ticket", "record_id": payload["id"], "op": "create"}
    first = w.push("rep1", [{**change, "payload": payload}])[0]
    second = w.push("rep1", [{**change, "payload": payload}])[0]  # new seq, same content
    assert second["status"] == "applied" and second["server_seq"] == first["server_seq"]
    other = w.push("rep1", [{**change, "payload": {**payload, "text": "不同的内容"}}])[0]
    assert other["status"] == "rejected" and other["code"] == "ticket_id_taken"


def test_a_ticket_in_someone_elses_name_or_with_server_fields_is_rejected(tworld: TicketWorld):
    w = tworld
    forged = ticket_payload(w.users["rep2"].id)
    out = w.push("rep1", [{"record_type": "ticket", "record_id": forged["id"], "op": "create",
                           "payload": forged}])[0]  # fmt: skip
    assert out["status"] == "rejected" and out["details"]["field"] == "reporter_id"
    sneaky = {**ticket_payload(w.users["rep1"].id), "owner_id": w.users["rep1"].id}
    out = w.push("rep1", [{"record_type": "ticket", "record_id": sneaky["id"], "op": "create",
                           "payload": sneaky}])[0]  # fmt: skip
    assert out["status"] == "rejected" and out["details"]["field"] == "owner_id"
    tree = w.push("rep1", [{"record_type": "root_cause_tree", "record_id": "root_causes",
                            "op": "update", "payload": {}}])[0]  # fmt: skip
    assert tree["code"] == "server_authoritative"
