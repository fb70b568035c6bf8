"""Uploading photo bytes: content-addressed, resumable, verified by the server's hash check.

For each stored photo the server has not confirmed: ask the server how far the upload got
(``POST /photos/{sha}`` creates it or answers its offset), send the rest in chunks, and after a
cut at any byte ask again and resume at the server's offset. The server checks the SHA-256 once
the last byte arrives; a mismatch discards the upload and it starts again (bounded). A photo
that cannot be sent (its bytes are missing or damaged on the phone, or the server refuses them
for good) is skipped and reported, never blocking the photos after it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from client.sync.api import SyncPhase
from client.sync.context import RunContext
from client.sync.transport import ConnectionFailed, ServerError
from shared.errors import FieldledgerError

MAX_RESTARTS = 2  # after a checksum mismatch
MAX_ROUNDS = 10_000  # chunk requests per photo, whatever happens


class _Progress:
    def __init__(self, ctx: RunContext, total: int) -> None:
        self.ctx, self.total, self.done = ctx, total, 0

    def add(self, n: int) -> None:
        self.done += n
        self.ctx.progress(SyncPhase.UPLOADING, bytes_done=self.done, bytes_total=self.total)


def upload_photos(ctx: RunContext) -> None:
    store = ctx.store
    shas = store.pending_photo_uploads(limit=10_000)
    if not shas:
        return
    sizes = {}
    for sha in shas:
        try:
            sizes[sha] = store.blobs.path(sha).stat().st_size
        except (OSError, FieldledgerError):
            sizes[sha] = 0
    progress = _Progress(ctx, sum(sizes.values()))
    ctx.progress(SyncPhase.UPLOADING, bytes_total=progress.total)
    for sha in shas:
        try:
            data = store.blobs.get(sha)
        except FieldledgerError:
            ctx.counters.photo_errors.append(f"{sha}: bytes missing on this device")
            continue
        if hashlib.sha256(data).hexdigest() != sha:
            ctx.counters.photo_errors.append(f"{sha}: bytes damaged on this device")
            continue
        try:
            sent = upload_one(ctx, sha, data, progress)
        except ServerError as exc:
            if exc.status in (401, 403, 426) or exc.transient:
                raise
            ctx.counters.photo_errors.append(f"{sha}: {exc.code}: {exc.message}")
            continue
        ctx.checkpoint("photo.uploaded")
        store.mark_photo_uploaded(sha)
        ctx.counters.uploaded_bytes += sent


def _offset(info: dict[str, Any], size: int) -> int:
    raw = info.get("offset", 0)
    return min(max(0, int(raw)), size) if isinstance(raw, int) else 0


def upload_one(ctx: RunContext, sha: str, data: bytes, progress: _Progress) -> int:
    """Send what the server lacks of one photo; returns the bytes sent in this run."""
    size, sent, restarts = len(data), 0, 0
    info = ctx.call(ctx.transport.photo_offset, sha, size)
    for _ in range(MAX_ROUNDS):
        if info.get("complete"):
            return sent
        offset = _offset(info, size)
        chunk = data[offset : offset + ctx.chunk_size]
        ctx.checkpoint("photo.before_chunk")
        try:
            info = ctx.transport.upload_chunk(sha, offset, chunk)
        except ConnectionFailed as exc:
            # Cut somewhere in the request or the answer: wait, then ask where the server is.
            if not ctx.retrier.wait(0, exc):
                raise
            info = ctx.call(ctx.transport.photo_offset, sha, size)
            continue
        except ServerError as exc:
            if exc.code == "upload_offset_mismatch" and isinstance(exc.details.get("offset"), int):
                info = {"offset": exc.details["offset"], "complete": False}
                continue
            if exc.code == "checksum_mismatch" and restarts < MAX_RESTARTS:
                restarts += 1  # the server discarded it: start again from byte 0
                info = ctx.call(ctx.transport.photo_offset, sha, size)
                continue
            if exc.status == 404 and restarts < MAX_RESTARTS:  # cleaned up meanwhile: again
                restarts += 1
                info = ctx.call(ctx.transport.photo_offset, sha, size)
                continue
            if exc.transient and ctx.retrier.wait(0, exc):
                info = ctx.call(ctx.transport.photo_offset, sha, size)
                continue
            raise
        sent += len(chunk)
        progress.add(len(chunk))
    raise ServerError(502, "upload_stalled", f"photo {sha} did not complete")
