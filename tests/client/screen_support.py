"""A real Flet page over a recording connection (FLET.md "A real Page on a fake connection").

``AppHarness`` runs the app's real ``main(page)``; messages the page sends are encoded exactly as
the socket server encodes them (that encoding is also what records Flet's diff snapshots) and
kept. ``click``/``change``/``select`` dispatch real control events through the session;
``answer`` replies to the next client method call (file picker, geolocator) as the client would.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import flet as ft
import msgpack
from flet.controls.base_control import BaseControl
from flet.controls.context import _context_page
from flet.messaging.connection import Connection
from flet.messaging.protocol import (
    Message,
    MessageAction,
    RegisterClientResponseBody,
    configure_encode_object_for_msgpack,
)
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub

from client.app import AppConfig, build_app

PHONE = (390.0, 844.0)
TABLET = (1280.0, 800.0)


class RecordingConnection(Connection):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[list[Any]] = []
        self._encode = configure_encode_object_for_msgpack(BaseControl)

    def send_message(self, message: Message) -> None:
        body = msgpack.packb([message.action, message.body], default=self._encode)
        self.sent.append(msgpack.unpackb(body, strict_map_key=False, ext_hook=lambda c, d: None))


class AppHarness:
    def __init__(self, config: AppConfig, size: tuple[float, float] = PHONE) -> None:
        self.config = config
        self.size = size
        self.conn = RecordingConnection()
        self.executor = ThreadPoolExecutor(2)
        self.answered: set[str] = set()

    async def start(self) -> AppHarness:
        conn = self.conn
        conn.pubsubhub = PubSubHub()
        conn.loop = asyncio.get_running_loop()
        conn.executor = self.executor
        self.session = Session(conn)
        w, h = self.size
        self.session.apply_page_patch(
            {"width": w, "height": h, "web": True, "platform": "android", "route": "/"}
        )
        conn.send_message(
            Message(
                MessageAction.REGISTER_CLIENT,
                RegisterClientResponseBody(
                    session_id=self.session.id, page_patch=self.session.get_page_patch(), error=""
                ),
            )
        )
        _context_page.set(self.session.page)
        started = build_app(self.config)(self.session.page)
        if inspect.isawaitable(started):  # web mode's main awaits the browser (client/web.py)
            await started
        return self

    def close(self) -> None:
        shell = self.shell
        shell.sync_vm.wait(5)
        shell.store.close()
        self.executor.shutdown(wait=True)

    @property
    def page(self) -> ft.Page:
        return self.session.page

    @property
    def shell(self) -> Any:
        return self.page.data

    # -- finding controls ------------------------------------------------------------------
    def all_controls(self, root: Any = None) -> Iterator[Any]:
        seen: set[int] = set()
        stack: list[Any] = (
            [root]
            if root is not None
            else [self.page.appbar, self.page.navigation_bar, *self.page.controls]
        )
        while stack:
            c = stack.pop()
            if c is None or id(c) in seen:
                continue
            seen.add(id(c))
            yield c
            for name in ("content", "controls", "title", "subtitle", "leading", "actions",
                         "destinations", "label"):  # fmt: skip
                v = getattr(c, name, None)
                if isinstance(v, list):
                    stack.extend(v)
                elif isinstance(v, BaseControl):
                    stack.append(v)

    def texts(self) -> list[str]:
        out = []
        for c in self.all_controls():
            for name in ("value", "label", "content", "text"):
                v = getattr(c, name, None)
                if isinstance(v, str) and v:
                    out.append(v)
        return out

    def find(self, kind: type, text: str) -> Any:
        """The first control of ``kind`` whose label/text/value/tooltip contains ``text``."""
        for c in self.all_controls():
            if not isinstance(c, kind):
                continue
            for d in self.all_controls(c):
                for name in ("label", "content", "text", "value", "tooltip"):
                    v = getattr(d, name, None)
                    if isinstance(v, str) and text in v:
                        return c
        raise LookupError(f"no {kind.__name__} with {text!r}; texts: {self.texts()[:60]}")

    # -- driving -----------------------------------------------------------------------------
    async def event(self, control: Any, name: str, data: Any = None) -> None:
        await self.session.dispatch_event(control._i, name, data)

    async def click(self, control: Any) -> None:
        await self.event(control, "click")

    async def type(self, field: Any, text: str) -> None:
        """As the client does: patch the control's value, then fire its change event."""
        self.session.apply_patch(field._i, {"value": text})
        await self.event(field, "change", text)

    async def toggle(self, box: Any, on: bool) -> None:
        self.session.apply_patch(box._i, {"value": on})
        await self.event(box, "change", on)

    async def select(self, dropdown: Any, key: str) -> None:
        self.session.apply_patch(dropdown._i, {"value": key})
        await self.event(dropdown, "select", key)

    async def answer(self, method: str, result: Any, *, timeout: float = 5.0) -> None:
        """Wait for the page to call ``method`` on the client and reply with ``result``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            for m in list(self.conn.sent):
                body = m[1]
                if (
                    m[0] == MessageAction.INVOKE_METHOD.value
                    and body.get("name") == method
                    and body["call_id"] not in self.answered
                ):
                    self.answered.add(body["call_id"])
                    self.session.handle_invoke_method_results(
                        body["control_id"], body["call_id"], result, None
                    )
                    return
            await asyncio.sleep(0.01)
        raise TimeoutError(f"the page never called {method}; errors: {self.errors()}")

    def errors(self) -> list[Any]:
        return [m for m in self.conn.sent if m[0] == MessageAction.SESSION_CRASHED.value]
