"""Sync server benchmarks (issue 3), SQLite and PostgreSQL, each next to a bare yardstick.

Printed side by side in one run, medians of ``--reps`` repetitions:

* push: ``--visits`` visits (no photos) from one device, ``--batch`` changes a request, over real
  HTTP (waitress on 127.0.0.1, ``requests.Session``); the server re-validates every visit;
* full pull: everything the pushing rep may see (its visits, customers, org data) pulled by a new
  device into an empty local database and applied there (client/sync's engine when it works,
  else LocalStore's bulk apply, said in the output);
* incremental pull: 10 new changes with ``--incr-base`` changes on the server (latency);
* ``--devices`` devices pushing and pulling concurrently: throughput and p95 latency, with every
  visit counted on the server by id (zero lost, zero duplicated: asserted).

The yardstick is a bare Flask app, mounted in the same waitress server under ``/bare``, that
inserts the same pushed payloads with one ``executemany`` into SQLite and selects them back.
The server runs in a subprocess (the machine has 2 cores: the client gets the other one).
Request bodies are encoded before timing, for the server and the yardstick alike.

    .venv/bin/python bench/bench_sync_server.py [--reps 5] [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"
FAST_ARGON = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 1024}
PASSWORD = "bench-pass-1"
H = {"X-Fieldledger-Protocol": "1"}
BARE_H = {"Content-Type": "application/json"}
NANSHAN = (22.5333, 113.9304)
WHEN = datetime(2024, 3, 12, 3, 0, tzinfo=UTC)  # a Tuesday, 11:00 in Shanghai


# --- the bare yardstick --------------------------------------------------------------------------
def make_bare_app(db_path: str) -> Any:
    """Flask + one executemany into SQLite: the least a push/pull endpoint can do."""
    from flask import Flask, jsonify, request

    app = Flask("bare")
    local = threading.local()

    def conn() -> sqlite3.Connection:
        c = getattr(local, "conn", None)
        if c is None:
            c = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=NORMAL")
            c.execute("PRAGMA busy_timeout=30000")
            local.conn = c
        return c

    c = conn()
    c.execute(
        "CREATE TABLE IF NOT EXISTS rows (seq INTEGER PRIMARY KEY AUTOINCREMENT, org TEXT NOT NULL,"
        " id TEXT NOT NULL UNIQUE, payload TEXT NOT NULL)"
    )
    c.execute("CREATE INDEX IF NOT EXISTS rows_org_seq ON rows (org, seq)")

    @app.post("/bare/push/<org>")
    def push(org: str) -> Any:
        changes = request.get_json()["changes"]
        c = conn()
        c.execute("BEGIN IMMEDIATE")
        c.executemany(
            "INSERT INTO rows (org, id, payload) VALUES (?, ?, ?)",
            [(org, ch["record_id"], json.dumps(ch["payload"])) for ch in changes],
        )
        c.execute("COMMIT")
        return jsonify({"inserted": len(changes)})

    @app.get("/bare/pull/<org>")
    def pull(org: str) -> Any:
        cursor = int(request.args.get("cursor", 0))
        limit = int(request.args.get("limit", 500))
        rows = (
            conn()
            .execute(
                "SELECT seq, id, payload FROM rows WHERE org = ? AND seq > ? ORDER BY seq LIMIT ?",
                (org, cursor, limit + 1),
            )
            .fetchall()
        )
        more = len(rows) > limit
        rows = rows[:limit]
        return jsonify(
            {
                "changes": [
                    {"server_seq": s, "record_id": i, "payload": json.loads(p)} for s, i, p in rows
                ],
                "next_cursor": rows[-1][0] if rows else cursor,
                "has_more": more,
            }
        )

    return app


def serve(url: str, bare_db: str, photo_dir: str) -> None:
    """Subprocess entry: the sync server and the bare app in ONE waitress server."""
    import logging

    from waitress.server import create_server

    from sync_server.app import create_app

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # 50 devices queue up: fine

    app = create_app({"DATABASE_URL": url, "PHOTO_DIR": photo_dir, **FAST_ARGON})
    bare = make_bare_app(bare_db)

    def dispatch(environ: dict[str, Any], start_response: Any) -> Any:
        target = bare if environ.get("PATH_INFO", "").startswith("/bare/") else app
        return target(environ, start_response)

    from sync_server.runtime import WAITRESS_OPTIONS, tune_gc

    tune_gc()  # as `fieldledger-server serve` does
    server = create_server(dispatch, host="127.0.0.1", port=0, threads=8, **WAITRESS_OPTIONS)
    print(server.effective_port, flush=True)  # type: ignore[union-attr]
    server.run()


# --- data --------------------------------------------------------------------------------------
def visit_payload(org: str, customer_id: str, rep_id: str, vid: str, minute: int) -> dict[str, Any]:
    when = WHEN + timedelta(minutes=minute % 300)
    return {
        "id": vid,
        "org_id": org,
        "customer_id": customer_id,
        "rep_id": rep_id,
        "device_id": "bench",
        "action_type": "replenishment",
        "checklist": {"stock_counted": True},
        "result": {"stock_count": 12, "order_taken": True},
        "notes": "货架补货完成",
        "device_time": when.isoformat(),
        "anchor": {"server_time": (when - timedelta(minutes=5)).isoformat()},
        "elapsed_since_anchor_ms": 300_000,
        "gps": {"lat": NANSHAN[0], "lon": NANSHAN[1], "accuracy_m": 10.0},
    }


def visit_changes(
    org: str, rep_id: str, customers: list[str], n: int, first_seq: int = 1
) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        vid = uuid.uuid4().hex
        payload = visit_payload(org, customers[i % len(customers)], rep_id, vid, i)
        out.append(
            {
                "seq": first_seq + i,
                "record_type": "visit",
                "record_id": vid,
                "op": "create",
                "payload": payload,
            }
        )
    return out


@dataclass
class Backend:
    name: str
    url: str
    workdir: Path
    storage: Any = None
    base: str = ""
    proc: subprocess.Popen[str] | None = None
    bare_db: str = ""
    schema: str = ""
    notes: list[str] = field(default_factory=list)

    def sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Ask the database directly (to count visits by id)."""
        with self.storage._conn() as conn:
            cur = conn.cursor()
            cur.execute(self.storage._q(query), params)
            return list(cur.fetchall())


def make_org(
    b: Backend, org: str, reps: int, customers_per_rep: int
) -> list[tuple[Any, list[str]]]:
    """An organisation with ``reps`` reps, each with their own customers."""
    from shared.customers import Customer
    from sync_server import admin_ops
    from sync_server.sync.orgdata import upsert_customers

    admin_ops.create_org(b.storage, org, org)
    out = []
    rows = []
    for r in range(reps):
        user = admin_ops.create_user(b.storage, FAST_ARGON, org, f"rep{r}", PASSWORD, "rep", "t1")
        cids = []
        for _ in range(customers_per_rep):
            c = Customer.model_validate(
                {
                    "id": uuid.uuid4().hex,
                    "org_id": org,
                    "name": "便利店",
                    "address": "南山大道 1 号",
                    "lat": NANSHAN[0],
                    "lon": NANSHAN[1],
                }
            )
            rows.append((c, user))
            cids.append(c.id)
        out.append((user, cids))
    upsert_customers(b.storage, org, rows)
    return out


def login(session: requests.Session, base: str, org: str, username: str) -> str:
    r = session.post(
        f"{base}/api/v1/auth/login",
        headers=H,
        timeout=30,
        json={
            "org": org,
            "username": username,
            "password": PASSWORD,
            "device_id": uuid.uuid4().hex,
        },
    )
    r.raise_for_status()
    return str(decoded(r)["token"])


def decoded(r: requests.Response) -> Any:
    """A response's JSON, decoded as the device's sync client does (shared/jsonfast.py:
    orjson), for the server and the yardstick alike."""
    from shared import jsonfast

    r.raise_for_status()
    return jsonfast.loads(r.content)


def auth(token: str) -> dict[str, str]:
    return {**H, "Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def encode_batches(changes: list[dict[str, Any]], batch: int) -> list[bytes]:
    return [
        json.dumps({"changes": changes[i : i + batch]}).encode()
        for i in range(0, len(changes), batch)
    ]


# --- server lifecycle --------------------------------------------------------------------------
def storage_url(name: str, workdir: Path) -> tuple[str, str]:
    """A new database for backend ``name``: its URL, and its PostgreSQL schema ("" on SQLite)."""
    if name == "sqlite":
        return f"sqlite:///{workdir / 'server.db'}", ""
    schema = "flbench_" + uuid.uuid4().hex[:10]
    return f"{PG_DSN}?schema={schema}", schema


def drop_schema(schema: str) -> None:
    """Remove a benchmark's PostgreSQL schema (nothing for SQLite's "")."""
    if schema:
        import psycopg

        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@contextlib.contextmanager
def running(name: str) -> Iterator[Backend]:
    from sync_server.storage import open_storage

    workdir = Path(tempfile.mkdtemp(prefix=f"fl-bench-{name}-"))
    url, schema = storage_url(name, workdir)
    b = Backend(name, url, workdir, bare_db=str(workdir / "bare.db"), schema=schema)
    try:
        b.storage = open_storage(url)
        b.storage.migrate()
        b.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", url, b.bare_db, str(workdir / "photos")],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert b.proc.stdout is not None
        port = b.proc.stdout.readline().strip()
        if not port.isdigit():
            raise RuntimeError(f"the {name} server did not start")
        b.base = f"http://127.0.0.1:{port}"
        yield b
    finally:
        if b.proc is not None:
            b.proc.terminate()
            b.proc.wait(10)
        if b.storage is not None:
            b.storage.close()
        drop_schema(schema)
        shutil.rmtree(workdir, ignore_errors=True)


# --- measurements ------------------------------------------------------------------------------
def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def server_cpu(b: Backend) -> float:
    """CPU seconds used so far by the server process (user + system): load-independent."""
    assert b.proc is not None
    fields = Path(f"/proc/{b.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_cpu(b: Backend) -> float:
    """CPU seconds used so far by PostgreSQL's processes (the backend that runs the inserts
    and the WAL writer; 0 on SQLite, which runs inside the server)."""
    if b.name == "sqlite":
        return 0.0
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, _, tail = stat.read_text().rpartition(")")
        except OSError:
            continue  # the process ended meanwhile
        if "(postgres" in head:
            fields = tail.split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def push_bodies(session: requests.Session, url: str, headers: dict[str, str], bodies: list[bytes]):
    answers = []
    for body in bodies:
        r = session.post(url, data=body, headers=headers, timeout=120)
        r.raise_for_status()
        answers.append(decoded(r))
    return answers


def full_pull_engine(base: str, org: str, username: str, workdir: Path) -> tuple[float, int, str]:
    """A new device signs in, then one sync pulls everything into its empty database."""
    from client.localdb.store import LocalStore
    from client.sync.engine import engine_for
    from client.sync.session import login as device_login

    store = LocalStore.open(workdir / f"device-{uuid.uuid4().hex[:6]}" / "local.db")
    device_login(store, base, org, username, PASSWORD)
    engine = engine_for(store)
    # what the app has done by the time a rep syncs: the store warmed up after the first screen
    # (client/app.py) and the sync modules imported; module imports are not the pull
    store.warm()
    for module in ("client.localdb.pulled", "client.sync.attachments", "client.sync.photos"):
        importlib.import_module(module)

    dt, result = timed(engine.sync)
    if result.error is not None:
        raise RuntimeError(f"client sync failed: {result.error}")
    return dt, int(result.pulled), "client/sync engine (hello + pull + apply + conflicts)"


def full_pull_store(base: str, org: str, username: str, workdir: Path) -> tuple[float, int, str]:
    """Fallback: pull pages with requests and apply them with LocalStore's bulk path."""
    from client.localdb.store import LocalStore
    from shared.changes import IncomingChange

    store = LocalStore.open(workdir / f"device-{uuid.uuid4().hex[:6]}" / "local.db")
    s = requests.Session()
    headers = auth(login(s, base, org, username))

    def run() -> int:
        total = 0
        for page in pull_pages(s, base, headers):
            changes = [IncomingChange.model_validate(c) for c in page["changes"]]
            with store.transaction() as tx:
                store.apply_pulled_changes(changes, org_id=org, cursor=page["next_cursor"], tx=tx)
            total += len(changes)
        return total

    dt, n = timed(run)
    return dt, n, "requests + LocalStore.apply_pulled_changes (client/sync engine unusable)"


def pull_pages(
    session: requests.Session, base: str, headers: dict[str, str]
) -> Iterator[dict[str, Any]]:
    """Every page of a full pull from the server, decoded, in order."""
    cursor = 0
    while True:
        page = decoded(
            session.get(
                f"{base}/api/v1/sync/pull",
                params={"cursor": cursor, "limit": 500},
                headers=headers,
                timeout=60,
            )
        )
        yield page
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return


def server_pull(session: requests.Session, base: str, headers: dict[str, str]) -> int:
    """The server's side of a full pull alone: every page fetched and decoded, nothing applied."""
    return sum(len(page["changes"]) for page in pull_pages(session, base, headers))


def bare_pull(session: requests.Session, base: str, org: str) -> int:
    cursor, total = 0, 0
    while True:
        page = decoded(
            session.get(
                f"{base}/bare/pull/{org}", params={"cursor": cursor, "limit": 500}, timeout=60
            )
        )
        total += len(page["changes"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return total


def bench_push_and_pull(b: Backend, args: argparse.Namespace, results: dict[str, Any]) -> None:
    push_real, push_bare, pull_real, pull_bare = [], [], [], []
    cpu_real: list[float] = []
    cpu_bare: list[float] = []
    cpu_db: list[float] = []
    pull_raw: list[float] = []
    how = ""
    for rep in range(args.reps):
        org = f"push{rep}"
        ((user, cids),) = make_org(b, org, 1, 100)
        s = requests.Session()
        headers = auth(login(s, b.base, org, user.username))
        changes = visit_changes(org, user.id, cids, args.visits)
        bodies = encode_batches(changes, args.batch)
        cpu0, db0 = server_cpu(b), database_cpu(b)
        dt, answers = timed(push_bodies, s, f"{b.base}/api/v1/sync/push", headers, bodies)
        cpu_real.append((server_cpu(b) - cpu0) / args.visits * 1e6)
        cpu_db.append((database_cpu(b) - db0) / args.visits * 1e6)
        statuses = {o["status"] for a in answers for o in a["outcomes"]}
        assert statuses == {"applied"}, statuses
        push_real.append(args.visits / dt)
        cpu0 = server_cpu(b)
        dt, _ = timed(push_bodies, s, f"{b.base}/bare/push/{org}", BARE_H, bodies)
        cpu_bare.append((server_cpu(b) - cpu0) / args.visits * 1e6)
        push_bare.append(args.visits / dt)
        dt, n_raw = timed(server_pull, s, b.base, headers)
        pull_raw.append(n_raw / dt)

        try:
            dt, n, how = full_pull_engine(b.base, org, user.username, b.workdir)
        except Exception as exc:
            b.notes.append(f"client/sync engine failed ({type(exc).__name__}: {exc}); fallback")
            dt, n, how = full_pull_store(b.base, org, user.username, b.workdir)
        assert n >= args.visits, n
        pull_real.append(n / dt)
        dt, nb = timed(bare_pull, s, b.base, org)
        assert nb == args.visits
        pull_bare.append(nb / dt)
    results["push"] = (push_real, push_bare)
    results["push_cpu"] = (cpu_real, cpu_bare)
    results["push_db_cpu"] = cpu_db
    results["pull_raw"] = pull_raw
    results["pull"] = (pull_real, pull_bare)
    results["pull_how"] = how
    results["pull_records"] = n


def seed_many(b: Backend, org: str, n: int, reps: list[tuple[Any, list[str]]]) -> None:
    """``n`` stored visits (as the server stores them, with a report), straight into storage."""
    from shared.validation.engine import ValidationContext, validate_visit
    from shared.visits import Visit
    from sync_server.storage.base import StoredRecord
    from sync_server.sync.context import default_calendar

    user, cids = reps[0]
    sample = Visit.model_validate(visit_payload(org, cids[0], user.id, "x", 0))
    from shared.customers import Customer
    from shared.settings import OrgSettings
    from shared.sop import default_sop_templates

    cust = Customer(id=cids[0], org_id=org, name="x", lat=NANSHAN[0], lon=NANSHAN[1])
    ctx = ValidationContext(
        OrgSettings(), default_calendar(), cust, default_sop_templates()["replenishment"]
    )
    report = validate_visit(sample, ctx).to_json_dict()
    step = 20_000
    for start in range(0, n, step):
        with b.storage.write(org) as tx:
            recs = []
            for i in range(start, min(n, start + step)):
                u, c = reps[i % len(reps)]
                vid = uuid.uuid4().hex
                recs.append(
                    StoredRecord(
                        org_id=org,
                        record_type="visit",
                        record_id=vid,
                        version=1,
                        server_seq=tx.next_seq(),
                        payload=visit_payload(org, c[i % len(c)], u.id, vid, i),
                        owner_user_id=u.id,
                        team_id="t1",
                        report={**report, "visit_id": vid},
                        updated_at=time.time(),
                    )
                )
            tx.put_records(recs)


def bench_incremental(b: Backend, args: argparse.Namespace, results: dict[str, Any]) -> None:
    org = "incr"
    reps = make_org(b, org, 20, 5)
    seed_many(b, org, args.incr_base, reps[1:])
    bare = sqlite3.connect(b.bare_db, isolation_level=None)
    bare.execute("PRAGMA busy_timeout=30000")
    bare.execute("BEGIN")
    bare.executemany(
        "INSERT INTO rows (org, id, payload) VALUES (?, ?, ?)",
        (
            (org, uuid.uuid4().hex, json.dumps(visit_payload(org, "c", "u", "v", i)))
            for i in range(args.incr_base)
        ),
    )
    bare.execute("COMMIT")
    user, cids = reps[0]
    s = requests.Session()
    headers = auth(login(s, b.base, org, user.username))
    pull_url = f"{b.base}/api/v1/sync/pull"
    cursor = b.storage.org_position(org)[0]
    bare_cursor = bare.execute("SELECT MAX(seq) FROM rows WHERE org = ?", (org,)).fetchone()[0]
    real_ms, bare_ms = [], []
    seq = 1
    for _ in range(args.incr_runs):
        changes = visit_changes(org, user.id, cids, 10, first_seq=seq)
        seq += 10
        body = encode_batches(changes, 10)
        push_bodies(s, f"{b.base}/api/v1/sync/push", headers, body)
        push_bodies(s, f"{b.base}/bare/push/{org}", BARE_H, body)
        params = {"cursor": cursor, "limit": 500}
        dt, r = timed(lambda: s.get(pull_url, params=params, headers=headers, timeout=30))  # noqa: B023
        page = decoded(r)
        assert len(page["changes"]) == 10 and not page["has_more"], len(page["changes"])
        cursor = page["next_cursor"]
        real_ms.append(dt * 1000)
        params = {"cursor": bare_cursor, "limit": 500}
        dt, r = timed(lambda: s.get(f"{b.base}/bare/pull/{org}", params=params, timeout=30))  # noqa: B023
        page = decoded(r)
        assert len(page["changes"]) == 10
        bare_cursor = page["next_cursor"]
        bare_ms.append(dt * 1000)
    results["incr"] = (real_ms, bare_ms)
    results["incr_total"] = b.storage.org_position(org)[0]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_concurrent(b: Backend, args: argparse.Namespace, results: dict[str, Any]) -> None:
    results["conc"] = [concurrent_run(b, args, f"conc{rep}") for rep in range(args.reps)]


def concurrent_run(b: Backend, args: argparse.Namespace, org: str) -> dict[str, Any]:
    reps = make_org(b, org, args.devices, 5)
    sessions = []
    for user, cids in reps:
        s = requests.Session()
        sessions.append((s, auth(login(s, b.base, org, user.username)), user, cids))
    plans = [visit_changes(org, user.id, cids, args.device_visits) for _, _, user, cids in sessions]
    push_lat: list[float] = []
    pull_lat: list[float] = []
    pulled: list[list[str]] = [[] for _ in sessions]
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(len(sessions) + 1)

    def device(i: int) -> None:
        s, headers, _, _ = sessions[i]
        try:
            bodies = encode_batches(plans[i], args.device_batch)
            cursor = 0
            start.wait()
            for k, body in enumerate(bodies):
                for attempt in range(2 if k == 0 else 1):  # the 1st batch again: a lost answer
                    dt, r = timed(
                        s.post,
                        f"{b.base}/api/v1/sync/push",
                        data=body,
                        headers=headers,
                        timeout=120,
                    )
                    r.raise_for_status()
                    want = "applied" if attempt == 0 else "duplicate"
                    assert {o["status"] for o in decoded(r)["outcomes"]} == {want}
                    with lock:
                        push_lat.append(dt * 1000)
                while True:
                    dt, r = timed(
                        s.get,
                        f"{b.base}/api/v1/sync/pull",
                        params={"cursor": cursor, "limit": 500},
                        headers=headers,
                        timeout=120,
                    )
                    r.raise_for_status()
                    page = decoded(r)
                    with lock:
                        pull_lat.append(dt * 1000)
                    pulled[i].extend(
                        c["record_id"] for c in page["changes"] if c["record_type"] == "visit"
                    )
                    cursor = page["next_cursor"]
                    if not page["has_more"]:
                        break
        except BaseException as exc:
            errors.append(exc)
            with contextlib.suppress(threading.BrokenBarrierError):
                start.abort()

    threads = [threading.Thread(target=device, args=(i,)) for i in range(len(sessions))]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        raise errors[0]
    pushed_ids = [c["record_id"] for plan in plans for c in plan]
    stored = b.sql(
        "SELECT record_id, COUNT(*) FROM records WHERE org_id = %s AND record_type = 'visit'"
        " GROUP BY record_id",
        (org,),
    )
    counts = {rid: int(n) for rid, n in stored}
    lost = [v for v in pushed_ids if v not in counts]
    dup = [v for v, n in counts.items() if n != 1]
    extra = set(counts) - set(pushed_ids)
    pulled_dup = sum(len(p) - len(set(p)) for p in pulled)
    pulled_missing = sum(
        len({c["record_id"] for c in plan} - set(p)) for plan, p in zip(plans, pulled, strict=True)
    )
    assert not lost and not dup and not extra, (len(lost), len(dup), len(extra))
    assert pulled_dup == 0 and pulled_missing == 0, (pulled_dup, pulled_missing)
    return {
        "visits_per_s": len(pushed_ids) / wall,
        "push_p95": pct(push_lat, 0.95),
        "push_p50": statistics.median(push_lat),
        "pull_p95": pct(pull_lat, 0.95),
        "stored": len(counts),
        "pushed": len(pushed_ids),
    }


# --- report ------------------------------------------------------------------------------------
def med(values: list[float]) -> float:
    return statistics.median(values)


def report(all_results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    names = list(all_results)
    print()
    print(f"load average at the end: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    print(f"medians of {args.reps} repetitions ({args.incr_runs} for the incremental pull)")
    hdr = f"{'':44}" + "".join(f"{n:>22}" for n in names)
    print(hdr)

    def row(label: str, fmt: Callable[[dict[str, Any]], str]) -> None:
        print(f"{label:44}" + "".join(f"{fmt(all_results[n]):>22}" for n in names))

    row(
        f"push {args.visits} visits, {args.batch}/request (visits/s)",
        lambda r: f"{med(r['push'][0]):,.0f}",
    )
    row("  bare endpoint (rows/s)", lambda r: f"{med(r['push'][1]):,.0f}")
    row("  bare / server (target <= 4x)", lambda r: f"{med(r['push'][1]) / med(r['push'][0]):.2f}x")
    row("  server CPU per visit (us)", lambda r: f"{med(r['push_cpu'][0]):.0f}")
    row("  database CPU per visit (us)", lambda r: f"{med(r['push_db_cpu']):.0f}")
    row("  bare CPU per row (us)", lambda r: f"{med(r['push_cpu'][1]):.0f}")
    row(
        "  visits per server-CPU-second",
        lambda r: f"{1e6 / med(r['push_cpu'][0]):,.0f}",
    )
    row("full pull applied on the device (rec/s)", lambda r: f"{med(r['pull'][0]):,.0f}")
    row("  server pull alone, not applied (rec/s)", lambda r: f"{med(r['pull_raw']):,.0f}")
    row("  bare endpoint, not applied (rows/s)", lambda r: f"{med(r['pull'][1]):,.0f}")
    row("  bare / server", lambda r: f"{med(r['pull'][1]) / med(r['pull'][0]):.2f}x")
    row("incremental pull, 10 new changes (ms)", lambda r: f"{med(r['incr'][0]):.2f}")
    row("  bare endpoint (ms)", lambda r: f"{med(r['incr'][1]):.2f}")
    row("  server / bare", lambda r: f"{med(r['incr'][0]) / med(r['incr'][1]):.2f}x")
    row(
        f"{args.devices} devices concurrently (visits/s)",
        lambda r: f"{med([c['visits_per_s'] for c in r['conc']]):,.0f}",
    )
    row(
        "  push request p50 / p95 (ms)",
        lambda r: "{:.0f} / {:.0f}".format(
            med([c["push_p50"] for c in r["conc"]]), med([c["push_p95"] for c in r["conc"]])
        ),
    )
    row("  pull request p95 (ms)", lambda r: f"{med([c['pull_p95'] for c in r['conc']]):.0f}")
    row(
        "  visits stored / pushed, lost, duplicated",
        lambda r: "{} / {}, 0, 0".format(r["conc"][0]["stored"], r["conc"][0]["pushed"]),
    )
    print()
    for n in names:
        r = all_results[n]
        print(
            f"{n}: full pull = {r['pull_records']} records via {r['pull_how']}; incremental pull"
            f" measured with {r['incr_total']:,} changes on the server"
        )
        for note in r.get("notes", []):
            print(f"{n}: note: {note}")
    print()
    print("targets: push >= 5,000 visits/s and within 4x of bare; full pull >= 10,000 rec/s;")
    print("         incremental pull <= 5 ms; concurrent: zero lost or duplicated visits")
    for n in names:
        r = all_results[n]
        checks = {
            "push >= 5000/s": med(r["push"][0]) >= 5000,
            "push within 4x": med(r["push"][1]) / med(r["push"][0]) <= 4,
            "pull >= 10000/s": med(r["pull"][0]) >= 10_000,
            "incremental <= 5 ms": med(r["incr"][0]) <= 5,
        }
        print(f"{n}: " + ", ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in checks.items()))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--serve", nargs=3, metavar=("URL", "BARE_DB", "PHOTO_DIR"), help=argparse.SUPPRESS
    )
    p.add_argument("--backends", default="sqlite,postgres")
    p.add_argument("--reps", type=int, default=5)  # the machine is noisy: 5, not 3
    p.add_argument("--visits", type=int, default=10_000, help="pushed, then pulled in full")
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--incr-base", type=int, default=100_000)
    p.add_argument("--incr-runs", type=int, default=20)
    p.add_argument("--devices", type=int, default=50)
    p.add_argument("--device-visits", type=int, default=100)
    p.add_argument("--device-batch", type=int, default=50)
    p.add_argument("--only", default="push,incr,conc", help="which parts to run")
    args = p.parse_args()
    if args.serve:
        serve(*args.serve)
        return
    only = set(args.only.split(","))
    all_results: dict[str, dict[str, Any]] = {}
    print(f"load average at the start: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    for name in args.backends.split(","):
        t0 = time.perf_counter()
        results: dict[str, Any] = {}
        with running(name) as b:
            if "push" in only:
                bench_push_and_pull(b, args, results)
            if "incr" in only:
                bench_incremental(b, args, results)
            if "conc" in only:
                bench_concurrent(b, args, results)
            results["notes"] = b.notes
        all_results[name] = results
        print(f"{name}: done in {time.perf_counter() - t0:.0f} s", flush=True)
    if only == {"push", "incr", "conc"}:
        report(all_results, args)
    else:
        print(json.dumps(all_results, default=str, indent=1)[:4000])


if __name__ == "__main__":
    main()
