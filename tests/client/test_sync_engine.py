"""The sync engine against the real server in-process: pages and cursors, progress, two devices
of one rep, concurrent edits, deletes, scope changes, backoff and error decoding."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from client.localdb.store import LocalStore
from client.sync.api import SyncPhase, SyncProgress
from client.sync.retry import RetryPolicy
from client.sync.transport import Reply, ServerError, decode
from shared.customers import Customer
from sync_server.sync.orgdata import upsert_customers
from tests.sim.faults import SimulatedCrash
from tests.sim.harness import (
    capture,
    engine_for,
    local_customers,
    local_visit_ids,
    make_world,
    new_device,
    server_records,
)


def test_a_crash_inside_a_page_transaction_leaves_neither_the_page_nor_its_cursor(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    store = new_device(world, tmp_path / "d.db", "rep1")
    pages = []

    def crash_on_second_page(step: str) -> None:
        if step == "pull.page_in_transaction":
            pages.append(store.get_meta("sync.cursor"))
            if len(pages) == 2:
                raise SimulatedCrash(step)

    with pytest.raises(SimulatedCrash):
        engine_for(world, store, pull_limit=2, checkpoint=crash_on_second_page).sync()
    store.close()
    store = LocalStore.open(tmp_path / "d.db")
    cursor = int(store.get_meta("sync.cursor") or 0)
    assert 0 < cursor < world.storage.org_position(world.org_id)[0]
    assert len(local_customers(store)) <= 2  # only the first committed page's rows
    assert engine_for(world, store, pull_limit=2).sync().ok
    assert set(local_customers(store)) == set(world.customers["rep1"])
    store.close()


def test_progress_reports_phases_in_order_with_records_and_bytes(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    store = new_device(world, tmp_path / "d.db", "rep1")
    assert engine_for(world, store).sync().ok
    for i in range(3):
        capture(store, world, "rep1", "rep1-c0", seed=i, photos=2)
    events: list[SyncProgress] = []
    result = engine_for(world, store, push_batch=2, chunk_size=2048).sync(events.append)
    assert result.ok
    phases = [e.phase for e in events]
    order = [SyncPhase.CONNECTING, SyncPhase.PUSHING, SyncPhase.UPLOADING, SyncPhase.PULLING]
    assert [p for p in dict.fromkeys(phases) if p in order] == order
    assert phases[-1] is SyncPhase.DONE
    pushes = [e for e in events if e.phase is SyncPhase.PUSHING]
    assert pushes[-1].records_done == pushes[-1].records_total == 3
    uploads = [e for e in events if e.phase is SyncPhase.UPLOADING]
    assert [e.bytes_done for e in uploads] == sorted(e.bytes_done for e in uploads)
    assert uploads[-1].bytes_done == uploads[-1].bytes_total == result.uploaded_bytes > 0


def test_a_broken_progress_callback_does_not_break_the_sync(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    store = new_device(world, tmp_path / "d.db", "rep1")

    def broken(_p: SyncProgress) -> None:
        raise RuntimeError("the UI went away")

    assert engine_for(world, store).sync(broken).ok
    assert local_customers(store)


def test_a_visit_from_the_reps_other_phone_arrives_as_synced_with_the_servers_verdict(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    phone = new_device(world, tmp_path / "phone.db", "rep1")
    tablet = new_device(world, tmp_path / "tablet.db", "rep1")
    other_rep = new_device(world, tmp_path / "rep2.db", "rep2")
    for s in (phone, tablet, other_rep):
        assert engine_for(world, s).sync().ok
    vid = capture(phone, world, "rep1", "rep1-c0", seed=1, photos=1)
    assert engine_for(world, phone).sync().ok
    assert engine_for(world, tablet).sync().ok
    assert engine_for(world, other_rep).sync().ok
    seen = tablet.get_visit(vid)
    assert seen.sync_state == "synced" and seen.visit == phone.get_visit(vid).visit
    assert vid not in local_visit_ids(other_rep)  # scoped: another rep never receives it
    tablet.void_visit(vid, "wrong store", voided_at=seen.visit.device_time)
    assert engine_for(world, tablet).sync().ok
    assert engine_for(world, phone).sync().ok
    assert phone.get_visit(vid).voided and phone.get_visit(vid).void_reason == "wrong store"


def test_different_fields_edited_on_two_phones_both_apply_without_conflict(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    a = new_device(world, tmp_path / "a.db", "rep1")
    b = new_device(world, tmp_path / "b.db", "rep1")
    for s in (a, b):
        assert engine_for(world, s).sync().ok
    a.edit_customer("rep1-c0", {"address": "New address"})
    b.edit_customer("rep1-c0", {"grade": "A"})
    results = [engine_for(world, s).sync() for s in (a, b, a)]
    assert all(r.ok and r.new_conflicts == 0 for r in results)
    expected = server_records(world, "customer")["rep1-c0"]
    assert expected["address"] == "New address" and expected["grade"] == "A"
    assert local_customers(a)["rep1-c0"] == local_customers(b)["rep1-c0"] == expected


def test_an_edit_made_while_a_sync_runs_is_neither_lost_nor_overwritten(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    store = new_device(world, tmp_path / "d.db", "rep1")
    assert engine_for(world, store).sync().ok
    other = new_device(world, tmp_path / "o.db", "rep1")
    assert engine_for(world, other).sync().ok
    other.edit_customer("rep1-c1", {"address": "Changed elsewhere"})
    assert engine_for(world, other).sync().ok

    def edit_mid_sync(step: str) -> None:
        # After the page arrived, before it is applied: the rep edits the same customer.
        if step == "pull.page_received" and store.pending_counts()["outbox"] == 0:
            store.edit_customer("rep1-c1", {"grade": "C"})

    engine_for(world, store, checkpoint=edit_mid_sync).sync()
    # The pull brought the other phone's address; the unsent grade stays visible on top.
    shown = local_customers(store)["rep1-c1"]
    assert shown["address"] == "Changed elsewhere" and shown["grade"] == "C"
    assert store.pending_counts()["outbox"] == 1
    assert engine_for(world, store).sync().ok
    assert server_records(world, "customer")["rep1-c1"]["grade"] == "C"


def test_an_edit_losing_a_conflict_after_the_pull_shows_the_servers_value_again(
    tmp_path: Path,
) -> None:
    """The edit is made mid-sync, after the page with the other phone's value was received:
    the next push conflicts and changes nothing on the server (no new position to pull), so the
    device must rebuild the customer from its server copy when the answer arrives."""
    world = make_world(tmp_path)
    store = new_device(world, tmp_path / "d.db", "rep1")
    other = new_device(world, tmp_path / "o.db", "rep1")
    assert engine_for(world, store).sync().ok and engine_for(world, other).sync().ok
    other.edit_customer("rep1-c1", {"grade": "A"})
    assert engine_for(world, other).sync().ok

    def edit_mid_sync(step: str) -> None:
        if step == "pull.page_received" and store.pending_counts()["outbox"] == 0:
            store.edit_customer("rep1-c1", {"grade": "C"})  # based on the old value B

    engine_for(world, store, checkpoint=edit_mid_sync).sync()
    assert local_customers(store)["rep1-c1"]["grade"] == "C"  # pending, shown on top
    result = engine_for(world, store).sync()
    assert result.ok and result.new_conflicts == 1
    assert local_customers(store)["rep1-c1"] == server_records(world, "customer")["rep1-c1"]
    assert local_customers(store)["rep1-c1"]["grade"] == "A"
    [conflict] = engine_for(world, store).status().open_conflicts
    assert (conflict.field, conflict.local_value, conflict.server_value) == ("grade", "C", "A")


def test_an_edit_of_a_customer_deleted_meanwhile_becomes_a_visible_conflict(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    rep = new_device(world, tmp_path / "rep.db", "rep1")
    manager = new_device(world, tmp_path / "mgr.db", "mgr1")
    assert engine_for(world, rep).sync().ok and engine_for(world, manager).sync().ok
    rep.edit_customer("rep1-c2", {"grade": "A"})
    with manager.transaction() as tx:  # the manager's app queues a delete
        from client.localdb import outbox
        from shared.changes import Op, RecordType

        outbox.append(tx, RecordType.CUSTOMER, "rep1-c2", Op.DELETE, {})
    assert engine_for(world, manager).sync().ok
    result = engine_for(world, rep).sync()
    assert result.ok and result.new_conflicts == 1
    [conflict] = engine_for(world, rep).status().open_conflicts
    assert (conflict.record_id, conflict.reason) == ("rep1-c2", "record_deleted")
    assert "rep1-c2" not in local_customers(rep)


def test_scope_revoked_while_offline_keeps_the_visit_and_refuses_the_edit_visibly(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    store = new_device(world, tmp_path / "d.db", "rep1")
    assert engine_for(world, store).sync().ok
    vid = capture(store, world, "rep1", "rep1-c0", seed=3, photos=0)  # while still assigned
    store.edit_customer("rep1-c0", {"grade": "A"})
    record = world.storage.get_record(world.org_id, "customer", "rep1-c0")
    assert record is not None
    rep2 = world.storage.find_user(world.org_id, "rep2")
    upsert_customers(world.storage, world.org_id, [(Customer.model_validate(record.payload), rep2)])
    result = engine_for(world, store).sync()
    assert result.ok
    assert vid in server_records(world, "visit")  # evidence captured while assigned counts
    reasons = {c.reason for c in engine_for(world, store).status().open_conflicts}
    assert reasons == {"scope_revoked"}
    assert "rep1-c0" not in local_customers(store)  # no longer theirs


def test_full_jitter_backoff_stays_within_its_exponential_ceiling() -> None:
    policy = RetryPolicy(base_s=0.5, cap_s=4.0)
    rng = random.Random(1)
    for attempt in range(8):
        ceiling = min(4.0, 0.5 * 2**attempt)
        delays = [policy.delay(attempt, rng) for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # the whole range is used
    assert policy.delay(0, rng, retry_after=7.0) >= 7.0


@pytest.mark.parametrize(
    ("reply", "code", "transient", "retry_after"),
    [
        (Reply(502, {}, b"<html>bad gateway</html>"), "http_error", True, None),
        (Reply(429, {"Retry-After": "3"}, b'{"code":"rate_limited","message":"x"}'),
         "rate_limited", True, 3.0),
        (Reply(410, {}, b'{"code":"reset_required","message":"m","details":{"cursor":3}}'),
         "reset_required", False, None),
    ],
)  # fmt: skip
def test_error_answers_decode_to_codes_even_when_the_body_is_not_json(
    reply: Reply, code: str, transient: bool, retry_after: float | None
) -> None:
    with pytest.raises(ServerError) as caught:
        decode(reply)
    assert caught.value.code == code
    assert caught.value.transient is transient
    assert caught.value.retry_after == retry_after


def test_a_v1_device_database_with_old_outbox_entries_upgrades_and_syncs_them(
    tmp_path: Path,
) -> None:
    """App upgrade: entries written by the first schema are pushed and answered after the
    upgrade, never dropped (the fixture's entries belong to another organisation, so the
    server refuses them — visibly, and the queue moves on)."""
    import shutil

    world = make_world(tmp_path)
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "localdb_v1.sqlite"
    db = tmp_path / "old.db"
    shutil.copy(fixture, db)
    store = LocalStore.open(db)
    pending = [e.seq for e in store.pending_changes()]
    assert pending
    store.close()
    store = new_device(world, db, "rep1")
    result = engine_for(world, store).sync()
    assert result.ok, result
    everything = [e.seq for e in store.outbox_entries()]
    # The entry acknowledged by the old server is pushed again too: this server never had it.
    assert result.requeued == len(everything) - len(pending)
    assert result.rejected == len(everything)
    assert store.pending_counts()["outbox"] == 0
    assert [e.seq for e in store.rejected_entries()] == everything


def test_record_types_without_a_table_of_their_own_are_kept_as_pulled(tmp_path: Path) -> None:
    """Ticket configuration (and any type a newer server adds) never stops a sync and is kept
    for the code that renders it."""
    from sync_server.tickets_seed import seed_ticket_config

    world = make_world(tmp_path)
    seed_ticket_config(world.storage, world.org_id)
    store = new_device(world, tmp_path / "d.db", "rep1")
    result = engine_for(world, store).sync()
    assert result.ok, result
    [(tree_id, version, payload)] = store.pulled_records("root_cause_tree")
    assert version >= 1 and payload == server_records(world, "root_cause_tree")[tree_id]
    assert {rid for rid, _, _ in store.pulled_records("answer_script")} == set(
        server_records(world, "answer_script")
    )
    assert store.pulled_records("ticket_routing") == []  # admins only: scoped away
