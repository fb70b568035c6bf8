"""Instructions the sync server spends per pushed visit, counted by valgrind (callgrind).

The 2-core machine is noisy: the same push costs the server 100-180 µs of CPU per visit from
run to run. An instruction count is the same whatever the machine is doing, so it tells
whether a change to the push path made it cheaper. Not part of ``make bench`` (it takes about
half a minute per backend under valgrind):

    .venv/bin/python bench/count_push_instructions.py [--backends sqlite,postgres] [--visits 1000]

It pushes ``--visits`` visits in-process (Flask's test client, 500 a request, after 1,000 to
warm up) and counts only those pushes: the server's Python and, on SQLite, SQLite itself (it
runs in the process). PostgreSQL's own work is in its own processes and not counted here
(``bench_sync_server.py`` prints its CPU per visit).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def measured_push(backend: str, visits: int) -> None:
    """Under valgrind: set up, then count the instructions of the pushes alone."""
    import bench_sync_server as bench

    from sync_server.app import create_app
    from sync_server.runtime import tune_gc
    from sync_server.storage import open_storage

    workdir = Path(tempfile.mkdtemp(prefix="fl-count-"))
    url, schema = bench.storage_url(backend, workdir)
    storage = open_storage(url)
    storage.migrate()
    try:
        b = bench.Backend(backend, url, workdir, storage=storage)
        ((user, customers),) = bench.make_org(b, "count", 1, 50)
        app = create_app(
            {"DATABASE_URL": url, "PHOTO_DIR": str(workdir / "photos"), **bench.FAST_ARGON}
        )
        client = app.test_client()
        answer = client.post(
            "/api/v1/auth/login",
            headers=bench.H,
            json={"org": "count", "username": user.username, "password": bench.PASSWORD,
                  "device_id": "device-count-1"},
        )  # fmt: skip
        headers = bench.auth(answer.get_json()["token"])
        tune_gc()

        def bodies(n: int, first: int) -> list[bytes]:
            changes = bench.visit_changes("count", user.id, customers, n, first)
            return bench.encode_batches(changes, 500)

        def push(requests: list[bytes]) -> None:
            for body in requests:
                got = client.post("/api/v1/sync/push", data=body, headers=headers)
                assert got.status_code == 200, got.data[:200]

        push(bodies(1000, 1))  # warm: caches, imports, the first statements prepared
        measured = bodies(visits, 1001)  # encoded before counting, as the benchmark does
        control = ["callgrind_control", "-i"]
        subprocess.run([*control, "on", str(os.getpid())], check=True, capture_output=True)
        push(measured)
        subprocess.run([*control, "off", str(os.getpid())], check=True, capture_output=True)
    finally:
        storage.close()
        bench.drop_schema(schema)
        shutil.rmtree(workdir, ignore_errors=True)


def count(backend: str, visits: int) -> int:
    """Run :func:`measured_push` under callgrind; the instructions it collected."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            "valgrind", "--tool=callgrind", "--instr-atstart=no",
            f"--callgrind-out-file={tmp}/callgrind.out",
            sys.executable, __file__, "--child", backend, str(visits),
        ]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE.parent)
    found = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode != 0 or not found:
        raise RuntimeError(f"the {backend} count failed:\n{out.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        measured_push(sys.argv[2], int(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--visits", type=int, default=1000)
    args = parser.parse_args()
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("SKIPPED: valgrind (callgrind) is not installed: apt-get install valgrind")
        return 1
    for backend in args.backends.split(","):
        total = count(backend, args.visits)
        print(
            f"{backend:9s} {total / args.visits:10,.0f} instructions per pushed visit", flush=True
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
