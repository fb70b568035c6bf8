"""Health and the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from shared.changes import PROTOCOL_VERSION
from sync_server.app import get_storage

bp = Blueprint("meta", __name__, url_prefix="/api/v1")


@bp.get("/health")
def health() -> Response:
    storage = get_storage()
    return jsonify(
        {
            "status": "ok",
            "protocol_version": PROTOCOL_VERSION,
            "schema_version": storage.schema_version(),
            "storage": storage.dialect,
        }
    )


@bp.get("/openapi.json")
def openapi() -> Response:
    from sync_server.openapi import build_openapi

    return jsonify(build_openapi(current_app))
