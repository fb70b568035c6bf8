"""Real test photos: JPEG/PNG bytes made with Pillow, with real EXIF written by piexif.

Deterministic for a given ``seed``: a smooth random colour field (so different seeds differ in
their low frequencies, like different scenes), random shapes for detail, and a fine grain.
The raw (stored) pixel grid has a red marker in its top-left corner so orientation can be checked.
"""

from __future__ import annotations

import io
import random
import struct
from datetime import datetime, timedelta

import piexif
from PIL import Image, ImageChops, ImageDraw, ImageFilter

MARKER_RGB = (230, 20, 20)
XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"


def make_image(width: int, height: int, seed: int, *, grain: int = 8) -> Image.Image:
    """A photographic-looking RGB image: low-frequency colour field, shapes, edges, grain."""
    rng = random.Random(seed)
    field = Image.new("RGB", (6, 5))
    field.putdata([tuple(rng.randrange(30, 226) for _ in range(3)) for _ in range(30)])
    image = field.resize((width, height), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    scale = max(width, height)
    for _ in range(40 + scale // 8):
        x, y = rng.randrange(width), rng.randrange(height)
        size = max(2, int(scale * rng.choice((0.002, 0.004, 0.004, 0.01, 0.01, 0.03, 0.08))))
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = rng.randrange(4)
        box = (x, y, x + size * rng.uniform(0.5, 3), y + size * rng.uniform(0.5, 3))
        if shape == 0:
            draw.rectangle(box, fill=colour)
        elif shape == 1:
            draw.ellipse(box, fill=colour)
        elif shape == 2:
            draw.line((x, y, box[2], box[3]), fill=colour, width=max(1, size // 8))
        else:
            draw.rectangle(box, outline=colour, width=max(1, size // 10))
    image = image.filter(ImageFilter.GaussianBlur(max(0.6, scale / 4000)))
    if grain:
        # Sensor grain (full resolution) plus mid-frequency texture (foliage, fabric, shelves),
        # from seeded bytes: Image.effect_noise is not seedable.
        image = _add_noise(image, rng, 1, grain)
        image = _add_noise(image, rng, 4, grain * 3 // 4)
    marker = max(4, min(width, height) // 8)
    ImageDraw.Draw(image).rectangle((0, 0, marker - 1, marker - 1), fill=MARKER_RGB)
    return image


def _add_noise(image: Image.Image, rng: random.Random, cell: int, amplitude: int) -> Image.Image:
    width, height = image.size
    nw, nh = max(1, width // cell), max(1, height // cell)
    noise = Image.frombytes("L", (nw, nh), rng.randbytes(nw * nh))
    noise = noise.point(lambda v: v * (2 * amplitude) // 255)
    if cell > 1:
        noise = noise.resize((width, height), Image.Resampling.BICUBIC)
    return ImageChops.add(image, Image.merge("RGB", (noise, noise, noise)), offset=-amplitude)


def _rational(value: float, denominator: int = 10_000) -> tuple[int, int]:
    return (round(value * denominator), denominator)


def gps_ifd(lat: float, lon: float) -> dict[int, object]:
    """A GPS IFD as phones write it: degrees/minutes/seconds rationals and N/S/E/W refs."""

    def dms(value: float) -> tuple[tuple[int, int], ...]:
        value = abs(value)
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        seconds = (value - degrees - minutes / 60) * 3600
        return ((degrees, 1), (minutes, 1), _rational(seconds, 1000))

    return {
        piexif.GPSIFD.GPSVersionID: (2, 2, 0, 0),
        piexif.GPSIFD.GPSLatitudeRef: "N" if lat >= 0 else "S",
        piexif.GPSIFD.GPSLatitude: dms(lat),
        piexif.GPSIFD.GPSLongitudeRef: "E" if lon >= 0 else "W",
        piexif.GPSIFD.GPSLongitude: dms(lon),
        piexif.GPSIFD.GPSAltitudeRef: 0,
        piexif.GPSIFD.GPSAltitude: (125, 10),
        piexif.GPSIFD.GPSMapDatum: "WGS-84",
    }


def exif_dict(
    *,
    taken_at: datetime | None = None,
    offset: str | None = None,
    gps: tuple[float, float] | None = None,
    orientation: int | None = None,
    extra_exif: bool = True,
) -> dict[str, dict[int, object] | bytes | None]:
    """A piexif dict; ``extra_exif`` adds what the pipeline must strip (serials, MakerNote...)."""
    zeroth: dict[int, object] = {}
    exif: dict[int, object] = {}
    first: dict[int, object] = {}
    thumbnail = None
    if orientation is not None:
        zeroth[piexif.ImageIFD.Orientation] = orientation
    if taken_at is not None:
        exif[piexif.ExifIFD.DateTimeOriginal] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
        if offset is None and taken_at.utcoffset() is not None:
            offset = _format_offset(taken_at.utcoffset() or timedelta())
    if offset is not None:
        exif[piexif.ExifIFD.OffsetTimeOriginal] = offset
    if extra_exif:
        zeroth[piexif.ImageIFD.Make] = "Huawei"
        zeroth[piexif.ImageIFD.Model] = "P60 Pro"
        zeroth[piexif.ImageIFD.Software] = "CameraApp 12.0"
        zeroth[piexif.ImageIFD.DateTime] = "2020:01:01 00:00:00"
        exif[piexif.ExifIFD.BodySerialNumber] = "SN-0042-SECRET"
        exif[piexif.ExifIFD.MakerNote] = b"HUAWEI\x00" + bytes(range(64))
        exif[piexif.ExifIFD.UserComment] = b"ASCII\x00\x00\x00rep private note"
        exif[piexif.ExifIFD.LensModel] = "Main camera"
        buf = io.BytesIO()
        Image.new("RGB", (32, 24), (10, 200, 10)).save(buf, "JPEG", quality=50)
        thumbnail = buf.getvalue()
        first = {
            piexif.ImageIFD.Compression: 6,
            piexif.ImageIFD.XResolution: (72, 1),
            piexif.ImageIFD.YResolution: (72, 1),
            piexif.ImageIFD.ResolutionUnit: 2,
        }
    return {
        "0th": zeroth,
        "Exif": exif,
        "GPS": gps_ifd(*gps) if gps is not None else {},
        "1st": first,
        "thumbnail": thumbnail,
    }


def _format_offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def insert_segment(jpeg: bytes, marker: int, payload: bytes) -> bytes:
    """Insert an APPn (or other) segment right after SOI."""
    assert jpeg[:2] == b"\xff\xd8"
    segment = struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def make_jpeg(
    width: int = 640,
    height: int = 480,
    *,
    taken_at: datetime | None = None,
    offset: str | None = None,
    gps: tuple[float, float] | None = None,
    orientation: int | None = None,
    seed: int = 0,
    quality: int = 90,
    extra_exif: bool = True,
    image: Image.Image | None = None,
) -> bytes:
    """A real JPEG with real EXIF; ``extra_exif`` also adds XMP and an ICC profile."""
    image = image if image is not None else make_image(width, height, seed)
    exif = exif_dict(
        taken_at=taken_at, offset=offset, gps=gps, orientation=orientation, extra_exif=extra_exif
    )
    has_exif = any(exif[k] for k in ("0th", "Exif", "GPS"))
    options: dict[str, object] = {"quality": quality}
    if has_exif:
        options["exif"] = piexif.dump(exif)
    if extra_exif:
        options["icc_profile"] = _srgb_profile()
        options["comment"] = b"shot by rep 42"
    buf = io.BytesIO()
    image.save(buf, "JPEG", **options)
    data = buf.getvalue()
    if extra_exif:
        xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
        data = insert_segment(data, 0xE1, XMP_HEADER + xmp)
    return data


def make_png(
    width: int = 640,
    height: int = 480,
    *,
    taken_at: datetime | None = None,
    offset: str | None = None,
    gps: tuple[float, float] | None = None,
    orientation: int | None = None,
    seed: int = 0,
    mode: str = "RGB",
    extra_exif: bool = False,
) -> bytes:
    """A real PNG; EXIF (when any is asked for) goes into an eXIf chunk."""
    image = make_image(width, height, seed, grain=0)
    if mode != "RGB":
        image = image.convert(mode)
    exif = exif_dict(
        taken_at=taken_at, offset=offset, gps=gps, orientation=orientation, extra_exif=extra_exif
    )
    options: dict[str, object] = {}
    if any(exif[k] for k in ("0th", "Exif", "GPS")):
        exif["1st"], exif["thumbnail"] = {}, None
        options["exif"] = piexif.dump(exif)
    buf = io.BytesIO()
    image.save(buf, "PNG", **options)
    return buf.getvalue()


def make_photographic_jpeg(
    width: int = 4000,
    height: int = 3000,
    seed: int = 0,
    *,
    quality: int = 92,
    taken_at: datetime | None = None,
    gps: tuple[float, float] | None = (22.5333, 113.9305),
) -> bytes:
    """A deterministic camera-sized JPEG with noise and detail, EXIF time and GPS included."""
    return make_jpeg(
        width,
        height,
        taken_at=taken_at or datetime(2026, 11, 27, 10, 31, 5),
        offset="+08:00",
        gps=gps,
        orientation=1,
        seed=seed,
        quality=quality,
        extra_exif=True,
    )


def resave_jpeg(data: bytes, *, quality: int = 60, scale: float = 1.0) -> bytes:
    """Decode and re-encode (optionally resized): what a messaging app does to a photo."""
    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGB")
        if scale != 1.0:
            size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
            image = image.resize(size, Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=quality)
        return buf.getvalue()


_SRGB: bytes | None = None


def _srgb_profile() -> bytes:
    global _SRGB
    if _SRGB is None:
        from PIL import ImageCms

        _SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return _SRGB
