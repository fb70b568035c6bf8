"""The Fieldledger sync server: Flask app factory, blueprints, storage backends, auth."""

from __future__ import annotations

from typing import Any


def create_app(config: dict[str, Any] | None = None) -> Any:
    from sync_server.app import create_app as factory

    return factory(config)


__all__ = ["create_app"]
