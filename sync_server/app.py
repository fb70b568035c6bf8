"""The Flask app factory (flaskr style): nothing is created at import time."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request

from shared.changes import MIN_SCHEMA_VERSION, PROTOCOL_VERSION, SCHEMA_VERSION
from shared.errors import InvalidInput
from sync_server.config import DEFAULTS
from sync_server.errors import VersionNotSupported, register_error_handlers
from sync_server.storage import open_storage
from sync_server.storage.base import StorageBase

PROTOCOL_HEADER = "X-Fieldledger-Protocol"
SCHEMA_HEADER = "X-Fieldledger-Schema"
UNVERSIONED_ENDPOINTS = {"meta.health", "meta.openapi"}
_EXT = "fieldledger.storage"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask("sync_server", instance_relative_config=True)
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("FIELDLEDGER")
    if config:
        app.config.update(config)
    instance = Path(app.instance_path)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'fieldledger.db'}"
    if not app.config["PHOTO_DIR"]:
        app.config["PHOTO_DIR"] = str(instance / "photos")
    app.json.sort_keys = False  # type: ignore[attr-defined]

    storage = open_storage(app.config["DATABASE_URL"])
    if app.config["AUTO_MIGRATE"]:
        storage.migrate()
        ensure_epoch(storage)
    app.extensions[_EXT] = storage

    register_error_handlers(app)
    app.before_request(_check_versions)
    app.after_request(_stamp_version)

    from sync_server.api import admin, auth, meta, photos, sync, targets, ticket_config, tickets

    for module in (meta, auth, sync, photos, admin, targets, tickets, ticket_config):
        app.register_blueprint(module.bp)
    from sync_server.api import admin_sops, targets_materials, targets_reports, touchpoints

    for module in (targets_materials, targets_reports, touchpoints, admin_sops):
        app.register_blueprint(module.bp)
    from sync_server.tickets_ocr import start_ocr

    start_ocr(app, storage)  # only with the "ocr" extra and OCR_ENABLED (default True)
    from sync_server.cli import register_commands

    register_commands(app)
    from sync_server.targets_scheduler import register_target_commands, start_scheduler

    register_target_commands(app)
    start_scheduler(app, storage)  # TARGETS_SCHEDULER (default True): month/week ends, once each
    return app


def ensure_epoch(storage: StorageBase) -> str:
    epoch = storage.get_meta("epoch")
    if epoch is None:
        epoch = secrets.token_hex(8)
        storage.set_meta("epoch", epoch)
    return epoch


def get_storage() -> StorageBase:
    storage: StorageBase = current_app.extensions[_EXT]
    return storage


def _check_versions() -> None:
    if not request.path.startswith("/api/") or request.endpoint in UNVERSIONED_ENDPOINTS:
        return
    raw = request.headers.get(PROTOCOL_HEADER)
    if raw is None:
        raise InvalidInput(
            f"the {PROTOCOL_HEADER} header is required",
            message_zh=f"缺少 {PROTOCOL_HEADER} 请求头",
            field=PROTOCOL_HEADER,
        )
    schema_raw = request.headers.get(SCHEMA_HEADER, str(SCHEMA_VERSION))
    try:
        protocol, schema = int(raw), int(schema_raw)
    except ValueError:
        raise InvalidInput(
            "version headers must be integers",
            message_zh="版本请求头必须是整数",
            field=PROTOCOL_HEADER if not raw.strip().isdigit() else SCHEMA_HEADER,
        ) from None
    if protocol != PROTOCOL_VERSION or not MIN_SCHEMA_VERSION <= schema <= SCHEMA_VERSION:
        raise VersionNotSupported(
            f"protocol {protocol} / schema {schema} is not supported by this server",
            message_zh="客户端版本不受支持，请升级应用或服务器",
            supported_protocols=[PROTOCOL_VERSION],
            supported_schemas=[MIN_SCHEMA_VERSION, SCHEMA_VERSION],
        )


def _stamp_version(response: Response) -> Response:
    response.headers[PROTOCOL_HEADER] = str(PROTOCOL_VERSION)
    return response
