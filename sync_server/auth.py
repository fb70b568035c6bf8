"""Passwords (argon2), bearer tokens (only their SHA-256 stored), login rate limits, scope.

The scope of every request is decided from the token alone (docs/sync-protocol.md §4).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, request

from shared.errors import InvalidInput
from sync_server.errors import (
    AccountDisabled,
    DeviceRevoked,
    Forbidden,
    RateLimited,
    TokenExpired,
    Unauthorized,
)
from sync_server.storage.base import Scope, StorageBase, TokenRow

F = TypeVar("F", bound=Callable[..., Any])
ROLES = ("rep", "manager", "admin")
_DUMMY_HASH: dict[str, str] = {}


def hasher(config: dict[str, Any] | None = None) -> PasswordHasher:
    cfg = config if config is not None else current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_KIB"])


def hash_password(password: str, config: dict[str, Any] | None = None) -> str:
    if len(password) < 8:
        raise InvalidInput(
            "the password must have at least 8 characters",
            message_zh="密码至少需要 8 个字符",
            field="password",
        )
    return hasher(config).hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    ph = hasher()
    if password_hash is None:  # same work for unknown users: no user enumeration by timing
        key = f"{ph.time_cost}:{ph.memory_cost}"
        if key not in _DUMMY_HASH:
            _DUMMY_HASH[key] = ph.hash(secrets.token_hex(8))
        password_hash = _DUMMY_HASH[key]
        with contextlib.suppress(VerificationError, InvalidHashError):
            ph.verify(password_hash, password)
        return False
    try:
        return ph.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(storage: StorageBase, org_id: str, user_id: str, device_id: str) -> TokenRow:
    now = time.time()
    token = secrets.token_urlsafe(32)
    row = TokenRow(
        token_hash(token),
        org_id,
        user_id,
        device_id,
        now + float(current_app.config["TOKEN_TTL_DAYS"]) * 86400,
        None,
    )
    storage.add_token(row, now)
    g.issued_token = token
    return row


def client_ip() -> str:
    if current_app.config["TRUST_PROXY_HEADERS"]:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.remote_addr or "unknown"


def login_keys(org: str, username: str) -> list[str]:
    return [f"user:{org}:{username.lower()}", f"ip:{client_ip()}"]


def raise_if_rate_limited(storage: StorageBase, keys: list[str]) -> None:
    window = float(current_app.config["LOGIN_WINDOW_S"])
    limit = int(current_app.config["LOGIN_MAX_FAILURES"])
    now = time.time()
    for key in keys:
        failures = storage.login_failures_since(key, now - window)
        if len(failures) >= limit:
            retry = max(1, math.ceil(failures[-limit] + window - now))
            raise RateLimited(
                f"too many failed logins: try again in {retry} s",
                message_zh=f"登录失败次数过多，请 {retry} 秒后再试",
                retry_after=retry,
            )


def authenticate(storage: StorageBase) -> Scope:
    """The scope of the request's bearer token, from the database (token, device, user). Asked
    twice in one request (a pull's delivery hook, then the view), it answers the second time
    from the request's own memory: the same token, the same answer, three queries fewer."""
    known: Scope | None = g.get("_authenticated")
    if known is not None:
        return known
    scope = _authenticate(storage)
    g._authenticated = scope
    return scope


def _authenticate(storage: StorageBase) -> Scope:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("a bearer token is required", message_zh="请先登录")
    row = storage.get_token(token_hash(token.strip()))
    if row is None:
        raise Unauthorized("unknown token", message_zh="登录凭证无效，请重新登录")
    device = storage.get_device(row.org_id, row.device_id)
    if device is None or device.revoked_at is not None:
        raise DeviceRevoked(
            "this device was revoked: delete the organisation's data on it",
            message_zh="此设备已被停用，请删除本机上的组织数据",
        )
    if row.revoked_at is not None:
        raise Unauthorized("the token was revoked", message_zh="登录凭证已注销，请重新登录")
    if row.expires_at <= time.time():
        raise TokenExpired("the token expired: sign in again", message_zh="登录已过期，请重新登录")
    user = storage.get_user(row.user_id)
    if user is None or not user.active:
        raise AccountDisabled("this account is disabled", message_zh="该账号已停用")
    return Scope(user.org_id, user.id, user.role, user.team_id, row.device_id)


def current_scope() -> Scope:
    scope: Scope | None = g.get("scope")
    if scope is None:
        raise Unauthorized("a bearer token is required", message_zh="请先登录")
    return scope


def require_auth(*roles: str) -> Callable[[F], F]:
    """Authenticate from the token; with ``roles``, allow only those roles."""

    def deco(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from sync_server.app import get_storage

            g.scope = authenticate(get_storage())
            if roles and g.scope.role not in roles:
                raise Forbidden(
                    f"this needs the role {' or '.join(roles)}",
                    message_zh="您的角色无权执行此操作",
                )
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # type: ignore[attr-defined]
        wrapper.requires_auth = True  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return deco
