"""The installed ``fieldledger-server`` console script itself, in a subprocess, on a temp SQLite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sync_server.storage.sqlite import SqliteStorage


def _script() -> str:
    beside = Path(sys.executable).parent / "fieldledger-server"
    found = str(beside) if beside.is_file() else shutil.which("fieldledger-server")
    if found is None:
        pytest.fail("the fieldledger-server console script is not installed (pip install -e .)")
    return found


@pytest.fixture
def server_cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "FIELDLEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}",
        "FIELDLEDGER_PHOTO_DIR": str(tmp_path / "photos"),
        "FIELDLEDGER_ARGON2_TIME_COST": "1",
        "FIELDLEDGER_ARGON2_MEMORY_KIB": "1024",
    }
    script = _script()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [script, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )

    return run


def test_init_db_seed_demo_and_list_devices_through_the_console_script(server_cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    r = server_cli("init-db")
    assert r.returncode == 0, r.stderr
    assert "epoch" in r.stdout
    assert (tmp_path / "server.db").is_file()

    r = server_cli("seed-demo")
    assert r.returncode == 0, r.stderr
    assert "seeded organisation 'demo'" in r.stdout

    r = server_cli("list-devices", "demo")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""  # nobody has signed in yet

    storage = SqliteStorage(tmp_path / "server.db")
    rep1 = storage.find_user("demo", "rep1")
    assert rep1 is not None
    storage.upsert_device("demo", "phone-of-rep1", rep1.id, "Rep's phone", 1_700_000_000.0)
    storage.close()

    r = server_cli("list-devices", "demo")
    assert r.returncode == 0, r.stderr
    (line,) = r.stdout.strip().splitlines()
    assert line.split("\t")[0] == "phone-of-rep1" and line.endswith("active")

    assert server_cli("revoke-device", "demo", "phone-of-rep1").returncode == 0
    r = server_cli("list-devices", "demo")
    assert r.stdout.strip().endswith("REVOKED")


def test_console_script_errors_are_one_clear_line_not_a_traceback(server_cli):  # type: ignore[no-untyped-def]
    assert server_cli("seed-demo").returncode == 0
    r = server_cli("seed-demo")
    assert r.returncode != 0
    assert "already_exists" in r.stderr and "demo" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout

    r = server_cli("revoke-device", "demo", "no-such-device")
    assert r.returncode != 0 and "Traceback" not in r.stderr

    r = server_cli("list-devices")  # the organisation is required
    assert r.returncode == 2 and "ORG_ID" in r.stderr
