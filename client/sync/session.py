"""Signing a device in: the server address, token, user and organisation kept in the store.

The app's first-run screen and ``fieldledger login`` both call :func:`login`.
"""

from __future__ import annotations

import json
import platform
from datetime import datetime
from typing import Any

from client.anchor import save_anchor
from client.localdb.store import LocalStore
from client.sync.transport import ConnectionFailed, HttpTransport, ServerError, Transport
from shared.errors import FieldledgerError, InvalidInput

SERVER_URL_KEY = "session.server_url"
TOKEN_KEY = "session.token"
ORG_KEY = "session.org"  # the organisation code typed at sign-in
ORG_ID_KEY = "session.org_id"
USER_KEY = "session.user"  # the server's user object, JSON
EXPIRES_KEY = "session.expires_at"
CURSOR_KEY = "sync.cursor"
EPOCH_KEY = "sync.epoch"


class LoginFailed(FieldledgerError):
    """The server refused the sign-in (wrong password, disabled account, rate limit...)."""

    code = "login_failed"


class ServerUnreachable(FieldledgerError):
    code = "offline"


def _require(value: str, field: str, label_en: str, label_zh: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"{label_en} is required", message_zh=f"请填写{label_zh}", field=field)
    return value


def check_url(server_url: str) -> str:
    url = _require(server_url, "server_url", "The server address", "服务器地址").rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(
            "The server address must start with http:// or https://",
            message_zh="服务器地址必须以 http:// 或 https:// 开头",
            field="server_url",
        )
    return url


def session_user(store: LocalStore) -> dict[str, Any] | None:
    raw = store.get_meta(USER_KEY)
    return json.loads(raw) if raw else None


def login(
    store: LocalStore,
    server_url: str,
    org: str,
    username: str,
    password: str,
    *,
    transport: Transport | None = None,
    device_name: str | None = None,
) -> dict[str, Any]:
    """Sign in with this device's id; store the session; return the server's answer.

    Signing in as another user is refused while the previous user's work is still unsent;
    otherwise the previous user's downloaded data is forgotten first.
    """
    url = check_url(server_url)
    org = _require(org, "org", "The organisation", "组织")
    username = _require(username, "username", "The username", "用户名")
    if not password:
        raise InvalidInput("The password is required", message_zh="请填写密码", field="password")
    own = HttpTransport(url) if transport is None else None
    t = transport or own
    assert t is not None
    try:
        answer = t.login(org, username, password, store.device_id, device_name or _device_name())
    except ConnectionFailed as exc:
        raise ServerUnreachable(
            f"Cannot reach the server at {url}: {exc}",
            message_zh=f"无法连接服务器 {url}",
            field="server_url",
        ) from None
    except ServerError as exc:
        if exc.code == "device_revoked":
            store.wipe_all_data()
        field = "password" if exc.code == "invalid_credentials" else exc.details.get("field")
        raise LoginFailed(
            f"{exc.code}: {exc.message}",
            message_zh=exc.message_zh,
            field=str(field) if field else None,
            server_code=exc.code,
        ) from None
    finally:
        if own is not None:
            own.close()
    user = answer.get("user") or {}
    previous = session_user(store)
    if previous and previous.get("id") != user.get("id"):
        if store.pending_counts()["outbox"]:
            raise InvalidInput(
                "This phone still holds unsent work of another user; "
                "that user must sync before someone else signs in.",
                message_zh="本机仍有其他用户未上传的记录，请先让该用户完成同步。",
                field="username",
            )
        with store.transaction() as tx:
            store.wipe_pulled_data(str(previous.get("org_id", "")), tx=tx)
            store.set_meta(CURSOR_KEY, "0", tx=tx)
            store.set_meta(EPOCH_KEY, "", tx=tx)
    with store.transaction() as tx:
        store.set_meta(SERVER_URL_KEY, url, tx=tx)
        store.set_meta(TOKEN_KEY, str(answer.get("token", "")), tx=tx)
        store.set_meta(ORG_KEY, org, tx=tx)
        store.set_meta(ORG_ID_KEY, str(user.get("org_id") or org), tx=tx)
        store.set_meta(USER_KEY, json.dumps(user, ensure_ascii=False), tx=tx)
        store.set_meta(EXPIRES_KEY, str(answer.get("expires_at") or ""), tx=tx)
    server_time = answer.get("server_time")
    if isinstance(server_time, str):
        save_anchor(store, datetime.fromisoformat(server_time))
    return answer


def logged_in(store: LocalStore) -> bool:
    return bool(store.get_meta(TOKEN_KEY)) and bool(store.get_meta(SERVER_URL_KEY))


def http_transport(store: LocalStore) -> HttpTransport:
    """A transport to the signed-in server; the token is read at every request, so signing in
    again takes effect at once."""
    url = store.get_meta(SERVER_URL_KEY)
    if not url:
        raise InvalidInput(
            "This device is not signed in: run `fieldledger login` first",
            message_zh="本机尚未登录，请先登录",
            field="server_url",
        )
    return HttpTransport(url, lambda: store.get_meta(TOKEN_KEY))


def _device_name() -> str:
    return (platform.node() or "fieldledger")[:100]
