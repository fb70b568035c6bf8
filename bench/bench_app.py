"""The rep's app at size: 10,000 customers and 50,000 visits in the device's local database.

Run: ``.venv/bin/python bench/bench_app.py [--customers 10000] [--visits 50000] [--runs 5]
[--no-browser]``. Not a test: prints medians and ratios to the targets (issue 4):

1. app start to first screen (<= 1 s): the Python side, from spawning a fresh interpreter to the
   first message that carries the customer list's controls — the real ``main(page)`` on a real
   ``Page`` over a connection that msgpack-encodes every message as the socket server does.
   The browser's own boot (headless Chromium loading the no-CDN web client to its first Flutter
   paint) is reported separately when Playwright and /usr/bin/chromium are there.
2. customer search (<= 20 ms): ``CustomerListVM.set_search`` at that size, several queries
   (name, pinyin initials, address), median and p95.
3. local submit of a visit with 3 photos (<= 600 ms): ``VisitFormVM`` with three 12 MP JPEGs,
   ``submit()`` (photos processed with the watermark + validation + one-transaction save).

The database is built with the store's own paths: customers through ``upsert_customers``; the
last visits through ``save_visit`` (real blobs, outbox); the older bulk of visits straight into
the store's tables (``client.localdb.schema``) as already-synced rows, built from real
``Visit`` / ``ValidationReport`` models.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_START_S = 1.0
TARGET_SEARCH_MS = 20.0
TARGET_SUBMIT_MS = 600.0
FIRST_SCREEN_MARK = "搜索客户".encode()  # the customer list's search field label

# ---------------------------------------------------------------------------------------------
# child: one cold start of the app, timed from the first line of this file
# ---------------------------------------------------------------------------------------------
CHILD_T0 = time.perf_counter()


def child_start(db_path: str) -> None:
    """Run ``main(page)`` on a real Page; print when the first screen's controls were sent."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    t_imp = time.perf_counter()
    import flet as ft  # noqa: F401
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

    t_flet = time.perf_counter()
    from client.app import AppConfig, build_app, engine_sync_factory, no_login
    from client.localdb.store import LocalStore

    t_app = time.perf_counter()
    marks: dict[str, float] = {}

    class TimedConnection(Connection):
        def __init__(self) -> None:
            super().__init__()
            self.encode = configure_encode_object_for_msgpack(BaseControl)
            self.bytes_sent = 0

        def send_message(self, message: Message) -> None:
            data = msgpack.packb([message.action, message.body], default=self.encode)
            self.bytes_sent += len(data)
            if "first_screen" not in marks and FIRST_SCREEN_MARK in data:
                marks["first_screen"] = time.perf_counter()
                marks["wall"] = time.time()
                marks["cpu"] = time.process_time()
                marks["bytes"] = self.bytes_sent

    def store_for(page: object) -> LocalStore:
        marks["store_open_start"] = time.perf_counter()
        store = LocalStore.open(db_path)
        marks["store_open"] = time.perf_counter()
        return store

    async def run() -> None:
        conn = TimedConnection()
        conn.pubsubhub = PubSubHub()
        conn.loop = asyncio.get_running_loop()
        conn.executor = ThreadPoolExecutor(2)
        session = Session(conn)
        session.apply_page_patch(
            {"width": 390.0, "height": 844.0, "web": True, "platform": "android", "route": "/"}
        )
        conn.send_message(
            Message(
                MessageAction.REGISTER_CLIENT,
                RegisterClientResponseBody(
                    session_id=session.id, page_patch=session.get_page_patch(), error=""
                ),
            )
        )
        _context_page.set(session.page)
        marks["main_start"] = time.perf_counter()
        # the real app's sync service: made (engine, HTTP stack) and started after the first
        # screen; its server is unreachable here, so that first sync ends offline
        build_app(AppConfig(store_for, no_login, engine_sync_factory()))(session.page)
        marks["main_end"] = time.perf_counter()
        # after the measurement: let the app's background work finish as it would in a running
        # app (the store's warm-up, the pinyin initials cache written on a first start)
        for thread in threading.enumerate():
            if thread.name in ("store-warm", "pinyin-cache"):
                thread.join(30)
        session.page.data.store.close()
        conn.executor.shutdown(wait=True)

    asyncio.run(run())
    out = {
        "imports_flet_s": t_flet - t_imp,
        "imports_app_s": t_app - t_flet,
        "script_to_main_s": marks["main_start"] - CHILD_T0,
        "store_open_s": marks["store_open"] - marks["store_open_start"],
        "main_to_first_screen_s": marks["first_screen"] - marks["main_start"],
        "script_to_first_screen_s": marks["first_screen"] - CHILD_T0,
        "first_screen_wall": marks["wall"],
        "cpu_to_first_screen_s": marks["cpu"],
        "bytes_to_first_screen": marks["bytes"],
    }
    print("RESULT " + json.dumps(out))


# ---------------------------------------------------------------------------------------------
# the database
# ---------------------------------------------------------------------------------------------
DISTRICTS = ("南山", "福田", "罗湖", "宝安", "龙岗", "龙华", "盐田", "光明")
_STREETS = "深南滨海科技华强东门沙河西丽桃源蛇口海岸新洲莲花梅林布吉坂田"
_STREETS += "民治观澜福永沙井西乡松岗石岩公明大浪横岗平湖龙城坪山葵涌大鹏"
STREETS = tuple(_STREETS[i : i + 2] for i in range(0, len(_STREETS), 2))
BRANDS = ("美宜佳", "天虹", "华润万家", "百佳", "沃尔玛", "永辉", "钱大妈", "711", "全家", "罗森",
          "易捷", "昆仑好客", "新一佳", "人人乐", "岁宝", "家乐福", "盒马", "七鲜", "京东便利",
          "苏宁小店")  # fmt: skip
KINDS = ("便利店", "超市", "百货", "商行", "烟酒店", "生鲜店", "母婴店", "药房")


def make_customers(n: int) -> list[object]:
    from tests.support.factories import STORE_LAT, STORE_LON, make_customer, offset_point

    rng = random.Random(42)
    out = [make_customer()]  # c1 南山路店 at the reference store: the submit bench visits it
    for i in range(1, n):
        street = rng.choice(STREETS)
        district = rng.choice(DISTRICTS)
        lat, lon = offset_point(STORE_LAT, STORE_LON, rng.uniform(50, 25_000), rng.uniform(0, 360))
        out.append(
            make_customer(
                id=f"c{i + 1}",
                name=f"{rng.choice(BRANDS)}{street}{rng.choice(KINDS)}{i % 97 + 1}号店",
                address=f"深圳市{district}区{street}路{rng.randint(1, 999)}号",
                lat=lat, lon=lon, district=district, grade=rng.choice("ABCD"),
            )
        )  # fmt: skip
    return out


def build_database(db: Path, n_customers: int, n_visits: int) -> dict[str, float]:
    from client.localdb.schema import photo_hashes_t, visit_photos_t, visits_t
    from client.localdb.store import LocalStore
    from client.localdb.timefmt import time_text
    from client.viewmodels.account import save_account
    from shared.sop import default_sop_templates
    from shared.validation.engine import validate_visit
    from tests.client.vm_support import ACCOUNT, ORG, clock_free_settings, complete_visit
    from tests.support.factories import make_context, make_visit

    timings: dict[str, float] = {}
    store = LocalStore.open(db)
    store.put_settings(ORG, clock_free_settings())
    for sop in default_sop_templates().values():
        store.put_sop(ORG, sop)
    save_account(store, ACCOUNT)
    # signed in to a server that is not there: the app makes its real sync engine (after the
    # first screen) and that sync ends offline
    store.set_meta("session.server_url", "http://127.0.0.1:9")
    store.set_meta("session.token", "bench-token")

    t = time.perf_counter()
    customers = make_customers(n_customers)
    store.upsert_customers(customers)  # type: ignore[arg-type]
    timings["customers_s"] = time.perf_counter() - t

    # the bulk: older visits, already synced (photos uploaded, no outbox entry left)
    t = time.perf_counter()
    n_recent = min(20, n_visits)
    template = make_visit(org_id=ORG, rep_id=ACCOUNT.rep_id, device_id=store.device_id)
    report = validate_visit(template, make_context())
    now = datetime.now(UTC)
    rng = random.Random(7)
    saved_at = time_text(now)
    rows, photo_rows, hash_rows = [], [], []
    for i in range(n_visits - n_recent):
        when = now - timedelta(days=1 + (i * 365) / n_visits, minutes=rng.randint(0, 600))
        cust = f"c{rng.randint(1, n_customers)}"
        vid = f"bulk{i:06d}"
        photos = [
            p.model_copy(update={"sha256": f"{i:06d}{k}".ljust(64, "a")})
            for k, p in enumerate(template.photos)
        ]
        visit = template.model_copy(
            update={"id": vid, "customer_id": cust, "device_time": when, "photos": photos}
        )
        rows.append(
            {
                "id": vid, "org_id": ORG, "customer_id": cust, "rep_id": ACCOUNT.rep_id,
                "captured_at": time_text(when), "saved_at": saved_at, "counts": 1,
                "visit_json": visit.model_dump_json(),
                "report_json": report.model_copy(update={"visit_id": vid}).model_dump_json(),
            }
        )  # fmt: skip
        for k, p in enumerate(photos):
            photo_rows.append(
                {
                    "visit_id": vid, "position": k, "slot": p.slot, "sha256": p.sha256,
                    "phash": p.phash, "stored_sha256": p.sha256, "thumb_sha256": p.sha256,
                    "uploaded_at": saved_at,
                }
            )  # fmt: skip
            hash_rows.append({"sha256": p.sha256, "visit_id": vid, "phash": p.phash})
    with store.transaction() as tx:
        for start in range(0, len(rows), 5000):
            tx.execute(visits_t.insert(), rows[start : start + 5000])
        for start in range(0, len(photo_rows), 15000):
            tx.execute(visit_photos_t.insert(), photo_rows[start : start + 15000])
            tx.execute(photo_hashes_t.insert(), hash_rows[start : start + 15000])
    timings["bulk_visits_s"] = time.perf_counter() - t

    # the most recent ones through the real save path (blobs, outbox): today's, still pending
    t = time.perf_counter()
    from client.viewmodels.visit_form import VisitFormVM

    for i in range(n_recent):
        complete_visit(VisitFormVM(store, ACCOUNT, f"c{2 + i * 37 % (n_customers - 1)}")).submit()
    timings["recent_visits_s"] = time.perf_counter() - t
    store.close()
    return timings


# ---------------------------------------------------------------------------------------------
# the measurements
# ---------------------------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def bench_start(db: Path, runs: int) -> dict[str, float]:
    results = []
    for _ in range(runs + 1):  # the first run warms the OS file cache and .pyc files
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        spawn = time.time()
        proc = subprocess.run(
            [sys.executable, __file__, "--child-start", str(db)],
            capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
        )  # fmt: skip
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if proc.returncode != 0 or line is None:
            raise RuntimeError(f"the app did not start: {proc.stderr[-2000:]}")
        r = json.loads(line[7:])
        r["spawn_to_first_screen_s"] = r["first_screen_wall"] - spawn
        r["interpreter_s"] = r["spawn_to_first_screen_s"] - r["script_to_first_screen_s"]
        results.append(r)
    keys = [k for k in results[0] if k != "first_screen_wall"]
    out = {k: statistics.median(r[k] for r in results[1:]) for k in keys}
    out["first_run_s"] = results[0]["spawn_to_first_screen_s"]
    out["first_run_main_s"] = results[0]["main_to_first_screen_s"]
    return out


def bench_search(db: Path, reps: int) -> dict[str, object]:
    from client.localdb.store import LocalStore
    from client.viewmodels.customers import CustomerListVM
    from tests.client.vm_support import ORG

    store = LocalStore.open(db)
    vm = CustomerListVM(store, ORG)
    t = time.perf_counter()
    vm.load()
    load_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    vm.load()
    reload_ms = (time.perf_counter() - t) * 1000
    queries = {
        "name 便利": "便利",
        "name 美宜佳深南": "美宜佳深南",
        "initials bld": "bld",
        "initials MYJ": "MYJ",
        "address 科技路": "科技路",
        "address 南山区": "南山区",
        "one char 华": "华",
        "no match": "不存在的店",
    }
    per: dict[str, list[float]] = {k: [] for k in queries}
    for _ in range(reps):
        for label, q in queries.items():
            vm.set_search("")
            t = time.perf_counter()
            vm.set_search(q)
            per[label].append((time.perf_counter() - t) * 1000)
    typing_ms = []
    for _ in range(reps):
        vm.set_search("")
        for prefix in ("m", "my", "myj", "myjs", "myjsn"):
            t = time.perf_counter()
            vm.set_search(prefix)
            typing_ms.append((time.perf_counter() - t) * 1000)
    hits = {label: (vm.set_search(q), vm.total)[1] for label, q in queries.items()}
    vm.set_search("")
    t = time.perf_counter()
    vm.set_filters(district="南山")
    filter_ms = (time.perf_counter() - t) * 1000
    store.close()
    flat = [v for vs in per.values() for v in vs]
    return {
        "load_ms": load_ms, "reload_ms": reload_ms, "per": per, "hits": hits,
        "median_ms": statistics.median(flat), "p95_ms": pct(flat, 0.95),
        "typing_median_ms": statistics.median(typing_ms), "typing_p95_ms": pct(typing_ms, 0.95),
        "filter_ms": filter_ms,
    }  # fmt: skip


def bench_submit(db: Path, runs: int) -> dict[str, float]:
    from client.localdb.store import LocalStore
    from client.viewmodels.visit_form import VisitFormVM
    from tests.client.vm_support import ACCOUNT, fix_at
    from tests.support.factories import SHANGHAI, STORE_LAT, STORE_LON
    from tests.support.photos import make_photographic_jpeg

    store = LocalStore.open(db)
    slots = ("storefront", "stack_display", "price_tag")
    add_ms, submit_ms, counted = [], [], 0
    t = time.perf_counter()
    taken = datetime.now(SHANGHAI).replace(tzinfo=None) - timedelta(minutes=3)
    at_store = (STORE_LAT, STORE_LON)
    base = int(time.time()) % 1_000_000 * 100  # new pictures each run: a reused --db has the old
    photos = [
        make_photographic_jpeg(4000, 3000, seed=base + k, taken_at=taken, gps=at_store)
        for k in range(3 * (runs + 1))
    ]
    made_s = time.perf_counter() - t
    for run in range(runs + 1):  # the first run warms fonts and caches
        vm = VisitFormVM(store, ACCOUNT, "c1")
        vm.set_action("display_optimization")
        t = time.perf_counter()
        for k, slot in enumerate(slots):
            assert vm.add_photo(slot, photos[run * 3 + k]), vm.photo_error
        added = (time.perf_counter() - t) * 1000
        vm.set_check("facing_fixed", True)
        vm.set_check("pop_placed", True)
        vm.set_gps(fix_at(20))
        t = time.perf_counter()
        out = vm.submit()
        took = (time.perf_counter() - t) * 1000
        if run:
            add_ms.append(added)
            submit_ms.append(took)
            counted += out.report.counts
    from client.capture import build_context

    ctx_ms = []
    for _ in range(3):
        t = time.perf_counter()
        build_context(store, ACCOUNT.org_id, store.get_customer("c1"), "display_optimization")
        ctx_ms.append((time.perf_counter() - t) * 1000)
    n_hashes = len(store.photo_hash_rows())
    store.close()
    return {
        "context_ms": statistics.median(ctx_ms), "n_hashes": n_hashes,
        "photo_mb": len(photos[0]) / 1e6, "made_s": made_s,
        "add3_median_ms": statistics.median(add_ms),
        "submit_median_ms": statistics.median(submit_ms),
        "submit_max_ms": max(submit_ms), "counted": counted, "runs": runs,
    }  # fmt: skip


def bench_browser(db_dir: Path) -> dict[str, float] | str:
    """Headless Chromium loading the web client (no CDN) to its first Flutter paint."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        return "skipped: /usr/bin/chromium is not installed"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "skipped: playwright is not installed (.venv/bin/pip install playwright)"
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(ROOT), FLET_WEB_NO_CDN="1")
    server = subprocess.Popen(
        [sys.executable, "-m", "client.web", "--port", str(port), "--data", str(db_dir)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        out: dict[str, float] = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(chromium),
                args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update",
                      "--disable-sync"],
            )  # fmt: skip
            for run in range(3):
                ctx = browser.new_context(viewport={"width": 390, "height": 844})
                page = ctx.new_page()
                t = time.perf_counter()
                page.goto(url)
                page.wait_for_selector("flt-glass-pane, flutter-view, canvas", state="attached",
                                       timeout=60_000)  # fmt: skip
                engine = time.perf_counter() - t
                page.wait_for_selector("flt-semantics-placeholder", state="attached",
                                       timeout=60_000)  # fmt: skip
                page.dispatch_event("flt-semantics-placeholder", "click")
                page.get_by_label("服务器地址", exact=False).first.wait_for(timeout=60_000)
                shown = time.perf_counter() - t
                ctx.close()
                out[f"run{run}_engine_s"] = engine
                out[f"run{run}_first_screen_s"] = shown
            browser.close()
        return out
    finally:
        server.terminate()
        server.wait(10)


def ratio(value: float, target: float) -> str:
    verdict = "OK" if value <= target else "MISSED"
    return f"{value / target:.2f}x target ({verdict})"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--visits", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--db", type=Path, help="reuse (or build once) this database file")
    ap.add_argument("--child-start", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_start:
        child_start(args.child_start)
        return 0

    work = Path(tempfile.mkdtemp(prefix="bench-app-"))
    try:
        db = args.db.resolve() if args.db else work / "device" / "local.db"
        t = time.perf_counter()
        built = {} if db.exists() else build_database(db, args.customers, args.visits)
        print(
            f"database: {args.customers} customers, {args.visits} visits, "
            f"{db.stat().st_size / 1e6:.0f} MB, built in {time.perf_counter() - t:.1f} s "
            + ", ".join(f"{k} {v:.1f}" for k, v in built.items())
        )

        s = bench_start(db, args.runs)
        print(f"\n(1) app start to first screen, median of {args.runs} fresh interpreters:")
        print(f"    spawn -> first screen sent  {s['spawn_to_first_screen_s'] * 1000:7.0f} ms  "
              f"{ratio(s['spawn_to_first_screen_s'], TARGET_START_S)}")  # fmt: skip
        for key, label in (
            ("interpreter_s", "interpreter + site start"),
            ("imports_flet_s", "import flet"),
            ("imports_app_s", "import client.app"),
            ("store_open_s", "open + migrate the store"),
            ("main_to_first_screen_s", "main(page) -> first screen"),
        ):
            print(f"      {label:<28}{s[key] * 1000:7.0f} ms")
        print(f"      CPU time of the process    {s['cpu_to_first_screen_s'] * 1000:7.0f} ms")
        print(f"      bytes sent up to it        {s['bytes_to_first_screen'] / 1000:7.0f} KB")
        print(f"    the very first start (cold caches, pinyin initials computed and stored): "
              f"{s['first_run_s'] * 1000:.0f} ms, of which main(page) "
              f"{s['first_run_main_s'] * 1000:.0f} ms")  # fmt: skip

        r = bench_search(db, reps=15)
        print(f"\n(2) customer search over {args.customers} customers (CustomerListVM):")
        print(f"    index build (load) {r['load_ms']:.0f} ms, reload {r['reload_ms']:.0f} ms")
        for label, vals in r["per"].items():  # type: ignore[union-attr]
            print(f"      {label:<18} median {statistics.median(vals):6.2f} ms  "
                  f"p95 {pct(vals, 0.95):6.2f} ms  ({r['hits'][label]} found)")  # type: ignore[index]  # fmt: skip
        print(f"    all queries: median {r['median_ms']:.2f} ms "
              f"{ratio(r['median_ms'], TARGET_SEARCH_MS)}; "  # type: ignore[arg-type]
              f"p95 {r['p95_ms']:.2f} ms {ratio(r['p95_ms'], TARGET_SEARCH_MS)}")  # type: ignore[arg-type]  # fmt: skip
        print(
            f"    typing m→myjsn: median {r['typing_median_ms']:.2f} ms, "
            f"p95 {r['typing_p95_ms']:.2f} ms; district filter {r['filter_ms']:.2f} ms"
        )

        u = bench_submit(db, args.runs)
        print(f"\n(3) local submit, 3 photos of 4000x3000 ({u['photo_mb']:.1f} MB each), "
              f"median of {u['runs']}:")  # fmt: skip
        med = u["submit_median_ms"]
        print(
            f"    submit()                    {med:7.0f} ms  "
            f"{ratio(med, TARGET_SUBMIT_MS)} (max {u['submit_max_ms']:.0f})"
        )
        print(
            f"    (adding the 3 photos before, analysed as the rep takes them: "
            f"{u['add3_median_ms']:.0f} ms; visits that count: {u['counted']}/{u['runs']})"
        )
        print(f"    of which client.capture.build_context (reads all {u['n_hashes']} photo hashes "
              f"into a PhotoHashIndex, once in submit): {u['context_ms']:.0f} ms")  # fmt: skip

        if args.no_browser:
            print("\n(1b) browser boot: skipped (--no-browser)")
        else:
            b = bench_browser(work / "web")
            print("\n(1b) browser boot (headless Chromium, no CDN, the web client's own start):")
            if isinstance(b, str):
                print(f"    {b}")
            else:
                for run in range(3):
                    engine = b[f"run{run}_engine_s"] * 1000
                    shown = b[f"run{run}_first_screen_s"] * 1000
                    print(
                        f"    run {run}: goto -> Flutter view {engine:6.0f} ms,"
                        f" -> first-run screen in semantics {shown:6.0f} ms"
                    )
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
