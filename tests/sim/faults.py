"""Fault injection for the simulation: a transport that drops, duplicates, replays and crashes.

* drop a request before the server sees it;
* drop the response after the server committed (the client sees a failure);
* deliver a request twice (the client sees the second answer);
* replay an earlier write request later (duplicated and reordered delivery);
* crash the client before a request, after a response, or at any engine checkpoint — including
  inside the transaction that applies a pulled page — by raising :class:`SimulatedCrash`, which
  is a ``BaseException`` so that it unwinds through the engine like a killed process; the test
  then re-opens the device's store from its file.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient

from client.sync.transport import ConnectionFailed, Reply
from tests.sim.harness import FlaskTransport


class SimulatedCrash(BaseException):
    """The app was killed here."""


@dataclass
class FaultPlan:
    rng: random.Random
    drop_request: float = 0.06
    drop_response: float = 0.06
    duplicate: float = 0.06
    replay: float = 0.1
    crash: float = 0.02  # killed just before a request or just after its answer
    crash_step: float = 0.05  # killed at an engine checkpoint (between steps, inside a page)
    edit: float = 0.05  # the rep edits a customer while a sync runs
    enabled: bool = True
    counts: dict[str, int] = field(default_factory=dict)

    def hit(self, kind: str, p: float) -> bool:
        if self.enabled and self.rng.random() < p:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            return True
        return False

    def checkpoint(self, name: str) -> None:
        if self.hit("crash@" + name.split(".")[0], self.crash_step):
            raise SimulatedCrash(name)


@dataclass
class _Sent:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, Any] | None
    body: bytes | None


class FaultyTransport(FlaskTransport):
    def __init__(self, client: FlaskClient, token: Any, plan: FaultPlan) -> None:
        super().__init__(client, token)
        self.plan = plan
        self.stash: list[_Sent] = []

    def _deliver(self, s: _Sent) -> Reply:
        return super()._send(s.method, s.path, headers=s.headers, params=s.params, body=s.body)

    def _send(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        params: dict[str, Any] | None = None,
        body: bytes | None = None,
    ) -> Reply:
        plan = self.plan
        sent = _Sent(method, path, dict(headers), dict(params) if params else None, body)
        if self.stash and plan.hit("replay", plan.replay):
            self._deliver(plan.rng.choice(self.stash))  # an old request arrives late
        if plan.hit("crash@send", plan.crash):
            raise SimulatedCrash(f"before {method} {path}")
        if plan.hit("drop_request", plan.drop_request):
            raise ConnectionFailed("request dropped")
        reply = self._deliver(sent)
        if method in ("POST", "PATCH"):
            self.stash = ([*self.stash, sent])[-30:]
        if plan.hit("duplicate", plan.duplicate):
            reply = self._deliver(sent)
        if plan.hit("drop_response", plan.drop_response):
            raise ConnectionFailed("response lost after commit")
        if plan.hit("crash@answer", plan.crash):
            raise SimulatedCrash(f"after {method} {path}")
        return reply
