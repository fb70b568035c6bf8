"""Admin API: organisation settings, calendar, SOPs, users, devices, customers (admins only)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from shared.errors import InvalidInput
from shared.settings import OrgSettings
from shared.sop import SopTemplate
from sync_server import admin_ops
from sync_server.api import iso, json_body, user_out
from sync_server.app import get_storage
from sync_server.auth import current_scope, require_auth
from sync_server.schemas import CustomerImport, PasswordReset, UserCreate
from sync_server.sync.common import parse_model
from sync_server.sync.orgdata import get_settings, load_calendar_year, put_sop, set_settings

bp = Blueprint("admin", __name__, url_prefix="/api/v1/admin")


def _raw_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput(
            "the request body must be a JSON object",
            message_zh="请求内容必须是 JSON 对象",
            field="body",
        )
    return data


@bp.get("/settings")
@require_auth("admin")
def read_settings() -> Response:
    return jsonify(get_settings(get_storage(), current_scope().org_id).model_dump(mode="json"))


@bp.put("/settings")
@require_auth("admin")
def write_settings() -> Response:
    settings = parse_model(OrgSettings, _raw_body(), "")
    seq = set_settings(get_storage(), current_scope().org_id, settings)
    return jsonify({"server_seq": seq})


@bp.put("/calendar/<int:year>")
@require_auth("admin")
def write_calendar_year(year: int) -> Response:
    data = _raw_body()
    if data.get("year", year) != year:
        raise InvalidInput(
            "the body's year differs from the URL", message_zh="年份不一致", field="year"
        )
    data["year"] = year
    seq = load_calendar_year(get_storage(), current_scope().org_id, data)
    return jsonify({"server_seq": seq})


@bp.put("/sops/<action_type>")
@require_auth("admin")
def write_sop(action_type: str) -> Response:
    data = _raw_body()
    data.setdefault("action_type", action_type)
    sop = parse_model(SopTemplate, data, "")
    if sop.action_type != action_type:
        raise InvalidInput(
            "action_type differs from the URL", message_zh="动作类型不一致", field="action_type"
        )
    return jsonify({"server_seq": put_sop(get_storage(), current_scope().org_id, sop)})


@bp.get("/users")
@require_auth("admin")
def list_users() -> Response:
    users = get_storage().list_users(current_scope().org_id)
    return jsonify({"users": [user_out(u) for u in users]})


@bp.post("/users")
@require_auth("admin")
def create_user() -> Response:
    body = json_body(UserCreate)
    user = admin_ops.create_user(
        get_storage(),
        current_app.config,
        current_scope().org_id,
        body.username,
        body.password,
        body.role,
        body.team_id,
        body.display_name,
    )
    resp = jsonify(user_out(user))
    resp.status_code = 201
    return resp


@bp.post("/users/<user_id>/password")
@require_auth("admin")
def reset_password(user_id: str) -> Response:
    body = json_body(PasswordReset)
    admin_ops.reset_password(
        get_storage(), current_app.config, current_scope().org_id, user_id, body.password
    )
    return jsonify({"ok": True})


@bp.post("/users/<user_id>/deactivate")
@require_auth("admin")
def deactivate_user(user_id: str) -> Response:
    admin_ops.deactivate_user(get_storage(), current_scope().org_id, user_id)
    return jsonify({"ok": True})


@bp.get("/devices")
@require_auth("admin")
def list_devices() -> Response:
    devices = get_storage().list_devices(current_scope().org_id)
    return jsonify(
        {
            "devices": [
                {
                    "device_id": d.device_id,
                    "user_id": d.user_id,
                    "name": d.name,
                    "created_at": iso(d.created_at),
                    "last_seen_at": iso(d.last_seen_at),
                    "revoked": d.revoked_at is not None,
                }
                for d in devices
            ]
        }
    )


@bp.post("/devices/<device_id>/revoke")
@require_auth("admin")
def revoke_device(device_id: str) -> Response:
    admin_ops.revoke_device(get_storage(), current_scope().org_id, device_id)
    return jsonify({"ok": True})


@bp.post("/customers")
@require_auth("admin")
def import_customers() -> Response:
    body = json_body(CustomerImport)
    seqs = admin_ops.import_customers(get_storage(), current_scope().org_id, body.customers)
    return jsonify({"server_seqs": seqs})
