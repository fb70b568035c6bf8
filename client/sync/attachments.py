"""Uploading proposal attachments: the photo upload loop (``client.sync.photos.upload_one``:
resumable, content-addressed, verified by the server's hash check) over the attachment path
``/api/v1/attachments/{sha}`` (docs/sync-protocol.md section 13). An attachment that cannot be
sent is reported with the photo errors and tried again at the next sync; it never blocks the
others."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from client.localdb import touchpoints
from client.sync.api import SyncPhase
from client.sync.context import RunContext
from client.sync.photos import _Progress, upload_one
from client.sync.transport import ServerError
from shared.errors import FieldledgerError


class _AttachmentPaths:
    """The two upload calls of a transport, pointed at the attachment path."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def photo_offset(self, sha: str, size: int) -> dict[str, Any]:
        result: dict[str, Any] = self.inner._call(
            "POST", f"/attachments/{sha}", json_body={"size": size}
        )
        return result

    def upload_chunk(self, sha: str, offset: int, data: bytes) -> dict[str, Any]:
        result: dict[str, Any] = self.inner._call(
            "PATCH", f"/attachments/{sha}", data=data, extra_headers={"Upload-Offset": str(offset)}
        )
        return result


def upload_attachments(ctx: RunContext) -> None:
    store = ctx.store
    pending = touchpoints.pending_attachments(store)
    if not pending or not hasattr(ctx.transport, "_call"):
        return
    actx = dataclasses.replace(ctx, transport=_AttachmentPaths(ctx.transport))  # type: ignore[arg-type]
    progress = _Progress(actx, sum(size for _, size in pending))
    ctx.progress(SyncPhase.UPLOADING, bytes_total=progress.total)
    for sha, _size in pending:
        try:
            data = store.blobs.get(sha)
        except FieldledgerError:
            ctx.counters.photo_errors.append(f"{sha}: attachment missing on this device")
            continue
        if hashlib.sha256(data).hexdigest() != sha:
            ctx.counters.photo_errors.append(f"{sha}: attachment damaged on this device")
            continue
        try:
            sent = upload_one(actx, sha, data, progress)
        except ServerError as exc:
            if exc.status in (401, 403, 426) or exc.transient:
                raise
            ctx.counters.photo_errors.append(f"{sha}: {exc.code}: {exc.message}")
            continue
        ctx.checkpoint("attachment.uploaded")
        touchpoints.mark_attachment_uploaded(store, sha)
        ctx.counters.uploaded_bytes += sent
