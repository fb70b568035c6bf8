"""Factories for domain objects used across the test suite."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pyproj import Geod

from shared.customers import CoordSystem, Customer
from shared.settings import OrgSettings
from shared.sop import default_sop_templates
from shared.validation.context import PhotoHistory, ValidationContext
from shared.visits import CaptureStamp, GpsFix, PhotoEvidence, Provenance, TimeAnchor, Visit
from shared.workcal import WorkCalendar, china_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A store on Nanshan Avenue, Shenzhen (WGS-84).
STORE_LAT, STORE_LON = 22.5333, 113.9305
_GEOD = Geod(ellps="WGS84")
_CALENDAR: WorkCalendar | None = None


def calendar() -> WorkCalendar:
    global _CALENDAR
    if _CALENDAR is None:
        _CALENDAR = china_calendar()
    return _CALENDAR


def local(y: int, mo: int, d: int, h: int = 10, mi: int = 30, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=SHANGHAI)


def offset_point(
    lat: float, lon: float, metres: float, bearing: float = 45.0
) -> tuple[float, float]:
    """The WGS-84 point ``metres`` away from (lat, lon) along ``bearing`` degrees."""
    lon2, lat2, _ = _GEOD.fwd(lon, lat, bearing, metres)
    return lat2, lon2


def make_customer(**kw: Any) -> Customer:
    base: dict[str, Any] = dict(
        id="c1",
        org_id="org1",
        name="南山路店",
        address="深圳市南山区南山大道 1 号",
        lat=STORE_LAT,
        lon=STORE_LON,
        coord_system=CoordSystem.WGS84,
        district="南山",
        province="广东",
        industry="retail",
        grade="A",
    )
    base.update(kw)
    return Customer(**base)


def fake_hash(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def fake_phash(label: str) -> str:
    return hashlib.sha256(b"p" + label.encode()).hexdigest()[:16]


def make_photo(
    slot: str,
    when: datetime,
    *,
    label: str | None = None,
    provenance: Provenance = Provenance.APP_CAMERA,
    gps: tuple[float, float] | None = None,
    **kw: Any,
) -> PhotoEvidence:
    label = label or f"{slot}-{when.isoformat()}"
    stamp = None
    taken_at = kw.pop("taken_at", None)
    if provenance is Provenance.APP_CAMERA and kw.pop("stamped", True):
        fix = GpsFix(lat=gps[0], lon=gps[1], accuracy_m=10) if gps else None
        stamp = CaptureStamp(trusted_time=when, fix=fix)
    elif provenance is Provenance.FILE_PICKER and taken_at is None:
        taken_at = when
    exif_lat, exif_lon = gps if provenance is Provenance.FILE_PICKER and gps else (None, None)
    return PhotoEvidence(
        slot=slot,
        provenance=provenance,
        sha256=kw.pop("sha256", fake_hash(label)),
        phash=kw.pop("phash", fake_phash(label)),
        taken_at=taken_at,
        exif_lat=exif_lat,
        exif_lon=exif_lon,
        capture_stamp=stamp,
        width=1600,
        height=1200,
        size_bytes=200_000,
        **kw,
    )


def make_visit(
    when: datetime | None = None,
    *,
    action_type: str = "display_optimization",
    fix: GpsFix | str | None = "store",
    anchored: bool = True,
    device_time: datetime | None = None,
    photos: list[PhotoEvidence] | None = None,
    **kw: Any,
) -> Visit:
    when = when or local(2025, 3, 12)
    if fix == "store":
        fix = GpsFix(lat=STORE_LAT, lon=STORE_LON, accuracy_m=15, provider="gps", taken_at=when)
    sop = default_sop_templates().get(action_type)
    if photos is None:
        photos = (
            [make_photo(s.code, when - timedelta(minutes=5)) for s in sop.photo_slots]
            if sop
            else []
        )
    anchor = TimeAnchor(server_time=when - timedelta(hours=2)) if anchored else None
    elapsed = int(timedelta(hours=2) / timedelta(milliseconds=1)) if anchored else None
    checklist = {i.code: True for i in sop.checklist} if sop else {}
    result: dict[str, Any] = {"order_taken": True}
    if sop:
        for f in sop.result_fields:
            if f.required:
                result[f.code] = {"bool": True, "int": 12, "text": "某品牌"}.get(f.kind.value, "x")
    base: dict[str, Any] = dict(
        id="v1",
        org_id="org1",
        customer_id="c1",
        rep_id="rep1",
        device_id="dev1",
        action_type=action_type,
        checklist=checklist,
        result=result,
        device_time=device_time or when,
        anchor=anchor,
        elapsed_since_anchor_ms=elapsed,
        gps=fix,
        photos=photos,
    )
    base.update(kw)
    return Visit(**base)


def make_context(
    *,
    settings: OrgSettings | None = None,
    customer: Customer | None = None,
    action_type: str = "display_optimization",
    history: PhotoHistory | None = None,
    cal: WorkCalendar | None = None,
) -> ValidationContext:
    return ValidationContext(
        settings=settings or OrgSettings(),
        calendar=cal if cal is not None else calendar(),
        customer=customer or make_customer(),
        sop=default_sop_templates().get(action_type),
        history=history,
    )


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)
