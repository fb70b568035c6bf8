"""The app syncs by itself: a visit saved with no link reaches the server once a link is back,
without a tap (the real app, the real sync engine, the real server through Flask's client)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from client.app import AppConfig
from client.localdb.store import LocalStore
from client.sync.engine import SyncEngine
from client.sync.transport import ConnectionFailed, Reply
from client.viewmodels.account import Account, save_account
from client.viewmodels.sync_schedule import SyncSchedule
from tests.client.screen_support import AppHarness
from tests.sim.harness import FlaskTransport, World, capture, make_world, new_device, server_records


class Link(FlaskTransport):
    """The real server, behind a link that can be cut (no answer at all, as in a basement)."""

    down = False

    def _send(self, method: str, path: str, **kwargs: Any) -> Reply:
        if self.down:
            raise ConnectionFailed("no signal")
        return super()._send(method, path, **kwargs)


def signed_in_device(world: World, path: Path) -> tuple[LocalStore, Link]:
    store = new_device(world, path, "rep1")
    save_account(store, Account(server_url="http://server.test", org="acme", org_id=world.org_id,
                                rep_id=world.users["rep1"], username="rep1"))  # fmt: skip
    link = Link(world.client(), lambda: store.get_meta("session.token"))
    assert SyncEngine(store, link, sleep=lambda _s: None).sync().error is None  # customers
    return store, link


async def until(check: Any, what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def test_a_visit_saved_without_signal_syncs_by_itself_when_the_link_comes_back(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path / "server")
    store, link = signed_in_device(world, tmp_path / "rep.db")
    engine = SyncEngine(store, link, sleep=lambda _s: None)
    config = AppConfig(
        store_for=lambda page: store,
        sync_factory=lambda s, account: engine,
        auto_sync_tick_s=0.05,
    )

    async def scenario() -> None:
        link.down = True
        app = await AppHarness(config).start()
        try:
            shell = app.shell
            shell.schedule = SyncSchedule(after_change_s=0.1, idle_s=600, retry_s=(0.3,))
            shell.schedule.start(time.monotonic())
            await until(lambda: not shell.sync_vm.running, "the start-up sync to end")
            visit_id = capture(store, world, "rep1", "rep1-c0", seed=7, photos=1)
            await until(lambda: shell.schedule.failures >= 2, "two retries while offline")
            assert store.pending_counts()["visits"] == 1  # kept, waiting for a link
            assert visit_id not in server_records(world, "visit")
            link.down = False  # out in the car park
            await until(lambda: store.pending_counts()["outbox"] == 0, "the outbox to empty")
            await until(lambda: not shell.sync_vm.running, "the sync to end")
            assert list(server_records(world, "visit")) == [visit_id]  # once
            await until(lambda: shell.schedule.failures == 0, "the schedule to see the success")
            assert shell.schedule.next_at > time.monotonic() + 500  # the idle pause now
            assert app.errors() == []
        finally:
            app.close()

    asyncio.run(scenario())


def test_closing_the_session_stops_the_background_checks(tmp_path: Path) -> None:
    world = make_world(tmp_path / "server")
    store, link = signed_in_device(world, tmp_path / "rep.db")
    calls: list[float] = []
    config = AppConfig(
        store_for=lambda page: store,
        sync_factory=lambda s, account: SyncEngine(s, link, sleep=lambda _s: None),
        auto_sync_tick_s=0.02,
    )

    async def scenario() -> None:
        app = await AppHarness(config).start()
        try:
            shell = app.shell
            original = shell.auto_sync_tick
            shell.auto_sync_tick = lambda now=None: calls.append(time.monotonic()) or original()
            await until(lambda: len(calls) >= 3, "the schedule to be looked at")
            shell.close()
            await asyncio.sleep(0.1)
            seen = len(calls)
            await asyncio.sleep(0.2)
            assert len(calls) == seen
        finally:
            app.close()

    asyncio.run(scenario())
