"""Every error code the server can raise is documented in docs/errors.md (datasette habit)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def raised_codes() -> set[str]:
    codes: set[str] = set()
    sources = [*ROOT.joinpath("sync_server").rglob("*.py"), ROOT / "shared" / "errors.py"]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        codes.update(re.findall(r'\bcode = "([a-z_]+)"', text))
        codes.update(re.findall(r'^\s+\d{3}: \("([a-z_]+)"', text, re.M))
        codes.update(re.findall(r'conflicted\([^)]*?"([a-z_]+)",', text, re.S))
        codes.update(re.findall(r'_conflict(?:_row)?\(\s*pc, change, [a-z]+, "([a-z_]+)"', text))
        codes.update(re.findall(r'error_response\(\s*"([a-z_]+)"', text))
        codes.update(re.findall(r'\("([a-z_]+)", exc\.name', text))
    return codes


def test_the_scan_finds_the_codes_it_should():
    codes = raised_codes()
    assert {
        "device_revoked",
        "reset_required",
        "field_conflict",
        "internal_error",
        "method_not_allowed",
        "invalid_input",
        "storage_error",
        "http_error",
    } <= codes


def test_every_raised_error_code_is_in_docs_errors_md():
    documented = set(
        re.findall(
            r"^\| `([a-z_]+)` \|", (ROOT / "docs" / "errors.md").read_text(encoding="utf-8"), re.M
        )
    )
    missing = raised_codes() - documented
    assert not missing, f"document these codes in docs/errors.md: {sorted(missing)}"
