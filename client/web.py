"""Web mode: every browser session is its own device with its own local database.

    .venv/bin/python -m client.web --port 8550 [--data DIR]

Runs offline (no CDN): CanvasKit comes from flet-web, the CJK font from client/assets.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable
from pathlib import Path

import flet as ft

from client.app import AppConfig, build_app, engine_login, engine_sync_factory, ensure_assets
from client.localdb.store import LocalStore

WEB_DATA_ENV = "FIELDLEDGER_WEB_DATA"
_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def session_db_path(data_dir: Path, session_id: str) -> Path:
    """One directory per browser session: ``<data>/sessions/<id>/local.db``."""
    safe = _SAFE.sub("_", session_id)[:64] or "anonymous"
    return data_dir / "sessions" / safe / "local.db"


def web_config(data_dir: Path, *, seed: Callable[[LocalStore], None] | None = None) -> AppConfig:
    """Each session opens (and optionally seeds) its own store."""

    def store_for(page: ft.Page) -> LocalStore:
        store = LocalStore.open(session_db_path(data_dir, page.session.id))
        if seed is not None:
            seed(store)
        return store

    return AppConfig(store_for, sync_factory=engine_sync_factory(), login_factory=engine_login())


def run_web(config: AppConfig, *, port: int, host: str = "127.0.0.1") -> None:
    ft.run(
        build_app(config),
        view=ft.AppView.WEB_BROWSER,
        host=host,
        port=port,
        no_cdn=True,
        assets_dir=str(ensure_assets()),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Fieldledger app in web mode (one device per session)"
    )
    parser.add_argument("--port", type=int, default=8550)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--data", type=Path, default=Path(os.environ.get(WEB_DATA_ENV, ".fieldledger-web"))
    )
    args = parser.parse_args(argv)
    run_web(web_config(args.data), port=args.port, host=args.host)


if __name__ == "__main__":
    main()
