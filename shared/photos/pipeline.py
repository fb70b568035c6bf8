"""The photo evidence pipeline: analyse a captured photo, make its stored copy and thumbnail.

Captured bytes -> (SHA-256, EXIF facts, one decode) -> pHash of the orientation-applied image
-> downscaled, rotated stored JPEG with minimal EXIF (+ optional watermark) -> thumbnail.
JPEGs are DCT-scaled on decode (``Image.draft``): a 12 MP photo is decoded at 1/2 size for a
1600 px copy, and the pHash is computed from that same decode.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

from PIL import Image
from pydantic import BaseModel, ConfigDict

from shared.photos.decode import captured_warnings, damaged, open_photo
from shared.photos.exif import ExifFacts, read_exif, stored_exif
from shared.photos.phash import phash_image
from shared.photos.watermark import Watermark, draw_watermark
from shared.visits import CaptureStamp, PhotoEvidence, Provenance

DEFAULT_MAX_SIDE = 1600
THUMBNAIL_SIDE = 320
THUMBNAIL_QUALITY = 70
_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "HEIF": "HEIF"}
# EXIF orientation -> the transpose that displays it upright (ImageOps.exif_transpose's table).
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class PhotoInfo(BaseModel):
    """What the captured photo is: hashes, EXIF evidence, displayed size, problems."""

    model_config = ConfigDict(frozen=True)

    sha256: str
    phash: str
    taken_at: datetime | None
    gps_lat: float | None
    gps_lon: float | None
    orientation: int
    width: int
    height: int
    format: str
    size_bytes: int
    exif_problems: tuple[str, ...] = ()


class ProcessedPhoto(BaseModel):
    """The analysed capture plus the stored copy (JPEG) and its thumbnail (JPEG)."""

    model_config = ConfigDict(frozen=True)

    info: PhotoInfo
    stored: bytes
    stored_sha256: str
    stored_width: int
    stored_height: int
    thumbnail: bytes


@dataclass
class _Decoded:
    info: PhotoInfo
    facts: ExifFacts
    upright: Image.Image | None  # RGB, <= max_side on the long side, orientation applied


def _target(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L").convert("RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


def _decode(data: bytes, max_side: int, *, stored: bool) -> _Decoded:
    """One decode (DCT-scaled for JPEG) feeding the pHash and, if asked, the stored image."""
    seen: list[str] = []
    image = open_photo(data, seen)
    try:
        with captured_warnings(seen):
            facts = read_exif(image, ())
        exif_warnings = [w for w in seen if "exif" in w.lower()]
        if exif_warnings:
            facts = read_exif(image, exif_warnings[:1])
        fmt = _FORMATS.get(image.format or "", image.format or "")
        raw_w, raw_h = image.size
        target = _target(raw_w, raw_h, max_side)
        method = _TRANSPOSE.get(facts.orientation)
        try:
            with captured_warnings(seen):
                if fmt == "JPEG":
                    image.draft("RGB", target)
                image.load()
                decoded = _to_rgb(image)
                phash = phash_image(decoded, method)
                upright = None
                if stored:
                    if decoded.size != target:
                        # Bilinear is a proper (antialiased) triangle filter when shrinking;
                        # after the DCT draft the ratio is < 2, where it matches bicubic by
                        # eye at ~60 % of the cost. reducing_gap box-reduces big ratios first.
                        decoded = decoded.resize(
                            target, Image.Resampling.BILINEAR, reducing_gap=2.0
                        )
                    elif decoded is image:
                        decoded = image.copy()  # the opened image is closed below
                    upright = decoded.transpose(method) if method is not None else decoded
                    upright.info = {}  # never carry comments, ICC, XMP... into the copy
        except Exception:  # truncated data, broken Huffman tables, decoder errors
            raise damaged() from None
    finally:
        image.close()
    swapped = facts.orientation >= 5
    info = PhotoInfo(
        sha256=hashlib.sha256(data).hexdigest(),
        phash=phash,
        taken_at=facts.taken_at,
        gps_lat=facts.gps_lat,
        gps_lon=facts.gps_lon,
        orientation=facts.orientation,
        width=raw_h if swapped else raw_w,
        height=raw_w if swapped else raw_h,
        format=fmt,
        size_bytes=len(data),
        exif_problems=facts.problems,
    )
    return _Decoded(info=info, facts=facts, upright=upright)


def analyze_photo(data: bytes) -> PhotoInfo:
    """Hashes and EXIF evidence of a captured photo. Raises InvalidPhoto (field "photo")."""
    return _decode(data, DEFAULT_MAX_SIDE, stored=False).info


def _jpeg(image: Image.Image, quality: int, exif: bytes | None = None) -> bytes:
    """Baseline JPEG, 4:2:0; optimized Huffman tables (-4 % size) for the stored copy only."""
    buf = io.BytesIO()
    if exif is None:
        image.save(buf, "JPEG", quality=quality)
    else:
        image.save(buf, "JPEG", quality=quality, optimize=True, exif=exif)
    return buf.getvalue()


def _thumbnail(image: Image.Image) -> Image.Image:
    factor = max(image.size) // THUMBNAIL_SIDE
    small = image.reduce(factor) if factor >= 2 else image
    scale = THUMBNAIL_SIDE / max(small.size)
    if scale < 1:
        size = (max(1, round(small.width * scale)), max(1, round(small.height * scale)))
        small = small.resize(size, Image.Resampling.BILINEAR)
    return small


def process_photo(
    data: bytes,
    *,
    watermark: Watermark | None = None,
    max_side: int = DEFAULT_MAX_SIDE,
    quality: int = 80,
) -> ProcessedPhoto:
    """Analyse ``data`` and make the stored copy (<= max_side, minimal EXIF) and a thumbnail.

    The hashes in ``info`` are of the capture, before any watermark; ``stored_sha256`` is of
    the stored bytes. Raises InvalidPhoto (field "photo") for unusable input.
    """
    if not 64 <= max_side <= 8192:
        raise ValueError(f"max_side must be between 64 and 8192, got {max_side}")
    if not 1 <= quality <= 95:
        raise ValueError(f"quality must be between 1 and 95, got {quality}")
    decoded = _decode(data, max_side, stored=True)
    assert decoded.upright is not None
    stored_image = decoded.upright
    if watermark is not None:
        stored_image = draw_watermark(stored_image, watermark)
    stored = _jpeg(stored_image, quality, stored_exif(decoded.facts))
    thumb = _thumbnail(stored_image)
    return ProcessedPhoto(
        info=decoded.info,
        stored=stored,
        stored_sha256=hashlib.sha256(stored).hexdigest(),
        stored_width=stored_image.width,
        stored_height=stored_image.height,
        thumbnail=_jpeg(thumb, THUMBNAIL_QUALITY),
    )


def to_evidence(
    processed_or_info: ProcessedPhoto | PhotoInfo,
    *,
    slot: str,
    provenance: Provenance,
    capture_stamp: CaptureStamp | None = None,
) -> PhotoEvidence:
    """The visit record's view of a photo (shared/visits.py)."""
    if isinstance(processed_or_info, ProcessedPhoto):
        info, stored_sha256 = processed_or_info.info, processed_or_info.stored_sha256
    else:
        info, stored_sha256 = processed_or_info, ""
    return PhotoEvidence(
        slot=slot,
        provenance=provenance,
        sha256=info.sha256,
        phash=info.phash,
        stored_sha256=stored_sha256,
        taken_at=info.taken_at,
        exif_lat=info.gps_lat,
        exif_lon=info.gps_lon,
        width=info.width,
        height=info.height,
        size_bytes=info.size_bytes,
        capture_stamp=capture_stamp,
        exif_problems=info.exif_problems,
    )
