"""HEIC photos (iPhone default) go through the same pipeline when pillow-heif is installed."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import piexif
import pytest
from PIL import Image

from shared.photos import analyze_photo, process_photo
from tests.support.photos import MARKER_RGB, exif_dict, make_image

pillow_heif = pytest.importorskip("pillow_heif")


def make_heic(width: int, height: int, *, orientation: int = 1, seed: int = 0) -> bytes:
    exif = exif_dict(
        taken_at=datetime(2026, 11, 27, 9, 45),
        offset="+08:00",
        gps=(31.2304, 121.4737),
        orientation=orientation,
        extra_exif=False,
    )
    buf = io.BytesIO()
    pillow_heif.from_pillow(make_image(width, height, seed)).save(
        buf, quality=85, exif=piexif.dump(exif)
    )
    return buf.getvalue()


def test_a_heic_photo_is_analysed_and_stored_as_jpeg():
    data = make_heic(640, 480)
    assert data[4:12] == b"ftypheic"
    processed = process_photo(data)
    info = processed.info
    assert info.format == "HEIF" and (info.width, info.height) == (640, 480)
    assert info.taken_at == datetime(2026, 11, 27, 9, 45, tzinfo=timezone(timedelta(hours=8)))
    assert info.gps_lat == pytest.approx(31.2304, abs=1e-6)
    assert Image.open(io.BytesIO(processed.stored)).format == "JPEG"


def test_a_rotated_heic_photo_is_stored_upright():
    processed = process_photo(make_heic(640, 480, orientation=6))
    stored = Image.open(io.BytesIO(processed.stored)).convert("RGB")
    assert stored.size == (480, 640)
    r, g, b = stored.getpixel((stored.width - 8, 8))
    assert abs(r - MARKER_RGB[0]) < 40 and g < 70 and b < 70
    assert analyze_photo(processed.stored).orientation == 1
