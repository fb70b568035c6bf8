"""The stored copy: downscaled, upright, minimal EXIF, hashes of the capture kept."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime

import piexif
import pytest
from PIL import Image

from shared.photos import (
    PhotoInfo,
    ProcessedPhoto,
    Watermark,
    analyze_photo,
    process_photo,
    to_evidence,
)
from shared.visits import CaptureStamp, Provenance
from tests.support.photos import MARKER_RGB, make_jpeg, make_png

WHEN = datetime(2026, 11, 27, 10, 31, 5)
STORE = (22.5333, 113.9305)


def _is_marker(rgb: tuple[int, ...]) -> bool:
    return abs(rgb[0] - MARKER_RGB[0]) < 40 and rgb[1] < 70 and rgb[2] < 70


@pytest.fixture(scope="module")
def camera_photo() -> bytes:
    return make_jpeg(2400, 1800, taken_at=WHEN, offset="+08:00", gps=STORE, orientation=1, seed=7)


def test_a_large_photo_is_stored_at_most_1600_px_with_a_small_thumbnail(camera_photo):
    processed = process_photo(camera_photo)
    stored = Image.open(io.BytesIO(processed.stored))
    assert stored.format == "JPEG" and stored.size == (1600, 1200)
    assert (processed.stored_width, processed.stored_height) == (1600, 1200)
    thumb = Image.open(io.BytesIO(processed.thumbnail))
    assert thumb.format == "JPEG" and max(thumb.size) == 320
    assert processed.stored_sha256 == hashlib.sha256(processed.stored).hexdigest()
    assert processed.info.sha256 == hashlib.sha256(camera_photo).hexdigest()


def test_the_stored_copy_keeps_only_time_gps_and_a_normal_orientation(camera_photo):
    stored = process_photo(camera_photo).stored
    exif = piexif.load(stored)
    assert exif["0th"] == {
        piexif.ImageIFD.Orientation: 1,
        piexif.ImageIFD.ExifTag: exif["0th"][piexif.ImageIFD.ExifTag],
        piexif.ImageIFD.GPSTag: exif["0th"][piexif.ImageIFD.GPSTag],
    }
    assert exif["Exif"] == {
        piexif.ExifIFD.DateTimeOriginal: b"2026:11:27 10:31:05",
        piexif.ExifIFD.OffsetTimeOriginal: b"+08:00",
    }
    assert exif["GPS"][piexif.GPSIFD.GPSLatitudeRef] == b"N"
    assert exif["GPS"][piexif.GPSIFD.GPSLongitudeRef] == b"E"
    assert exif["1st"] == {} and exif["thumbnail"] is None
    image = Image.open(io.BytesIO(stored))
    assert "icc_profile" not in image.info and "xmp" not in image.info
    assert "comment" not in image.info
    for secret in (b"Huawei", b"P60 Pro", b"SN-0042-SECRET", b"rep private note", b"adobe:ns"):
        assert secret not in stored
    again = analyze_photo(stored)
    assert again.taken_at == process_photo(camera_photo).info.taken_at
    assert (again.gps_lat, again.gps_lon) == pytest.approx(STORE, abs=1e-6)


def test_the_original_really_had_what_the_pipeline_strips(camera_photo):
    assert b"SN-0042-SECRET" in camera_photo and b"Huawei" in camera_photo
    assert piexif.load(camera_photo)["thumbnail"]


@pytest.mark.parametrize("orientation", [6, 8, 5, 7])
def test_a_sideways_photo_becomes_portrait_and_upright(orientation):
    data = make_jpeg(800, 600, orientation=orientation, seed=3, extra_exif=False)
    processed = process_photo(data)
    stored = Image.open(io.BytesIO(processed.stored)).convert("RGB")
    assert stored.size == (600, 800)
    assert piexif.load(processed.stored)["0th"][piexif.ImageIFD.Orientation] == 1
    # The raw top-left marker lands where the orientation puts it.
    corners = {
        6: (stored.width - 10, 10),
        8: (10, stored.height - 10),
        5: (10, 10),
        7: (stored.width - 10, stored.height - 10),
    }
    assert _is_marker(stored.getpixel(corners[orientation]))
    assert not _is_marker(stored.getpixel((stored.width // 2, stored.height // 2)))


def test_orientation_three_turns_the_photo_upside_down():
    processed = process_photo(make_jpeg(400, 300, orientation=3, extra_exif=False))
    stored = Image.open(io.BytesIO(processed.stored)).convert("RGB")
    assert stored.size == (400, 300)
    assert _is_marker(stored.getpixel((stored.width - 5, stored.height - 5)))


def test_a_small_photo_is_not_enlarged():
    processed = process_photo(make_jpeg(300, 200, extra_exif=False), max_side=1600)
    assert (processed.stored_width, processed.stored_height) == (300, 200)


def test_max_side_and_quality_shape_the_stored_copy(camera_photo):
    small = process_photo(camera_photo, max_side=800, quality=60)
    assert (small.stored_width, small.stored_height) == (800, 600)
    assert len(small.stored) < len(process_photo(camera_photo).stored)
    with pytest.raises(ValueError):
        process_photo(camera_photo, quality=0)


def test_a_png_screenshot_is_accepted_and_stored_as_jpeg():
    processed = process_photo(make_png(500, 300, taken_at=WHEN, gps=STORE))
    assert processed.info.format == "PNG"
    assert Image.open(io.BytesIO(processed.stored)).format == "JPEG"
    assert processed.info.taken_at == WHEN


@pytest.mark.parametrize("mode", ["RGBA", "P", "L", "LA", "I;16"])
def test_pngs_of_any_common_mode_are_flattened_to_rgb(mode):
    processed = process_photo(make_png(120, 80, mode=mode))
    stored = Image.open(io.BytesIO(processed.stored))
    assert stored.mode == "RGB" and stored.size == (120, 80)


def test_the_same_photo_gives_the_same_hashes_whether_analysed_or_processed(camera_photo):
    info = analyze_photo(camera_photo)
    processed = process_photo(camera_photo)
    assert info == processed.info


def test_a_watermark_changes_the_stored_bytes_but_not_the_capture_hashes(camera_photo):
    plain = process_photo(camera_photo)
    stamped = process_photo(camera_photo, watermark=Watermark(lines=("2026-11-27 10:31",)))
    assert stamped.stored != plain.stored and stamped.stored_sha256 != plain.stored_sha256
    assert stamped.info.sha256 == plain.info.sha256
    assert stamped.info.phash == plain.info.phash


def test_evidence_carries_hashes_exif_and_provenance(camera_photo):
    processed = process_photo(camera_photo)
    stamp = CaptureStamp(trusted_time=datetime.fromisoformat("2026-11-27T10:31:00+08:00"))
    evidence = to_evidence(
        processed, slot="storefront", provenance=Provenance.APP_CAMERA, capture_stamp=stamp
    )
    assert evidence.sha256 == processed.info.sha256
    assert evidence.stored_sha256 == processed.stored_sha256
    assert evidence.phash == processed.info.phash
    assert evidence.exif_lat == pytest.approx(STORE[0], abs=1e-6)
    assert (evidence.width, evidence.height) == (2400, 1800)
    assert evidence.capture_stamp == stamp and evidence.slot == "storefront"
    from_info = to_evidence(processed.info, slot="x", provenance=Provenance.FILE_PICKER)
    assert from_info.stored_sha256 == "" and from_info.taken_at == processed.info.taken_at


def test_results_are_immutable_models(camera_photo):
    processed = process_photo(camera_photo)
    assert isinstance(processed, ProcessedPhoto) and isinstance(processed.info, PhotoInfo)
    with pytest.raises(ValueError):
        processed.info.sha256 = "0" * 64  # type: ignore[misc]
