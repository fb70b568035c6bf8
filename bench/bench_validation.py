"""Median time to validate a visit with 3 processed photos against 100,000 earlier photos.

The reuse lookup (exact SHA-256 and near-duplicate perceptual hash) is included; photo
processing is not (see bench_photo.py). Target: <= 5 ms per validation.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.photos import process_photo, to_evidence
from shared.photos.reuse import PhotoHashIndex
from shared.validation.engine import validate_visit
from shared.visits import CaptureStamp, Provenance
from tests.support.factories import local, make_context, make_visit
from tests.support.photos import make_jpeg

HISTORY = 100_000
RUNS = 2_000


def main() -> None:
    rng = random.Random(42)
    index = PhotoHashIndex()
    for i in range(HISTORY):
        index.add(f"{rng.getrandbits(256):064x}", f"{rng.getrandbits(64):016x}", f"old-{i}")
    when = local(2025, 3, 12)
    photos = []
    for seed, slot in enumerate(("storefront", "stack_display", "price_tag")):
        processed = process_photo(make_jpeg(1600, 1200, seed=seed + 100))
        stamp = CaptureStamp(trusted_time=when - timedelta(minutes=3))
        photos.append(
            to_evidence(processed, slot=slot, provenance=Provenance.APP_CAMERA, capture_stamp=stamp)
        )
    visit = make_visit(when, photos=photos)
    ctx = make_context(history=index)
    report = validate_visit(visit, ctx)
    assert report.counts, [r.message_en for r in report.results if not r.passed]
    for _ in range(200):  # warm-up
        validate_visit(visit, ctx)
    samples = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        validate_visit(visit, ctx)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    median = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95)]
    print("validation of a visit with 3 photos against 100,000 earlier photos")
    print(f"  median {median:.3f} ms   p95 {p95:.3f} ms   ({len(report.results)} rule results)")
    print(
        f"  target <= 5 ms: {'OK' if median <= 5 else 'MISSED'}"
        f" (ratio {median / 5:.2f} of the target)"
    )


if __name__ == "__main__":
    main()
