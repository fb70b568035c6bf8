"""The field rep's app: ``main(page)`` builds the shell over the device's local store.

How the app finds its store, its sign-in function and its sync engine is an :class:`AppConfig`;
``client/web.py`` gives every browser session its own; a device build uses :func:`default_config`.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import flet as ft

from client.localdb.store import LocalStore
from client.screens.devices import Devices
from client.screens.shell import Shell, SyncFactory
from client.screens.theme import FONT_FILE
from client.sync.api import SyncService
from client.viewmodels.account import Account, LoginFn

if TYPE_CHECKING:
    from client.sync.engine import SyncEngine

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
DATA_ENV = "FIELDLEDGER_DATA"


def ensure_assets(assets_dir: Path = ASSETS_DIR) -> Path:
    """Put the bundled CJK font where the web client fetches it (``/fonts/<file>``).

    The repository keeps one copy of the font (shared/data/fonts); this copies it into the
    assets directory at first run or build time (the copy is not committed).
    """
    from shared.photos import FONT_PATH  # the photo pipeline (Pillow): not for the first screen

    target = assets_dir / "fonts" / FONT_FILE
    source = Path(FONT_PATH)
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return assets_dir


def no_login(server_url: str, org: str, username: str, password: str) -> dict[str, Any]:
    raise OSError("no sync engine configured")


def engine_login() -> Callable[[LocalStore], LoginFn]:
    """Sign-in through the sync engine, bound to the session's own store."""
    from client.sync.session import login

    def for_store(store: LocalStore) -> LoginFn:
        return functools.partial(login, store)

    return for_store


def engine_sync_factory() -> SyncFactory:
    """The sync service of a signed-in device: the real engine over HTTP.

    One engine per store and server address, so that sessions sharing a device (two tabs of one
    browser in web mode) share its one-sync-at-a-time lock."""
    engines: weakref.WeakKeyDictionary[LocalStore, tuple[str, SyncEngine]] = (
        weakref.WeakKeyDictionary()
    )

    def factory(store: LocalStore, account: Account) -> SyncService | None:
        from client.sync.engine import engine_for  # the HTTP stack: after the first screen

        url = store.get_meta("session.server_url") or ""
        known = engines.get(store)
        if known is not None and known[0] == url:
            return known[1]
        engine = engine_for(store)
        engines[store] = (url, engine)
        return engine

    return factory


AUTO_SYNC_TICK_S = 1.0  # the app's look at its background sync schedule


@dataclass
class AppConfig:
    store_for: Callable[[ft.Page], LocalStore] | None
    login: LoginFn | None = None  # a fixed sign-in function (tests)
    sync_factory: SyncFactory | None = None
    use_devices: bool = True
    login_factory: Callable[[LocalStore], LoginFn] | None = None  # bound to the page's store
    # seconds between two looks at the background sync schedule; None: no background sync
    # (tests drive syncs themselves)
    auto_sync_tick_s: float | None = None
    # web mode: the store depends on what the browser answers (client/web.py); main is async
    open_store: Callable[[ft.Page], Awaitable[LocalStore]] | None = None
    close_store: Callable[[LocalStore], None] = LocalStore.close


def default_config() -> AppConfig:
    data = Path(os.environ.get(DATA_ENV) or Path.home() / ".fieldledger")

    def store_for(page: ft.Page) -> LocalStore:
        return LocalStore.open(data / "local.db")

    return AppConfig(
        store_for,
        sync_factory=engine_sync_factory(),
        login_factory=engine_login(),
        auto_sync_tick_s=AUTO_SYNC_TICK_S,
    )


def build_app(config: AppConfig) -> Callable[[ft.Page], Any]:
    """``main(page)``: synchronous over ``store_for``, a coroutine over ``open_store``."""

    def start(page: ft.Page, store: LocalStore) -> None:
        if config.login_factory is not None:
            login = config.login_factory(store)
        else:
            login = config.login or no_login
        shell = Shell(page, store, login, config.sync_factory)
        if config.use_devices:
            shell.devices = Devices(page)
        page.on_resize = lambda e: shell.relayout()

        def closed(e: object) -> None:
            shell.close()
            config.close_store(store)

        page.on_close = closed
        page.data = shell
        shell.render()
        # The first screen was drawn from the store's light read path; load the rest of the
        # store (SQLAlchemy, repositories, models) now, off the UI thread, so the first tap
        # does not wait for it (docs/app.md "Start-up"). Idempotent: sessions may share a store.
        threading.Thread(target=store.warm, name="store-warm").start()
        if shell.account is not None:
            shell.start_sync()
        if config.auto_sync_tick_s is not None:
            shell.start_auto_sync(config.auto_sync_tick_s)

    open_store = config.open_store
    if open_store is not None:

        async def main_async(page: ft.Page) -> None:
            start(page, await open_store(page))

        return main_async
    store_for = config.store_for
    if store_for is None:
        raise ValueError("AppConfig needs store_for or open_store")

    def main(page: ft.Page) -> None:
        start(page, store_for(page))

    return main


def main(page: ft.Page) -> None:
    build_app(default_config())(page)


if __name__ == "__main__":
    ft.run(main, assets_dir=str(ensure_assets()))
