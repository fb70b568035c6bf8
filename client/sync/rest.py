"""What the device's direct REST clients share (tickets, targets, admin).

Some screens need the server at the moment of asking (a manager's triage queue, an admin's
settings, a report download). They use the sync engine's session (server address and token in
the store's meta) and transport. Failures are ``FieldledgerError`` with bilingual words:
an :class:`Offline` when no answer came back, an :class:`ApiRefused` (the server's code and
field) otherwise, :class:`NotSignedIn` before the first sign-in.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from client.sync.transport import ConnectionFailed, JsonTransport, ServerError, decode
from shared.errors import FieldledgerError


class Offline(FieldledgerError):
    code = "offline"


class ApiRefused(FieldledgerError):
    """The server refused (``server_code``: its error code, e.g. ``illegal_transition``)."""

    code = "server_refused"


class NotSignedIn(FieldledgerError):
    code = "not_signed_in"


class RestApi:
    """Thin calls over a :class:`JsonTransport` (``HttpTransport`` in the app)."""

    base: ClassVar[str] = ""  # path prefix under /api/v1, e.g. "/tickets"
    offline_error: ClassVar[type[Offline]] = Offline
    refused_error: ClassVar[type[ApiRefused]] = ApiRefused
    offline_en: ClassVar[str] = "this needs a connection. Try again when online."
    offline_zh: ClassVar[str] = "此操作需要联网，请联网后重试。"

    def __init__(self, transport: JsonTransport) -> None:
        self.transport = transport

    @classmethod
    def for_store(cls, store: Any) -> Self:
        """The API of the signed-in server of ``store`` (``NotSignedIn`` if there is none)."""
        from client.sync.session import http_transport

        try:
            return cls(http_transport(store))
        except FieldledgerError:
            raise NotSignedIn(
                "This device is not signed in to a server.", message_zh="本机尚未登录服务器。"
            ) from None

    def offline(self, exc: Exception) -> Offline:
        return self.offline_error(
            f"Cannot reach the server ({exc}); {self.offline_en}",
            message_zh=f"连不上服务器：{self.offline_zh}",
        )

    def refused(self, exc: ServerError) -> ApiRefused:
        field = exc.details.get("field")
        return self.refused_error(
            exc.message or exc.code,
            message_zh=exc.message_zh or exc.message or exc.code,
            field=str(field) if field else None,
            server_code=exc.code,
            status=exc.status,
        )

    def _json(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        try:
            return self.transport._call(method, self.base + path, **kw)
        except ConnectionFailed as exc:
            raise self.offline(exc) from None
        except ServerError as exc:
            raise self.refused(exc) from None

    def _bytes(self, path: str, params: dict[str, Any] | None = None) -> bytes:
        t = self.transport
        try:
            reply = t._send(
                "GET",
                "/api/v1" + self.base + path,
                headers=t._headers(True, None),
                params=params,
                body=None,
            )
        except ConnectionFailed as exc:
            raise self.offline(exc) from None
        if not 200 <= reply.status < 300:
            try:
                decode(reply)
            except ServerError as exc:
                raise self.refused(exc) from None
        return reply.body

    def _post_raw(self, path: str, content_type: str, body: bytes) -> dict[str, Any]:
        """POST a body that is not JSON (e.g. multipart) under /api/v1 + base + path."""
        t = self.transport
        try:
            reply = t._send(
                "POST",
                "/api/v1" + self.base + path,
                headers=t._headers(True, content_type),
                body=body,
            )
            return decode(reply)
        except ConnectionFailed as exc:
            raise self.offline(exc) from None
        except ServerError as exc:
            raise self.refused(exc) from None
