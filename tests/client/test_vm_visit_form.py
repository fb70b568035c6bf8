"""The new-visit form view-model over a real local store, real photos, the real rules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from client.localdb.store import LocalStore
from client.viewmodels.draft_photos import draft_photo_store
from client.viewmodels.visit_form import VisitFormVM, rule_rows
from shared.settings import RuleCode
from shared.visits import Provenance
from tests.client.vm_support import ACCOUNT, fix_at, fresh_photo, seeded_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = seeded_store(tmp_path)
    yield s
    s.close()


def display_form(store: LocalStore) -> VisitFormVM:
    vm = VisitFormVM(store, ACCOUNT, "c1")
    vm.set_action("display_optimization")
    return vm


def complete(vm: VisitFormVM) -> None:
    for i, slot in enumerate(("storefront", "stack_display", "price_tag")):
        assert vm.add_photo(slot, fresh_photo(i + 1))
    vm.set_check("facing_fixed", True)
    vm.set_check("pop_placed", True)
    vm.set_gps(fix_at(20))


def test_the_action_type_brings_its_sop_photo_slots_and_checklist(store: LocalStore) -> None:
    vm = display_form(store)
    assert vm.sop is not None
    assert [s.code for s in vm.sop.photo_slots] == ["storefront", "stack_display", "price_tag"]
    assert [c.code for c in vm.sop.checklist] == ["facing_fixed", "pop_placed"]


def test_an_empty_form_shows_every_rule_failing_with_what_to_do(store: LocalStore) -> None:
    vm = display_form(store)
    report = vm.report
    assert report is not None and not report.counts
    photos = report.result(RuleCode.PHOTOS_REQUIRED)
    assert photos is not None and photos.blocks and photos.limit == 3
    rows = {r.code: r for r in rule_rows(report, "zh")}
    assert rows["gps.present"].status == "block" and rows["gps.present"].hint


def test_the_live_panel_shows_the_distance_measured_against_the_limit(store: LocalStore) -> None:
    vm = display_form(store)
    vm.set_gps(fix_at(312))
    rows = {r.code: r for r in rule_rows(vm.report, "zh")}
    assert rows["gps.distance"].status == "pass"
    assert "≤ 500 m" in rows["gps.distance"].text and "距门店 312" in rows["gps.distance"].text
    vm.set_gps(fix_at(800))
    rows = {r.code: r for r in rule_rows(vm.report, "en")}
    assert rows["gps.distance"].status == "block" and "> 500 m" in rows["gps.distance"].text
    assert rows["gps.distance"].hint.startswith("Get a new fix")


def test_a_complete_visit_counts_before_and_after_submit(store: LocalStore) -> None:
    vm = display_form(store)
    complete(vm)
    assert vm.counts, [r.text for r in rule_rows(vm.report, "en") if r.status == "block"]
    outcome = vm.submit()
    assert outcome.report.counts
    assert outcome.message.key == "visit.saved_counts"
    saved = store.get_visit(vm.visit_id)
    assert [p.slot for p in saved.photos] == ["storefront", "stack_display", "price_tag"]
    assert {p.provenance for p in saved.visit.photos} == {Provenance.FILE_PICKER}
    assert store.load_draft(vm.visit_id) is None
    assert store.pending_counts()["visits"] == 1


def test_a_visit_far_from_the_store_is_saved_but_does_not_count(store: LocalStore) -> None:
    vm = display_form(store)
    complete(vm)
    vm.set_gps(fix_at(900))
    outcome = vm.submit()
    assert not outcome.report.counts
    assert outcome.message.key == "visit.saved_blocked" and outcome.message.args["n"] == 1
    assert store.get_visit(vm.visit_id).report == outcome.report


def test_an_unfinished_visit_survives_the_app_being_killed(
    store: LocalStore, tmp_path: Path
) -> None:
    vm = display_form(store)
    vm.add_photo("storefront", fresh_photo(7))
    vm.set_check("facing_fixed", True)
    vm.set_result("objections", "价格偏高")
    vm.set_gps(fix_at(40))
    store.close()

    reopened = LocalStore.open(store.path)
    try:
        back = VisitFormVM.resume(reopened, ACCOUNT, vm.visit_id)
        assert back.action_type == "display_optimization"
        assert back.checklist == {"facing_fixed": True}
        assert back.result_raw == {"objections": "价格偏高"}
        assert back.gps == vm.gps
        assert back.photos["storefront"].evidence == vm.photos["storefront"].evidence
        assert back.report is not None
        assert back.report.result(RuleCode.PHOTOS_REQUIRED).measured == 1  # type: ignore[union-attr]
    finally:
        reopened.close()


def test_a_photo_is_analysed_once_and_kept_until_the_draft_ends(store: LocalStore) -> None:
    vm = display_form(store)
    data = fresh_photo(3)
    vm.add_photo("price_tag", data)
    photo = vm.photos["price_tag"]
    blobs = draft_photo_store(store)
    assert blobs.get(photo.sha256) == data
    assert photo.thumbnail.startswith(b"\xff\xd8")
    vm.set_notes("x")  # a keystroke revalidates with the cached evidence
    assert vm.photos["price_tag"] is photo
    vm.discard()
    assert not blobs.has(photo.sha256)
    assert store.load_draft(vm.visit_id) is None


def test_bytes_that_are_not_a_photo_are_refused_with_a_reason(store: LocalStore) -> None:
    vm = display_form(store)
    assert not vm.add_photo("storefront", b"not a jpeg at all")
    assert vm.photo_error is not None and vm.photo_error.key == "visit.photo_bad"
    assert vm.photo_error.text("zh") and vm.photo_error.text("en")
    assert "storefront" not in vm.photos


def test_an_old_picked_photo_fails_its_time_rule_and_says_what_to_do(store: LocalStore) -> None:
    vm = display_form(store)
    complete(vm)
    vm.add_photo("price_tag", fresh_photo(9, minutes_ago=60 * 24 * 3))
    exif = vm.report.result(RuleCode.PHOTO_EXIF_TIME, "price_tag")  # type: ignore[union-attr]
    assert exif is not None and exif.blocks and exif.hint_zh
    assert not vm.counts


def test_a_camera_photo_carries_its_capture_stamp(store: LocalStore) -> None:
    from client.capture import camera_stamp

    vm = display_form(store)
    fix = fix_at(10)
    vm.set_gps(fix)
    stamp = camera_stamp(store, fix)
    vm.add_photo("storefront", fresh_photo(4, gps=False), Provenance.APP_CAMERA, stamp)
    ev = vm.photos["storefront"].evidence
    assert ev.provenance is Provenance.APP_CAMERA and ev.capture_stamp == stamp
    again = VisitFormVM.resume(store, ACCOUNT, vm.visit_id)
    assert again.photos["storefront"].stamp == stamp


def test_a_number_field_keeps_the_raw_text_and_flags_it(store: LocalStore) -> None:
    vm = VisitFormVM(store, ACCOUNT, "c1")
    vm.set_action("replenishment")
    vm.set_result("stock_count", "十二")
    assert "stock_count" in vm.result_errors
    assert "stock_count" not in vm.result_values()
    failed = vm.report.result(RuleCode.RESULT_REQUIRED)  # type: ignore[union-attr]
    assert failed is not None and failed.blocks
    vm.set_result("stock_count", "12")
    assert vm.result_values() == {"stock_count": 12}


def test_an_amendment_is_a_new_visit_pointing_at_the_original(store: LocalStore) -> None:
    first = display_form(store)
    complete(first)
    first.submit()
    amend = VisitFormVM(store, ACCOUNT, "c1", amends=first.visit_id)
    amend.set_action("display_optimization")
    complete(amend)
    amend.set_notes("补拍价签")
    out = amend.submit()
    assert store.get_visit(out.visit_id).visit.amends == first.visit_id
    assert store.get_visit(first.visit_id).visit.notes == ""  # the original is untouched


def test_changing_the_action_drops_checklist_items_of_the_old_sop(store: LocalStore) -> None:
    vm = display_form(store)
    vm.set_check("facing_fixed", True)
    vm.set_action("replenishment")
    assert vm.checklist == {}
    with pytest.raises(ValueError):
        vm.set_action("no_such_action")
