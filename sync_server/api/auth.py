"""Login, logout, me."""

from __future__ import annotations

import time

from flask import Blueprint, Response, g, jsonify, request

from sync_server.api import iso, json_body, now_iso, user_out
from sync_server.app import ensure_epoch, get_storage
from sync_server.auth import (
    current_scope,
    hash_password,
    hasher,
    issue_token,
    login_keys,
    raise_if_rate_limited,
    require_auth,
    token_hash,
    verify_password,
)
from sync_server.errors import AccountDisabled, DeviceRevoked, InvalidCredentials
from sync_server.schemas import LoginRequest

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth")


@bp.post("/login")
def login() -> Response:
    body = json_body(LoginRequest)
    storage = get_storage()
    keys = login_keys(body.org, body.username)
    raise_if_rate_limited(storage, keys)
    user = storage.find_user(body.org, body.username)
    if not verify_password(user.password_hash if user else None, body.password) or user is None:
        now = time.time()
        for key in keys:
            storage.add_login_failure(key, now)
        raise InvalidCredentials(
            "wrong organisation, username or password", message_zh="组织、用户名或密码错误"
        )
    if not user.active:
        raise AccountDisabled("this account is disabled", message_zh="该账号已停用")
    device = storage.get_device(user.org_id, body.device_id)
    if device is not None and device.revoked_at is not None:
        raise DeviceRevoked(
            "this device was revoked: delete the organisation's data and enrol again",
            message_zh="此设备已被停用",
        )
    storage.clear_login_failures(keys[0])
    if hasher().check_needs_rehash(user.password_hash):
        storage.set_password(user.id, hash_password(body.password))
    storage.upsert_device(user.org_id, body.device_id, user.id, body.device_name, time.time())
    row = issue_token(storage, user.org_id, user.id, body.device_id)
    return jsonify(
        {
            "token": g.issued_token,
            "token_type": "bearer",
            "expires_at": iso(row.expires_at),
            "server_time": now_iso(),
            "epoch": ensure_epoch(storage),
            "device_id": body.device_id,
            "user": user_out(user),
        }
    )


@bp.post("/logout")
@require_auth()
def logout() -> Response:
    token = request.headers["Authorization"].partition(" ")[2].strip()
    get_storage().revoke_token(token_hash(token), time.time())
    return jsonify({"ok": True})


@bp.get("/me")
@require_auth()
def me() -> Response:
    scope = current_scope()
    user = get_storage().get_user(scope.user_id)
    assert user is not None
    return jsonify({"user": user_out(user), "device_id": scope.device_id, "server_time": now_iso()})
