"""How the engine talks to the sync server (docs/sync-protocol.md), with no HTTP in the engine.

:class:`Transport` is what the engine needs. :class:`JsonTransport` implements it on top of one
``_send`` primitive; :class:`HttpTransport` is that primitive over ``requests``. Tests put the
same class on Flask's test client (with faults injected) to drive the real server in-process.

Failures are :class:`TransportError`: :class:`ConnectionFailed` when no answer came back (the
request may or may not have been applied — every request is safe to repeat), and
:class:`ServerError` for an answer with an error ``{code, message, details}``.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests

from shared import jsonfast
from shared.changes import PROTOCOL_VERSION, SCHEMA_VERSION

PROTOCOL_HEADER = "X-Fieldledger-Protocol"
SCHEMA_HEADER = "X-Fieldledger-Schema"
API = "/api/v1"


class TransportError(Exception):
    """The request failed; see the subclasses."""


class ConnectionFailed(TransportError):
    """No answer: refused, reset, cut mid-body or timed out. Safe to retry."""


@dataclass
class ServerError(TransportError):
    """The server answered with an error body."""

    status: int
    code: str
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    retry_after: float | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    @property
    def message_zh(self) -> str:
        return str(self.details.get("message_zh") or self.message)

    @property
    def transient(self) -> bool:
        """Worth retrying: the server is overloaded, failing or asks us to wait."""
        return self.status >= 500 or self.status == 429 or self.status == 408


class Transport(Protocol):
    def login(
        self, org: str, username: str, password: str, device_id: str, device_name: str
    ) -> dict[str, Any]: ...
    def hello(self) -> dict[str, Any]: ...
    def push(self, changes: list[dict[str, Any]]) -> dict[str, Any]: ...
    def pull(self, cursor: int, limit: int) -> dict[str, Any]: ...
    def photo_offset(self, sha: str, size: int) -> dict[str, Any]: ...
    def upload_chunk(self, sha: str, offset: int, data: bytes) -> dict[str, Any]: ...
    def conflicts(self, status: str = "open") -> dict[str, Any]: ...


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes


TokenSource = Callable[[], str | None]


class JsonTransport:
    """The protocol's requests and error decoding; subclasses implement :meth:`_send`."""

    def __init__(self, token: str | TokenSource | None = None) -> None:
        self._token = token

    # -- the primitive ---------------------------------------------------------------------
    def _send(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        params: dict[str, Any] | None = None,
        body: bytes | None = None,
    ) -> Reply:
        raise NotImplementedError

    # -- helpers ---------------------------------------------------------------------------
    def token(self) -> str | None:
        return self._token() if callable(self._token) else self._token

    def _headers(self, auth: bool, content_type: str | None) -> dict[str, str]:
        headers = {
            PROTOCOL_HEADER: str(PROTOCOL_VERSION),
            SCHEMA_HEADER: str(SCHEMA_VERSION),
            "Accept": "application/json",
        }
        if content_type:
            headers["Content-Type"] = content_type
        token = self.token() if auth else None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        params: dict[str, Any] | None = None,
        extra_headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> dict[str, Any]:
        if json_body is not None:
            body: bytes | None = jsonfast.dumps_bytes(json_body)
            ctype: str | None = "application/json"
        else:
            body, ctype = data, ("application/offset+octet-stream" if data is not None else None)
        headers = self._headers(auth, ctype)
        headers.update(extra_headers or {})
        reply = self._send(method, API + path, headers=headers, params=params, body=body)
        return decode(reply)

    # -- the protocol ----------------------------------------------------------------------
    def login(
        self, org: str, username: str, password: str, device_id: str, device_name: str
    ) -> dict[str, Any]:
        body = {
            "org": org,
            "username": username,
            "password": password,
            "device_id": device_id,
            "device_name": device_name,
        }
        return self._call("POST", "/auth/login", json_body=body, auth=False)

    def hello(self) -> dict[str, Any]:
        return self._call("GET", "/sync/hello")

    def push(self, changes: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call("POST", "/sync/push", json_body={"changes": changes})

    def pull(self, cursor: int, limit: int) -> dict[str, Any]:
        # report=text: reports arrive as JSON text, stored as they are (protocol §7)
        params = {"cursor": cursor, "limit": limit, "report": "text"}
        return self._call("GET", "/sync/pull", params=params)

    def photo_offset(self, sha: str, size: int) -> dict[str, Any]:
        """Create the upload, or learn how far it got (``{offset, size, complete}``)."""
        return self._call("POST", f"/photos/{sha}", json_body={"size": size})

    def upload_chunk(self, sha: str, offset: int, data: bytes) -> dict[str, Any]:
        return self._call(
            "PATCH", f"/photos/{sha}", data=data, extra_headers={"Upload-Offset": str(offset)}
        )

    def conflicts(self, status: str = "open") -> dict[str, Any]:
        return self._call("GET", "/conflicts", params={"status": status})


def decode(reply: Reply) -> dict[str, Any]:
    """The JSON body of a 2xx reply, else :class:`ServerError` (whatever the body is)."""
    try:
        data = jsonfast.loads(reply.body) if reply.body else {}
    except (UnicodeDecodeError, ValueError):
        data = None
    if 200 <= reply.status < 300:
        if not isinstance(data, dict):
            raise ServerError(reply.status, "bad_response", "the server's answer is not JSON")
        return data
    retry_after = _retry_after(reply.headers, data)
    if isinstance(data, dict) and isinstance(data.get("code"), str):
        raw_details = data.get("details")
        details: dict[str, Any] = raw_details if isinstance(raw_details, dict) else {}
        raise ServerError(
            reply.status, data["code"], str(data.get("message", "")), details, retry_after
        )
    raise ServerError(reply.status, "http_error", f"HTTP {reply.status}", {}, retry_after)


def _retry_after(headers: Mapping[str, str], data: Any) -> float | None:
    raw: Any = None
    if isinstance(data, dict) and isinstance(data.get("details"), dict):
        raw = data["details"].get("retry_after")
    if raw is None:
        raw = headers.get("Retry-After")
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except (TypeError, ValueError):
        return None


class HttpTransport(JsonTransport):
    """The protocol over HTTP(S) with ``requests``: timeouts on connect and read."""

    # the next pull page may be requested (on another thread) while one is applied: calls
    # never overlap (one prefetch at a time, the caller waits for it), and requests'
    # Session serves them from one thread at a time (client/sync/pull.py)
    prefetch_pulls = True

    def __init__(
        self,
        base_url: str,
        token: str | TokenSource | None = None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        session: requests.Session | None = None,
    ) -> None:
        super().__init__(token)
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.session = session or requests.Session()

    def close(self) -> None:
        self.session.close()

    def _send(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        params: dict[str, Any] | None = None,
        body: bytes | None = None,
    ) -> Reply:
        try:
            resp = self.session.request(
                method,
                self.base_url + path,
                headers=headers,
                params=params,
                data=body,
                timeout=self.timeout,
            )
            content = resp.content  # read the whole body: a cut here is a failure too
        except (requests.RequestException, http.client.HTTPException, OSError) as exc:
            raise ConnectionFailed(f"{type(exc).__name__}: {exc}") from exc
        return Reply(resp.status_code, resp.headers, content)
