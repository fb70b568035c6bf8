"""Open untrusted photo bytes safely: size and pixel limits, format allow-list, HEIF on demand.

Every way bytes can fail to be a usable photo ends in ``InvalidPhoto(field="photo")`` with a
bilingual message and a ``reason`` code; Pillow warnings are captured, never leaked.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image

from shared.errors import InvalidPhoto

MAX_INPUT_BYTES = 40 * 1024 * 1024
MAX_PIXELS = 120_000_000

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_heif_state: bool | None = None  # None: not tried yet


def invalid(reason: str, en: str, zh: str, **details: object) -> InvalidPhoto:
    return InvalidPhoto(
        f"The photo cannot be used: {en}",
        message_zh=f"照片无法使用：{zh}",
        field="photo",
        reason=reason,
        **details,
    )


def looks_like_heif(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def heif_available() -> bool:
    """Register pillow-heif's opener the first time a HEIF photo arrives (optional extra)."""
    global _heif_state
    if _heif_state is None:
        try:
            import pillow_heif  # type: ignore[import-not-found, unused-ignore]

            pillow_heif.register_heif_opener()
            _heif_state = True
        except Exception:  # not installed, or its native library failed to load
            _heif_state = False
    return _heif_state


_WARNINGS_LOCK = threading.RLock()


@contextmanager
def captured_warnings(seen: list[str]) -> Iterator[None]:
    """Collect Pillow's warnings into ``seen``; re-emit anything else untouched.

    Decompression-bomb warnings are dropped: our own MAX_PIXELS check decides.
    ``warnings.catch_warnings`` swaps process-wide state, so callers in several threads (the
    server's upload workers) take turns here rather than corrupt each other's filters.
    """
    with _WARNINGS_LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        if issubclass(w.category, Image.DecompressionBombWarning):
            continue
        where = w.filename.replace("\\", "/")
        if "/PIL/" in where or "pillow_heif" in where or "/shared/photos/" in where:
            seen.append(str(w.message).strip())
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def check_bytes(data: bytes) -> None:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise invalid("not_bytes", "no image data was given.", "没有收到图片数据。")
    if len(data) == 0:
        raise invalid("empty", "the file is empty.", "文件为空。")
    if len(data) > MAX_INPUT_BYTES:
        raise invalid(
            "too_large",
            f"the file is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB.",
            f"文件超过 {MAX_INPUT_BYTES // (1024 * 1024)} MB。",
            size_bytes=len(data),
        )


def open_photo(data: bytes, seen: list[str]) -> Image.Image:
    """Open (lazily, not decoded) a JPEG, PNG or HEIF photo within the size/pixel limits."""
    check_bytes(data)
    formats = ["JPEG", "PNG"]
    if looks_like_heif(data):
        if not heif_available():
            raise invalid(
                "heif_unsupported",
                "HEIC photos are not supported on this device; please use JPEG.",
                "此设备不支持 HEIC 照片，请使用 JPEG 格式。",
            )
        formats.append("HEIF")
    try:
        with captured_warnings(seen):
            image = Image.open(io.BytesIO(bytes(data)), formats=formats)
    except Image.DecompressionBombError:
        raise too_many_pixels(None) from None
    except Exception:  # UnidentifiedImageError, SyntaxError, struct.error, ...
        raise invalid(
            "not_an_image",
            "it is not a JPEG, PNG or HEIC image, or it is damaged.",
            "不是 JPEG、PNG 或 HEIC 图片，或文件已损坏。",
        ) from None
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
        image.close()
        raise too_many_pixels(width * height)
    return image


def too_many_pixels(pixels: int | None) -> InvalidPhoto:
    return invalid(
        "too_many_pixels",
        f"the image has more than {MAX_PIXELS // 1_000_000} million pixels.",
        f"图片像素超过 {MAX_PIXELS // 1_000_000} 百万。",
        pixels=pixels,
    )


def damaged() -> InvalidPhoto:
    return invalid(
        "damaged",
        "the image data is truncated or damaged.",
        "图片数据不完整或已损坏。",
    )
