"""Server error codes and the JSON error handlers: every failure is {code, message, details}.

docs/errors.md lists every code (tests/sync_server/test_errors_documented.py keeps it complete).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from shared.errors import FieldledgerError, InvalidPhoto

log = logging.getLogger("fieldledger.server")


class Unauthorized(FieldledgerError):
    code = "unauthorized"
    http_status = 401


class TokenExpired(FieldledgerError):
    code = "token_expired"
    http_status = 401


class InvalidCredentials(FieldledgerError):
    code = "invalid_credentials"
    http_status = 401


class AccountDisabled(FieldledgerError):
    code = "account_disabled"
    http_status = 403


class DeviceRevoked(FieldledgerError):
    code = "device_revoked"
    http_status = 403


class Forbidden(FieldledgerError):
    code = "forbidden"
    http_status = 403


class RateLimited(FieldledgerError):
    code = "rate_limited"
    http_status = 429


class VersionNotSupported(FieldledgerError):
    code = "version_not_supported"
    http_status = 426


class PayloadTooLarge(FieldledgerError):
    code = "payload_too_large"
    http_status = 413


class UploadOffsetMismatch(FieldledgerError):
    code = "upload_offset_mismatch"
    http_status = 409


class ChecksumMismatch(FieldledgerError):
    code = "checksum_mismatch"
    http_status = 422


class PhotoRejected(InvalidPhoto):
    """Uploaded bytes that do not decode as an image (code ``invalid_photo``)."""

    http_status = 422


class AlreadyExists(FieldledgerError):
    code = "already_exists"
    http_status = 409


_HTTP_CODES = {
    400: ("invalid_input", "bad request", "请求无效"),
    401: ("unauthorized", "authentication required", "需要登录"),
    403: ("forbidden", "forbidden", "无权访问"),
    404: ("not_found", "no such resource", "资源不存在"),
    405: ("method_not_allowed", "method not allowed", "不支持该请求方法"),
    413: ("payload_too_large", "request body too large", "请求内容过大"),
    415: ("invalid_input", "unsupported media type", "不支持的内容类型"),
}


def error_response(
    code: str, message: str, status: int, details: dict[str, Any] | None = None
) -> Response:
    resp = jsonify({"code": code, "message": message, "details": details or {}})
    resp.status_code = status
    return resp


def _domain(exc: FieldledgerError) -> Response:
    details = dict(exc.details)
    details.setdefault("message_zh", exc.message_zh)
    resp = error_response(exc.code, exc.message, exc.http_status, details)
    retry = details.get("retry_after")
    if retry is not None:
        resp.headers["Retry-After"] = str(retry)
    if exc.http_status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="fieldledger"'
    if exc.http_status >= 500:
        log.error("server error %s: %s", exc.code, exc.message)
    return resp


def _http(exc: HTTPException) -> Response:
    status = exc.code or 500
    code, message, zh = _HTTP_CODES.get(status, ("http_error", exc.name, "请求失败"))
    details: dict[str, Any] = {"message_zh": zh}
    allowed = getattr(exc, "valid_methods", None) if status == 405 else None
    if allowed:
        details["allowed"] = sorted(allowed)
    text = (exc.description or message) if status == 400 else message
    resp = error_response(code, text, status, details)
    if allowed:
        resp.headers["Allow"] = ", ".join(sorted(allowed))
    return resp


def _internal(exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    return error_response(
        "internal_error",
        "internal server error",
        500,
        {"message_zh": "服务器内部错误"},
    )


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(FieldledgerError, _domain)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _internal)
