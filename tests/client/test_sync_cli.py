"""``fieldledger login | sync | status`` against the real server behind waitress on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from client.cli.main import main
from client.localdb.store import LocalStore
from tests.sim.harness import PASSWORD, LiveServer, World, capture, make_world, server_records


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[World, LiveServer]]:
    world = make_world(tmp_path / "server")
    server = LiveServer(world.app)
    try:
        yield world, server
    finally:
        server.stop()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def login_args(db: Path, server: LiveServer, world: World, password: str = PASSWORD) -> list[str]:
    return ["login", "--db", str(db), "--server", server.url, "--org", world.org_id,
            "--username", "rep1", "--password", password]  # fmt: skip


def test_login_sync_and_status_show_pending_work_then_a_clean_device(
    live: tuple[World, LiveServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world, server = live
    db = tmp_path / "device.db"
    code, out, _ = run(capsys, "--lang", "en", *login_args(db, server, world))
    assert code == 0 and "Signed in as rep1" in out
    code, out, err = run(capsys, "--lang", "en", "sync", "--db", str(db))
    assert code == 0, err
    assert "Synced:" in out and "received" in out
    assert "[" in err and "done" in err  # the progress bar, on stderr
    with LocalStore.open(db) as store:
        vid = capture(store, world, "rep1", "rep1-c0", seed=1, photos=1)
    code, out, _ = run(capsys, "--lang", "en", "status", "--db", str(db))
    assert "Pending: 1 visits, 1 photos, 1 changes" in out
    code, out, _ = run(capsys, "--lang", "en", "sync", "--db", str(db), "--json")
    result = json.loads(out)
    assert result["ok"] and result["pushed"] == 1 and result["uploaded_bytes"] > 0
    assert vid in server_records(world, "visit")
    code, out, _ = run(capsys, "status", "--db", str(db), "--json")
    status = json.loads(out)
    assert status["pending"] == {"visits": 0, "photos": 0, "changes": 0}
    assert status["last_sync_at"] is not None and status["online"] is True
    assert status["user"] == "rep1" and status["open_conflicts"] == []
    code, out, _ = run(capsys, "--lang", "zh", "status", "--db", str(db))
    assert "待上传：拜访 0 条" in out and "未解决冲突：0 条" in out


def test_status_lists_open_conflicts_with_both_values(
    live: tuple[World, LiveServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world, server = live
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    for db in (a, b):
        assert run(capsys, *login_args(db, server, world))[0] == 0
        assert run(capsys, "sync", "--db", str(db), "--quiet")[0] == 0
    for db, value in ((a, "Gate A"), (b, "Gate B")):
        with LocalStore.open(db) as store:
            store.edit_customer("rep1-c0", {"address": value})
        assert run(capsys, "sync", "--db", str(db), "--quiet")[0] == 0
    _, out, _ = run(capsys, "--lang", "en", "status", "--db", str(b))
    assert "Open conflicts: 1" in out
    assert "customer rep1-c0 address: mine=Gate B server=Gate A (field_conflict)" in out


def test_a_wrong_password_names_the_field_and_stores_nothing(
    live: tuple[World, LiveServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world, server = live
    db = tmp_path / "device.db"
    code, _, err = run(capsys, "--lang", "en", *login_args(db, server, world, "wrong-pass"))
    assert code == 2
    assert "[password]" in err and "invalid_credentials" in err
    assert "Traceback" not in err
    with LocalStore.open(db) as store:
        assert store.get_meta("session.token") is None


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--server", "ftp://x", "--org", "o", "--username", "u"], "[server_url]"),
        (["--server", "http://127.0.0.1:9", "--org", " ", "--username", "u"], "[org]"),
    ],
)
def test_bad_login_input_is_refused_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], field: str
) -> None:
    code, _, err = run(
        capsys, "--lang", "en", "login", "--db", str(tmp_path / "d.db"), *argv, "--password", "p"
    )
    assert code == 2 and field in err


def test_sync_before_login_says_to_sign_in_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--lang", "en", "sync", "--db", str(tmp_path / "d.db"))
    assert code == 2 and "[server]" in err and "fieldledger login" in err


def test_sync_with_the_server_down_says_offline_and_keeps_the_work(
    live: tuple[World, LiveServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world, server = live
    db = tmp_path / "device.db"
    assert run(capsys, *login_args(db, server, world))[0] == 0
    assert run(capsys, "sync", "--db", str(db), "--quiet")[0] == 0
    with LocalStore.open(db) as store:
        capture(store, world, "rep1", "rep1-c0", seed=2, photos=0)
        store.set_meta("session.server_url", "http://127.0.0.1:9")  # nothing listens there
    code, _, err = run(capsys, "--lang", "zh", "sync", "--db", str(db), "--quiet")
    assert code == 2 and "offline" in err and "无法连接服务器" in err
    code, out, _ = run(capsys, "status", "--db", str(db), "--json")
    status = json.loads(out)
    assert status["pending"]["visits"] == 1 and status["online"] is False


def test_the_installed_command_runs_login_and_sync(
    live: tuple[World, LiveServer], tmp_path: Path
) -> None:
    world, server = live
    db = tmp_path / "device.db"
    cmd = [sys.executable, "-m", "client.cli.main", "--lang", "en"]
    env_root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [*cmd, *login_args(db, server, world)], capture_output=True, text=True, cwd=env_root,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [*cmd, "sync", "--db", str(db)], capture_output=True, text=True, cwd=env_root, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "[########################] done" in done.stderr and "Synced:" in done.stdout
