"""Content-addressed blob store for photo bytes: ``<root>/<aa>/<sha256>``.

A blob is written atomically (temporary file in the same directory, ``fsync``, ``os.replace``,
``fsync`` of the directory), so a reader sees either the whole file or none. Its name is its
SHA-256, so writing the same bytes twice is a no-op and a file can always be checked against its
name. Blobs are written BEFORE the database row that refers to them; a crash in between leaves
an orphan, which :meth:`LocalStore.gc_blobs` removes later (after a grace period).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from shared.errors import InvalidInput, NotFound

_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
TMP_PREFIX = ".tmp-"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, sha: str) -> Path:
        if not isinstance(sha, str) or not _SHA_RE.match(sha):
            raise InvalidInput(
                f"Not a SHA-256 hex digest: {sha!r}",
                message_zh=f"不是有效的 SHA-256 摘要：{sha!r}",
                field="sha256",
            )
        return self.root / sha[:2] / sha

    def put(self, data: bytes) -> str:
        """Store ``data``; return its SHA-256. Durable when this returns."""
        sha = sha256_hex(data)
        final = self.path(sha)
        if final.exists():
            os.utime(final)  # fresh mtime: a concurrent gc's grace period protects it
            return sha
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.parent / f"{TMP_PREFIX}{uuid.uuid4().hex}"
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(final.parent)
        return sha

    def get(self, sha: str) -> bytes:
        try:
            return self.path(sha).read_bytes()
        except FileNotFoundError:
            raise NotFound(
                f"No stored photo bytes with SHA-256 {sha}",
                message_zh=f"找不到 SHA-256 为 {sha} 的照片数据",
                field="sha256",
            ) from None

    def has(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def verify(self, sha: str) -> bool:
        """True when the blob exists and its bytes still hash to its name."""
        p = self.path(sha)
        if not p.is_file():
            return False
        digest = hashlib.sha256()
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest() == sha

    def delete(self, sha: str) -> None:
        self.path(sha).unlink(missing_ok=True)

    def all_hashes(self) -> Iterator[str]:
        for sub in sorted(self.root.iterdir()):
            if sub.is_dir() and len(sub.name) == 2:
                for f in sorted(sub.iterdir()):
                    if _SHA_RE.match(f.name):
                        yield f.name

    def age_s(self, sha: str) -> float:
        return time.time() - self.path(sha).stat().st_mtime

    def remove_stale_temp_files(self, older_than_s: float) -> int:
        """Remove temporary files left by a crash mid-write; return how many."""
        removed = 0
        now = time.time()
        for f in self.root.glob(f"*/{TMP_PREFIX}*"):
            try:
                if now - f.stat().st_mtime >= older_than_s:
                    f.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed
