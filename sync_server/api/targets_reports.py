"""Targets exports: the quarterly district diagnosis PDF and the team board XLSX (managers and
admins; a manager sees only their team's reps and customers)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, request

from shared.errors import InvalidInput, NotFound
from sync_server.api.targets import list_actions
from sync_server.app import get_storage
from sync_server.auth import current_scope, require_auth
from sync_server.sync.orgdata import get_settings
from sync_server.targets_board import board_rows, board_xlsx, visible_reps
from sync_server.targets_engine import yesterday
from sync_server.targets_facts import load_facts
from sync_server.targets_records import People, load_target_settings
from sync_server.targets_report import build_report, parse_quarter, render_pdf

bp = Blueprint("targets_reports", __name__, url_prefix="/api/v1/targets")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/reports/district/<district>.pdf")
@require_auth("manager", "admin")
def district_report(district: str) -> Response:
    scope = current_scope()
    storage = get_storage()
    quarter, start, end = parse_quarter(request.args.get("quarter"))
    tz = get_settings(storage, scope.org_id).timezone
    facts = load_facts(storage, scope.org_id, tz)
    ids = {
        cid
        for cid, store in facts.stores.items()
        if store.district == district
        and (scope.role == "admin" or (scope.team_id and store.team_id == scope.team_id))
    }
    if not ids:
        raise NotFound(
            f"no customers of yours in district {district!r}",
            message_zh="该区域没有您可查看的客户",
            field="district",
        )
    settings = load_target_settings(storage, scope.org_id)
    report = build_report(
        facts, ids, district, quarter, start, end, settings,
        People.load(storage, scope.org_id), list_actions(storage, scope.org_id),
    )  # fmt: skip
    resp = Response(render_pdf(report, settings), mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f"attachment; filename=district-{quarter}.pdf"
    return resp


@bp.get("/board.xlsx")
@require_auth("manager", "admin")
def board_export() -> Response:
    """Team board as of ``as_of`` (default yesterday): stock at the latest month end, increment
    at the latest week end, business metrics over that month."""
    scope = current_scope()
    storage = get_storage()
    tz = get_settings(storage, scope.org_id).timezone
    raw = request.args.get("as_of")
    try:
        as_of = date.fromisoformat(raw) if raw else yesterday(tz)
    except ValueError:
        raise InvalidInput(
            "as_of must be a date YYYY-MM-DD", message_zh="as_of 必须是日期", field="as_of"
        ) from None
    facts = load_facts(storage, scope.org_id, tz)
    people = People.load(storage, scope.org_id)
    settings = load_target_settings(storage, scope.org_id)
    reps = visible_reps(scope, people, facts)
    rows = board_rows(reps, as_of, facts.index(), settings, people)
    resp = Response(board_xlsx(rows, as_of, settings), mimetype=XLSX)
    resp.headers["Content-Disposition"] = f"attachment; filename=team-board-{as_of}.xlsx"
    return resp
