"""``fieldledger visit new|list`` and ``fieldledger customers load``: a local device database."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from client.capture import CaptureRequest, PhotoInput, capture_visit
from client.cli.inputs import parse_model, read_bytes, read_json, split_slot
from client.cli.report_text import render_report
from client.localdb.store import LocalStore
from shared.customers import Customer
from shared.errors import InvalidInput
from shared.sop import FieldKind, SopTemplate
from shared.visits import GpsFix


def default_db() -> str:
    env = os.environ.get("FIELDLEDGER_DB")
    if env:
        return env
    return str(Path.home() / ".local" / "share" / "fieldledger" / "device.sqlite")


def register(sub: Any) -> None:
    db_help = (
        "device database (default $FIELDLEDGER_DB or ~/.local/share/fieldledger/device.sqlite)"
    )
    visit = sub.add_parser("visit", help="capture and list visits in the local database")
    vsub = visit.add_subparsers(dest="visit_command", required=True, metavar="ACTION")
    new = vsub.add_parser("new", help="capture a visit from files")
    new.add_argument("--db", default=default_db(), help=db_help)
    new.add_argument("--org", required=True)
    new.add_argument("--rep", required=True)
    new.add_argument("--customer", required=True, help="customer id")
    new.add_argument("--action", required=True, help="action type, e.g. display_optimization")
    new.add_argument("--photo", action="append", default=[], metavar="[SLOT=]FILE")
    new.add_argument("--lat", type=float)
    new.add_argument("--lon", type=float)
    new.add_argument("--accuracy", type=float, default=None, help="fix accuracy in metres")
    new.add_argument("--provider", default="gps")
    new.add_argument("--mock", action="store_true", help="the fix came from a mock location")
    new.add_argument(
        "--check", action="append", default=[], metavar="ITEM", help="checklist item done"
    )
    new.add_argument("--result", action="append", default=[], metavar="FIELD=VALUE")
    new.add_argument("--notes", default="")
    new.add_argument("--no-watermark", action="store_true")
    new.add_argument("--json", action="store_true")
    new.set_defaults(func=cmd_visit_new)

    ls = vsub.add_parser("list", help="visits saved on this device")
    ls.add_argument("--db", default=default_db(), help=db_help)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_visit_list)

    cust = sub.add_parser("customers", help="customers in the local database")
    csub = cust.add_subparsers(dest="customers_command", required=True, metavar="ACTION")
    load = csub.add_parser("load", help="load customers from a JSON list")
    load.add_argument("file", metavar="CUSTOMERS.json")
    load.add_argument("--db", default=default_db(), help=db_help)
    load.set_defaults(func=cmd_customers_load)


def _fix(args: argparse.Namespace) -> GpsFix | None:
    if args.lat is None and args.lon is None:
        return None
    if args.lat is None or args.lon is None:
        field = "lat" if args.lat is None else "lon"
        raise InvalidInput(
            "--lat and --lon go together", message_zh="--lat 与 --lon 需同时给出", field=field
        )
    data = {
        "lat": args.lat,
        "lon": args.lon,
        "accuracy_m": args.accuracy if args.accuracy is not None else 0.0,
        "provider": args.provider,
        "is_mock": args.mock,
    }
    if args.accuracy is None:
        raise InvalidInput(
            "--accuracy is required with a fix", message_zh="定位需要 --accuracy", field="accuracy"
        )
    return parse_model(GpsFix, data, "gps")


def _result_value(sop: SopTemplate | None, code: str, raw: str) -> Any:
    kind = next((f.kind for f in sop.result_fields if f.code == code), None) if sop else None
    field = f"result.{code}"
    if kind is FieldKind.BOOL:
        if raw.lower() in {"true", "yes", "1", "是"}:
            return True
        if raw.lower() in {"false", "no", "0", "否"}:
            return False
        raise InvalidInput(
            f"{field}: expected true/false", message_zh=f"{field}：应为 是/否", field=field
        )
    if kind in (FieldKind.INT, FieldKind.NUMBER):
        try:
            return int(raw) if kind is FieldKind.INT else float(raw)
        except ValueError:
            raise InvalidInput(
                f"{field}: expected a number", message_zh=f"{field}：应为数字", field=field
            ) from None
    return raw


def cmd_visit_new(args: argparse.Namespace) -> int:
    with LocalStore.open(args.db) as store:
        sop = store.get_sops(args.org).get(args.action)
        if sop is None:
            raise InvalidInput(
                f"unknown action type {args.action!r}",
                message_zh=f"未知的动作类型 {args.action}",
                field="action",
                known=sorted(store.get_sops(args.org)),
            )
        free = list(sop.required_slots)
        photos = []
        for spec in args.photo:
            slot, path = split_slot(spec, "")
            if not slot:
                slot = free.pop(0) if free else "extra"
            elif slot in free:
                free.remove(slot)
            photos.append(PhotoInput(slot=slot, data=read_bytes(path, f"photo:{slot}")))
        result = {}
        for spec in args.result:
            code, sep, raw = spec.partition("=")
            if not sep or not code:
                raise InvalidInput(
                    f"--result {spec!r}: expected FIELD=VALUE",
                    message_zh="--result 格式应为 字段=值",
                    field="result",
                )
            result[code] = _result_value(sop, code, raw)
        req = CaptureRequest(
            org_id=args.org,
            rep_id=args.rep,
            customer_id=args.customer,
            action_type=args.action,
            gps=_fix(args),
            photos=photos,
            checklist={c: True for c in args.check},
            result=result,
            notes=args.notes,
            watermark=not args.no_watermark,
        )
        outcome = capture_visit(store, req)
    if args.json:
        out = {
            "visit_id": outcome.visit.id,
            "outbox_seq": outcome.seq,
            "report": outcome.report.to_json_dict(),
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        saved = "已保存" if args.lang == "zh" else "Saved"
        print(f"{saved}: {outcome.visit.id} (outbox #{outcome.seq})")
        print(render_report(outcome.report, args.lang))
    return 0 if outcome.report.counts else 1


def cmd_visit_list(args: argparse.Namespace) -> int:
    with LocalStore.open(args.db) as store:
        visits = store.list_visits()
    rows = [
        {
            "id": sv.visit.id,
            "customer_id": sv.visit.customer_id,
            "action_type": sv.visit.action_type,
            "device_time": sv.visit.device_time.isoformat(),
            "counts": sv.report.counts,
            "voided": sv.voided,
            "sync_state": sv.sync_state,
        }
        for sv in visits
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            mark = "✓" if r["counts"] else "✗"
            print(
                f"{mark} {r['device_time']}  {r['customer_id']:<12} "
                f"{r['action_type']:<24} {r['sync_state']}  {r['id']}"
            )
    return 0


def cmd_customers_load(args: argparse.Namespace) -> int:
    data = read_json(args.file, "file")
    if not isinstance(data, list):
        raise InvalidInput(
            "expected a JSON list of customers", message_zh="应为客户 JSON 列表", field="file"
        )
    customers = [parse_model(Customer, row, f"customers[{i}]") for i, row in enumerate(data)]
    with LocalStore.open(args.db) as store:
        store.upsert_customers(customers)
    print(f"{len(customers)} customers loaded into {args.db}")
    return 0
