"""``fieldledger photo`` and ``fieldledger validate``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from client.cli.inputs import parse_model, read_bytes, read_json, split_slot
from client.cli.report_text import render_facts, render_report
from shared.customers import Customer
from shared.errors import InvalidInput
from shared.photos import PhotoInfo, analyze_photo, to_evidence
from shared.photos.reuse import PhotoHashIndex
from shared.settings import OrgSettings
from shared.sop import SopTemplate, default_sop_templates
from shared.validation.engine import ValidationContext, validate_visit
from shared.visits import Provenance, Visit
from shared.workcal import china_calendar


def register(sub: Any) -> None:
    p = sub.add_parser("photo", help="show what the evidence pipeline extracts from a photo")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_photo)

    v = sub.add_parser(
        "validate",
        help="judge a visit; exit 0 only when no blocking rule fails",
        description="VISIT.json holds {visit, customer, settings?, sop?, history?}; "
        "see docs/cli.md. Each --photo [SLOT=]FILE is run through the photo pipeline "
        "as a file-picked photo.",
    )
    v.add_argument("visit_file", metavar="VISIT.json")
    v.add_argument("--photo", action="append", default=[], metavar="[SLOT=]FILE")
    v.add_argument("--json", action="store_true", help="print the full report as JSON")
    v.set_defaults(func=cmd_validate)


def photo_facts(info: PhotoInfo) -> dict[str, Any]:
    return {
        "taken_at": info.taken_at.isoformat() if info.taken_at else None,
        "gps": {"lat": info.gps_lat, "lon": info.gps_lon, "datum": "wgs84"}
        if info.gps_lat is not None
        else None,
        "orientation": info.orientation,
        "width": info.width,
        "height": info.height,
        "format": info.format,
        "size_bytes": info.size_bytes,
        "sha256": info.sha256,
        "phash": info.phash,
        "exif_problems": list(info.exif_problems),
    }


def cmd_photo(args: argparse.Namespace) -> int:
    info = analyze_photo(read_bytes(args.file, "file"))
    facts = photo_facts(info)
    print(json.dumps(facts, ensure_ascii=False, indent=2) if args.json else render_facts(facts))
    return 0


def _context(bundle: dict[str, Any], visit: Visit) -> ValidationContext:
    if "customer" not in bundle:
        raise InvalidInput(
            "VISIT.json has no 'customer'", message_zh="VISIT.json 缺少 customer", field="customer"
        )
    customer = parse_model(Customer, bundle["customer"], "customer")
    settings = parse_model(OrgSettings, bundle.get("settings") or {}, "settings")
    sops = default_sop_templates()
    if bundle.get("sop"):
        sop = parse_model(SopTemplate, bundle["sop"], "sop")
        sops[sop.action_type] = sop
    history = PhotoHashIndex()
    for i, row in enumerate(bundle.get("history") or []):
        try:
            history.add(row["sha256"], row["phash"], row["visit_id"])
        except (KeyError, TypeError, ValueError):
            raise InvalidInput(
                "history rows need sha256, phash and visit_id",
                message_zh="history 每行需要 sha256、phash 和 visit_id",
                field=f"history[{i}]",
            ) from None
    return ValidationContext(
        settings=settings,
        calendar=china_calendar(),
        customer=customer,
        sop=sops.get(visit.action_type),
        history=history,
    )


def cmd_validate(args: argparse.Namespace) -> int:
    bundle = read_json(args.visit_file, "visit_file")
    if not isinstance(bundle, dict) or "visit" not in bundle:
        raise InvalidInput(
            "VISIT.json must be an object with a 'visit'",
            message_zh="VISIT.json 必须是包含 visit 的对象",
            field="visit",
        )
    visit = parse_model(Visit, bundle["visit"], "visit")
    ctx = _context(bundle, visit)
    free = [
        s
        for s in (ctx.sop.required_slots if ctx.sop else ())
        if s not in {p.slot for p in visit.photos}
    ]
    photos = list(visit.photos)
    for spec in args.photo:
        slot, path = split_slot(spec, "")
        if not slot:
            slot = free.pop(0) if free else "extra"
        elif slot in free:
            free.remove(slot)
        info = analyze_photo(read_bytes(path, f"photo:{slot}"))
        photos.append(to_evidence(info, slot=slot, provenance=Provenance.FILE_PICKER))
    visit = visit.model_copy(update={"photos": photos})
    report = validate_visit(visit, ctx)
    if args.json:
        print(json.dumps(report.to_json_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_report(report, args.lang))
    return 0 if report.counts else 1
