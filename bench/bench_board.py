"""Team-board benchmark: render the manager's board from local data with 200 reps' snapshots.

Run: ``.venv/bin/python bench/bench_board.py [--runs 5]``. Not a test: prints the median and the
ratio to the target (<= 1 s). One run = read the pulled ``target_snapshot`` records from the
device's SQLite store, build the view-model (latest month and week per rep), sort it, and build
the Flet controls of the board (DataTable with 200 rows x 10 cells, summary, exports row).
The store is filled once, through the real pull path, with a month and a week snapshot per rep
(each with 100 per-customer frequencies and 20 new-industry cases), and is not timed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from client.localdb.store import LocalStore
from client.screens.targets_board import board_pane
from shared.changes import IncomingChange, Op, RecordType

REPS = 200
TARGET_S = 1.0
LIGHTS = ("green", "yellow", "red", "grey")


def snapshot(rng: random.Random, rep: int, period: str) -> dict[str, Any]:
    light = LIGHTS[rng.randrange(4)]
    month = period == "month"
    end = "2025-03-31" if month else "2025-03-30"
    return {
        "rep_id": f"rep{rep:03d}",
        "rep_name": f"业务员{rep:03d}",
        "team_id": "t1",
        "period": period,
        "period_key": "2025-03" if month else "2025-W13",
        "start": "2025-03-01" if month else "2025-03-24",
        "end": end,
        "stock": {
            "as_of": end,
            "official": month,
            "window_start": "2025-01-01",
            "window_end": end,
            "value": round(rng.uniform(0, 4), 4),
            "light": light,
            "target": 2.3,
            "existing_customers": 100,
            "other_customers": 5,
            "customers": [
                {"customer_id": f"c{rep}-{i}", "frequency": rng.randrange(6)} for i in range(100)
            ],
        },
        "increment": {
            "as_of": end,
            "official": not month,
            "value": rng.uniform(10, 120),
            "light": LIGHTS[rng.randrange(4)],
            "target_days": 68,
            "overdue": rng.randrange(3),
            "cases": [
                {
                    "customer_id": f"n{rep}-{i}",
                    "industry": f"行业{i % 6}",
                    "first_visit_on": "2025-01-02",
                    "first_order_on": None,
                    "days": rng.randrange(120),
                    "overdue": False,
                    "in_figure": True,
                }
                for i in range(20)
            ],
        },
        "business": {
            "start": "2025-03-01",
            "end": end,
            "effective_touchpoints": rng.randrange(60),
            "inquiries": 3,
            "proposals": 2,
            "real_visits": 20,
            "all_visits": 24,
            "explicit_visits": 12,
            "need_explicitness_rate": 0.6,
            "decision_chain_depth": round(rng.uniform(0, 3), 4),
            "real_visit_rate": round(rng.uniform(0.5, 1), 4),
            "accounts": [],
        },
    }


def fill(store: LocalStore) -> None:
    rng = random.Random(5)
    changes = []
    for rep in range(REPS):
        for period in ("month", "week"):
            key = "2025-03" if period == "month" else "2025-W13"
            changes.append(
                IncomingChange(
                    server_seq=len(changes) + 1,
                    record_type=RecordType.TARGET_SNAPSHOT,
                    record_id=f"ts-rep{rep:03d}-{key}",
                    op=Op.CREATE,
                    payload=snapshot(rng, rep, period),
                )
            )
    store.apply_pulled_changes(changes, org_id="org1", cursor=len(changes))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = LocalStore.open(Path(tmp) / "local.db")
        fill(store)
        page = SimpleNamespace(width=1280, height=800, web=True)
        shell = SimpleNamespace(
            store=store,
            page=page,
            lang="zh",
            screens_state={},
            account=SimpleNamespace(org_id="org1", rep_id="mgr1"),
        )
        from client.i18n import t

        shell.tr = lambda key, **kw: t(key, "zh", **kw)
        shell.say = lambda msg: msg.text("zh") if msg else ""
        times = []
        rows = 0
        for _ in range(args.runs):
            start = time.perf_counter()
            pane = board_pane(shell)  # type: ignore[arg-type]
            times.append(time.perf_counter() - start)
            table = pane.controls[2].controls[0]  # type: ignore[attr-defined]
            rows = len(table.rows)
        store.close()
    median = statistics.median(times)
    print(f"team board from local data: {REPS} reps ({rows} rows x 10 cells), runs={args.runs}")
    print(f"  median {median:.3f} s  (min {min(times):.3f}, max {max(times):.3f})")
    print(f"  target <= {TARGET_S:.1f} s  ratio {median / TARGET_S:.2f}")


if __name__ == "__main__":
    main()
