"""Real camera files (tests/fixtures/photos, from piexif's MIT-licensed test data)."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import piexif
import pytest
from PIL import Image

from shared.photos import analyze_photo, process_photo

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "photos"
EXPECTED = {
    "r_canon.jpg": ("Canon", datetime(2013, 12, 17, 14, 4, 24)),
    "r_olympus.jpg": ("OLYMPUS", datetime(2013, 11, 12, 13, 54, 29)),
    "r_sony.jpg": ("SONY", datetime(2013, 4, 13, 10, 22, 18)),
    "r_pana.jpg": ("Panasonic", datetime(2007, 9, 15, 13, 15, 57)),
    "large.jpg": ("CASIO", datetime(2006, 2, 14, 22, 0, 58)),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_real_camera_file_is_read_and_its_maker_data_stripped(name):
    data = (SAMPLES / name).read_bytes()
    make, taken_at = EXPECTED[name]
    assert make.encode() in data and piexif.load(data)["Exif"]  # the sample is what we think
    processed = process_photo(data)
    assert processed.info.taken_at == taken_at
    assert processed.info.format == "JPEG"
    assert processed.info.exif_problems == ()
    stored_exif = piexif.load(processed.stored)
    assert piexif.ExifIFD.MakerNote not in stored_exif["Exif"]
    assert make.encode() not in processed.stored
    assert (
        stored_exif["Exif"][piexif.ExifIFD.DateTimeOriginal]
        == taken_at.strftime("%Y:%m:%d %H:%M:%S").encode()
    )
    assert Image.open(io.BytesIO(processed.stored)).size == (
        processed.stored_width,
        processed.stored_height,
    )


def test_a_gps_block_without_a_position_is_not_a_problem():
    info = analyze_photo((SAMPLES / "r_canon.jpg").read_bytes())  # GPS IFD holds only a version
    assert (info.gps_lat, info.gps_lon) == (None, None)
    assert info.exif_problems == ()
