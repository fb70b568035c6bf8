"""Capturing a visit on the device: photos through the evidence pipeline, judged, saved.

The app's new-visit screen and the ``fieldledger visit new`` command both go through here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from client import clock
from client.anchor import read_anchor
from client.localdb.store import LocalStore, StoredPhotoInput
from client.photo_index import photo_index
from shared.customers import Customer
from shared.errors import InvalidInput
from shared.photos import Watermark, process_photo, to_evidence
from shared.trusted_time import trusted_time
from shared.validation.engine import ValidationContext, validate_visit
from shared.validation.report import ValidationReport
from shared.visits import CaptureStamp, GpsFix, PhotoEvidence, Provenance, Visit
from shared.workcal import WorkCalendar, china_calendar


@dataclass(frozen=True)
class PhotoInput:
    slot: str
    data: bytes
    provenance: Provenance = Provenance.FILE_PICKER
    stamp: CaptureStamp | None = None  # set by the app's camera at capture


@dataclass
class CaptureRequest:
    org_id: str
    rep_id: str
    customer_id: str
    action_type: str
    gps: GpsFix | None = None
    photos: list[PhotoInput] = field(default_factory=list)
    checklist: dict[str, bool] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    notes: str = ""
    amends: str | None = None
    visit_id: str | None = None
    watermark: bool = True


@dataclass(frozen=True)
class CaptureOutcome:
    visit: Visit
    report: ValidationReport
    seq: int


def load_calendar(store: LocalStore, org_id: str) -> WorkCalendar:
    """The organisation's synced calendar, else the bundled official China schedule."""
    raw = store.get_calendar_json(org_id)
    return WorkCalendar.model_validate_json(raw) if raw else china_calendar()


def build_context(
    store: LocalStore, org_id: str, customer: Customer, action_type: str
) -> ValidationContext:
    return ValidationContext(
        settings=store.get_settings(org_id),
        calendar=load_calendar(store, org_id),
        customer=customer,
        sop=store.get_sops(org_id).get(action_type),
        history=photo_index(store),
    )


def camera_stamp(store: LocalStore, fix: GpsFix | None) -> CaptureStamp:
    """What the app's camera records at the shutter: trusted time and the current fix."""
    reading = read_anchor(store)
    when = trusted_time(clock.wall_now(), reading.anchor, reading.elapsed_since_anchor_ms)
    return CaptureStamp(trusted_time=when.value, fix=fix)


def _watermark(customer: Customer, when: datetime, fix: GpsFix | None, tz: Any) -> Watermark:
    lines = [
        when.astimezone(tz).strftime("%Y-%m-%d %H:%M %z"),
        f"{customer.name} · {customer.address}",
    ]
    if fix is not None:
        lines.append(f"{fix.lat:.5f}, {fix.lon:.5f} ±{fix.accuracy_m:.0f} m")
    return Watermark(lines=tuple(lines))


def prepare_photos(
    req: CaptureRequest, customer: Customer, when: datetime, tz: Any
) -> tuple[list[PhotoEvidence], list[StoredPhotoInput]]:
    evidence: list[PhotoEvidence] = []
    stored: list[StoredPhotoInput] = []
    mark = _watermark(customer, when, req.gps, tz) if req.watermark else None
    for i, p in enumerate(req.photos):
        if not p.data:
            raise InvalidInput(
                f"photo {i + 1} ({p.slot}) is empty",
                message_zh=f"第 {i + 1} 张照片（{p.slot}）为空",
                field=f"photos[{i}]",
            )
        processed = process_photo(p.data, watermark=mark)
        evidence.append(
            to_evidence(processed, slot=p.slot, provenance=p.provenance, capture_stamp=p.stamp)
        )
        stored.append(
            StoredPhotoInput(
                sha256=processed.info.sha256,
                stored=processed.stored,
                thumbnail=processed.thumbnail,
            )
        )
    return evidence, stored


def capture_visit(store: LocalStore, req: CaptureRequest) -> CaptureOutcome:
    """Process the photos, build the visit, judge it and save it with its outbox entry."""
    customer = store.get_customer(req.customer_id)
    reading = read_anchor(store)
    device_time = clock.wall_now()
    when = trusted_time(device_time, reading.anchor, reading.elapsed_since_anchor_ms)
    ctx = build_context(store, req.org_id, customer, req.action_type)
    evidence, stored = prepare_photos(req, customer, when.value, ctx.settings.tz)
    visit = Visit(
        id=req.visit_id or uuid.uuid4().hex,
        org_id=req.org_id,
        customer_id=req.customer_id,
        rep_id=req.rep_id,
        device_id=store.device_id,
        action_type=req.action_type,
        checklist=req.checklist,
        result=req.result,
        notes=req.notes,
        device_time=device_time,
        anchor=reading.anchor,
        elapsed_since_anchor_ms=reading.elapsed_since_anchor_ms,
        gps=req.gps,
        photos=evidence,
        amends=req.amends,
    )
    report = validate_visit(visit, ctx)
    seq = store.save_visit(visit, report, stored)
    return CaptureOutcome(visit=visit, report=report, seq=seq)
