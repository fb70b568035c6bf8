"""Recognising a ticket video by its bytes and reading its duration (shared/tickets/video.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.tickets.video import InvalidVideo, probe_video, sniff_video
from tests.support.photos import make_jpeg
from tests.support.videos import box, make_mp4, make_webm


def test_an_mp4_made_by_hand_gives_its_type_duration_and_size() -> None:
    data = make_mp4(12.5)
    info = probe_video(data)
    assert (info.mime, info.duration_s, info.size_bytes) == ("video/mp4", 12.5, len(data))
    assert len(data) < 600


def test_a_version_1_mvhd_with_a_90khz_timescale_is_read() -> None:
    assert probe_video(make_mp4(7.25, version=1, timescale=90_000)).duration_s == 7.25


def test_a_quicktime_brand_is_a_mov_file() -> None:
    assert probe_video(make_mp4(3, brand=b"qt  ")).mime == "video/quicktime"


def test_a_webm_with_a_duration_is_read_and_one_without_is_refused_plainly() -> None:
    info = probe_video(make_webm(4.5))
    assert (info.mime, info.duration_s) == ("video/webm", 4.5)
    with pytest.raises(InvalidVideo) as exc:
        probe_video(make_webm(None))
    assert exc.value.field == "video" and "without a recorded duration" in exc.value.message


def test_a_matroska_file_is_not_taken_for_webm() -> None:
    with pytest.raises(InvalidVideo, match="not WebM"):
        probe_video(make_webm(3, doctype=b"matroska"))


@pytest.mark.parametrize("cut", [1, 10, 300])
def test_a_truncated_mp4_is_refused_as_truncated(cut: int) -> None:
    data = make_mp4(5)
    with pytest.raises(InvalidVideo) as exc:
        probe_video(data[:-cut])
    assert exc.value.field == "video" and exc.value.code == "invalid_video"


def test_a_photo_and_text_are_not_videos() -> None:
    for data in (make_jpeg(64, 48), b"hello, this is not a video at all"):
        assert sniff_video(data) is None
        with pytest.raises(InvalidVideo, match="not an MP4, QuickTime or WebM"):
            probe_video(data)


def test_an_mp4_without_media_data_or_duration_is_refused() -> None:
    head = make_mp4(5)[: -(256 + 8)]  # ftyp + moov, no mdat
    with pytest.raises(InvalidVideo, match="mdat"):
        probe_video(head)
    with pytest.raises(InvalidVideo, match="duration is not recorded"):
        probe_video(make_mp4(0))
    moov_only = box(b"ftyp", b"isom\x00\x00\x02\x00") + box(b"moov", b"") + box(b"mdat", b"x")
    with pytest.raises(InvalidVideo, match="mvhd"):
        probe_video(moov_only)


@given(st.binary(max_size=400))
def test_any_bytes_give_a_video_or_invalid_video_never_a_crash(data: bytes) -> None:
    for blob in (data, make_mp4(2)[:40] + data, make_webm(2)[:30] + data):
        try:
            info = probe_video(blob)
        except InvalidVideo as exc:
            assert exc.field == "video"
        else:
            assert info.duration_s > 0 and info.mime in ("video/mp4", "video/quicktime",
                                                         "video/webm")  # fmt: skip
