"""Per-photo evidence rules, by provenance.

An app-camera photo proves itself by the app's capture stamp (trusted time, fix at capture) and
may carry no EXIF at all. A photo picked from files must prove itself by its EXIF: a
DateTimeOriginal inside the visit's window, and EXIF GPS, when present, within the radius.
Either way a photo identical (SHA-256) or nearly identical (perceptual hash) to one used in an
earlier visit of the organisation — or twice in this visit — is reused evidence.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta

from shared.settings import RuleCode
from shared.validation.context import ValidationContext, make_result
from shared.validation.report import RuleResult
from shared.validation.rules_gps import customer_distance_m
from shared.visits import PhotoEvidence, Provenance, Visit


def _provenance(p: PhotoEvidence, ctx: ValidationContext) -> RuleResult:
    s = ctx.settings
    if p.provenance is Provenance.APP_CAMERA:
        ok = p.capture_stamp is not None
        return make_result(
            s,
            RuleCode.PHOTO_PROVENANCE,
            ok,
            "应用内拍摄，带拍摄戳" if ok else "声称应用内拍摄，但缺少拍摄戳",
            "Taken in the app's camera, stamped" if ok else "Claims app camera but has no stamp",
            measured=p.provenance.value,
            subject=p.slot,
            hint_zh="请用应用内相机重新拍摄",
            hint_en="Retake it with the app's camera",
        )
    return make_result(
        s,
        RuleCode.PHOTO_PROVENANCE,
        True,
        "从文件选取，需由 EXIF 证明",
        "Picked from files: must prove itself by EXIF",
        measured=p.provenance.value,
        subject=p.slot,
    )


def _photo_time(p: PhotoEvidence, ctx: ValidationContext) -> datetime | None:
    if p.provenance is Provenance.APP_CAMERA and p.capture_stamp is not None:
        return p.capture_stamp.trusted_time
    if p.taken_at is None:
        return None
    if p.taken_at.tzinfo is None:  # EXIF without OffsetTimeOriginal: the organisation's zone
        return p.taken_at.replace(tzinfo=ctx.settings.tz)
    return p.taken_at


def _time(p: PhotoEvidence, visit_time: datetime, ctx: ValidationContext) -> RuleResult:
    s = ctx.settings
    before, after = s.photo_window_before_min, s.photo_window_after_min
    limit = f"-{after}..{before}"
    taken = _photo_time(p, ctx)
    if taken is None:
        return make_result(
            s,
            RuleCode.PHOTO_EXIF_TIME,
            False,
            "照片没有拍摄时间（EXIF）",
            "Photo has no capture time (EXIF DateTimeOriginal)",
            limit=limit,
            unit="min",
            subject=p.slot,
            hint_zh="请用相机现场拍摄",
            hint_en="Take the photo on site with the camera",
        )
    age_min = (visit_time - taken) / timedelta(minutes=1)
    ok = -after <= age_min <= before
    shown = round(age_min)
    return make_result(
        s,
        RuleCode.PHOTO_EXIF_TIME,
        ok,
        f"照片拍摄于拜访前 {shown} 分钟（允许 -{after}~{before}）",
        f"Photo taken {shown} min before the visit (allowed -{after}..{before})",
        measured=round(age_min, 1),
        limit=limit,
        unit="min",
        subject=p.slot,
        hint_zh="请在本次拜访中现场拍摄",
        hint_en="Take the photo during this visit",
    )


def _gps(p: PhotoEvidence, ctx: ValidationContext) -> RuleResult:
    s = ctx.settings
    point: tuple[float, float] | None = None
    if p.provenance is Provenance.APP_CAMERA and p.capture_stamp and p.capture_stamp.fix:
        point = (p.capture_stamp.fix.lat, p.capture_stamp.fix.lon)
    elif p.exif_lat is not None and p.exif_lon is not None:
        point = (p.exif_lat, p.exif_lon)
    if point is None:
        return make_result(
            s,
            RuleCode.PHOTO_EXIF_GPS,
            True,
            "照片无位置信息（不要求）",
            "Photo has no location (not required)",
            limit=s.radius_m,
            unit="m",
            subject=p.slot,
        )
    dist = customer_distance_m(ctx, *point)
    ok = dist <= s.radius_m
    return make_result(
        s,
        RuleCode.PHOTO_EXIF_GPS,
        ok,
        f"照片拍摄点距门店 {round(dist)} m {'≤' if ok else '>'} {s.radius_m:g} m",
        f"Photo taken {round(dist)} m from the store {'≤' if ok else '>'} {s.radius_m:g} m",
        measured=round(dist, 1),
        limit=s.radius_m,
        unit="m",
        subject=p.slot,
        hint_zh="请在门店现场拍摄",
        hint_en="Take the photo at the store",
    )


def _reuse(
    p: PhotoEvidence, visit: Visit, seen: dict[str, str], ctx: ValidationContext
) -> RuleResult:
    s = ctx.settings
    hint = ("请现场重新拍摄，不要使用旧照片", "Take a new photo on site; do not reuse old photos")
    if p.sha256 in seen:
        other = seen[p.sha256]
        return make_result(
            s,
            RuleCode.PHOTO_REUSED,
            False,
            f"与本次拜访的「{other}」是同一张照片",
            f"Same photo as slot '{other}' of this visit",
            measured="exact",
            limit="new",
            subject=p.slot,
            hint_zh=hint[0],
            hint_en=hint[1],
        )
    seen[p.sha256] = p.slot
    match = None
    if ctx.history is not None:
        match = ctx.history.find(
            p.sha256, p.phash, max_distance=s.phash_max_distance, exclude_visit_id=visit.id
        )
        if match is not None and visit.amends and match.visit_id == visit.amends:
            match = None  # a correction may carry the original's evidence
    if match is None:
        return make_result(
            s,
            RuleCode.PHOTO_REUSED,
            True,
            "未发现重复使用",
            "Not used before",
            measured="new",
            limit="new",
            subject=p.slot,
        )
    kind_zh = "完全相同" if match.kind == "exact" else f"高度相似（差异 {match.distance}）"
    kind_en = (
        "identical" if match.kind == "exact" else f"nearly identical (distance {match.distance})"
    )
    return make_result(
        s,
        RuleCode.PHOTO_REUSED,
        False,
        f"与以往拜访的照片{kind_zh}",
        f"Photo {kind_en} to one from an earlier visit",
        measured=match.kind,
        limit="new",
        subject=p.slot,
        hint_zh=hint[0],
        hint_en=hint[1],
    )


def check_photos_evidence(
    visit: Visit, visit_time: datetime, ctx: ValidationContext, enabled: AbstractSet[RuleCode]
) -> list[RuleResult]:
    results: list[RuleResult] = []
    seen: dict[str, str] = {}
    for p in visit.photos:
        if RuleCode.PHOTO_PROVENANCE in enabled:
            results.append(_provenance(p, ctx))
        if RuleCode.PHOTO_EXIF_TIME in enabled:
            results.append(_time(p, visit_time, ctx))
        if RuleCode.PHOTO_EXIF_GPS in enabled:
            results.append(_gps(p, ctx))
        if RuleCode.PHOTO_REUSED in enabled:
            results.append(_reuse(p, visit, seen, ctx))
    return results
