"""Escalations on the server: each breach fires once, survives a restart, and the scheduler
evaluates each period once (both backends). World: tests/sync_server/targets_support.py."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from pathlib import Path

from sync_server.api.targets import list_actions
from sync_server.targets_engine import evaluate_org
from sync_server.targets_scheduler import EXT
from tests.sync_server.conftest import Api, make_app
from tests.sync_server.targets_support import TargetsWorld, build, tworld_fixture  # noqa: F401

KINDS = ("supervisor_intervention", "attack_pack", "support_materials")


def kinds(w: TargetsWorld) -> Counter[tuple[str, str, str]]:
    names = {u.id: n for n, u in w.users.items() if hasattr(u, "id")}
    return Counter(
        (a["kind"], names[a["rep_id"]], a["as_of"]) for a in list_actions(w.api.storage, "acme")
    )


def records(w: TargetsWorld, record_type: str) -> list[tuple[str, int]]:
    rows = w.api.storage._all(  # type: ignore[attr-defined]
        "SELECT record_id, version FROM records WHERE org_id = 'acme' AND record_type = %s"
        " ORDER BY record_id",
        (record_type,),
    )
    return [(str(r[0]), int(r[1])) for r in rows]


def test_a_stock_breach_fires_once_and_a_restart_does_not_fire_it_again(tworld: TargetsWorld):
    storage = tworld.api.storage
    # 31 Jan: window 1 Nov .. 31 Jan, A ordered once (10 Jan), B never: (1 + 0) / 2 = 0.5, red.
    first = evaluate_org(storage, "acme", date(2025, 1, 31), force=True)
    assert first.actions == []  # one month below target is not a breach yet
    second = evaluate_org(storage, "acme", date(2025, 2, 28), force=True)
    assert [(a["kind"], a["as_of"], a["value"]) for a in second.actions] == [
        ("supervisor_intervention", "2025-02-28", 0.5)
    ]
    assert second.actions[0]["rep_id"] == tworld.users["rep1"].id
    tasks = records(tworld, "target_task")
    assert len(tasks) == 1

    tworld.restart()
    storage = tworld.api.storage
    again = evaluate_org(storage, "acme", date(2025, 2, 28), force=True)
    assert again.actions == []
    march = evaluate_org(storage, "acme", date(2025, 3, 31), force=True)
    assert "supervisor_intervention" not in {a["kind"] for a in march.actions}  # still active
    assert records(tworld, "target_task") == tasks  # same record, same version
    assert kinds(tworld)[("supervisor_intervention", "rep1", "2025-02-28")] == 1


def test_the_scheduler_catches_up_missed_weeks_and_evaluates_each_period_once(
    tworld: TargetsWorld,
):
    storage = tworld.api.storage
    evaluate_org(storage, "acme", date(2025, 2, 28))  # first run: latest month end and week end
    result = evaluate_org(storage, "acme", date(2025, 3, 31))
    assert result.month_ends == [date(2025, 3, 31)]
    # Weeks after the last evaluated one (Sun 23 Feb), caught up in one batch.
    assert result.week_ends == [date(2025, 3, d) for d in (2, 9, 16, 23, 30)]
    # rep1's N1 (visited 2 Jan) passes 68 days on 12 Mar: first week end after is 16 Mar.
    # rep2: N3 overdue on 16 Mar too; {10, 73}, {10, 80}, {10, 87} -> medians 41.5, 45,
    # 48.5 with an overdue case -> yellow on 16, 23 and 30 Mar -> support materials on 30 Mar.
    fired = sorted((a["kind"], a["industry"], a["as_of"]) for a in result.actions)
    assert fired == [
        ("attack_pack", "医疗器械", "2025-03-16"),
        ("attack_pack", "新能源", "2025-03-16"),
        ("supervisor_intervention", "", "2025-03-31"),  # rep1 red at 28 Feb and 31 Mar
        ("support_materials", "", "2025-03-30"),
    ]
    assert evaluate_org(storage, "acme", date(2025, 3, 31)).skipped  # already done
    tworld.restart()
    assert evaluate_org(tworld.api.storage, "acme", date(2025, 3, 31)).skipped
    forced = evaluate_org(tworld.api.storage, "acme", date(2025, 3, 31), force=True)
    assert forced.actions == [] and forced.snapshots_written == 0  # nothing changed
    assert sum(kinds(tworld).values()) == 4
    assert len(records(tworld, "material_delivery")) == 3


def test_a_breach_fires_again_only_after_a_green_light(tworld: TargetsWorld):
    storage = tworld.api.storage
    for day in (date(2025, 1, 31), date(2025, 2, 28)):
        evaluate_org(storage, "acme", day, force=True)
    # Orders make A's window Apr..Jun frequency 6 and B's 1: mean 3.5, green in June.
    orders = [
        {"erp_order_id": f"SO-G{i}", "customer_id": cid, "ordered_on": f"2025-{m:02d}-{d:02d}",
         "amount": "10"}
        for i, (cid, m, d) in enumerate(
            [("A", 4, 1), ("A", 4, 2), ("A", 5, 1), ("A", 5, 2), ("A", 6, 1), ("A", 6, 2),
             ("B", 6, 3)]
        )
    ]  # fmt: skip
    r = tworld.api.call("POST", "/api/v1/targets/orders/import", tworld.headers["admin1"],
                        json={"orders": orders})  # fmt: skip
    assert r.status_code == 200, r.json
    for day in (date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 31), date(2025, 6, 30)):
        evaluate_org(storage, "acme", day, force=True)
    # 30 Apr: Feb..Apr A 2, B 0 -> 1.0 red; 31 May: A 4, B 0 -> 2.0 yellow; 30 Jun green (ends
    # the breach); 31 Jul: May..Jul A 4, B 1 -> 2.5 green; 31 Aug: A 2, B 1 -> 1.5 red;
    # 30 Sep: 0 -> red, the second month below -> fires again.
    for day in (date(2025, 7, 31), date(2025, 8, 31), date(2025, 9, 30)):
        evaluate_org(storage, "acme", day, force=True)
    fired = sorted(d for (k, rep, d) in kinds(tworld) if k == KINDS[0] and rep == "rep1")
    assert fired == ["2025-02-28", "2025-09-30"]
    # rep2's N2 (first order 11 Jan) is an existing customer from April's window on, without
    # orders: red 30 Apr and 31 May -> rep2's own breach, once.
    rep2 = sorted(d for (k, rep, d) in kinds(tworld) if k == KINDS[0] and rep == "rep2")
    assert rep2 == ["2025-05-31"]
    assert len(records(tworld, "target_task")) == 3


def test_the_intervention_task_goes_to_the_reps_team_manager_only(tworld: TargetsWorld):
    for day in (date(2025, 1, 31), date(2025, 2, 28)):
        evaluate_org(tworld.api.storage, "acme", day, force=True)
    seen = {
        who: [c for c in tworld.pull(who) if c["record_type"] == "target_task"]
        for who in ("rep1", "rep2", "rep3", "mgr1", "admin1")
    }
    assert {who for who, tasks in seen.items() if tasks} == {"mgr1", "admin1"}
    task = seen["mgr1"][0]["payload"]
    assert task["rep_id"] == tworld.users["rep1"].id
    assert task["supervisor_ids"] == [tworld.users["mgr1"].id]
    assert "主管介入" in task["title_zh"] and task["state"] == "open"


def test_the_background_scheduler_evaluates_once_across_restarts(tmp_path: Path):
    over = {"OCR_ENABLED": False, "TARGETS_SCHEDULER": True, "TARGETS_SCHEDULER_DELAY_S": 0,
            "TARGETS_SCHEDULER_INTERVAL_S": 0.05}  # fmt: skip
    api = Api(make_app(tmp_path, **over))
    build(api, lambda: api)
    scheduler = api.app.extensions[EXT]
    end = time.monotonic() + 30
    while scheduler.checks < 3 and time.monotonic() < end:
        time.sleep(0.02)
    assert scheduler.checks >= 3
    scheduler.stop()
    periods = api.storage._all(  # type: ignore[attr-defined]
        "SELECT period_key, evaluated_at FROM target_periods WHERE org_id = 'acme'"
    )
    assert {str(k).split(":")[0] for k, _ in periods} == {"month", "week", "day"}
    api.storage.close()

    api2 = Api(make_app(tmp_path, **over))
    scheduler2 = api2.app.extensions[EXT]
    end = time.monotonic() + 30
    while scheduler2.checks < 3 and time.monotonic() < end:
        time.sleep(0.02)
    scheduler2.stop()
    assert scheduler2.checks >= 3
    after = api2.storage._all(  # type: ignore[attr-defined]
        "SELECT period_key, evaluated_at FROM target_periods WHERE org_id = 'acme'"
    )
    assert sorted(after) == sorted(periods)  # nothing evaluated twice, nothing re-stamped
    api2.storage.close()


def test_evaluate_targets_command_reports_what_fired(tworld: TargetsWorld):
    runner = tworld.api.app.test_cli_runner()
    first = runner.invoke(args=["evaluate-targets", "--org", "acme", "--as-of", "2025-01-31"])
    assert first.exit_code == 0, first.output
    out = runner.invoke(args=["evaluate-targets", "--org", "acme", "--as-of", "2025-02-28"])
    assert out.exit_code == 0, out.output
    assert "1 new actions" in out.output and "supervisor_intervention" in out.output
    again = runner.invoke(args=["evaluate-targets", "--org", "acme", "--as-of", "2025-02-28"])
    assert "0 new actions" in again.output
    bad = runner.invoke(args=["evaluate-targets", "--as-of", "31/02/2025"])
    assert bad.exit_code != 0 and "as_of" in bad.output and "Traceback" not in bad.output
    missing = runner.invoke(args=["evaluate-targets", "--org", "nope"])
    assert missing.exit_code != 0 and "org" in missing.output
