"""The headless `fieldledger` command: real photos, real local database, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from client.cli.main import main
from client.localdb.store import LocalStore
from tests.support.factories import STORE_LAT, STORE_LON, make_customer
from tests.support.photos import make_jpeg

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "visit.json"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_photo(tmp_path: Path, name: str, seed: int, **kw) -> str:
    path = tmp_path / name
    path.write_bytes(make_jpeg(800, 600, seed=seed, **kw))
    return str(path)


def test_photo_json_reports_exif_time_gps_and_hashes(tmp_path, capsys):
    path = write_photo(
        tmp_path,
        "a.jpg",
        1,
        taken_at=datetime(2025, 3, 12, 10, 25),
        offset="+08:00",
        gps=(STORE_LAT, STORE_LON),
        orientation=6,
    )
    code, out, _ = run(capsys, "photo", path, "--json")
    facts = json.loads(out)
    assert code == 0
    assert facts["taken_at"] == "2025-03-12T10:25:00+08:00"
    assert facts["gps"]["lat"] == pytest.approx(STORE_LAT, abs=1e-4)
    assert facts["orientation"] == 6
    assert (facts["width"], facts["height"]) == (600, 800)
    assert len(facts["sha256"]) == 64 and len(facts["phash"]) == 16


def test_photo_of_a_non_image_fails_with_a_message_naming_the_problem(tmp_path, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("not a photo")
    code, out, err = run(capsys, "--lang", "en", "photo", str(bad))
    assert code == 2 and out == ""
    assert "invalid_photo" in err and "photo" in err
    assert "Traceback" not in err


def _bundle(tmp_path: Path, when: datetime) -> str:
    bundle = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    bundle["visit"]["device_time"] = when.isoformat()
    bundle["visit"]["anchor"]["server_time"] = (when - timedelta(hours=2)).isoformat()
    path = tmp_path / "visit.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return str(path)


def test_validate_with_three_fresh_photos_counts_and_exits_zero(tmp_path, capsys):
    when = datetime.fromisoformat("2025-03-12T10:30:00+08:00")
    photos = [
        write_photo(
            tmp_path, f"{i}.jpg", i, taken_at=datetime(2025, 3, 12, 10, 20), offset="+08:00"
        )
        for i in range(3)
    ]
    args = ["--lang", "en", "validate", _bundle(tmp_path, when), "--json"]
    for p in photos:
        args += ["--photo", p]
    code, out, _ = run(capsys, *args)
    report = json.loads(out)
    assert report["counts"] is True, [r for r in report["results"] if not r["passed"]]
    assert code == 0
    assert {r["subject"] for r in report["results"] if r["code"] == "photo.exif_time"} == {
        "storefront",
        "stack_display",
        "price_tag",
    }


def test_validate_refuses_a_photo_from_last_week_and_exits_one(tmp_path, capsys):
    when = datetime.fromisoformat("2025-03-12T10:30:00+08:00")
    old = write_photo(tmp_path, "old.jpg", 7, taken_at=datetime(2025, 3, 5, 10, 0))
    fresh = [
        write_photo(tmp_path, f"{i}.jpg", i, taken_at=datetime(2025, 3, 12, 10, 20)) for i in (1, 2)
    ]
    code, out, _ = run(
        capsys,
        "--lang",
        "en",
        "validate",
        _bundle(tmp_path, when),
        "--photo",
        f"storefront={old}",
        "--photo",
        fresh[0],
        "--photo",
        fresh[1],
    )
    assert code == 1
    assert "does not count" in out
    assert "[storefront]" in out and "photo.exif_time" in out


def test_validate_names_the_bad_field_of_a_malformed_visit(tmp_path, capsys):
    bundle = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    bundle["visit"]["gps"]["lat"] = 123
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bundle))
    code, _, err = run(capsys, "--lang", "en", "validate", str(path))
    assert code == 2
    assert "[visit.gps.lat]" in err


def test_validate_of_broken_json_says_so(tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2 and "JSON" in err


def test_visit_new_saves_the_visit_with_its_outbox_entry(tmp_path, capsys):
    db = tmp_path / "device.sqlite"
    with LocalStore.open(db) as store:
        store.upsert_customers([make_customer(org_id="demo")])
    now = datetime.now().astimezone()
    photos = [
        write_photo(tmp_path, f"{i}.jpg", i, taken_at=now.replace(tzinfo=None)) for i in range(3)
    ]
    args = [
        "--lang",
        "en",
        "visit",
        "new",
        "--db",
        str(db),
        "--org",
        "demo",
        "--rep",
        "rep1",
        "--customer",
        "c1",
        "--action",
        "display_optimization",
        "--lat",
        str(STORE_LAT),
        "--lon",
        str(STORE_LON),
        "--accuracy",
        "12",
        "--check",
        "facing_fixed",
        "--check",
        "pop_placed",
        "--result",
        "order_taken=true",
        "--json",
    ]
    for p in photos:
        args += ["--photo", p]
    code, out, _ = run(capsys, *args)
    saved = json.loads(out)
    with LocalStore.open(db) as store:
        pending = store.pending_changes()
        stored = store.get_visit(saved["visit_id"])
    assert [e.record_id for e in pending] == [saved["visit_id"]]
    assert pending[0].seq == saved["outbox_seq"]
    assert len(stored.visit.photos) == 3
    gps_rule = next(r for r in saved["report"]["results"] if r["code"] == "gps.distance")
    assert gps_rule["passed"] and gps_rule["measured"] < 1
    # Whether it counts depends on today's date and hour; the exit code must agree with it.
    assert code == (0 if saved["report"]["counts"] else 1)


def test_visit_new_for_an_unknown_customer_fails_without_writing(tmp_path, capsys):
    db = tmp_path / "device.sqlite"
    code, _, err = run(
        capsys,
        "visit",
        "new",
        "--db",
        str(db),
        "--org",
        "demo",
        "--rep",
        "r",
        "--customer",
        "nobody",
        "--action",
        "display_optimization",
    )
    assert code == 2 and "not_found" in err
    with LocalStore.open(db) as store:
        assert store.pending_changes() == []


def test_the_console_script_prints_no_traceback_on_bad_input(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "client.cli.main", "photo", str(tmp_path / "missing.jpg")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "missing.jpg" in proc.stderr
