"""Content-addressed photo blobs and resumable uploads on the filesystem.

Uploads append to ``uploads/<org>/<sha256>.part``; a finished upload is checked (SHA-256, decodes
as an image) and moved to ``blobs/<org>/<sha[:2]>/<sha256>``. The database row holds the offset;
a part file longer than it (a crash between write and commit) is truncated before appending.

A ticket's evidence video goes the same way (docs/tickets.md, "Video evidence"). An upload is a
video when it was created with ``kind: video`` (a marker file ``<sha256>.video`` next to the part
file remembers it, so the database table is unchanged) or when a ticket of the organisation names
the blob as its ``evidence.video``. A finished video must be an MP4 / QuickTime / WebM whose
duration can be read (``shared.tickets.video``) and stay within the organisation's
``TicketSettings.video_max_bytes`` and ``video_max_duration_s``; else ``invalid_video`` (422)
naming the field, and the upload is discarded.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from pathlib import Path

from shared.errors import InvalidInput, InvalidPhoto, NotFound
from shared.photos import analyze_photo
from shared.tickets import Evidence, VideoEvidence, check_evidence
from shared.tickets.video import InvalidVideo, probe_video
from sync_server.errors import ChecksumMismatch, PhotoRejected, UploadOffsetMismatch
from sync_server.storage.base import StorageBase, UploadRow

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_locks: dict[tuple[str, str], threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock(org_id: str, sha256: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault((org_id, sha256), threading.Lock())


def check_sha(sha256: str) -> str:
    if not SHA256_RE.match(sha256):
        raise InvalidInput(
            "the photo id must be a SHA-256 in 64 lowercase hex digits",
            message_zh="照片编号必须是 64 位小写十六进制 SHA-256",
            field="sha256",
        )
    return sha256


class VideoRejected(InvalidVideo):
    """Finished upload bytes that are not a usable ticket video, or over a video limit."""

    code = "invalid_video"
    http_status = 422


class PhotoStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def part_path(self, org_id: str, sha256: str) -> Path:
        return self.root / "uploads" / org_id / f"{sha256}.part"

    def blob_path(self, org_id: str, sha256: str) -> Path:
        return self.root / "blobs" / org_id / sha256[:2] / sha256

    def video_marker(self, org_id: str, sha256: str) -> Path:
        return self.root / "uploads" / org_id / f"{sha256}.video"

    def create(
        self,
        storage: StorageBase,
        org_id: str,
        sha256: str,
        size: int,
        user: str,
        *,
        video: bool = False,
    ) -> bool:
        """Create the upload; False when one already exists."""
        if storage.get_upload(org_id, sha256) is not None:
            return False
        part = self.part_path(org_id, sha256)
        part.parent.mkdir(parents=True, exist_ok=True)
        part.touch()
        if video:
            self.video_marker(org_id, sha256).touch()
        storage.create_upload(UploadRow(org_id, sha256, size, 0, False, user, time.time()))
        return True

    def append(
        self, storage: StorageBase, org_id: str, sha256: str, offset: int, chunk: bytes
    ) -> UploadRow:
        with _lock(org_id, sha256):
            row = storage.get_upload(org_id, sha256)
            if row is None:
                raise NotFound(
                    "no such upload: create it first", message_zh="上传不存在", field="sha256"
                )
            if row.complete:
                return row
            if offset != row.offset:
                raise UploadOffsetMismatch(
                    f"the upload is at offset {row.offset}, not {offset}",
                    message_zh=f"上传进度为 {row.offset} 字节，请从该位置继续",
                    field="Upload-Offset",
                    offset=row.offset,
                )
            if offset + len(chunk) > row.size:
                raise InvalidInput(
                    f"the chunk goes past the declared size {row.size}",
                    message_zh="上传内容超过声明的大小",
                    field="body",
                )
            part = self.part_path(org_id, sha256)
            part.parent.mkdir(parents=True, exist_ok=True)
            with open(part, "a+b") as fh:
                fh.truncate(offset)
                fh.seek(offset)
                fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            new_offset = offset + len(chunk)
            if not storage.set_upload_offset(org_id, sha256, offset, new_offset):
                current = storage.get_upload(org_id, sha256)
                raise UploadOffsetMismatch(
                    "another upload of this photo moved the offset",
                    message_zh="另一上传已改变进度",
                    field="Upload-Offset",
                    offset=current.offset if current else 0,
                )
            if new_offset == row.size:
                self._finish(storage, org_id, sha256)
            result = storage.get_upload(org_id, sha256)
            assert result is not None
            return result

    def _finish(self, storage: StorageBase, org_id: str, sha256: str) -> None:
        part = self.part_path(org_id, sha256)
        data = part.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            self.discard(storage, org_id, sha256)
            raise ChecksumMismatch(
                "the uploaded bytes do not match their SHA-256: upload discarded, start again",
                message_zh="照片校验失败，已丢弃，请重新上传",
                field="sha256",
            )
        if self.is_video(storage, org_id, sha256):
            self._check_video(storage, org_id, sha256, data)
        else:
            try:
                analyze_photo(data)
            except InvalidPhoto as exc:
                self.discard(storage, org_id, sha256)
                raise PhotoRejected(exc.message, message_zh=exc.message_zh, **exc.details) from None
        self.video_marker(org_id, sha256).unlink(missing_ok=True)
        blob = self.blob_path(org_id, sha256)
        blob.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, blob)
        storage.complete_upload(org_id, sha256, time.time())

    def is_video(self, storage: StorageBase, org_id: str, sha256: str) -> bool:
        from sync_server.tickets_store import ticket_video_refs

        if self.video_marker(org_id, sha256).exists():
            return True
        return bool(ticket_video_refs(storage, org_id, sha256))

    def _check_video(self, storage: StorageBase, org_id: str, sha256: str, data: bytes) -> None:
        """A real MP4 / QuickTime / WebM within the organisation's limits, or discarded."""
        from sync_server.tickets_store import load_config

        try:
            info = probe_video(data)
            video = VideoEvidence(
                sha256=sha256, size_bytes=len(data), duration_s=info.duration_s, mime=info.mime
            )
            check_evidence(Evidence(video=video), load_config(storage, org_id).settings)
        except InvalidInput as exc:
            self.discard(storage, org_id, sha256)
            raise VideoRejected(exc.message, message_zh=exc.message_zh, **exc.details) from None

    def discard(self, storage: StorageBase, org_id: str, sha256: str) -> None:
        storage.delete_upload(org_id, sha256)
        for path in (
            self.part_path(org_id, sha256),
            self.blob_path(org_id, sha256),
            self.video_marker(org_id, sha256),
        ):
            path.unlink(missing_ok=True)

    def gc(self, storage: StorageBase, older_than_s: float) -> tuple[int, int]:
        """Delete stale incomplete uploads and unreferenced blobs; return (uploads, blobs)."""
        before = time.time() - older_than_s
        stale = storage.stale_uploads(before)
        for row in stale:
            self.discard(storage, row.org_id, row.sha256)
        orphans = storage.unreferenced_uploads(before)
        for row in orphans:
            self.discard(storage, row.org_id, row.sha256)
        return len(stale), len(orphans)
