"""The tickets REST API: answers, the state machine, the board, export and configuration."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest

from shared.tickets import TRANSITIONS, Answer, AnswerSource, Ticket, TicketState
from sync_server.tickets_store import save_ticket
from tests.sync_server.test_tickets_world import (
    VOLUME_RULES,
    TicketWorld,
    set_routing,
    ticket_payload,
    tworld_fixture,  # noqa: F401  (the tworld fixture)
)


def triaged(w: TicketWorld) -> str:
    set_routing(w, {"rules": [], "fallback_owner_id": w.users["mgr1"].id})
    out = w.report("rep1", root=VOLUME_RULES, text="带量采购量分配", hours_ago=5)
    assert out["details"]["state"] == "triaged"
    return str(out["record_id"])


def test_a_manager_answers_and_the_reps_device_shows_it_after_sync(tworld: TicketWorld):
    w = tworld
    tid = triaged(w)
    assert w.pull("rep1")[tid]["payload"]["answers"] == []
    assert w.post("rep2", f"/{tid}/answer", {"text": "x"}).status_code == 404
    r = w.post("mgr1", f"/{tid}/answer", {"text": "Split by hospital volume", "text_zh": "按医院"})
    assert r.status_code == 200, r.json
    assert r.json["ticket"]["state"] == "answered"
    device = w.pull("rep1")[tid]["payload"]
    assert device["answers"][0]["text_zh"] == "按医院" and device["answers"][0]["source"] == "owner"
    hours = w.get("rep1", f"/{tid}").json["answer_hours"]
    assert hours is None  # not yet acknowledged
    w.pull("rep1")
    assert 4.9 < w.get("rep1", f"/{tid}").json["answer_hours"] < 5.2


def test_an_answer_can_use_a_knowledge_base_script(tworld: TicketWorld):
    w = tworld
    tid = triaged(w)
    r = w.post("admin1", f"/{tid}/answer", {"script_id": "kb-price-cap"})
    assert r.status_code == 200, r.json
    answer = r.json["ticket"]["answers"][0]
    assert answer["script_id"] == "kb-price-cap" and len(answer["documents"]) == 1
    doc = w.api.call("GET", f"/api/v1/tickets/documents/{answer['documents'][0]}",
                     w.headers["rep1"])  # fmt: skip
    assert doc.status_code == 200 and "集采报价规则".encode() in doc.data


@pytest.mark.parametrize(
    ("frm", "to"),
    [
        (f, t)
        for f in (TicketState.TRIAGED, TicketState.ANSWERED, TicketState.CLOSED)
        for t in TicketState
        if (f, t) not in TRANSITIONS
    ],
)
def test_illegal_transitions_are_refused_through_the_api_naming_from_and_to(
    tworld: TicketWorld, frm: TicketState, to: TicketState
):
    w = tworld
    tid = triaged(w)
    if frm is not TicketState.TRIAGED:
        assert w.post("mgr1", f"/{tid}/answer", {"text": "answer"}).status_code == 200
    if frm is TicketState.CLOSED:
        assert w.post("mgr1", f"/{tid}/transition", {"state": "closed"}).status_code == 200
    before = w.get("admin1", f"/{tid}").json
    r = w.post("admin1", f"/{tid}/transition", {"state": to.value, "owner_id": None})
    assert r.status_code == 409, r.json
    assert r.json["code"] == "illegal_transition"
    assert (r.json["details"]["from_state"], r.json["details"]["to_state"]) == (frm, to)
    assert w.get("admin1", f"/{tid}").json == before


def test_a_legal_move_by_the_wrong_person_is_forbidden(tworld: TicketWorld):
    w = tworld
    tid = triaged(w)
    r = w.post("rep1", f"/{tid}/transition", {"state": "answered"})
    assert r.status_code == 403 and r.json["code"] == "forbidden"
    r = w.post("rep1", f"/{tid}/transition", {"state": "closed", "note": "withdrawn"})
    assert r.status_code == 200 and r.json["ticket"]["history"][-1]["note"] == "withdrawn"


def test_comments_through_the_api_are_append_only(tworld: TicketWorld):
    w = tworld
    tid = w.report("rep1")["record_id"]
    assert w.post("mgr1", f"/{tid}/comments", {"text": "看一下", "id": "m1"}).status_code == 200
    again = w.post("rep1", f"/{tid}/comments", {"text": "改写", "id": "m1"})
    assert again.status_code == 409
    comments = w.pull("rep1")[tid]["payload"]["comments"]
    assert [(c["id"], c["text"]) for c in comments] == [("m1", "看一下")]


def _hand_made(w: TicketWorld) -> None:
    """Five tickets with known report-to-delivery hours, and one overdue."""
    now = datetime.now(UTC)
    base = now - timedelta(days=3)
    rep = w.users["rep1"].id
    rows = [  # (id, district, owner, hours to delivery)
        ("h1", "南山区", None, 1.0),
        ("h2", "南山区", None, 2.0),
        ("h3", "福田区", "mgr", 3.0),
        ("h4", "福田区", "mgr", 10.0),
    ]
    with w.api.storage.write("acme") as tx:
        for tid, district, owner, hours in rows:
            t = Ticket.model_validate(ticket_payload(rep, tid=tid, district=district))
            answer = Answer(id=f"a-{tid}", source=AnswerSource.AUTO, author_id="system",
                            text="x", created_at=base + timedelta(hours=hours / 2))  # fmt: skip
            t = t.model_copy(update={
                "device_time": base, "state": TicketState.ANSWERED, "answers": (answer,),
                "owner_id": w.users["mgr1"].id if owner else None,
                "delivered_at": base + timedelta(hours=hours),
            })  # fmt: skip
            save_ticket(tx, t, None, team_id="t1")
        late = Ticket.model_validate(
            ticket_payload(rep, tid="h5", problem_type="service", root=None)
        )
        late = late.model_copy(update={
            "device_time": base, "state": TicketState.TRIAGED, "owner_id": w.users["mgr1"].id,
            "deadline": now - timedelta(hours=1),
        })  # fmt: skip
        save_ticket(tx, late, None, team_id="t1")


def test_the_board_gives_median_and_p90_by_type_district_and_owner(tworld: TicketWorld):
    w = tworld
    _hand_made(w)
    by_type = w.get("mgr1", "/board?by=type").json
    rows = {r["key"]: r for r in by_type["rows"]}
    assert rows["policy"]["tickets"] == 4 and rows["policy"]["delivered"] == 4
    assert rows["policy"]["median_hours"] == pytest.approx(2.5)
    assert rows["policy"]["p90_hours"] == pytest.approx(3 + 0.7 * 7)
    assert rows["service"]["overdue"] == 1 and rows["service"]["median_hours"] is None
    assert by_type["overdue_ids"] == ["h5"]
    district = {r["key"]: r for r in w.get("mgr1", "/board?by=district").json["rows"]}
    assert district["南山区"]["median_hours"] == pytest.approx(1.5)
    assert district["福田区"]["median_hours"] == pytest.approx(6.5)
    owner = {r["key"]: r for r in w.get("admin1", "/board?by=owner").json["rows"]}
    assert owner["system"]["tickets"] == 2
    assert owner[w.users["mgr1"].id]["tickets"] == 3
    assert w.get("mgr1", "/board?by=colour").status_code == 400
    assert w.get("rep1", "/board").status_code == 403
    text = w.get("mgr1", "/export.csv").get_data(as_text=True)
    exported = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert exported["h4"]["answer_hours"] == "10.00" and exported["h5"]["overdue"] == "yes"


def test_admins_edit_the_tree_scripts_routing_and_settings(tworld: TicketWorld):
    w = tworld
    admin, rep = w.headers["admin1"], w.headers["rep1"]
    call = w.api.call
    tree = w.get("rep1", "/config/root-causes").json
    tree["nodes"].append({"id": "policy.vbp_pricing.rebid", "parent_id": "policy.vbp_pricing",
                          "label_en": "Re-bid", "label_zh": "重新报价"})  # fmt: skip
    assert call("PUT", "/api/v1/tickets/config/root-causes", rep, json=tree).status_code == 403
    assert call("PUT", "/api/v1/tickets/config/root-causes", admin, json=tree).status_code == 200
    doc = b"%PDF-1.4 rebid rules"
    sha = hashlib.sha256(doc).hexdigest()
    script = {"id": "kb-rebid", "root_cause_id": "policy.vbp_pricing.rebid", "text_en": "Re-bid",
              "text_zh": "重新报价", "documents": [{"sha256": sha, "title_en": "Rules",
                                                    "title_zh": "规则"}]}  # fmt: skip
    url = "/api/v1/tickets/config/answer-scripts/kb-rebid"
    missing = call("PUT", url, admin, json=script)
    assert missing.status_code == 400 and missing.json["details"]["field"] == "documents"
    up = call("PUT", f"/api/v1/tickets/documents/{sha}", admin, data=doc,
              content_type="application/pdf")  # fmt: skip
    assert up.status_code == 201
    assert call("PUT", url, admin, json=script).status_code == 200
    dup = call("PUT", "/api/v1/tickets/config/answer-scripts/kb-2", admin,
               json={**script, "id": "kb-2"})  # fmt: skip
    assert dup.status_code == 400  # one active script per root cause
    out = w.report("rep1", root="policy.vbp_pricing.rebid")
    assert out["details"]["state"] == "answered"
    bad = call("PUT", "/api/v1/tickets/config/routing", admin,
               json={"rules": [{"id": "r", "owner_id": "nobody"}]})  # fmt: skip
    assert bad.status_code == 400 and bad.json["details"]["field"] == "owner_id"
    assert call("GET", "/api/v1/tickets/config/routing", rep).status_code == 403
    settings = call("PUT", "/api/v1/tickets/config/settings", admin, json={"max_photos": 2})
    assert settings.status_code == 200
    photos = tuple(hashlib.sha256(bytes([i])).hexdigest() for i in range(3))
    payload = ticket_payload(w.users["rep1"].id, photos=photos)
    res = w.push("rep1", [{"record_type": "ticket", "record_id": payload["id"], "op": "create",
                           "payload": payload}])[0]  # fmt: skip
    assert res["status"] == "rejected" and res["details"]["field"] == "evidence.photos"
