"""Shared set-up for the ticket tests: an HTTP server on SQLite or PostgreSQL with org 'acme'
(rep1, rep2 and mgr1 in team t1, rep3 in t2, admin1), ticket config seeded, and helpers that
push tickets and pull like a device does."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from sync_server.tickets_seed import seed_ticket_config
from tests.sync_server.conftest import Api, make_app

PRICE_CAP = "policy.vbp_pricing.price_cap"  # has a standard answer script in the seed
VOLUME_RULES = "policy.vbp_pricing.volume_rules"  # no script: routed to an owner


@dataclass
class TicketWorld:
    api: Api
    users: dict[str, Any]
    headers: dict[str, dict[str, str]]
    seqs: dict[str, int] = field(default_factory=dict)
    cursors: dict[str, int] = field(default_factory=dict)

    def push(self, who: str, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for c in changes:
            if "seq" not in c:
                self.seqs[who] = self.seqs.get(who, 0) + 1
                c["seq"] = self.seqs[who]
        r = self.api.call("POST", "/api/v1/sync/push", self.headers[who], json={"changes": changes})
        assert r.status_code == 200, r.json
        return list(r.json["outcomes"])

    def report(self, who: str, **kw: Any) -> dict[str, Any]:
        payload = ticket_payload(self.users[who].id, **kw)
        change = {"record_type": "ticket", "record_id": payload["id"], "op": "create"}
        out = self.push(who, [{**change, "payload": payload}])[0]
        assert out["status"] == "applied", out
        return out

    def pull(self, who: str) -> dict[str, dict[str, Any]]:
        """Pull from the stored cursor until done, like a device; latest ticket changes by id."""
        got: dict[str, dict[str, Any]] = {}
        while True:
            cursor = self.cursors.get(who, 0)
            r = self.api.call("GET", f"/api/v1/sync/pull?cursor={cursor}", self.headers[who])
            assert r.status_code == 200, r.json
            for c in r.json["changes"]:
                if c["record_type"] == "ticket":
                    got[c["record_id"]] = c
            self.cursors[who] = r.json["next_cursor"]
            if not r.json["has_more"]:
                return got

    def get(self, who: str, path: str) -> Any:
        return self.api.call("GET", f"/api/v1/tickets{path}", self.headers[who])

    def post(self, who: str, path: str, body: dict[str, Any]) -> Any:
        return self.api.call("POST", f"/api/v1/tickets{path}", self.headers[who], json=body)


def ticket_payload(
    reporter_id: str,
    *,
    tid: str | None = None,
    root: str | None = PRICE_CAP,
    text: str = "集采最高有效申报价低于我方报价，医院要求降价",
    problem_type: str = "policy",
    photos: tuple[str, ...] = (),
    district: str = "南山区",
    province: str = "广东省",
    scope: str = "district",
    hours_ago: float = 1.0,
    org_id: str = "acme",
) -> dict[str, Any]:
    return {
        "id": tid or uuid.uuid4().hex,
        "org_id": org_id,
        "reporter_id": reporter_id,
        "problem_type": problem_type,
        "root_cause_id": root,
        "scenario": {"district": district, "province": province, "place": "南山医院"},
        "impact_scope": scope,
        "text": text,
        "evidence": {"photos": list(photos)},
        "device_time": (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat(),
    }


def build(api: Api) -> TicketWorld:
    users = api.setup_org("acme")
    api.setup_org("other")
    seed_ticket_config(api.storage, "acme")
    headers = {n: api.login("acme", n) for n in ("rep1", "rep2", "rep3", "mgr1", "admin1")}
    headers["other_admin"] = api.login("other", "admin1")
    return TicketWorld(api, users, headers)


def set_routing(w: TicketWorld, body: dict[str, Any]) -> None:
    r = w.api.call("PUT", "/api/v1/tickets/config/routing", w.headers["admin1"], json=body)
    assert r.status_code == 200, r.json


@pytest.fixture(
    name="tworld", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def tworld_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TicketWorld]:
    """The ticket world on each backend (OCR off: these tests do not need it)."""
    if request.param == "sqlite":
        app = make_app(tmp_path, OCR_ENABLED=False)
        yield build(Api(app))
        app.extensions["fieldledger.storage"].close()
        return
    dsn = request.getfixturevalue("pg_dsn")
    schema = "fl_t" + uuid.uuid4().hex[:12]
    url = f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"
    app = make_app(tmp_path, DATABASE_URL=url, OCR_ENABLED=False)
    try:
        yield build(Api(app))
    finally:
        app.extensions["fieldledger.storage"].close()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def test_the_world_seeds_the_policy_branch_and_its_answer_scripts(tworld: TicketWorld):
    scripts = tworld.get("rep1", "/config/answer-scripts").json["scripts"]
    assert {s["root_cause_id"] for s in scripts} >= {PRICE_CAP}
    assert VOLUME_RULES not in {s["root_cause_id"] for s in scripts}
    pulled = tworld.api.call("GET", "/api/v1/sync/pull", tworld.headers["rep1"]).json["changes"]
    assert {"root_cause_tree", "answer_script", "ticket_settings"} <= {
        c["record_type"] for c in pulled
    }
    assert "ticket_routing" not in {c["record_type"] for c in pulled}  # admins only
