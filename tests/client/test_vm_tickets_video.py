"""Reporting with one short video instead of photos, on the device (offline)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from client.localdb import tickets as tickets_db
from client.viewmodels.tickets import ReportTicketVM
from client.viewmodels.tickets_list import TicketDetailVM
from shared.changes import RecordType
from shared.errors import InvalidInput
from shared.tickets import TicketSettings
from tests.client.test_vm_tickets_detail import pull
from tests.client.vm_support import ORG, seeded_store
from tests.support.photos import make_jpeg
from tests.support.videos import make_mp4, make_webm


def form(tmp_path: Path) -> ReportTicketVM:
    vm = ReportTicketVM(seeded_store(tmp_path), ORG, "rep1", customer_id="c1")
    vm.set_type("competitor")
    vm.text = "竞品在药房做买断陈列，视频为证"
    return vm


def test_a_video_report_is_saved_content_addressed_and_queued_for_upload(tmp_path: Path) -> None:
    vm = form(tmp_path)
    data = make_mp4(9.5, media_bytes=5000)
    assert vm.add_video(data), vm.photo_error
    ticket = vm.submit()
    assert ticket is not None, vm.error
    video = ticket.evidence.video
    sha = hashlib.sha256(data).hexdigest()
    assert video is not None and ticket.evidence.photos == ()
    assert (video.sha256, video.size_bytes, video.duration_s, video.mime) == (
        sha, len(data), 9.5, "video/mp4")  # fmt: skip
    store = vm.store
    assert store.blobs.get(sha) == data
    assert store.pending_photo_uploads(limit=10) == [sha]
    assert store.pending_counts()["photos"] == 1
    [entry] = store.pending_changes()
    assert entry.payload["evidence"] == {"photos": [], "video": video.model_dump(mode="json")}
    store.gc_blobs()
    assert store.blobs.has(sha)  # kept: a ticket row references it
    detail = TicketDetailVM(store, ticket.id, "rep1", "zh")
    detail.load()
    assert detail.video == (video, True) and detail.evidence() == []


def test_photos_and_a_video_never_mix_and_the_message_says_why(tmp_path: Path) -> None:
    vm = form(tmp_path)
    assert vm.add_photo(make_jpeg(400, 300, seed=1))
    assert not vm.add_video(make_mp4(3))
    assert vm.photo_error is not None and "不能混用" in vm.photo_error.text("zh")
    assert "not both" in vm.photo_error.text("en")
    vm.remove_photo(0)
    assert vm.add_video(make_webm(3.0))
    assert not vm.add_photo(make_jpeg(400, 300, seed=2))
    assert vm.photo_error is not None and vm.photo_error.key == "tk.no_photos_with_video"
    vm.remove_video()
    assert vm.add_photo(make_jpeg(400, 300, seed=2))


def test_a_non_video_a_truncated_one_and_one_over_the_limits_are_refused_naming_the_field(
    tmp_path: Path,
) -> None:
    vm = form(tmp_path)
    limits = TicketSettings(video_max_bytes=3000, video_max_duration_s=20)
    pull(vm.store, 5, RecordType.TICKET_SETTINGS, "ticket_settings", limits.model_dump(mode="json"))
    vm = ReportTicketVM(vm.store, ORG, "rep1", customer_id="c1")
    assert not vm.add_video(b"not a video at all")
    assert vm.photo_error is not None and "MP4" in vm.photo_error.text("en")
    assert not vm.add_video(make_mp4(5)[:-20])
    assert "truncated" in vm.photo_error.text("en")  # type: ignore[union-attr]
    assert not vm.add_video(make_mp4(25))
    assert "evidence.video.duration_s" in vm.photo_error.text("en")  # type: ignore[union-attr]
    assert not vm.add_video(make_mp4(5, media_bytes=4000))
    assert "evidence.video.size_bytes" in vm.photo_error.text("en")  # type: ignore[union-attr]
    assert vm.video is None and vm.add_video(make_mp4(19.9))


def test_the_stored_rows_must_match_the_tickets_video(tmp_path: Path) -> None:
    vm = form(tmp_path)
    assert vm.add_video(make_mp4(4))
    vm._check()
    ticket = vm.build()
    with pytest.raises(InvalidInput) as exc:
        tickets_db.save_ticket(vm.store, ticket, [], make_mp4(5))
    assert exc.value.field == "evidence.video"
    assert vm.store.pending_changes() == []
