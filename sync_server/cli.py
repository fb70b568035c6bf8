"""``fieldledger-server``: database, organisations, users, devices, data, backups, serving."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from shared.errors import FieldledgerError, InvalidInput
from shared.settings import OrgSettings
from sync_server import admin_ops
from sync_server.sync.common import parse_model
from sync_server.sync.orgdata import load_calendar_year, set_settings

F = TypeVar("F", bound=Callable[..., Any])


def _storage() -> Any:
    from sync_server.app import get_storage

    return get_storage()


def friendly(fn: F) -> F:
    """Domain errors print as one clear line (with the field), never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except FieldledgerError as exc:
            field = f" [{exc.field}]" if exc.field else ""
            raise click.ClickException(
                f"{exc.code}{field}: {exc.message} / {exc.message_zh}"
            ) from None

    return wrapper  # type: ignore[return-value]


def _read_json(value: str) -> dict[str, Any]:
    is_file = not value.lstrip().startswith("{") and Path(value).is_file()
    text = Path(value).read_text(encoding="utf-8") if is_file else value
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"not valid JSON: {exc}", message_zh="不是有效的 JSON", field="json"
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput("a JSON object is required", message_zh="需要 JSON 对象", field="json")
    return data


def register_commands(app: Flask) -> None:
    cli = app.cli

    @cli.command("init-db")
    @friendly
    def init_db() -> None:
        """Create or migrate the database and set the epoch."""
        from sync_server.app import ensure_epoch

        applied = _storage().migrate()
        click.echo(f"migrations applied: {applied or 'none'}; epoch {ensure_epoch(_storage())}")

    @cli.command("migrate")
    @friendly
    def migrate() -> None:
        """Apply pending schema migrations."""
        applied = _storage().migrate()
        click.echo(f"migrations applied: {applied or 'none'}; schema {_storage().schema_version()}")

    @cli.command("create-org")
    @click.argument("org_id")
    @click.option("--name", default="")
    @friendly
    def create_org(org_id: str, name: str) -> None:
        """Create an organisation with default settings, calendar and SOPs."""
        admin_ops.create_org(_storage(), org_id, name)
        click.echo(f"created organisation {org_id}")

    @cli.command("set-settings")
    @click.argument("org_id")
    @click.argument("json_or_file")
    @friendly
    def set_settings_cmd(org_id: str, json_or_file: str) -> None:
        """Replace an organisation's settings (a JSON object or a file holding one)."""
        settings = parse_model(OrgSettings, _read_json(json_or_file), "")
        click.echo(f"settings stored at server_seq {set_settings(_storage(), org_id, settings)}")

    @cli.command("load-calendar-year")
    @click.argument("org_id")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @friendly
    def load_calendar(org_id: str, file: str) -> None:
        """Load one year's official holiday schedule (JSON, docs/validation.md format)."""
        seq = load_calendar_year(_storage(), org_id, _read_json(file))
        click.echo(f"calendar stored at server_seq {seq}")

    @cli.command("create-user")
    @click.argument("org_id")
    @click.argument("username")
    @click.option("--role", type=click.Choice(["rep", "manager", "admin"]), required=True)
    @click.option("--team", default="")
    @click.option("--display-name", default="")
    @click.password_option()
    @friendly
    def create_user(
        org_id: str, username: str, role: str, team: str, display_name: str, password: str
    ) -> None:
        """Create a user."""
        user = admin_ops.create_user(
            _storage(), current_app.config, org_id, username, password, role, team, display_name
        )
        click.echo(f"created {role} {username} ({user.id})")

    @cli.command("reset-password")
    @click.argument("org_id")
    @click.argument("username")
    @click.password_option()
    @friendly
    def reset_password(org_id: str, username: str, password: str) -> None:
        """Set a new password and sign the user out everywhere."""
        admin_ops.reset_password(_storage(), current_app.config, org_id, username, password)
        click.echo(f"password reset for {username}")

    @cli.command("deactivate-user")
    @click.argument("org_id")
    @click.argument("username")
    @friendly
    def deactivate_user(org_id: str, username: str) -> None:
        """Deactivate a user and revoke their tokens."""
        admin_ops.deactivate_user(_storage(), org_id, username)
        click.echo(f"deactivated {username}")

    @cli.command("list-devices")
    @click.argument("org_id")
    @friendly
    def list_devices(org_id: str) -> None:
        """List an organisation's devices."""
        for d in _storage().list_devices(org_id):
            state = "REVOKED" if d.revoked_at else "active"
            seen = time.strftime("%Y-%m-%d %H:%M", time.localtime(d.last_seen_at))
            click.echo(f"{d.device_id}\t{d.user_id}\t{d.name}\t{seen}\t{state}")

    @cli.command("revoke-device")
    @click.argument("org_id")
    @click.argument("device_id")
    @friendly
    def revoke_device(org_id: str, device_id: str) -> None:
        """Revoke a device: its tokens stop working and it deletes the org's data."""
        admin_ops.revoke_device(_storage(), org_id, device_id)
        click.echo(f"revoked {device_id}")

    @cli.command("import-customers")
    @click.argument("org_id")
    @click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
    @friendly
    def import_customers(org_id: str, csv_file: str) -> None:
        """Import customers from CSV (all rows or none; errors name row and field)."""
        rows = admin_ops.parse_customers_csv(Path(csv_file).read_text(encoding="utf-8-sig"))
        seqs = admin_ops.import_customers(_storage(), org_id, rows)
        click.echo(f"imported {len(seqs)} customers")

    @cli.command("seed-demo")
    @friendly
    def seed_demo() -> None:
        """Organisation 'demo': rep1, rep2, mgr1, admin1 (password demo1234), 12 Nanshan stores."""
        from sync_server.seed import seed_demo as run

        run(_storage(), current_app.config)
        click.echo("seeded organisation 'demo' (users rep1 rep2 mgr1 admin1, password demo1234)")

    @cli.command("purge-tombstones")
    @click.argument("org_id")
    @click.option("--older-than", "days", type=click.FloatRange(min=0), required=True, help="days")
    @friendly
    def purge_tombstones(org_id: str, days: float) -> None:
        """Delete tombstones older than DAYS; devices behind the horizon must reset."""
        count, horizon = _storage().purge_tombstones(org_id, time.time() - days * 86400)
        click.echo(f"purged {count} tombstones; horizon now {horizon}")

    @cli.command("gc-photos")
    @click.option("--older-than-hours", type=click.FloatRange(min=0), default=24.0)
    @friendly
    def gc_photos(older_than_hours: float) -> None:
        """Delete stale incomplete uploads and photos no visit references."""
        from sync_server.photos import PhotoStore

        store = PhotoStore(current_app.config["PHOTO_DIR"])
        uploads, blobs = store.gc(_storage(), older_than_hours * 3600)
        click.echo(f"removed {uploads} stale uploads and {blobs} unreferenced photos")

    @cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False))
    @friendly
    def backup(path: str) -> None:
        """Write a consistent backup (SQLite online backup / pg_dump)."""
        _storage().backup(path)
        click.echo(f"backup written to {path}")

    @cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @friendly
    def restore(path: str) -> None:
        """Restore a backup and change the epoch so devices push again what it lost."""
        storage = _storage()
        storage.restore(path)
        storage.migrate()
        epoch = secrets.token_hex(8)
        storage.set_meta("epoch", epoch)
        click.echo(f"restored {path}; new epoch {epoch}")

    @cli.command("serve")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=8765, type=int)
    @click.option("--threads", default=8, type=int)
    def serve(host: str, port: int, threads: int) -> None:
        """Serve with waitress (production WSGI server)."""
        import waitress

        from sync_server.runtime import WAITRESS_OPTIONS, tune_gc

        app = current_app._get_current_object()  # type: ignore[attr-defined]
        tune_gc()
        click.echo(f"fieldledger-server on http://{host}:{port}")
        waitress.serve(app, host=host, port=port, threads=threads, **WAITRESS_OPTIONS)


def main() -> None:
    from sync_server.app import create_app

    group = FlaskGroup(
        create_app=lambda: create_app(),
        add_default_commands=False,
        add_version_option=False,
        load_dotenv=False,
        set_debug_flag=False,
    )
    group.main(prog_name="fieldledger-server")


if __name__ == "__main__":
    main()
