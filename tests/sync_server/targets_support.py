"""A targets world on a real app (SQLite file or a PostgreSQL schema) that can be restarted.

Organisation ``acme`` (Asia/Shanghai): rep1, rep2 (team t1, manager mgr1), rep3 (team t2),
admin1. Data, with the numbers worked out by hand in the tests:

* rep1: A and B in 南山区 (existing customers: orders in mid 2024); A also ordered 10 Jan 2025,
  so every window Nov..Mar has A = 1, B = 0 -> mean 0.5 -> red. N1 (医疗器械, new industry)
  visited 2 Jan 2025, never ordered.
* rep2: N2 (医疗器械) visited 1 Jan, ordered 11 Jan (cycle 10); N3 (新能源) visited 2 Jan,
  never ordered. No existing customers (stock grey).
* rep3: F in 福田区 (team t2).
* Store visits on 28 Mar 2025: A twice (both real; new-product trial converted once), B once
  (failed validation).
"""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from sync_server.storage.base import StoredRecord
from sync_server.sync.orgdata import upsert_customers
from tests.sync_server.conftest import Api, make_app
from tests.sync_server.server_support import customer


@dataclass
class TargetsWorld:
    api: Api
    users: dict[str, Any]
    headers: dict[str, dict[str, str]]
    reopen: Callable[[], Api]
    apps: list[Any] = field(default_factory=list)

    def get(self, who: str, path: str, **kw: Any) -> Any:
        return self.api.call("GET", path, self.headers[who], **kw)

    def pull(self, who: str) -> list[dict[str, Any]]:
        r = self.api.call("GET", "/api/v1/sync/pull?limit=2000", self.headers[who])
        assert r.status_code == 200, r.json
        return list(r.json["changes"])

    def restart(self) -> None:
        """Close the app and open a new one on the same database (tokens stay valid)."""
        self.api.storage.close()
        self.api = self.reopen()


def put_visit(
    api: Api,
    users: dict[str, Any],
    rep: str,
    customer_id: str,
    when: str,
    *,
    counts: bool = True,
    result: dict[str, Any] | None = None,
    action_type: str = "replenishment",
) -> str:
    """A stored visit record with its report, as a push leaves it (validation is tested
    elsewhere; here the report's verdict is the input)."""
    user = users[rep]
    vid = uuid.uuid4().hex
    with api.storage.write("acme") as tx:
        tx.put_records(
            [
                StoredRecord(
                    org_id="acme",
                    record_type="visit",
                    record_id=vid,
                    version=1,
                    server_seq=tx.next_seq(),
                    payload={
                        "id": vid,
                        "org_id": "acme",
                        "customer_id": customer_id,
                        "rep_id": user.id,
                        "action_type": action_type,
                        "result": result or {},
                        "device_time": when,
                    },
                    owner_user_id=user.id,
                    team_id=user.team_id,
                    report={"counts": counts, "visit_time": when, "results": []},
                    updated_at=time.time(),
                )
            ]
        )
    return vid


ORDERS = [
    ("SO-A1", "A", "2024-06-01"),
    ("SO-A2", "A", "2025-01-10"),
    ("SO-B1", "B", "2024-07-01"),
    ("SO-N2", "N2", "2025-01-11"),
]


def build(api: Api, reopen: Callable[[], Api]) -> TargetsWorld:
    users = api.setup_org("acme")
    api.setup_org("other")
    c = customer
    rows = [
        (c("acme", "A", name="海岸城店", district="南山区", industry="便利店"), users["rep1"]),
        (c("acme", "B", name="深大店", district="南山区", industry="便利店"), users["rep1"]),
        (c("acme", "N1", name="南山医院", district="南山区", industry="医疗器械",
           new_industry=True), users["rep1"]),
        (c("acme", "N2", name="蛇口诊所", district="南山区", industry="医疗器械",
           new_industry=True), users["rep2"]),
        (c("acme", "N3", name="前海电池", district="南山区", industry="新能源",
           new_industry=True), users["rep2"]),
        (c("acme", "F", name="福田店", district="福田区", industry="便利店"), users["rep3"]),
    ]  # fmt: skip
    upsert_customers(api.storage, "acme", rows)
    headers = {n: api.login("acme", n) for n in ("rep1", "rep2", "rep3", "mgr1", "admin1")}
    headers["other_admin"] = api.login("other", "admin1")
    orders = [
        {"erp_order_id": o, "customer_id": cid, "ordered_on": day, "amount": "100"}
        for o, cid, day in ORDERS
    ]
    r = api.call("POST", "/api/v1/targets/orders/import", headers["admin1"],
                 json={"orders": orders})  # fmt: skip
    assert r.status_code == 200, r.json
    put_visit(api, users, "rep1", "N1", "2025-01-02T02:00:00+00:00")
    put_visit(api, users, "rep2", "N2", "2025-01-01T02:00:00+00:00")
    put_visit(api, users, "rep2", "N3", "2025-01-02T02:00:00+00:00")
    trial = "new_product"
    put_visit(api, users, "rep1", "A", "2025-03-28T02:00:00+00:00", action_type=trial,
              result={"trial_converted": True, "budget_recorded": True})  # fmt: skip
    put_visit(api, users, "rep1", "A", "2025-03-28T05:00:00+00:00", action_type=trial,
              result={"trial_converted": False})  # fmt: skip
    put_visit(api, users, "rep1", "B", "2025-03-28T03:00:00+00:00", counts=False)
    return TargetsWorld(api, users, headers, reopen)


def upload_material(w: TargetsWorld, data: bytes, who: str = "admin1", **fields: Any) -> Any:
    return w.api.call(
        "POST",
        "/api/v1/targets/materials",
        w.headers[who],
        data={"file": (io.BytesIO(data), fields.pop("filename", "pack.pdf")), **fields},
        content_type="multipart/form-data",
    )


@pytest.fixture(
    name="tworld", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def tworld_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TargetsWorld]:
    """The targets world on each backend (scheduler and OCR off: the tests call the engine)."""
    over: dict[str, Any] = {"OCR_ENABLED": False, "TARGETS_SCHEDULER": False}
    dsn = schema = ""
    if request.param == "postgres":
        dsn = request.getfixturevalue("pg_dsn")
        schema = "fl_tg" + uuid.uuid4().hex[:12]
        over["DATABASE_URL"] = f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"

    def reopen() -> Api:
        return Api(make_app(tmp_path, **over))

    w = build(reopen(), reopen)
    try:
        yield w
    finally:
        w.api.storage.close()
        if schema:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
