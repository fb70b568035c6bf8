"""Capturing a visit on the device: the path the app and `fieldledger visit new` share."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from client import demo_evidence
from client.anchor import read_anchor, save_anchor
from client.capture import CaptureRequest, PhotoInput, camera_stamp, capture_visit
from client.localdb.store import LocalStore
from shared.errors import InvalidInput, InvalidPhoto
from shared.settings import RuleCode
from shared.visits import GpsFix, Provenance
from tests.support.factories import STORE_LAT, STORE_LON, make_customer
from tests.support.photos import make_jpeg

ANCHOR = datetime.fromisoformat("2025-03-12T10:00:00+08:00")
AT_STORE = GpsFix(lat=STORE_LAT, lon=STORE_LON, accuracy_m=10)


@pytest.fixture
def store(tmp_path):
    with LocalStore.open(tmp_path / "device.sqlite") as s:
        s.upsert_customers([make_customer()])
        save_anchor(s, ANCHOR)
        yield s


def camera_photos(store, seeds=(1, 2, 3)):
    slots = ("storefront", "stack_display", "price_tag")
    return [
        PhotoInput(
            slot,
            make_jpeg(640, 480, seed=seed),
            Provenance.APP_CAMERA,
            camera_stamp(store, AT_STORE),
        )
        for slot, seed in zip(slots, seeds, strict=True)
    ]


def request(photos, **kw) -> CaptureRequest:
    base = dict(
        org_id="org1",
        rep_id="rep1",
        customer_id="c1",
        action_type="display_optimization",
        gps=AT_STORE,
        photos=photos,
        checklist={"facing_fixed": True, "pop_placed": True},
    )
    base.update(kw)
    return CaptureRequest(**base)


def test_the_anchor_read_back_gives_the_server_time_plus_elapsed_time(store):
    reading = read_anchor(store)
    assert reading.anchor is not None and reading.anchor.server_time == ANCHOR
    assert 0 <= reading.elapsed_since_anchor_ms < 60_000


def test_a_captured_visit_is_judged_with_trusted_time_and_saved_with_its_outbox_entry(store):
    outcome = capture_visit(store, request(camera_photos(store)))
    assert outcome.report.counts, [r.message_en for r in outcome.report.results if not r.passed]
    assert outcome.report.time_source == "anchor"
    assert ANCHOR <= outcome.report.visit_time < ANCHOR + timedelta(minutes=1)
    stored = store.get_visit(outcome.visit.id)
    assert stored.report.counts and stored.seq == outcome.seq
    assert [e.record_id for e in store.pending_changes()] == [outcome.visit.id]
    for p in stored.visit.photos:
        assert store.blobs.verify(p.stored_sha256)


def test_the_watermark_changes_the_stored_bytes_but_not_the_capture_hash(store, tmp_path):
    photos = camera_photos(store)
    marked = capture_visit(store, request(photos)).visit.photos[0]
    with LocalStore.open(tmp_path / "other.sqlite") as other:
        other.upsert_customers([make_customer()])
        save_anchor(other, ANCHOR)
        plain = capture_visit(other, request(photos, watermark=False)).visit.photos[0]
    assert marked.sha256 == plain.sha256 and marked.phash == plain.phash
    assert marked.stored_sha256 != plain.stored_sha256


def test_a_second_visit_reusing_a_photo_is_refused_by_the_local_history(store):
    first = camera_photos(store, seeds=(1, 2, 3))
    capture_visit(store, request(first))
    again = camera_photos(store, seeds=(1, 5, 6))
    report = capture_visit(store, request(again)).report
    assert not report.result(RuleCode.PHOTO_REUSED, "storefront").passed
    assert report.result(RuleCode.PHOTO_REUSED, "stack_display").passed
    assert not report.counts


def test_a_corrupt_photo_is_refused_and_nothing_is_saved(store):
    photos = camera_photos(store)
    photos[1] = PhotoInput(
        "stack_display", make_jpeg(640, 480, seed=9)[:5000], Provenance.FILE_PICKER
    )
    with pytest.raises(InvalidPhoto):
        capture_visit(store, request(photos))
    assert store.pending_changes() == [] and store.list_visits() == []


def test_an_empty_photo_names_its_position(store):
    with pytest.raises(InvalidInput) as err:
        capture_visit(store, request([PhotoInput("storefront", b"")]))
    assert err.value.field == "photos[0]"


def test_the_evidence_demo_accepts_the_good_visit_and_refuses_the_bad_one(tmp_path, capsys):
    assert demo_evidence.run(tmp_path / "demo", "en") == [True, False]
    out = capsys.readouterr().out
    assert "The visit counts" in out and "does not count" in out
