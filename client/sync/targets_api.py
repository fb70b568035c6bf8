"""The targets REST endpoints the device calls directly (docs/targets.md "Server",
docs/manager-app.md).

Everything the boards show comes through sync and works offline; these calls need the server
at the moment of asking: material bytes (downloaded once after a sync, then kept by hash), the
team board as an XLSX file and the district report as a PDF. Same session (server address and
token in the store's meta) and transport as the sync engine. ``TargetsOffline`` when no answer
came back, ``TargetsApiError`` (the server's code and field) otherwise.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from client.sync.transport import ConnectionFailed, JsonTransport, ServerError, decode
from shared.errors import FieldledgerError

BASE = "/api/v1/targets"


class TargetsOffline(FieldledgerError):
    code = "offline"


class TargetsApiError(FieldledgerError):
    """The server refused (``server_code``: its error code, e.g. ``not_found``)."""

    code = "server_refused"


class NotSignedIn(FieldledgerError):
    code = "not_signed_in"


def _offline(exc: Exception) -> TargetsOffline:
    return TargetsOffline(
        f"Cannot reach the server ({exc}); this needs a connection. Try again when online.",
        message_zh="连不上服务器：此操作需要联网，请联网后重试。",
    )


def _refused(exc: ServerError) -> TargetsApiError:
    field = exc.details.get("field")
    return TargetsApiError(
        exc.message or exc.code,
        message_zh=exc.message_zh or exc.message or exc.code,
        field=str(field) if field else None,
        server_code=exc.code,
        status=exc.status,
    )


class TargetsApi:
    """Thin calls over a :class:`JsonTransport` (``HttpTransport`` in the app)."""

    def __init__(self, transport: JsonTransport) -> None:
        self.transport = transport

    @classmethod
    def for_store(cls, store: Any) -> TargetsApi:
        """The API of the signed-in server of ``store`` (``NotSignedIn`` if there is none)."""
        from client.sync.session import http_transport

        try:
            return cls(http_transport(store))
        except FieldledgerError:
            raise NotSignedIn(
                "This device is not signed in to a server.", message_zh="本机尚未登录服务器。"
            ) from None

    def _bytes(self, path: str, params: dict[str, Any] | None = None) -> bytes:
        t = self.transport
        try:
            reply = t._send(
                "GET", BASE + path, headers=t._headers(True, None), params=params, body=None
            )
        except ConnectionFailed as exc:
            raise _offline(exc) from None
        if not 200 <= reply.status < 300:
            try:
                decode(reply)
            except ServerError as exc:
                raise _refused(exc) from None
        return reply.body

    def _json(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        try:
            return self.transport._call(method, path.removeprefix("/api/v1"), **kw)
        except ConnectionFailed as exc:
            raise _offline(exc) from None
        except ServerError as exc:
            raise _refused(exc) from None

    # -- calls -------------------------------------------------------------------------------
    def material_content(self, sha256: str) -> bytes:
        """The bytes of a material delivered to the caller (a rep) or of the organisation."""
        return self._bytes(f"/materials/{sha256}/content")

    def board_xlsx(self, as_of: date | None = None) -> bytes:
        """The team board as an XLSX file (managers and admins)."""
        return self._bytes("/board.xlsx", {"as_of": as_of.isoformat()} if as_of else None)

    def district_pdf(self, district: str, quarter: str | None = None) -> bytes:
        """The quarterly regional sales diagnosis of a district (``quarter`` like 2025Q1)."""
        from urllib.parse import quote

        params = {"quarter": quarter} if quarter else None
        return self._bytes(f"/reports/district/{quote(district, safe='')}.pdf", params)

    def actions(self) -> list[dict[str, Any]]:
        return list(self._json("GET", BASE + "/actions")["actions"])
