"""Web mode keys each browser session's local database by its session id."""

from __future__ import annotations

import asyncio
from pathlib import Path

from client.web import session_db_path, web_config
from tests.client.screen_support import AppHarness


def test_each_session_id_gets_its_own_database_path(tmp_path: Path) -> None:
    a, b = session_db_path(tmp_path, "abc"), session_db_path(tmp_path, "xyz")
    assert a != b and a.parent.parent == tmp_path / "sessions"
    assert session_db_path(tmp_path, "../../etc").parent.name == "______etc"


def test_two_browser_sessions_are_two_devices(tmp_path: Path) -> None:
    async def scenario() -> list[str]:
        ids = []
        for _ in range(2):
            app = await AppHarness(web_config(tmp_path)).start()
            try:
                assert app.shell.store.path == session_db_path(tmp_path, app.session.id)
                ids.append(app.shell.store.device_id)
            finally:
                app.close()
        return ids

    first, second = asyncio.run(scenario())
    assert first != second
