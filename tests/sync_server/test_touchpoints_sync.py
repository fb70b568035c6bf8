"""Touchpoints and contacts pushed through the real push path, on both backends, and the target
facts the server reads from them and from visits' need-explicitness result fields."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import sync_server.touchpoints_sync  # noqa: F401  (registers the handlers, as the app does)
from shared.sop import NEED_RESULTS, PhotoSlot, SopTemplate, default_sop_templates
from shared.targets import DecisionRole, TouchpointKind, business_metrics, local_date
from sync_server.storage.base import Scope, StorageBase
from sync_server.sync.orgdata import put_sop
from sync_server.sync.push import apply_push
from sync_server.targets_facts import load_facts
from tests.sync_server.server_support import (
    Org,
    add_customer,
    change,
    make_org,
    uid,
    visit_change,
)

SHA = hashlib.sha256(b"%PDF-1.4 proposal").hexdigest()
ZONE = "Asia/Shanghai"


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def touchpoint(
    scope: Scope, customer_id: str, kind: str = "inquiry", **over: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": uid(),
        "customer_id": customer_id,
        "rep_id": scope.user_id,
        "kind": kind,
        "occurred_at": (now() - timedelta(hours=2)).isoformat(),
        "note": "询价：500 箱",
    }
    if kind == "proposal":
        data["attachment"] = {
            "sha256": SHA,
            "filename": "方案.pdf",
            "mime": "application/pdf",
            "size": 17,
        }
    data.update(over)
    return data


def push_one(storage: StorageBase, scope: Scope, ch: dict[str, Any]) -> Any:
    [outcome] = apply_push(storage, scope, [ch])
    return outcome


@pytest.fixture
def org(storage: StorageBase) -> Org:
    return make_org(storage)


def test_an_inquiry_and_a_proposal_are_stored_once_and_counted_as_touchpoints(
    storage: StorageBase, org: Org
) -> None:
    cid = add_customer(storage, org)
    inquiry = touchpoint(org.rep1, cid)
    proposal = touchpoint(org.rep1, cid, "proposal")
    changes = [change(1, "touchpoint", inquiry["id"], inquiry),
               change(2, "touchpoint", proposal["id"], proposal)]  # fmt: skip
    first = apply_push(storage, org.rep1, changes)
    assert [o.status.value for o in first] == ["applied", "applied"]
    again = apply_push(storage, org.rep1, changes)  # a retried push: the stored outcomes
    assert [o.status.value for o in again] == ["duplicate", "duplicate"]
    assert [o.server_seq for o in again] == [o.server_seq for o in first]
    facts = load_facts(storage, org.org_id, ZONE)
    kinds = sorted(t.kind for t in facts.touchpoints)
    assert kinds == [TouchpointKind.INQUIRY, TouchpointKind.PROPOSAL]
    day = local_date(datetime.fromisoformat(inquiry["occurred_at"]), ZONE)
    assert {t.occurred_on for t in facts.touchpoints} == {day}
    assert {t.rep_id for t in facts.touchpoints} == {org.rep1.user_id}
    metrics = business_metrics(org.rep1.user_id, day, day, facts.index())
    assert metrics.effective_touchpoints == 2  # no visits that day: 1 inquiry + 1 proposal


def test_the_same_touchpoint_from_a_requeued_outbox_is_applied_without_a_second_record(
    storage: StorageBase, org: Org
) -> None:
    cid = add_customer(storage, org)
    tp = touchpoint(org.rep1, cid)
    first = push_one(storage, org.rep1, change(1, "touchpoint", tp["id"], tp))
    second = push_one(storage, org.rep1, change(7, "touchpoint", tp["id"], tp))  # new seq
    assert second.status.value == "applied" and second.server_seq == first.server_seq
    other = push_one(storage, org.rep1, change(8, "touchpoint", tp["id"], {**tp, "note": "x"}))
    assert (other.status.value, other.code, other.details["field"]) == (
        "rejected",
        "record_id_taken",
        "record_id",
    )
    assert len(load_facts(storage, org.org_id, ZONE).touchpoints) == 1


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"kind": "lunch"}, "payload.kind"),
        ({"attachment": None, "kind": "proposal"}, "payload.attachment"),
        ({"occurred_at": "2024-03-01T10:00:00"}, "payload.occurred_at"),  # no offset
        ({"occurred_at": (now() + timedelta(days=3)).isoformat()}, "payload.occurred_at"),
        ({"occurred_at": (now() - timedelta(days=500)).isoformat()}, "payload.occurred_at"),
        ({"customer_id": "nobody"}, "payload.customer_id"),
        ({"rep_id": "someone-else"}, "payload.rep_id"),
        ({"id": "another-id"}, "payload.id"),
    ],
)
def test_a_bad_touchpoint_is_rejected_naming_the_field(
    storage: StorageBase, org: Org, over: dict[str, Any], field: str
) -> None:
    cid = add_customer(storage, org)
    tp = touchpoint(org.rep1, cid)
    if over.get("kind") == "proposal":
        tp = touchpoint(org.rep1, cid, "proposal")
        over = {k: v for k, v in over.items() if k != "kind"}
    payload = {**tp, **over}
    if payload.get("attachment") is None:
        payload.pop("attachment", None)
    out = push_one(storage, org.rep1, change(1, "touchpoint", tp["id"], payload))
    assert out.status.value == "rejected", out
    assert out.details["field"] == field
    assert load_facts(storage, org.org_id, ZONE).touchpoints == []


def test_an_attachment_that_is_no_document_type_is_rejected(storage: StorageBase, org: Org) -> None:
    cid = add_customer(storage, org)
    tp = touchpoint(org.rep1, cid, "proposal")
    tp["attachment"] = {**tp["attachment"], "mime": "application/x-msdownload"}
    out = push_one(storage, org.rep1, change(1, "touchpoint", tp["id"], tp))
    assert (out.status.value, out.details["field"]) == ("rejected", "payload.attachment.mime")


def test_touchpoints_are_append_only(storage: StorageBase, org: Org) -> None:
    cid = add_customer(storage, org)
    tp = touchpoint(org.rep1, cid)
    out = push_one(storage, org.rep1, change(1, "touchpoint", tp["id"], tp, op="update"))
    assert (out.code, out.details["field"]) == ("op_not_allowed", "op")


def test_a_touchpoint_for_another_reps_customer_is_kept_as_a_scope_conflict(
    storage: StorageBase, org: Org
) -> None:
    cid = add_customer(storage, org, owner="rep2")
    tp = touchpoint(org.rep1, cid)
    out = push_one(storage, org.rep1, change(1, "touchpoint", tp["id"], tp))
    assert (out.status.value, out.code) == ("conflict", "scope_revoked")
    [conflict] = storage.list_conflicts(org.manager, "open")
    assert conflict.device_value["id"] == tp["id"]  # the evidence is kept for the manager
    assert load_facts(storage, org.org_id, ZONE).touchpoints == []


def test_a_touchpoint_is_pulled_by_the_rep_and_their_manager_only(
    storage: StorageBase, org: Org
) -> None:
    cid = add_customer(storage, org)
    tp = touchpoint(org.rep1, cid, "proposal")
    push_one(storage, org.rep1, change(1, "touchpoint", tp["id"], tp))

    def pulled(scope: Scope) -> list[str]:
        page = storage.pull(scope, 0, 1000)
        return [i.record_id for i in page.items if i.record_type == "touchpoint"]

    assert pulled(org.rep1) == [tp["id"]]
    assert pulled(org.manager) == [tp["id"]]
    assert pulled(org.admin) == [tp["id"]]
    assert pulled(org.rep2) == []
    assert pulled(org.other_team_rep) == []


# --- contacts --------------------------------------------------------------------------------


def contact(customer_id: str, **over: Any) -> dict[str, Any]:
    data = {
        "id": uid(),
        "customer_id": customer_id,
        "name": "王主任",
        "role": "department_director",
    }
    data.update(title="设备科主任", phone="13800000000")
    data.update(over)
    return data


def test_a_contact_is_created_edited_per_field_and_deleted(storage: StorageBase, org: Org) -> None:
    cid = add_customer(storage, org)
    c = contact(cid)
    assert push_one(storage, org.rep1, change(1, "contact", c["id"], c)).status.value == "applied"
    edit = {"fields": {"role": "vp"}, "base": {"role": "department_director"}}
    out = push_one(storage, org.rep1, change(2, "contact", c["id"], edit, "update", 1))
    assert (out.status.value, out.version) == ("applied", 2)
    # the manager, who last saw version 1, changes the same field: the first write stays
    clash = {"fields": {"role": "procurement_head"}, "base": {"role": "department_director"}}
    out = push_one(storage, org.manager, change(1, "contact", c["id"], clash, "update", 1))
    assert (out.status.value, out.code) == ("conflict", "field_conflict")
    [rec] = storage.pull(org.rep1, 0, 1000).items[-1:]
    assert rec.payload["role"] == "vp"
    out = push_one(storage, org.rep1, change(3, "contact", c["id"], {}, "delete"))
    assert out.status.value == "applied"
    items = [i for i in storage.pull(org.rep1, 0, 1000).items if i.record_type == "contact"]
    assert [i.op for i in items] == ["delete"]


@pytest.mark.parametrize(
    ("payload", "op", "field"),
    [
        ({"role": "ceo"}, "create", "payload.role"),
        ({"name": ""}, "create", "payload.name"),
        ({"fields": {"customer_id": "x"}, "base": {"customer_id": "y"}}, "update", None),
        ({"fields": {"role": "vp"}, "base": {}}, "update", "payload.base.role"),
        ({"fields": {"role": "king"}, "base": {"role": "other"}}, "update", None),
    ],
)
def test_a_bad_contact_change_is_rejected_naming_the_field(
    storage: StorageBase, org: Org, payload: dict[str, Any], op: str, field: str | None
) -> None:
    cid = add_customer(storage, org)
    c = contact(cid)
    push_one(storage, org.rep1, change(1, "contact", c["id"], c))
    body = {**c, "id": uid(), **payload} if op == "create" else payload
    rid = body["id"] if op == "create" else c["id"]
    out = push_one(storage, org.rep1, change(2, "contact", rid, body, op, 1))
    assert out.status.value == "rejected", out
    if field is None:
        assert out.details["field"].startswith("payload.fields.")
    else:
        assert out.details["field"] == field


def test_a_contact_for_a_customer_outside_the_scope_is_not_stored(
    storage: StorageBase, org: Org
) -> None:
    cid = add_customer(storage, org, owner="rep3")
    c = contact(cid)
    out = push_one(storage, org.rep1, change(1, "contact", c["id"], c))
    assert (out.status.value, out.code) == ("conflict", "scope_revoked")
    assert [i for i in storage.pull(org.rep1, 0, 1000).items if i.record_type == "contact"] == []


# --- visit result fields read by the facts loader -------------------------------------------


def _open_sop(storage: StorageBase, org: Org) -> None:
    """Replenishment without a required photo, so a visit can pass validation here."""
    base = default_sop_templates()["replenishment"]
    slots = tuple(PhotoSlot(code=s.code, label=s.label, required=False) for s in base.photo_slots)
    put_sop(storage, org.org_id, SopTemplate.model_validate(
        {**base.model_dump(), "photo_slots": slots, "checklist": ()}))  # fmt: skip


def test_need_explicitness_and_roles_come_from_the_pushed_visits(
    storage: StorageBase, org: Org
) -> None:
    _open_sop(storage, org)
    cid = add_customer(storage, org)
    full = {"stock_count": 3, "budget": "20 万", "timing": "Q3", "decision_chain": "科室→采购",
            "roles_reached": ["procurement_head", "vp"]}  # fmt: skip
    partial = {"stock_count": 3, "budget": "20 万", "roles_reached": ["other"]}
    v1 = visit_change(1, org, org.rep1, cid, result=full, checklist={})
    v2 = visit_change(2, org, org.rep1, cid, result=partial, checklist={})
    outcomes = apply_push(storage, org.rep1, [v1, v2])
    assert [o.status.value for o in outcomes] == ["applied", "applied"]
    assert all(o.details["report"]["counts"] for o in outcomes), outcomes
    facts = load_facts(storage, org.org_id, ZONE)
    by_id = {v.fact.id: v.fact for v in facts.visits}
    a, b = by_id[v1["record_id"]], by_id[v2["record_id"]]
    assert (a.budget_recorded, a.timing_recorded, a.decision_chain_recorded) == (True,) * 3
    assert a.roles_reached == {DecisionRole.PROCUREMENT_HEAD, DecisionRole.VP}
    # roles ticked record the chain; timing is missing, so b is not need-explicit
    assert (b.budget_recorded, b.timing_recorded, b.decision_chain_recorded) == (
        True,
        False,
        True,
    )
    day = a.captured_on
    m = business_metrics(org.rep1.user_id, day, day, facts.index())
    assert m.need_explicitness_rate == pytest.approx(1 / 2)
    assert m.decision_chain_depth == pytest.approx(2.0)  # procurement head + VP; other adds none


def test_the_default_sops_carry_the_need_fields_and_they_stay_optional() -> None:
    for sop in default_sop_templates().values():
        codes = {f.code for f in sop.result_fields if not f.required}
        assert {f.code for f in NEED_RESULTS} <= codes, sop.action_type
