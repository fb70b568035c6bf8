"""Visits, their GPS fixes and their photo evidence — the four-dimension ledger record.

customer — action — evidence (photos, GPS, time) — result. Visits are append-only evidence:
a correction is a new visit that ``amends`` the original; voiding is a new record too.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class GpsFix(BaseModel):
    """One position fix from the device, always WGS-84 (what phone GPS reports)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float = Field(ge=0)
    provider: str = Field(default="gps", max_length=32)
    is_mock: bool = False
    taken_at: AwareDatetime | None = None


class TimeAnchor(BaseModel):
    """The last server time the device saw, and its monotonic clock at that moment.

    ``elapsed_since_anchor_ms`` on a visit is the monotonic time between this anchor and the
    capture, so trusted time = ``server_time + elapsed`` whatever the wall clock says.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    server_time: AwareDatetime
    boot_id: str = Field(default="", description="Monotonic clocks reset at reboot")


class Provenance(StrEnum):
    APP_CAMERA = "app_camera"  # taken in the app's camera: carries the capture stamp
    FILE_PICKER = "file_picker"  # picked from files: must prove itself by its EXIF


class CaptureStamp(BaseModel):
    """What the app itself knew when its camera took a photo."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    trusted_time: AwareDatetime
    fix: GpsFix | None = None


class PhotoEvidence(BaseModel):
    """What the photo pipeline extracted from one photo, plus where it came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    slot: str
    provenance: Provenance
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="of the captured bytes")
    phash: str = Field(pattern=r"^[0-9a-f]{16}$", description="64-bit perceptual hash, hex")
    stored_sha256: str = Field(
        default="", pattern=r"^([0-9a-f]{64})?$", description="of the stored (processed) bytes"
    )
    taken_at: datetime | None = Field(
        default=None, description="EXIF DateTimeOriginal; naive when EXIF has no offset"
    )
    exif_lat: float | None = Field(default=None, ge=-90, le=90)
    exif_lon: float | None = Field(default=None, ge=-180, le=180)
    width: int = Field(default=0, ge=0)
    height: int = Field(default=0, ge=0)
    size_bytes: int = Field(default=0, ge=0)
    capture_stamp: CaptureStamp | None = None
    exif_problems: tuple[str, ...] = ()


class Visit(BaseModel):
    """One visit as captured on the device."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    org_id: str = Field(min_length=1, max_length=64)
    customer_id: str = Field(min_length=1, max_length=64)
    rep_id: str = Field(min_length=1, max_length=64)
    device_id: str = Field(default="", max_length=64)
    action_type: str = Field(min_length=1, max_length=64)
    checklist: dict[str, bool] = Field(default_factory=dict)
    result: dict[str, Any] = Field(default_factory=dict)
    notes: str = Field(default="", max_length=4000)
    device_time: AwareDatetime = Field(description="device wall clock at submit, kept as evidence")
    anchor: TimeAnchor | None = None
    elapsed_since_anchor_ms: int | None = Field(default=None, ge=0)
    gps: GpsFix | None = None
    photos: list[PhotoEvidence] = Field(default_factory=list)
    amends: str | None = Field(default=None, description="id of the visit this one corrects")
