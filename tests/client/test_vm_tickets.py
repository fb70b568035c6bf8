"""Report-a-problem view-model on a real LocalStore: pre-fill, root-cause tree, scope, photos
through the visit pipeline, saved offline with its outbox entry and photo upload rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from client.anchor import save_anchor
from client.capture import CaptureRequest, capture_visit
from client.localdb import tickets as tickets_db
from client.localdb.store import LocalStore
from client.viewmodels.tickets import ReportTicketVM, cause_label, load_tree
from shared.changes import IncomingChange, Op, RecordType
from shared.tickets import ImpactScope, default_root_cause_tree, parse_ticket
from tests.client.vm_support import ORG, fix_at, seeded_store
from tests.support.photos import make_jpeg

PRICE_CAP = "policy.vbp_pricing.price_cap"


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return seeded_store(tmp_path)


def pulled(store: LocalStore, seq: int, rtype: RecordType, rid: str, payload: dict) -> None:  # type: ignore[type-arg]
    change = IncomingChange(
        server_seq=seq, record_type=rtype, record_id=rid, op=Op.CREATE, payload=payload
    )
    store.apply_pulled_changes([change], org_id=ORG, cursor=seq)


def test_a_report_from_a_visit_is_prefilled_and_saved_with_its_photos_and_outbox_entry(
    store: LocalStore,
) -> None:
    save_anchor(store, datetime.now(UTC))
    visit = capture_visit(
        store, CaptureRequest(org_id=ORG, rep_id="rep1", customer_id="c1",
                              action_type="display_optimization", gps=fix_at(20))
    ).visit  # fmt: skip
    vm = ReportTicketVM(store, ORG, "rep1", visit_id=visit.id)
    sc = vm.scenario
    assert (sc.customer_id, sc.visit_id, sc.district) == ("c1", visit.id, "南山")
    assert sc.lat == visit.gps.lat and sc.occurred_at is not None  # type: ignore[union-attr]
    assert vm.scope is ImpactScope.CUSTOMER and vm.customer_name == "南山路店"
    [(vid, label)] = vm.recent_visits()
    assert vid == visit.id and label.endswith(" 南山路店")
    vm.set_type("policy")
    vm.set_family("policy.vbp_pricing")
    assert PRICE_CAP in [k for k, _ in vm.cause_options()]
    vm.set_cause(PRICE_CAP)
    vm.text = "集采最高有效申报价低于我方报价"
    assert vm.add_photo(make_jpeg(640, 480, seed=1)) and vm.add_photo(make_jpeg(640, 480, seed=2))
    before = store.pending_counts()
    ticket = vm.submit()
    assert ticket is not None, vm.error
    assert ticket.root_cause_id == PRICE_CAP and ticket.anchor is not None
    assert ticket.elapsed_since_anchor_ms is not None and ticket.device_id == store.device_id
    [entry] = [e for e in store.pending_changes() if e.record_type == "ticket"]
    assert entry.record_id == ticket.id and entry.op == "create"
    assert parse_ticket(entry.payload) == ticket
    photos = tickets_db.ticket_photos(store, ticket.id)
    assert [p.stored_sha256 for p in photos] == list(ticket.evidence.photos)
    assert all(store.blobs.verify(p.stored_sha256) and store.blobs.has(p.thumb_sha256)
               for p in photos)  # fmt: skip
    assert set(ticket.evidence.photos) <= set(store.pending_photo_uploads())
    assert store.pending_counts()["photos"] == before["photos"] + 2


def test_before_the_first_sync_the_seed_tree_is_offered_and_a_pulled_tree_replaces_it(
    store: LocalStore,
) -> None:
    vm = ReportTicketVM(store, ORG, "rep1", "en")
    vm.set_type("policy")
    assert ("policy.vbp_pricing", "Centralized procurement pricing rules") in vm.family_options()
    nodes = default_root_cause_tree().to_data()
    for n in nodes:
        if n["id"] == "policy.vbp_pricing":
            n["active"] = False
    nodes.append({"id": "policy.tender", "parent_id": "policy", "label_en": "Tender rules",
                  "label_zh": "招标规则", "active": True})  # fmt: skip
    pulled(store, 5, RecordType.ROOT_CAUSE_TREE, "root_causes", {"nodes": nodes})
    vm = ReportTicketVM(store, ORG, "rep1", "zh")
    vm.set_type("policy")
    keys = [k for k, _ in vm.family_options()]
    assert "policy.tender" in keys and "policy.vbp_pricing" not in keys  # retired: hidden
    assert (
        cause_label(load_tree(store), PRICE_CAP, "zh")
        == "集采报价规则 › 最高有效申报价低于我方报价"
    )


def test_a_standalone_report_needs_a_type_a_text_and_the_place_its_scope_names(
    store: LocalStore,
) -> None:
    vm = ReportTicketVM(store, ORG, "rep1")
    assert vm.scope is ImpactScope.NATIONAL and vm.scenario.customer_id is None
    assert vm.submit() is None and vm.field_error == "problem_type"
    vm.set_type("competitor")
    assert vm.submit() is None and vm.field_error == "text"
    vm.text = "竞品在本片区降价 20%"
    vm.set_scope("district")
    assert vm.submit() is None and vm.field_error == "impact_scope"
    assert vm.error is not None and "片区" in vm.error.text("zh")
    vm.set_place("科技园", district="南山")
    ticket = vm.submit()
    assert ticket is not None and ticket.root_cause_id is None
    assert ticket.scenario.occurred_at is not None and ticket.evidence.photos == ()
    assert store.pending_counts()["outbox"] == 1


def test_photos_are_limited_by_the_pulled_settings_and_bad_or_repeated_ones_are_refused(
    store: LocalStore,
) -> None:
    pulled(store, 3, RecordType.TICKET_SETTINGS, "ticket_settings", {"max_photos": 2})
    vm = ReportTicketVM(store, ORG, "rep1", "en")
    assert not vm.add_photo(b"not a photo")
    assert vm.photo_error is not None and "cannot be used" in vm.photo_error.text("en")
    assert vm.add_photo(make_jpeg(320, 240, seed=7))
    assert not vm.add_photo(make_jpeg(320, 240, seed=7))
    assert vm.photo_error is not None and vm.photo_error.key == "tk.photo_twice"
    assert vm.add_photo(make_jpeg(320, 240, seed=8))
    assert not vm.add_photo(make_jpeg(320, 240, seed=9))
    assert vm.photo_error is not None and vm.photo_error.text("zh") == "证据照片最多 2 张"
    vm.remove_photo(0)
    assert len(vm.photos) == 1


def test_ticket_photos_join_the_upload_queue_and_their_blobs_survive_garbage_collection(
    store: LocalStore,
) -> None:
    vm = ReportTicketVM(store, ORG, "rep1", customer_id="c2")
    vm.set_type("product")
    vm.text = "断货"
    assert vm.add_photo(make_jpeg(320, 240, seed=3))
    ticket = vm.submit()
    assert ticket is not None
    [sha] = ticket.evidence.photos
    assert store.gc_blobs(older_than_s=0) == 0 and store.blobs.has(sha)
    store.mark_photo_uploaded(sha)
    assert sha not in store.pending_photo_uploads()
    assert tickets_db.ticket_photos(store, ticket.id)[0].uploaded
    assert store.requeue_photo_uploads() >= 1 and sha in store.pending_photo_uploads()


def test_saving_the_same_ticket_twice_is_refused_and_stores_nothing_more(
    store: LocalStore,
) -> None:
    vm = ReportTicketVM(store, ORG, "rep1", customer_id="c1")
    vm.set_type("service")
    vm.text = "配送延迟三天"
    ticket = vm.submit()
    assert ticket is not None
    with pytest.raises(Exception, match="already saved"):
        tickets_db.save_ticket(store, ticket, [])
    assert store.pending_counts()["outbox"] == 1
    assert ticket.reported_at <= datetime.now(UTC) + timedelta(seconds=1)
