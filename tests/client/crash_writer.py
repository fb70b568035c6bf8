"""Saves visits in a loop until killed — the subject of the local store's crash test.

Also holds the small factories the local store tests use (real bytes, real models; no images
are decoded by the store, so photo bytes are seeded random bytes).

Run: python tests/client/crash_writer.py DB_PATH SEED LOG_PATH
Prints "ready" to the log once the store is open, then one line "saved <visit_id> <seq>" after
each save_visit returned (i.e. after its commit), and "void <visit_id> <seq>" likewise.
"""

from __future__ import annotations

import hashlib
import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from client.localdb import LocalStore, StoredPhotoInput
from shared.settings import RuleCode, Severity
from shared.validation.report import RuleResult, ValidationReport
from shared.visits import GpsFix, PhotoEvidence, Provenance, Visit

BASE_TIME = datetime(2025, 3, 12, 2, 30, tzinfo=UTC)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_photo_input(rng: random.Random, slot: str) -> tuple[PhotoEvidence, StoredPhotoInput]:
    captured = rng.randbytes(rng.randint(2_000, 20_000))
    stored = b"stored:" + captured[: len(captured) // 2]
    thumb = b"thumb:" + captured[:500]
    evidence = PhotoEvidence(
        slot=slot,
        provenance=Provenance.APP_CAMERA,
        sha256=sha(captured),
        phash=sha(b"p" + captured)[:16],
        stored_sha256=sha(stored),
        size_bytes=len(stored),
    )
    return evidence, StoredPhotoInput(sha256=evidence.sha256, stored=stored, thumbnail=thumb)


def make_report(visit_id: str, *, counts: bool = True) -> ValidationReport:
    result = RuleResult(
        code=RuleCode.PHOTOS_REQUIRED,
        passed=counts,
        severity=Severity.BLOCK,
        measured=1 if counts else 0,
        limit=1,
        message_zh="照片齐全" if counts else "缺少照片",
        message_en="Photos complete" if counts else "Photos missing",
    )
    return ValidationReport(visit_id=visit_id, visit_time=BASE_TIME, results=(result,))


def make_visit(
    rng: random.Random | None = None,
    *,
    visit_id: str | None = None,
    customer_id: str = "c1",
    rep_id: str = "rep1",
    device_time: datetime = BASE_TIME,
    slots: tuple[str, ...] = ("storefront", "price_tag"),
    counts: bool = True,
) -> tuple[Visit, ValidationReport, list[StoredPhotoInput]]:
    """A visit with len(slots) photos, its report and the photos' bytes."""
    rng = rng or random.Random(visit_id or "default")
    pairs = [make_photo_input(rng, s) for s in slots]
    visit = Visit(
        id=visit_id or uuid.UUID(int=rng.getrandbits(128)).hex,
        org_id="org1",
        customer_id=customer_id,
        rep_id=rep_id,
        device_id="dev1",
        action_type="display_optimization",
        checklist={"facing_fixed": True, "pop_placed": True},
        result={"order_taken": True},
        device_time=device_time,
        gps=GpsFix(lat=22.5333, lon=113.9305, accuracy_m=12.0),
        photos=[e for e, _ in pairs],
    )
    return visit, make_report(visit.id, counts=counts), [p for _, p in pairs]


def main(db_path: str, seed: int, log_path: str) -> None:
    rng = random.Random(seed)
    with open(log_path, "a", buffering=1) as log, LocalStore.open(db_path) as store:
        log.write("ready\n")
        n = 0
        while True:
            n += 1
            when = BASE_TIME + timedelta(minutes=n)
            visit, report, photos = make_visit(
                rng, device_time=when, slots=tuple(f"slot{i}" for i in range(rng.randint(0, 3)))
            )
            store.save_draft(visit.id, {"step": "photos", "n": n})
            seq = store.save_visit(visit, report, photos)
            log.write(f"saved {visit.id} {seq}\n")
            if n % 3 == 0:
                seq = store.void_visit(visit.id, "duplicate entry", voided_at=when)
                log.write(f"void {visit.id} {seq}\n")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
