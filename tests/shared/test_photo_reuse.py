"""The reuse index finds the same photo (exact) and near copies (pHash) from earlier visits."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.photos import PhotoHashIndex, ReuseMatch
from shared.photos.reuse import MAX_INDEX_DISTANCE

SHA_A = "a" * 64
SHA_B = "b" * 64
SHA_C = "c" * 64
PHASH = "f0e1d2c3b4a59687"


def flip(phash: str, bits: int, start: int = 0) -> str:
    """The hash with ``bits`` bits flipped, spread one per byte when possible."""
    value = int(phash, 16)
    for i in range(bits):
        value ^= 1 << ((start + i * 9) % 64)
    return f"{value:016x}"


def test_the_same_bytes_from_an_earlier_visit_are_an_exact_match():
    index = PhotoHashIndex()
    index.add(SHA_A, PHASH, "visit-1")
    match = index.find(SHA_A, flip(PHASH, 30), max_distance=6)
    assert match == ReuseMatch(kind="exact", visit_id="visit-1", sha256=SHA_A, distance=0)
    assert len(index) == 1


def test_a_near_copy_is_found_with_its_distance():
    index = PhotoHashIndex()
    index.add(SHA_A, PHASH, "visit-1")
    match = index.find(SHA_B, flip(PHASH, 3), max_distance=6)
    assert match == ReuseMatch(kind="near", visit_id="visit-1", sha256=SHA_A, distance=3)


@pytest.mark.parametrize("limit", range(MAX_INDEX_DISTANCE + 1))
def test_the_distance_limit_is_inclusive(limit):
    index = PhotoHashIndex()
    index.add(SHA_A, PHASH, "visit-1")
    at_limit = index.find(SHA_B, flip(PHASH, limit), max_distance=limit)
    assert at_limit is not None and at_limit.distance == limit
    assert index.find(SHA_B, flip(PHASH, limit + 1), max_distance=limit) is None


def test_photos_of_the_visit_being_checked_do_not_count():
    index = PhotoHashIndex()
    index.add(SHA_A, PHASH, "this-visit")
    assert index.find(SHA_A, PHASH, max_distance=6, exclude_visit_id="this-visit") is None
    index.add(SHA_A, PHASH, "older-visit")
    match = index.find(SHA_A, PHASH, max_distance=6, exclude_visit_id="this-visit")
    assert match is not None and (match.kind, match.visit_id) == ("exact", "older-visit")


def test_the_nearest_of_several_candidates_wins():
    index = PhotoHashIndex()
    index.add(SHA_A, flip(PHASH, 5), "far")
    index.add(SHA_B, flip(PHASH, 2, start=3), "near")
    match = index.find(SHA_C, PHASH, max_distance=7)
    assert match is not None and (match.visit_id, match.distance) == ("near", 2)


def test_limits_beyond_the_index_bound_and_bad_hashes_are_refused():
    index = PhotoHashIndex()
    with pytest.raises(ValueError):
        index.find(SHA_A, PHASH, max_distance=MAX_INDEX_DISTANCE + 1)
    with pytest.raises(ValueError):
        index.find(SHA_A, PHASH, max_distance=-1)
    with pytest.raises(ValueError):
        index.add("not-a-sha", PHASH, "v")
    with pytest.raises(ValueError):
        index.add(SHA_A, "xyz", "v")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=40),
    st.integers(0, 2**64 - 1),
    st.integers(0, MAX_INDEX_DISTANCE),
)
def test_the_index_agrees_with_a_brute_force_scan(stored, query, limit):
    index = PhotoHashIndex()
    for i, value in enumerate(stored):
        index.add(f"{i:064x}", f"{value:016x}", f"v{i}")
    best = min((query ^ v).bit_count() for v in stored)
    match = index.find("f" * 64, f"{query:016x}", max_distance=limit)
    if best <= limit:
        assert match is not None and match.distance == best
    else:
        assert match is None


def test_a_lookup_among_100000_photos_is_far_faster_than_a_scan():
    rng = random.Random(42)
    index = PhotoHashIndex()
    stored = [rng.getrandbits(64) for _ in range(100_000)]
    for i, value in enumerate(stored):
        index.add(f"{i:064x}", f"{value:016x}", f"v{i % 5000}")
    queries = [rng.getrandbits(64) for _ in range(50)]
    start = time.perf_counter()
    found = [index.find("e" * 64, f"{q:016x}", max_distance=6) for q in queries]
    indexed = time.perf_counter() - start
    start = time.perf_counter()
    scanned = [min((q ^ h).bit_count() for h in stored) for q in queries]
    scan = time.perf_counter() - start
    assert [m.distance if m else None for m in found] == [d if d <= 6 else None for d in scanned]
    # Load-independent: the multi-index must beat a linear scan by far (the bench has ms).
    assert indexed * 5 < scan
