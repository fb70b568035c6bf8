"""Web mode: every browser profile is its own device with its own local database.

    .venv/bin/python -m client.web --port 8550 [--data DIR]

Runs offline (no CDN): CanvasKit comes from flet-web, the CJK font from client/assets.

**Device identity.** A Flet session ends some time after its tab is closed or reloaded; keying
the database by the session id would open a new, empty device at the next reload and strand the
rep's unsynced work. So the browser keeps a random device key in its persistent storage
(``ft.SharedPreferences``, the browser's localStorage) and the app opens
``<data>/devices/<key>/local.db``: two browsers are two devices, one browser reloaded is the same
device. When the browser does not answer within ``key_timeout`` seconds the session id is used
(``<data>/sessions/<id>/local.db``) and a warning is logged.

Several tabs of one browser share one device: the store (and its sync engine, see
``client.app.engine_sync_factory``) is opened once per device and closed with its last session.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import secrets
import threading
from collections.abc import Callable
from pathlib import Path

import flet as ft

from client.app import (
    AUTO_SYNC_TICK_S,
    AppConfig,
    build_app,
    engine_login,
    engine_sync_factory,
    ensure_assets,
)
from client.localdb.store import LocalStore

WEB_DATA_ENV = "FIELDLEDGER_WEB_DATA"
DEVICE_KEY_PREF = "fieldledger.device_key"
KEY_TIMEOUT_S = 3.0
_SAFE = re.compile(r"[^A-Za-z0-9_-]")
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
log = logging.getLogger("fieldledger.web")


def _safe(name: str) -> str:
    return _SAFE.sub("_", name)[:64] or "anonymous"


def session_db_path(data_dir: Path, session_id: str) -> Path:
    """The fallback: one directory per Flet session, ``<data>/sessions/<id>/local.db``."""
    return data_dir / "sessions" / _safe(session_id) / "local.db"


def device_db_path(data_dir: Path, device_key: str) -> Path:
    """One directory per browser profile: ``<data>/devices/<key>/local.db``."""
    return data_dir / "devices" / _safe(device_key) / "local.db"


def new_device_key() -> str:
    return secrets.token_urlsafe(18)  # 24 characters of [A-Za-z0-9_-]


async def browser_device_key(page: ft.Page, *, timeout: float = KEY_TIMEOUT_S) -> str | None:
    """The device key kept in this browser's storage (made and stored at first use); None when
    the browser does not answer in time or refuses to store it."""
    prefs = ft.SharedPreferences()
    try:
        key = await asyncio.wait_for(prefs.get(DEVICE_KEY_PREF), timeout)
        if isinstance(key, str) and _KEY.fullmatch(key):
            return key
        key = new_device_key()
        stored = await asyncio.wait_for(prefs.set(DEVICE_KEY_PREF, key), timeout)
    except (TimeoutError, RuntimeError) as exc:
        log.warning(
            "web: the browser did not give its device key (%s); session %s gets a device of its "
            "own that a reload will not find again",
            type(exc).__name__,
            page.session.id,
        )
        return None
    if stored is False:
        log.warning("web: the browser refused to store the device key; using the session id")
        return None
    return key


class StorePool:
    """Opens each device's store once per process, shared by that browser's sessions."""

    def __init__(self, seed: Callable[[LocalStore], None] | None = None) -> None:
        self.seed = seed
        self._lock = threading.Lock()
        self._open: dict[Path, tuple[LocalStore, int]] = {}

    def acquire(self, path: Path) -> LocalStore:
        with self._lock:
            store, refs = self._open.get(path) or (None, 0)
            if store is None:
                store = LocalStore.open(path)
                if self.seed is not None:
                    self.seed(store)
            self._open[path] = (store, refs + 1)
            return store

    def release(self, store: LocalStore) -> None:
        with self._lock:
            store_refs = self._open.get(store.path)
            if store_refs is None or store_refs[0] is not store:
                store.close()
                return
            refs = store_refs[1] - 1
            if refs > 0:
                self._open[store.path] = (store, refs)
                return
            del self._open[store.path]
        store.close()

    def open_count(self) -> int:
        return len(self._open)


def web_config(
    data_dir: Path,
    *,
    seed: Callable[[LocalStore], None] | None = None,
    key_timeout: float = KEY_TIMEOUT_S,
) -> AppConfig:
    """Each browser profile opens (and optionally seeds) its own store."""
    pool = StorePool(seed)

    async def open_store(page: ft.Page) -> LocalStore:
        key = await browser_device_key(page, timeout=key_timeout)
        if key is None:
            return pool.acquire(session_db_path(data_dir, page.session.id))
        return pool.acquire(device_db_path(data_dir, key))

    return AppConfig(
        None,
        open_store=open_store,
        close_store=pool.release,
        sync_factory=engine_sync_factory(),
        login_factory=engine_login(),
        auto_sync_tick_s=AUTO_SYNC_TICK_S,
    )


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
        description="Fieldledger app in web mode (one device per browser profile)"
    )
    parser.add_argument("--port", type=int, default=8550)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--data", type=Path, default=Path(os.environ.get(WEB_DATA_ENV, ".fieldledger-web"))
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    run_web(web_config(args.data), port=args.port, host=args.host)


if __name__ == "__main__":
    main()
