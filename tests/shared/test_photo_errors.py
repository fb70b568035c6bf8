"""Bytes that are not a usable photo are refused with InvalidPhoto naming the field "photo"."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import Image

from shared.errors import InvalidInput, InvalidPhoto
from shared.photos import MAX_INPUT_BYTES, MAX_PIXELS, analyze_photo, process_photo
from tests.support.photos import make_jpeg


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size (a decompression bomb's calling card)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _gif() -> bytes:
    buf = io.BytesIO()
    Image.new("P", (10, 10)).save(buf, "GIF")
    return buf.getvalue()


BAD_INPUTS = {
    "empty": b"",
    "random-bytes": random.Random(1).randbytes(5000),
    "text-file": "拜访记录\nvisit notes, not a photo\n".encode() * 20,
    "truncated-jpeg": make_jpeg(800, 600, extra_exif=False)[:6000],
    "jpeg-header-only": make_jpeg(64, 48, extra_exif=False)[:200],
    "png-bomb-50000x50000": _png_declaring(50_000, 50_000),
    "png-over-max-pixels": _png_declaring(12_000, 10_001),
    "gif": _gif(),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
@pytest.mark.parametrize("entry", [analyze_photo, process_photo], ids=["analyze", "process"])
def test_unusable_bytes_are_refused_naming_the_photo_field(entry, name):
    with pytest.raises(InvalidPhoto) as caught:
        entry(BAD_INPUTS[name])
    error = caught.value
    assert isinstance(error, InvalidInput) and error.code == "invalid_photo"
    assert error.field == "photo"
    assert error.message.startswith("The photo cannot be used")
    assert error.message_zh.startswith("照片无法使用")
    assert error.details["reason"]


def test_the_reasons_tell_empty_truncated_and_bomb_apart():
    reasons = {}
    for name in ("empty", "truncated-jpeg", "png-bomb-50000x50000", "png-over-max-pixels"):
        with pytest.raises(InvalidPhoto) as caught:
            analyze_photo(BAD_INPUTS[name])
        reasons[name] = caught.value.details["reason"]
    assert reasons == {
        "empty": "empty",
        "truncated-jpeg": "damaged",
        "png-bomb-50000x50000": "too_many_pixels",
        "png-over-max-pixels": "too_many_pixels",
    }
    assert MAX_PIXELS < 12_000 * 10_001


def test_a_file_over_the_size_limit_is_refused_before_decoding():
    data = make_jpeg(64, 48, extra_exif=False)
    oversized = data[:-2] + b"\x00" * (MAX_INPUT_BYTES - len(data) + 1) + data[-2:]
    assert len(oversized) == MAX_INPUT_BYTES + 1
    with pytest.raises(InvalidPhoto) as caught:
        analyze_photo(oversized)
    assert caught.value.details["reason"] == "too_large"
    assert caught.value.field == "photo"


def test_photos_processed_in_parallel_threads_all_succeed_and_leave_warning_filters_alone():
    import threading
    import warnings

    from shared.photos import process_photo
    from tests.support.photos import make_jpeg

    before = list(warnings.filters)
    data = [make_jpeg(640, 480, seed=s) for s in range(8)]
    results: dict[int, str] = {}

    def work(i: int) -> None:
        results[i] = process_photo(data[i]).info.sha256

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results.values())) == 8
    assert warnings.filters == before
