"""Proposal attachments: content-addressed, resumable uploads like photos, but documents.

The photo upload path refuses anything that does not decode as an image (``invalid_photo``),
and a proposal is usually a PDF or an office document. Attachments therefore have their own
path (``/api/v1/attachments/<sha256>``, docs/sync-protocol.md section 13) over the SAME upload
table, part files and blob directory as photos (``PhotoStore``): bytes are stored once per
organisation whatever path brought them, the same garbage collector drops unreferenced ones
(a touchpoint links its attachment in ``visit_photos`` as ``touchpoint:<id>``), and the client
reuses its resumable upload loop. Only the check at the last byte differs: the bytes must be a
PDF, a JPEG/PNG image or an office document (sniffed from the first bytes, never trusted from a
header).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from typing import Any

from shared.errors import FieldledgerError
from sync_server.errors import ChecksumMismatch
from sync_server.photos import PhotoStore
from sync_server.storage.base import Scope, StorageBase

DEFAULT_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"PK\x03\x04", "application/zip"),  # docx / xlsx / pptx are zip containers
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # doc / xls / ppt
)


class AttachmentRejected(FieldledgerError):
    """Uploaded bytes that are not a PDF, an image or an office document."""

    code = "invalid_attachment"
    http_status = 422


def sniff(data: bytes) -> str | None:
    """The broad type of a document from its first bytes; None when it is none we accept."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


class AttachmentStore(PhotoStore):
    """``PhotoStore`` whose finished uploads must be documents instead of images."""

    def _finish(self, storage: StorageBase, org_id: str, sha256: str) -> None:
        part = self.part_path(org_id, sha256)
        data = part.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            self.discard(storage, org_id, sha256)
            raise ChecksumMismatch(
                "the uploaded bytes do not match their SHA-256: upload discarded, start again",
                message_zh="附件校验失败，已丢弃，请重新上传",
                field="sha256",
            )
        if sniff(data) is None:
            self.discard(storage, org_id, sha256)
            raise AttachmentRejected(
                "the file is not a PDF, JPEG/PNG image or office document",
                message_zh="附件须为 PDF、JPEG/PNG 图片或 Office 文档",
                field="body",
            )
        blob = self.blob_path(org_id, sha256)
        blob.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, blob)
        storage.complete_upload(org_id, sha256, time.time())


def attachment_visible_to(storage: StorageBase, scope: Scope, sha256: str) -> dict[str, Any]:
    """The attachment metadata of a live touchpoint in the scope that names ``sha256``
    (``{}`` when there is none: the caller answers 404)."""
    from sync_server.storage.sql_rows import scope_filter

    cond, params = scope_filter(scope, "r.")
    row = storage._one(  # type: ignore[attr-defined]
        "SELECT r.payload FROM visit_photos v JOIN records r ON r.org_id = v.org_id"
        " AND r.record_type = 'touchpoint' AND v.visit_id = 'touchpoint:' || r.record_id"
        f" WHERE v.org_id = %s AND v.sha256 = %s AND r.deleted = 0{cond}",
        [scope.org_id, sha256, *params],
    )
    if row is None:
        return {}
    payload = row[0] if isinstance(row[0], dict) else json.loads(row[0])
    attachment = payload.get("attachment") or {}
    return attachment if isinstance(attachment, dict) else {}
