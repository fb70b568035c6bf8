"""An in-memory index of earlier photos' hashes, to catch reused evidence.

* exact: the SHA-256 of the captured bytes is already known (same file submitted again);
* near: a perceptual hash within ``max_distance`` bits (re-saved, resized, re-shot screen...).

Near search uses multi-index hashing: the 64-bit pHash is split into 8 bytes and each byte
position has a dict ``byte value -> hashes``. Two hashes within distance d <= 7 differ in at most
7 of the 8 bytes (pigeonhole), so they share at least one byte exactly: only the hashes in the 8
buckets of the query need an exact ``bit_count`` check (~8 x n/256 candidates for random hashes).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.photos.phash import parse_hash

MAX_INDEX_DISTANCE = 7  # the pigeonhole bound for 8 byte-slices of a 64-bit hash
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SHIFTS = tuple(56 - 8 * i for i in range(8))


class ReuseMatch(BaseModel):
    """An earlier photo this one matches: same bytes (exact) or perceptually close (near)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["exact", "near"]
    visit_id: str
    sha256: str
    distance: int


class PhotoHashIndex:
    """Earlier photos of an organisation, searchable by SHA-256 and by pHash distance."""

    def __init__(self) -> None:
        self._by_sha: dict[str, list[str]] = {}
        # phash int -> list of (sha256, visit_id), in insertion order.
        self._by_phash: dict[int, list[tuple[str, str]]] = {}
        self._slices: tuple[dict[int, list[int]], ...] = tuple({} for _ in _SHIFTS)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, sha256: str, phash: str, visit_id: str) -> None:
        if not _SHA256.match(sha256):
            raise ValueError(f"sha256 must be 64 lowercase hex digits, got {sha256!r}")
        value = parse_hash(phash)
        self._by_sha.setdefault(sha256, []).append(visit_id)
        entries = self._by_phash.get(value)
        if entries is None:
            self._by_phash[value] = [(sha256, visit_id)]
            for table, shift in zip(self._slices, _SHIFTS, strict=True):
                table.setdefault((value >> shift) & 0xFF, []).append(value)
        else:
            entries.append((sha256, visit_id))
        self._count += 1

    def find(
        self, sha256: str, phash: str, *, max_distance: int, exclude_visit_id: str | None = None
    ) -> ReuseMatch | None:
        """The best earlier match (exact first, then the nearest pHash), or None.

        Entries recorded for ``exclude_visit_id`` (the visit being checked) never match.
        """
        if not 0 <= max_distance <= MAX_INDEX_DISTANCE:
            raise ValueError(
                f"max_distance must be between 0 and {MAX_INDEX_DISTANCE}, got {max_distance}"
            )
        query = parse_hash(phash)
        for visit_id in self._by_sha.get(sha256, ()):
            if visit_id != exclude_visit_id:
                return ReuseMatch(kind="exact", visit_id=visit_id, sha256=sha256, distance=0)
        candidates: set[int] = set()
        for table, shift in zip(self._slices, _SHIFTS, strict=True):
            bucket = table.get((query >> shift) & 0xFF)
            if bucket:
                # A plain generator beats itertools.compress over map(...) chains on 3.11.
                candidates.update(h for h in bucket if (query ^ h).bit_count() <= max_distance)
        best: ReuseMatch | None = None
        for value in sorted(candidates, key=lambda h: ((query ^ h).bit_count(), h)):
            distance = (query ^ value).bit_count()
            for entry_sha, visit_id in self._by_phash[value]:
                if visit_id != exclude_visit_id:
                    best = ReuseMatch(
                        kind="near", visit_id=visit_id, sha256=entry_sha, distance=distance
                    )
                    break
            if best is not None:
                break
        return best
