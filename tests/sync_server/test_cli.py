"""``fieldledger-server`` commands (through Flask's CLI runner on a real SQLite file)."""

from __future__ import annotations

from pathlib import Path

from tests.sync_server.conftest import make_app


def run(app, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_create_org_user_and_import_customers_with_a_clear_row_error(tmp_path: Path):
    app = make_app(tmp_path)
    assert run(app, "init-db").exit_code == 0
    assert run(app, "create-org", "acme").exit_code == 0
    r = run(
        app,
        "create-user",
        "acme",
        "rep1",
        "--role",
        "rep",
        "--team",
        "t1",
        "--password",
        "password-1",
    )
    assert r.exit_code == 0, r.output
    good = tmp_path / "good.csv"
    good.write_text("name,lat,lon,rep\nA,22.5,113.9,rep1\nB,22.6,113.8,\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,lat,lon,rep\nC,22.5,113.9,rep1\nD,95,113.8,\n", encoding="utf-8")
    storage = app.extensions["fieldledger.storage"]
    before = storage.org_position("acme")
    r = run(app, "import-customers", "acme", str(bad))
    assert r.exit_code != 0 and "row 2" in r.output and "lat" in r.output
    assert storage.org_position("acme") == before  # nothing of the bad file was stored
    r = run(app, "import-customers", "acme", str(good))
    assert r.exit_code == 0 and "imported 2" in r.output
    storage.close()


def test_seed_demo_backup_and_restore_changes_the_epoch(tmp_path: Path):
    app = make_app(tmp_path)
    assert run(app, "seed-demo").exit_code == 0
    storage = app.extensions["fieldledger.storage"]
    assert storage.find_user("demo", "mgr1").role == "manager"
    before_epoch = storage.get_meta("epoch")
    seq = storage.org_position("demo")[0]
    backup = tmp_path / "backup.db"
    assert run(app, "backup", str(backup)).exit_code == 0
    run(app, "create-org", "later")
    r = run(app, "restore", str(backup))
    assert r.exit_code == 0, r.output
    assert storage.org_exists("later") is False
    assert storage.org_position("demo")[0] == seq
    assert storage.get_meta("epoch") != before_epoch
    storage.close()


def test_settings_purge_and_gc_commands_report_what_they_did(tmp_path: Path):
    app = make_app(tmp_path)
    run(app, "create-org", "acme")
    r = run(app, "set-settings", "acme", '{"radius_m": 250}')
    assert r.exit_code == 0 and "server_seq" in r.output
    r = run(app, "set-settings", "acme", '{"radius_m": -1}')
    assert r.exit_code != 0 and "radius_m" in r.output
    assert "purged 0" in run(app, "purge-tombstones", "acme", "--older-than", "30").output
    assert "removed 0" in run(app, "gc-photos").output
    app.extensions["fieldledger.storage"].close()
