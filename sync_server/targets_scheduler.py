"""The targets scheduler thread and the ``evaluate-targets`` command (docs/targets.md "Server").

``start_scheduler(app, storage)`` (app factory; ``TARGETS_SCHEDULER``, default on) starts one
daemon thread. It waits ``TARGETS_SCHEDULER_DELAY_S`` after start-up, then every
``TARGETS_SCHEDULER_INTERVAL_S`` (default hourly) runs ``evaluate_org`` for every organisation
with ``as_of`` = yesterday in that organisation's time zone. Periods already evaluated are
skipped by their key (``target_periods``), so restarts and several server processes never
evaluate a period twice. Errors are logged and retried at the next check.
"""

from __future__ import annotations

import logging
import threading
import weakref
from datetime import date

import click
from flask import Flask

from shared.errors import InvalidInput
from sync_server.storage.base import StorageBase
from sync_server.targets_engine import EvalResult, evaluate_org

log = logging.getLogger(__name__)
EXT = "fieldledger.targets_scheduler"


def org_ids(storage: StorageBase) -> list[str]:
    return [str(r[0]) for r in storage._all("SELECT id FROM orgs ORDER BY id")]  # type: ignore[attr-defined]


def run_all(storage: StorageBase) -> list[EvalResult]:
    """One scheduler check: every organisation's due periods."""
    out = []
    for org_id in org_ids(storage):
        try:
            out.append(evaluate_org(storage, org_id))
        except Exception:
            log.exception("target evaluation of %s failed; retried at the next check", org_id)
    return out


class TargetScheduler:
    """Holds the storage weakly: when the app and its storage are gone, the thread ends."""

    def __init__(self, storage: StorageBase, interval_s: float, delay_s: float) -> None:
        self._storage = weakref.ref(storage)
        self.interval_s = interval_s
        self.delay_s = delay_s
        self.checks = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="targets-scheduler", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout)

    def _run(self) -> None:
        if self._stop.wait(self.delay_s):
            return
        while not self._stop.is_set():
            storage = self._storage()
            if storage is None:
                return
            try:
                run_all(storage)
            except Exception:  # e.g. the database is unreachable: try again later
                log.exception("target scheduler check failed")
            del storage
            self.checks += 1
            if self._stop.wait(self.interval_s):
                return


def start_scheduler(app: Flask, storage: StorageBase) -> TargetScheduler | None:
    if not app.config.get("TARGETS_SCHEDULER", True):
        return None
    scheduler = TargetScheduler(
        storage,
        float(app.config.get("TARGETS_SCHEDULER_INTERVAL_S", 3600)),
        float(app.config.get("TARGETS_SCHEDULER_DELAY_S", 60)),
    )
    scheduler.start()
    app.extensions[EXT] = scheduler
    return scheduler


def register_target_commands(app: Flask) -> None:
    from sync_server.cli import _storage, friendly

    @app.cli.command("evaluate-targets")
    @click.option("--org", "org_id", default="", help="one organisation (default: all)")
    @click.option("--as-of", "as_of", default="", help="YYYY-MM-DD (default: yesterday)")
    @friendly
    def evaluate_targets(org_id: str, as_of: str) -> None:
        """Evaluate targets now: the latest month end and week end on or before --as-of."""
        day = None
        if as_of:
            try:
                day = date.fromisoformat(as_of)
            except ValueError:
                raise InvalidInput(
                    "--as-of must be a date YYYY-MM-DD",
                    message_zh="--as-of 必须是 YYYY-MM-DD 格式的日期",
                    field="as_of",
                ) from None
        storage = _storage()
        orgs = [org_id] if org_id else org_ids(storage)
        for org in orgs:
            if not storage.org_exists(org):
                raise InvalidInput(f"no organisation {org!r}", message_zh="组织不存在", field="org")
            r = evaluate_org(storage, org, day, force=True)
            click.echo(
                f"{org}: as of {r.as_of}; month end {_days(r.month_ends)}, week end"
                f" {_days(r.week_ends)}; {r.snapshots_written} snapshots,"
                f" {r.store_metrics_written} store metrics, {len(r.actions)} new actions"
            )
            for a in r.actions:
                who = a["rep_id"] + (f" / {a['industry']}" if a["industry"] else "")
                click.echo(f"  {a['kind']} {who} ({a['as_of']})")


def _days(days: list[date]) -> str:
    return ", ".join(d.isoformat() for d in days) or "-"
