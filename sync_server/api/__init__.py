"""HTTP blueprints: auth, sync, photos, admin, meta. Domain errors become JSON at this edge."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel

from shared.errors import InvalidInput
from sync_server.storage.base import UserRow
from sync_server.sync.common import parse_model

M = TypeVar("M", bound=BaseModel)


def json_body(model: type[M]) -> M:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput(
            "the request body must be a JSON object",
            message_zh="请求内容必须是 JSON 对象",
            field="body",
        )
    return parse_model(model, data, "")


def iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat() if ts is not None else None


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def user_out(u: UserRow) -> dict[str, Any]:
    return {
        "id": u.id,
        "org_id": u.org_id,
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role,
        "team_id": u.team_id,
        "active": u.active,
    }


def int_arg(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = lo - 1
    if not lo <= value <= hi:
        raise InvalidInput(
            f"{name} must be an integer between {lo} and {hi}",
            message_zh=f"{name} 必须是 {lo} 到 {hi} 之间的整数",
            field=name,
        )
    return value
