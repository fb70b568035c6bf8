"""Visits in the local store: append-only evidence saved with its outbox entry."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from client.localdb import LocalStore, StoredPhotoInput
from shared.errors import Conflict, InvalidInput, NotFound
from tests.client.crash_writer import BASE_TIME, make_report, make_visit


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    with LocalStore.open(tmp_path / "device" / "local.db") as s:
        yield s


def counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    tables = ("visits", "visit_photos", "photo_hashes", "outbox", "visit_voids", "drafts")
    try:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        db.close()


def test_a_saved_visit_reads_back_equal_with_its_report_and_photos(store: LocalStore) -> None:
    visit, report, photos = make_visit(visit_id="v1")
    store.save_visit(visit, report, photos)

    stored = store.get_visit("v1")
    assert stored.visit == visit
    assert stored.report == report
    assert (stored.voided, stored.void_reason, stored.sync_state) == (False, None, "pending")
    assert [p.slot for p in stored.photos] == ["storefront", "price_tag"]
    for row, given in zip(stored.photos, photos, strict=True):
        assert row.sha256 == given.sha256
        assert store.blobs.get(row.stored_sha256) == given.stored
        assert store.blobs.get(row.thumb_sha256) == given.thumbnail


def test_saving_a_visit_writes_its_outbox_entry_with_the_visit_payload(store: LocalStore) -> None:
    visit, report, photos = make_visit(visit_id="v1")
    seq = store.save_visit(visit, report, photos)

    [entry] = store.pending_changes()
    assert (entry.seq, entry.record_type, entry.record_id, entry.op) == (
        seq,
        "visit",
        "v1",
        "create",
    )
    assert entry.payload == visit.model_dump(mode="json")
    assert entry.to_change().payload["photos"][0]["slot"] == "storefront"
    assert store.get_visit("v1").seq == seq


def test_saving_the_same_visit_id_twice_is_a_conflict_and_changes_nothing(
    store: LocalStore,
) -> None:
    visit, report, photos = make_visit(visit_id="v1")
    store.save_visit(visit, report, photos)
    before = counts(store.path)
    next_seq = store.get_meta("next_seq")

    other, other_report, other_photos = make_visit(visit_id="v1", customer_id="c2")
    with pytest.raises(Conflict) as caught:
        store.save_visit(other, other_report, other_photos)

    assert caught.value.field == "id"
    assert counts(store.path) == before
    assert store.get_meta("next_seq") == next_seq
    assert store.get_visit("v1").visit.customer_id == "c1"


def test_a_duplicate_that_slips_past_the_first_check_is_still_refused(store: LocalStore) -> None:
    from client.localdb import visits as visits_mod

    visit, report, photos = make_visit(visit_id="v1")
    store.save_visit(visit, report, photos)
    rows = visits_mod.write_blobs(store.blobs, visit, photos)
    with pytest.raises(Conflict), store.transaction() as tx:
        visits_mod.insert_visit(tx, visit, report, rows)
    assert counts(store.path)["outbox"] == 1


def test_voiding_keeps_the_original_and_queues_a_void_record(store: LocalStore) -> None:
    visit, report, photos = make_visit(visit_id="v1")
    first = store.save_visit(visit, report, photos)
    when = datetime(2025, 3, 12, 5, 0, tzinfo=UTC)

    seq = store.void_visit("v1", "  wrong customer ", voided_at=when)

    assert seq == first + 1
    stored = store.get_visit("v1")
    assert stored.visit == visit and stored.voided and stored.void_reason == "wrong customer"
    void_entry = store.pending_changes()[-1]
    assert void_entry.record_type == "visit_void"
    assert void_entry.payload == {"visit_id": "v1", "reason": "wrong customer"}
    assert void_entry.record_id != "v1"  # the void is a record of its own
    with pytest.raises(Conflict):
        store.void_visit("v1", "again", voided_at=when)


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_voiding_without_a_usable_reason_is_refused_naming_the_field(
    store: LocalStore, reason: str
) -> None:
    visit, report, photos = make_visit(visit_id="v1")
    store.save_visit(visit, report, photos)
    with pytest.raises(InvalidInput) as caught:
        store.void_visit("v1", reason, voided_at=BASE_TIME)
    assert caught.value.field == "reason"
    assert not store.get_visit("v1").voided
    assert len(store.pending_changes()) == 1


def test_voiding_an_unknown_visit_is_not_found(store: LocalStore) -> None:
    with pytest.raises(NotFound):
        store.void_visit("nope", "reason", voided_at=BASE_TIME)
    assert store.pending_changes() == []


def test_saving_a_visit_deletes_its_draft_and_only_its_draft(store: LocalStore) -> None:
    store.save_draft("v1", {"step": 3})
    store.save_draft("v2", {"step": 1})
    visit, report, photos = make_visit(visit_id="v1")
    store.save_visit(visit, report, photos)
    assert store.load_draft("v1") is None
    assert store.load_draft("v2") == {"step": 1}


def test_photo_bytes_that_do_not_match_the_visit_are_refused_before_anything_is_written(
    store: LocalStore,
) -> None:
    visit, report, photos = make_visit(visit_id="v1")
    with pytest.raises(InvalidInput) as missing:
        store.save_visit(visit, report, photos[:1])
    bad = [photos[0], StoredPhotoInput(photos[1].sha256, b"other bytes", b"t")]
    with pytest.raises(InvalidInput) as mismatched:
        store.save_visit(visit, report, bad)
    assert missing.value.field == mismatched.value.field == "photos"
    assert list(store.blobs.all_hashes()) == []
    assert counts(store.path)["visits"] == 0


def test_a_report_of_another_visit_is_refused(store: LocalStore) -> None:
    visit, _, photos = make_visit(visit_id="v1")
    with pytest.raises(InvalidInput) as caught:
        store.save_visit(visit, make_report("v2"), photos)
    assert caught.value.field == "report"
    assert store.pending_changes() == []


def test_own_photo_hashes_are_added_by_save_visit(store: LocalStore) -> None:
    store.add_photo_hashes([("a" * 64, "0" * 16, "old-visit")])
    visit, report, photos = make_visit(visit_id="v1")
    store.save_visit(visit, report, photos)
    rows = set(store.photo_hash_rows())
    expected = {(p.sha256, p.phash, "v1") for p in visit.photos} | {
        ("a" * 64, "0" * 16, "old-visit")
    }
    assert rows == expected


def test_list_visits_filters_by_rep_and_since_newest_first(store: LocalStore) -> None:
    for i, rep in enumerate(["rep1", "rep2", "rep1", "rep1"]):
        v, r, p = make_visit(
            visit_id=f"v{i}", rep_id=rep, device_time=BASE_TIME + timedelta(days=i), slots=()
        )
        store.save_visit(v, r, p)
    assert [s.visit.id for s in store.list_visits()] == ["v3", "v2", "v1", "v0"]
    assert [s.visit.id for s in store.list_visits(rep_id="rep1")] == ["v3", "v2", "v0"]
    since = BASE_TIME + timedelta(days=1)
    assert [s.visit.id for s in store.list_visits(rep_id="rep1", since=since)] == ["v3", "v2"]
    assert [s.visit.id for s in store.list_visits(limit=1)] == ["v3"]


def test_a_visit_that_does_not_count_keeps_its_flag_and_report(store: LocalStore) -> None:
    v, r, p = make_visit(visit_id="v1", counts=False)
    store.save_visit(v, r, p)
    assert store.get_visit("v1").report.counts is False
    db = sqlite3.connect(store.path)
    assert db.execute("SELECT counts FROM visits").fetchone() == (0,)
    db.close()


def test_getting_an_unknown_visit_is_not_found(store: LocalStore) -> None:
    with pytest.raises(NotFound) as caught:
        store.get_visit("missing")
    assert caught.value.field == "visit_id"


def test_a_visit_without_a_device_id_is_stamped_with_the_store_device_id(
    store: LocalStore,
) -> None:
    visit, report, photos = make_visit(visit_id="v1", slots=())
    store.save_visit(visit.model_copy(update={"device_id": ""}), report, photos)
    assert store.get_visit("v1").visit.device_id == store.device_id
    assert store.pending_changes()[0].payload["device_id"] == store.device_id
