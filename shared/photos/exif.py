"""Read the EXIF facts that make a photo evidence, and write the few tags a stored copy keeps.

Reading uses Pillow's tolerant parser (the same code for JPEG APP1, PNG eXIf and HEIF), never
raises, and reports what it could not trust as short problem codes. Writing uses piexif.

Kept in the stored copy: DateTimeOriginal, OffsetTimeOriginal, the GPS IFD (when its position
is valid) and Orientation = 1 (pixels are already rotated). Everything else is dropped: Make,
Model, serial numbers, MakerNote, UserComment, the 1st IFD and its embedded thumbnail.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

import piexif
from PIL import Image

TAG_ORIENTATION = 0x0112
TAG_DATETIME_ORIGINAL = 0x9003
TAG_OFFSET_TIME_ORIGINAL = 0x9011
IFD_EXIF = 0x8769
IFD_GPS = 0x8825
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4

_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")
_DATETIME_FORMATS = ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y:%m:%d %H:%M")


@dataclass(frozen=True)
class ExifFacts:
    """What a photo's EXIF says, plus the problems met while reading it."""

    taken_at: datetime | None = None
    offset: str | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    orientation: int = 1
    gps_ifd: dict[int, Any] = field(default_factory=dict)  # piexif-typed, only when valid
    problems: tuple[str, ...] = ()


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 48 else text[:45] + "...'"


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return None
    return value.strip("\x00 \t\r\n")


def _parse_taken_at(raw: object, problems: list[str]) -> datetime | None:
    text = _text(raw)
    if text is None:
        problems.append(f"datetime_invalid: {_short(raw)}")
        return None
    for fmt in _DATETIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    problems.append(f"datetime_invalid: {_short(text)}")
    return None


def _parse_offset(raw: object, problems: list[str]) -> str | None:
    text = _text(raw)
    match = _OFFSET.match(text or "")
    if match is None or int(match[2]) > 14 or int(match[3]) >= 60:
        problems.append(f"offset_invalid: {_short(raw)}")
        return None
    return text


def _tz(offset: str) -> timezone:
    sign = -1 if offset[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))


def _number(value: object) -> float | None:
    """A rational/int/float EXIF value as a finite float; None for a zero denominator etc."""
    denominator = getattr(value, "denominator", 1)
    if denominator == 0:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def _degrees(value: object) -> float | None:
    parts = value if isinstance(value, tuple) else (value,)
    if not 1 <= len(parts) <= 3:
        return None
    numbers = [_number(p) for p in parts]
    if any(n is None or n < 0 for n in numbers):
        return None
    values = [n for n in numbers if n is not None] + [0.0, 0.0]
    degrees, minutes, seconds = values[:3]
    if minutes >= 60 or seconds > 60:
        return None
    return degrees + minutes / 60 + seconds / 3600


def _signed(value: float, ref: object, positive: str, negative: str, problems: list[str]) -> float:
    text = (_text(ref) or "").upper()
    if text == negative:
        return -value
    if text != positive:
        problems.append("gps_ref_missing" if not text else f"gps_ref_invalid: {_short(ref)}")
    return value


def _parse_gps(gps: dict[int, Any], problems: list[str]) -> tuple[float, float] | None:
    if GPS_LAT not in gps and GPS_LON not in gps:
        return None
    lat = _degrees(gps.get(GPS_LAT))
    lon = _degrees(gps.get(GPS_LON))
    if lat is None or lon is None:
        problems.append("gps_invalid")
        return None
    ref_problems: list[str] = []
    lat = _signed(lat, gps.get(GPS_LAT_REF), "N", "S", ref_problems)
    lon = _signed(lon, gps.get(GPS_LON_REF), "E", "W", ref_problems)
    problems.extend(dict.fromkeys(ref_problems))
    if abs(lat) > 90 or abs(lon) > 180:
        problems.append("gps_invalid")
        return None
    if lat == 0 and lon == 0:
        problems.append("gps_zero")  # "null island": a camera that had no fix
        return None
    return round(lat, 7), round(lon, 7)


def read_exif(image: Image.Image, warnings_seen: Iterable[str] = ()) -> ExifFacts:
    """The EXIF facts of an opened (not necessarily loaded) image. Never raises."""
    problems = [f"exif_corrupt: {_short(w)}" for w in warnings_seen]
    raw = image.info.get("exif")
    try:
        exif = image.getexif()
        sub = dict(exif.get_ifd(IFD_EXIF)) if IFD_EXIF in exif else {}
        gps = dict(exif.get_ifd(IFD_GPS)) if IFD_GPS in exif else {}
        top = dict(exif)
    except Exception:  # Pillow's parser raises assorted errors on hostile data
        return ExifFacts(problems=(*problems, "exif_unreadable"))
    if isinstance(raw, bytes) and len(raw) > 8 and not (top or sub or gps):
        problems.append("exif_unreadable")
    orientation = 1
    if TAG_ORIENTATION in top:
        value = top[TAG_ORIENTATION]
        if isinstance(value, int) and 1 <= value <= 8:
            orientation = value
        else:
            problems.append(f"orientation_invalid: {_short(value)}")
    taken_at = offset = None
    if TAG_DATETIME_ORIGINAL in sub:
        taken_at = _parse_taken_at(sub[TAG_DATETIME_ORIGINAL], problems)
    if TAG_OFFSET_TIME_ORIGINAL in sub:
        offset = _parse_offset(sub[TAG_OFFSET_TIME_ORIGINAL], problems)
    if taken_at is not None and offset is not None:
        taken_at = taken_at.replace(tzinfo=_tz(offset))
    position = _parse_gps(gps, problems)
    return ExifFacts(
        taken_at=taken_at,
        offset=offset if taken_at is not None else None,
        gps_lat=position[0] if position else None,
        gps_lon=position[1] if position else None,
        orientation=orientation,
        gps_ifd=_piexif_gps(gps) if position else {},
        problems=tuple(dict.fromkeys(problems)),
    )


def _ratio(value: object) -> tuple[int, int]:
    numerator = getattr(value, "numerator", None)
    denominator = getattr(value, "denominator", None)
    if isinstance(numerator, int) and isinstance(denominator, int) and denominator > 0:
        return numerator, denominator
    fraction = Fraction(float(value)).limit_denominator(1_000_000)  # type: ignore[arg-type]
    return fraction.numerator, fraction.denominator


def _convert(value: object, kind: int) -> object:
    """A Pillow-read tag value in the shape piexif.dump expects for its EXIF type."""
    if kind in (piexif.TYPES.Rational, piexif.TYPES.SRational):
        items = value if isinstance(value, tuple) else (value,)
        pairs = tuple(_ratio(v) for v in items)
        return pairs[0] if len(pairs) == 1 else pairs
    if kind == piexif.TYPES.Ascii:
        text = _text(value)
        if text is None:
            raise ValueError("not text")
        return text
    if kind == piexif.TYPES.Undefined:
        return value if isinstance(value, bytes) else str(value).encode("latin-1")
    if isinstance(value, bytes):
        value = tuple(value)
    if isinstance(value, tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, int) or (
        isinstance(value, tuple) and all(isinstance(v, int) for v in value)
    ):
        return value
    raise ValueError("not an integer")


def _piexif_gps(gps: dict[int, Any]) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for tag, value in gps.items():
        spec = piexif.TAGS["GPS"].get(tag)
        if spec is None:
            continue
        try:
            converted = _convert(value, spec["type"])
            piexif.dump({"GPS": {tag: converted}})
        except Exception:  # one odd tag is dropped, the rest is kept
            continue
        out[tag] = converted
    return out


def stored_exif(facts: ExifFacts) -> bytes:
    """EXIF bytes (with the ``Exif\\0\\0`` header) for the stored copy."""
    sub: dict[int, Any] = {}
    if facts.taken_at is not None:
        sub[piexif.ExifIFD.DateTimeOriginal] = facts.taken_at.strftime("%Y:%m:%d %H:%M:%S")
        if facts.offset is not None:
            sub[piexif.ExifIFD.OffsetTimeOriginal] = facts.offset
    data: dict[str, Any] = {
        "0th": {piexif.ImageIFD.Orientation: 1},
        "Exif": sub,
        "GPS": facts.gps_ifd,
        "1st": {},
        "thumbnail": None,
    }
    try:
        return bytes(piexif.dump(data))
    except Exception:
        data["GPS"] = {}
        return bytes(piexif.dump(data))
