"""Hello, push, pull and conflicts (docs/sync-protocol.md §6–8)."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from shared import jsonfast
from shared.changes import MIN_SCHEMA_VERSION, PROTOCOL_VERSION, SCHEMA_VERSION
from shared.errors import InvalidInput, NotFound
from sync_server.api import int_arg, iso, json_body, now_iso, user_out
from sync_server.app import ensure_epoch, get_storage
from sync_server.auth import current_scope, require_auth
from sync_server.errors import PayloadTooLarge
from sync_server.schemas import ResolveRequest
from sync_server.storage.base import ConflictRow
from sync_server.sync.pull import DEFAULT_LIMIT, MAX_LIMIT, incoming_json, pull_changes
from sync_server.sync.push import apply_push_rows, outcome_json
from sync_server.sync.resolve import resolve_conflict

bp = Blueprint("sync", __name__, url_prefix="/api/v1")


@bp.get("/sync/hello")
@require_auth()
def hello() -> Response:
    scope = current_scope()
    storage = get_storage()
    max_seq, horizon = storage.org_position(scope.org_id)
    user = storage.get_user(scope.user_id)
    assert user is not None
    return jsonify(
        {
            "protocol_version": PROTOCOL_VERSION,
            "schema_versions": [MIN_SCHEMA_VERSION, SCHEMA_VERSION],
            "server_time": now_iso(),
            "epoch": ensure_epoch(storage),
            "max_server_seq": max_seq,
            "tombstone_horizon": horizon,
            "device": {
                "device_id": scope.device_id,
                "max_seq": storage.device_max_seq(scope.org_id, scope.device_id),
            },
            "user": user_out(user),
        }
    )


def _json_request() -> Any:
    """``request.get_json(silent=True)``, parsed with the fast decoder (large pushes)."""
    if not request.is_json:
        return None
    try:
        return jsonfast.loads(request.get_data())
    except ValueError:
        return None


def _json_response(data: dict[str, Any]) -> Response:
    return current_app.response_class(jsonfast.dumps_bytes(data), mimetype="application/json")


@bp.post("/sync/push")
@require_auth()
def push() -> Response:
    scope = current_scope()
    data = _json_request()
    if not isinstance(data, dict) or "changes" not in data:
        raise InvalidInput(
            'the body must be {"changes": [...]}',
            message_zh="请求内容必须包含 changes 列表",
            field="changes",
        )
    changes: Any = data["changes"]
    limit = int(current_app.config["MAX_PUSH_CHANGES"])
    if isinstance(changes, list) and len(changes) > limit:
        raise PayloadTooLarge(
            f"at most {limit} changes per push",
            message_zh=f"每次最多上传 {limit} 条变更",
            field="changes",
            limit=limit,
        )
    storage = get_storage()
    rows = apply_push_rows(storage, scope, changes)
    return _json_response(
        {
            "outcomes": [outcome_json(row, dup) for row, dup in rows],
            "max_server_seq": storage.org_position(scope.org_id)[0],
            "server_time": now_iso(),
        }
    )


@bp.get("/sync/pull")
@require_auth()
def pull() -> Response:
    scope = current_scope()
    cursor = int_arg("cursor", 0, 0, 2**62)
    limit = int_arg("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    report_as = request.args.get("report", "object")
    if report_as not in ("object", "text"):
        raise InvalidInput(
            "report must be 'object' or 'text'",
            message_zh="report 参数只能是 object 或 text",
            field="report",
        )
    storage = get_storage()
    page = pull_changes(storage, scope, cursor, limit, decode=False)
    return _json_response(
        {
            "changes": incoming_json(page, report_text=report_as == "text"),
            "next_cursor": page.next_cursor,
            "has_more": page.has_more,
            "max_server_seq": page.max_server_seq,
            "epoch": ensure_epoch(storage),
        }
    )


def conflict_out(c: ConflictRow) -> dict[str, Any]:
    data = asdict(c)
    data.pop("org_id")
    data["created_at"] = iso(c.created_at)
    data["resolved_at"] = iso(c.resolved_at)
    return data


@bp.get("/conflicts")
@require_auth()
def conflicts() -> Response:
    status = request.args.get("status", "open")
    if status not in ("open", "resolved", "all"):
        raise InvalidInput(
            "status must be open, resolved or all", message_zh="status 参数无效", field="status"
        )
    scope = current_scope()
    rows = get_storage().list_conflicts(scope, status)
    out = [conflict_out(c) for c in rows]
    if scope.role == "rep":  # a rep does not learn who else owns a record
        for c in out:
            if c["owner_user_id"] != scope.user_id:
                c["owner_user_id"] = ""
    return jsonify({"conflicts": out})


@bp.post("/conflicts/<conflict_id>/resolve")
@require_auth("manager", "admin")
def resolve(conflict_id: str) -> Response:
    scope = current_scope()
    body = json_body(ResolveRequest)
    storage = get_storage()
    visible = {c.id for c in storage.list_conflicts(scope, "all")}
    if conflict_id not in visible:
        raise NotFound("no such conflict", message_zh="冲突记录不存在", field="conflict_id")
    resolve_conflict(storage, scope, conflict_id, body.choice, time.time())
    row = storage.get_conflict(scope.org_id, conflict_id)
    assert row is not None
    return jsonify(conflict_out(row))
