"""Web mode: one device per browser profile, found again after a reload (client/web.py).

The browser's persistent storage is Flet's ``SharedPreferences`` service: the page calls
``get``/``set`` on the client and these tests answer as the browser would (``BrowserStorage``
keeps what was set, like one browser profile's localStorage).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from client.web import DEVICE_KEY_PREF, device_db_path, session_db_path, web_config
from tests.client.screen_support import AppHarness


class BrowserStorage:
    """One browser profile's storage, answering the page's SharedPreferences calls."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    async def serve(self, app: AppHarness) -> None:
        await app.answer("get", self.values.get(DEVICE_KEY_PREF))
        if DEVICE_KEY_PREF not in self.values:
            call = await _next_call(app, "set")
            self.values[call["args"]["key"]] = call["args"]["value"]
            await app.answer("set", True)


async def _next_call(app: AppHarness, method: str, timeout: float = 5.0) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        for m in app.conn.sent:
            body = m[1]
            if (
                isinstance(body, dict)
                and body.get("name") == method
                and body["call_id"] not in app.answered
            ):
                return body
        await asyncio.sleep(0.01)
    raise TimeoutError(method)


async def open_in(browser: BrowserStorage | None, data: Path, **kw: Any) -> AppHarness:
    """A new session (a page load) of ``browser``; None = a browser that never answers."""
    app = AppHarness(web_config(data, **kw))
    started = asyncio.create_task(app.start())
    if browser is not None:
        await browser.serve(app)
    await started
    return app


def test_fallback_and_device_paths_stay_inside_the_data_directory(tmp_path: Path) -> None:
    a, b = session_db_path(tmp_path, "abc"), session_db_path(tmp_path, "xyz")
    assert a != b and a.parent.parent == tmp_path / "sessions"
    assert session_db_path(tmp_path, "../../etc").parent.name == "______etc"
    assert device_db_path(tmp_path, "../k").parent.parent == tmp_path / "devices"


def test_a_reloaded_browser_opens_the_same_device_and_its_pending_draft(tmp_path: Path) -> None:
    browser = BrowserStorage()

    async def scenario() -> tuple[str, str, Path, list[str]]:
        first = await open_in(browser, tmp_path)
        try:
            device = first.shell.store.device_id
            first.shell.store.save_draft("d1", {"customer_id": "c1"})
        finally:
            first.close()
        again = await open_in(browser, tmp_path)  # a reload: a new Flet session
        try:
            drafts = [d for d, _, _ in again.shell.store.list_drafts()]
            return device, again.shell.store.device_id, again.shell.store.path, drafts
        finally:
            again.close()

    first_id, second_id, path, drafts = asyncio.run(scenario())
    key = browser.values[DEVICE_KEY_PREF]
    assert len(key) >= 16 and path == device_db_path(tmp_path, key)
    assert first_id == second_id and drafts == ["d1"]


def test_two_browsers_are_two_devices(tmp_path: Path) -> None:
    async def scenario() -> list[str]:
        ids = []
        for browser in (BrowserStorage(), BrowserStorage()):
            app = await open_in(browser, tmp_path)
            try:
                ids.append(app.shell.store.device_id)
            finally:
                app.close()
        return ids

    first, second = asyncio.run(scenario())
    assert first != second
    assert len(list((tmp_path / "devices").iterdir())) == 2


def test_a_browser_that_does_not_answer_gets_a_session_device_and_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> tuple[Path, Path]:
        app = await open_in(None, tmp_path, key_timeout=0.2)
        try:
            return app.shell.store.path, session_db_path(tmp_path, app.session.id)
        finally:
            app.close()

    with caplog.at_level(logging.WARNING, logger="fieldledger.web"):
        path, expected = asyncio.run(scenario())
    assert path == expected
    assert any("device key" in r.getMessage() for r in caplog.records)


def test_a_stored_key_of_the_wrong_shape_is_replaced(tmp_path: Path) -> None:
    browser = BrowserStorage()
    browser.values[DEVICE_KEY_PREF] = "../../x"

    async def scenario() -> Path:
        app = AppHarness(web_config(tmp_path))
        started = asyncio.create_task(app.start())
        await app.answer("get", "../../x")
        call = await _next_call(app, "set")
        browser.values[DEVICE_KEY_PREF] = call["args"]["value"]
        await app.answer("set", True)
        await started
        try:
            return app.shell.store.path
        finally:
            app.close()

    path = asyncio.run(scenario())
    assert path == device_db_path(tmp_path, browser.values[DEVICE_KEY_PREF])
    assert browser.values[DEVICE_KEY_PREF] != "../../x"
