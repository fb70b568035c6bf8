"""Resumable, content-addressed photo uploads (docs/sync-protocol.md §9); a ticket's evidence
video uses the same endpoints (docs/tickets.md, "Video evidence")."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from shared.errors import InvalidInput, NotFound
from sync_server.api import json_body
from sync_server.app import get_storage
from sync_server.auth import current_scope, require_auth
from sync_server.errors import PayloadTooLarge
from sync_server.photos import PhotoStore, check_sha
from sync_server.schemas import PhotoUploadCreate
from sync_server.storage.base import UploadRow
from sync_server.tickets_store import load_config, ticket_video_refs

bp = Blueprint("photos", __name__, url_prefix="/api/v1/photos")


def store() -> PhotoStore:
    return PhotoStore(current_app.config["PHOTO_DIR"])


def status(row: UploadRow, code: int = 200) -> Response:
    resp = jsonify(
        {"sha256": row.sha256, "size": row.size, "offset": row.offset, "complete": row.complete}
    )
    resp.status_code = code
    resp.headers["Upload-Offset"] = str(row.offset)
    resp.headers["Upload-Length"] = str(row.size)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _existing(sha256: str) -> UploadRow:
    row = get_storage().get_upload(current_scope().org_id, check_sha(sha256))
    if row is None:
        raise NotFound("no such photo upload", message_zh="照片不存在", field="sha256")
    return row


@bp.post("/<sha256>")
@require_auth()
def create_upload(sha256: str) -> Response:
    """``{"size"}`` for a photo; ``{"size", "kind": "video"}`` (or a blob a ticket of the
    organisation names as its evidence video) for a ticket video, up to ``video_max_bytes``."""
    check_sha(sha256)
    body = json_body(PhotoUploadCreate)
    scope = current_scope()
    storage = get_storage()
    video = body.kind == "video" or bool(ticket_video_refs(storage, scope.org_id, sha256))
    if video:
        limit = load_config(storage, scope.org_id).settings.video_max_bytes
        if body.size > limit:
            raise PayloadTooLarge(
                f"size: a ticket video may have at most {limit} bytes"
                " (ticket settings video_max_bytes)",
                message_zh=f"视频过大：最多 {limit} 字节（工单设置 video_max_bytes）",
                field="size",
                limit=limit,
                setting="video_max_bytes",
            )
    else:
        limit = int(current_app.config["MAX_PHOTO_BYTES"])
        if body.size > limit:
            raise PayloadTooLarge(
                f"a photo may have at most {limit} bytes",
                message_zh="照片过大",
                field="size",
                limit=limit,
            )
    created = store().create(storage, scope.org_id, sha256, body.size, scope.user_id, video=video)
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
    scope = current_scope()
    row = _existing(sha256)
    if not row.complete or not get_storage().photo_visible_to(scope, sha256):
        raise NotFound("no such photo in your scope", message_zh="照片不存在", field="sha256")
    data = store().blob_path(scope.org_id, sha256).read_bytes()
    mimetype = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    resp = Response(data, mimetype=mimetype)
    resp.headers["Cache-Control"] = "private, max-age=3600"
    resp.set_etag(sha256)
    return resp
