"""Targets admin API: materials (upload, list, retire, download), target settings, evaluate
now, escalation actions (docs/targets.md "Server", docs/sync-protocol.md section 12)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, jsonify, request

from shared.errors import InvalidInput
from shared.targets import TargetSettings
from sync_server.api import json_body
from sync_server.api.targets import list_actions
from sync_server.app import get_storage
from sync_server.auth import current_scope, require_auth
from sync_server.photos import check_sha
from sync_server.schemas import EvaluateRequest
from sync_server.targets_engine import evaluate_org
from sync_server.targets_materials import (
    get_material_bytes,
    list_materials,
    put_material,
    retire_material,
)
from sync_server.targets_records import (
    People,
    load_target_settings,
    save_target_settings,
)

bp = Blueprint("targets_materials", __name__, url_prefix="/api/v1/targets")


def _form(name: str, default: str = "") -> str:
    value = request.form.get(name, default)
    return value if isinstance(value, str) else default


@bp.post("/materials")
@require_auth("admin")
def upload_material() -> Response:
    """Multipart: ``file`` and the fields kind, industry, track, title_zh, title_en, id, order."""
    scope = current_scope()
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput(
            "send the document as the multipart field 'file'",
            message_zh="请以 file 字段上传资料文件",
            field="file",
        )
    raw_order = _form("order", "0")
    try:
        order = int(raw_order)
    except ValueError:
        raise InvalidInput(
            "order must be an integer", message_zh="排序必须是整数", field="order"
        ) from None
    rec, filled = put_material(
        get_storage(),
        scope.org_id,
        data=upload.read(),
        mime=upload.mimetype or "application/octet-stream",
        kind=_form("kind"),
        industry=_form("industry"),
        track=_form("track", "increment"),
        title_zh=_form("title_zh"),
        title_en=_form("title_en"),
        filename=upload.filename or "",
        material_id=_form("id"),
        order=order,
        by=scope.user_id,
    )
    resp = jsonify({"material": rec.payload, "server_seq": rec.server_seq, "filled": filled})
    resp.status_code = 201 if rec.version == 1 else 200
    return resp


@bp.get("/materials")
@require_auth()
def materials() -> Response:
    return jsonify({"materials": list_materials(get_storage(), current_scope().org_id)})


@bp.delete("/materials/<material_id>")
@require_auth("admin")
def retire(material_id: str) -> Response:
    rec = retire_material(get_storage(), current_scope().org_id, material_id)
    return jsonify({"material": rec.payload, "server_seq": rec.server_seq})


@bp.get("/materials/<sha256>/content")
@require_auth()
def material_content(sha256: str) -> Response:
    """The bytes: reps only of materials delivered to them; managers and admins any."""
    data, mime = get_material_bytes(get_storage(), current_scope(), check_sha(sha256))
    resp = Response(data, mimetype=mime)
    resp.set_etag(sha256)
    resp.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    return resp


@bp.get("/settings")
@require_auth()
def read_settings() -> Response:
    settings = load_target_settings(get_storage(), current_scope().org_id)
    return jsonify(settings.model_dump(mode="json"))


@bp.put("/settings")
@require_auth("admin")
def write_settings() -> Response:
    settings = json_body(TargetSettings)
    seq = save_target_settings(get_storage(), current_scope().org_id, settings)
    return jsonify({"server_seq": seq})


@bp.post("/evaluate")
@require_auth("admin")
def evaluate() -> Response:
    """Evaluate now (as the CLI): the latest month end and week end on or before ``as_of``."""
    body = json_body(EvaluateRequest) if request.get_data() else EvaluateRequest()
    as_of: date | None = body.as_of
    result = evaluate_org(get_storage(), current_scope().org_id, as_of, force=True)
    return jsonify(result.to_dict())


@bp.get("/actions")
@require_auth("manager", "admin")
def actions() -> Response:
    """Escalation actions fired; a manager sees those of their team's reps."""
    scope = current_scope()
    storage = get_storage()
    rows: list[dict[str, Any]] = list_actions(storage, scope.org_id)
    if scope.role == "manager":
        people = People.load(storage, scope.org_id)
        rows = [a for a in rows if scope.team_id and people.team_of(a["rep_id"]) == scope.team_id]
    return jsonify({"actions": rows})
