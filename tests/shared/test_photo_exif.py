"""EXIF evidence is read from real JPEG/PNG files written with piexif."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone

import piexif
import pytest

from shared.photos import analyze_photo
from tests.support.photos import insert_segment, make_jpeg, make_png

WHEN = datetime(2026, 11, 27, 10, 31, 5)
STORE = (22.5333, 113.9305)


def _with_exif(data: dict[str, object]) -> bytes:
    """A JPEG whose only EXIF is ``data`` (a piexif dict)."""
    out = io.BytesIO()
    piexif.insert(piexif.dump(data), make_jpeg(64, 48, extra_exif=False), out)
    return out.getvalue()


def test_the_time_the_photo_was_taken_is_read_with_its_utc_offset():
    info = analyze_photo(make_jpeg(taken_at=WHEN, offset="+08:00"))
    assert info.taken_at == WHEN.replace(tzinfo=timezone(timedelta(hours=8)))
    assert info.taken_at.utcoffset() == timedelta(hours=8)
    assert info.exif_problems == ()


def test_a_time_without_an_offset_stays_naive():
    info = analyze_photo(make_jpeg(taken_at=WHEN))
    assert info.taken_at == WHEN and info.taken_at.tzinfo is None


def test_a_negative_offset_is_honoured():
    info = analyze_photo(make_jpeg(taken_at=WHEN, offset="-03:30"))
    assert info.taken_at is not None
    assert info.taken_at.astimezone(UTC) == datetime(2026, 11, 27, 14, 1, 5, tzinfo=UTC)


def test_gps_is_read_as_signed_decimal_degrees():
    north_east = analyze_photo(make_jpeg(gps=STORE))
    assert north_east.gps_lat == pytest.approx(22.5333, abs=1e-6)
    assert north_east.gps_lon == pytest.approx(113.9305, abs=1e-6)
    south_west = analyze_photo(make_jpeg(gps=(-33.8568, -70.6483)))
    assert south_west.gps_lat == pytest.approx(-33.8568, abs=1e-6)
    assert south_west.gps_lon == pytest.approx(-70.6483, abs=1e-6)


def test_orientation_size_format_and_hashes_are_reported():
    data = make_jpeg(640, 480, orientation=6)
    info = analyze_photo(data)
    assert info.orientation == 6
    assert (info.width, info.height) == (480, 640)  # as displayed
    assert info.format == "JPEG" and info.size_bytes == len(data)
    assert len(info.sha256) == 64 and len(info.phash) == 16


def test_a_photo_without_exif_has_no_evidence_and_no_problem():
    info = analyze_photo(make_jpeg(extra_exif=False))
    assert (info.taken_at, info.gps_lat, info.gps_lon, info.orientation) == (None, None, None, 1)
    assert info.exif_problems == ()


def test_an_impossible_date_is_a_problem_not_a_crash():
    data = _with_exif({"Exif": {piexif.ExifIFD.DateTimeOriginal: "2024:13:45 25:61:00"}})
    info = analyze_photo(data)
    assert info.taken_at is None
    assert info.exif_problems == ("datetime_invalid: '2024:13:45 25:61:00'",)


def test_a_malformed_offset_leaves_the_time_naive_and_says_so():
    data = _with_exif(
        {
            "Exif": {
                piexif.ExifIFD.DateTimeOriginal: "2026:11:27 10:31:05",
                piexif.ExifIFD.OffsetTimeOriginal: "UTC+8",
            }
        }
    )
    info = analyze_photo(data)
    assert info.taken_at == WHEN
    assert info.exif_problems == ("offset_invalid: 'UTC+8'",)


def test_a_zero_denominator_in_gps_is_a_problem_not_a_crash():
    gps = {
        piexif.GPSIFD.GPSLatitudeRef: "N",
        piexif.GPSIFD.GPSLatitude: ((22, 0), (31, 1), (0, 1)),
        piexif.GPSIFD.GPSLongitudeRef: "E",
        piexif.GPSIFD.GPSLongitude: ((113, 1), (55, 1), (0, 1)),
    }
    info = analyze_photo(_with_exif({"GPS": gps}))
    assert (info.gps_lat, info.gps_lon) == (None, None)
    assert "gps_invalid" in info.exif_problems


def test_missing_gps_refs_are_taken_as_north_east_and_reported():
    gps = {
        piexif.GPSIFD.GPSLatitude: ((22, 1), (30, 1), (0, 1)),
        piexif.GPSIFD.GPSLongitude: ((113, 1), (54, 1), (0, 1)),
    }
    info = analyze_photo(_with_exif({"GPS": gps}))
    assert info.gps_lat == pytest.approx(22.5) and info.gps_lon == pytest.approx(113.9)
    assert info.exif_problems == ("gps_ref_missing",)


def test_a_null_island_position_is_not_evidence():
    info = analyze_photo(make_jpeg(gps=(0.0, 0.0)))
    assert info.gps_lat is None and "gps_zero" in info.exif_problems


def test_an_out_of_range_orientation_is_ignored_and_reported():
    info = analyze_photo(_with_exif({"0th": {piexif.ImageIFD.Orientation: 9}}))
    assert info.orientation == 1 and info.exif_problems == ("orientation_invalid: 9",)


@pytest.mark.parametrize(
    "payload",
    [
        b"Exif\x00\x00" + bytes(range(256)) * 2,
        b"Exif\x00\x00II*\x00\xff\xff\x00\x00" + b"\x01" * 40,
        b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x05\x01",
    ],
    ids=["garbage", "bad-ifd-offset", "truncated-ifd"],
)
def test_a_photo_with_corrupt_exif_is_kept_with_a_problem(payload):
    data = insert_segment(make_jpeg(160, 120, extra_exif=False), 0xE1, payload)
    info = analyze_photo(data)
    assert info.width == 160 and info.taken_at is None
    assert any(p.startswith(("exif_unreadable", "exif_corrupt")) for p in info.exif_problems)


def test_png_exif_is_read_too():
    info = analyze_photo(make_png(200, 100, taken_at=WHEN, offset="+08:00", gps=STORE))
    assert info.format == "PNG"
    assert info.taken_at == WHEN.replace(tzinfo=timezone(timedelta(hours=8)))
    assert info.gps_lat == pytest.approx(22.5333, abs=1e-6)
