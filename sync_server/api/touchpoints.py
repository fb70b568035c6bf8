"""Proposal attachments (resumable, content-addressed uploads of documents) and the admin's
read of SOP templates (docs/sync-protocol.md section 13, docs/admin-app.md).

Importing this module registers the ``touchpoint`` and ``contact`` push handlers.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from shared.errors import InvalidInput, NotFound
from sync_server import touchpoints_sync  # noqa: F401  (registers the push handlers)
from sync_server.api import json_body
from sync_server.api.photos import status
from sync_server.app import get_storage
from sync_server.auth import current_scope, require_auth
from sync_server.errors import PayloadTooLarge
from sync_server.photos import check_sha
from sync_server.schemas import UploadCreate
from sync_server.storage.base import UploadRow
from sync_server.touchpoints_attachments import (
    DEFAULT_MAX_ATTACHMENT_BYTES,
    AttachmentStore,
    attachment_visible_to,
)

bp = Blueprint("attachments", __name__, url_prefix="/api/v1/attachments")


def store() -> AttachmentStore:
    return AttachmentStore(current_app.config["PHOTO_DIR"])


def _existing(sha256: str) -> UploadRow:
    row = get_storage().get_upload(current_scope().org_id, check_sha(sha256))
    if row is None:
        raise NotFound("no such attachment upload", message_zh="附件不存在", field="sha256")
    return row


@bp.post("/<sha256>")
@require_auth()
def create_upload(sha256: str) -> Response:
    check_sha(sha256)
    body = json_body(UploadCreate)
    limit = int(current_app.config.get("MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES))
    if body.size > limit:
        raise PayloadTooLarge(
            f"an attachment may have at most {limit} bytes",
            message_zh="附件过大",
            field="size",
            limit=limit,
        )
    scope = current_scope()
    created = store().create(get_storage(), scope.org_id, sha256, body.size, scope.user_id)
    return status(_existing(sha256), 201 if created else 200)


@bp.patch("/<sha256>")
@require_auth()
def append_chunk(sha256: str) -> Response:
    check_sha(sha256)
    raw = request.headers.get("Upload-Offset")
    if raw is None or not raw.isdigit():
        raise InvalidInput(
            "the Upload-Offset header must be a non-negative integer",
            message_zh="缺少或无效的 Upload-Offset 请求头",
            field="Upload-Offset",
        )
    row = store().append(
        get_storage(), current_scope().org_id, sha256, int(raw), request.get_data(cache=False)
    )
    return status(row)


@bp.get("/<sha256>")
@require_auth()
def upload_status(sha256: str) -> Response:
    return status(_existing(sha256))


@bp.get("/<sha256>/content")
@require_auth()
def content(sha256: str) -> Response:
    """The bytes, to whoever can see a touchpoint naming them (else 404: nothing revealed)."""
    scope = current_scope()
    row = _existing(sha256)
    meta = attachment_visible_to(get_storage(), scope, sha256) if row.complete else {}
    if not meta:
        raise NotFound("no such attachment in your scope", message_zh="附件不存在", field="sha256")
    data = store().blob_path(scope.org_id, sha256).read_bytes()
    resp = Response(data, mimetype=str(meta.get("mime") or "application/octet-stream"))
    resp.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    resp.headers["Content-Disposition"] = "attachment"
    resp.set_etag(sha256)
    return resp
