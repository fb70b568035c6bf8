"""One conformance suite, run against every storage backend (SQLite and PostgreSQL)."""

from __future__ import annotations

import time

import pytest

from shared.changes import OutcomeStatus
from sync_server.storage.base import StorageBase, StoredRecord, TokenRow, UploadRow
from sync_server.sync.orgdata import upsert_customers
from sync_server.sync.pull import ResetRequired, pull_changes
from sync_server.sync.push import SEND_AHEAD, apply_push
from tests.sync_server.server_support import (
    Org,
    add_customer,
    change,
    customer,
    make_org,
    uid,
    visit_change,
)


def pull_all(storage: StorageBase, scope, cursor: int = 0, limit: int = 500):  # type: ignore[no-untyped-def]
    items = []
    while True:
        page = pull_changes(storage, scope, cursor, limit)
        items.extend(page.items)
        cursor = page.next_cursor
        if not page.has_more:
            return items, cursor


@pytest.fixture
def org(storage: StorageBase) -> Org:
    return make_org(storage)


def test_migrations_are_recorded_and_running_them_again_applies_nothing(storage: StorageBase):
    assert storage.schema_version() == 5  # 0005_records_write_indexes
    assert storage.migrate() == []


def test_a_push_gives_increasing_server_seqs_and_a_pull_returns_them_in_order(storage, org):
    cid = add_customer(storage, org)
    outcomes = apply_push(
        storage, org.rep1, [visit_change(i, org, org.rep1, cid) for i in (1, 2, 3)]
    )
    assert [o.status for o in outcomes] == [OutcomeStatus.APPLIED] * 3
    seqs = [o.server_seq for o in outcomes]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    items, cursor = pull_all(storage, org.rep1)
    visits = [i for i in items if i.record_type == "visit"]
    assert [v.server_seq for v in visits] == seqs
    assert all(v.report is not None and "results" in v.report for v in visits)
    assert cursor == storage.org_position(org.org_id)[0]


def test_a_repeated_device_seq_returns_the_first_outcome_and_stores_nothing_new(storage, org):
    cid = add_customer(storage, org)
    batch = [visit_change(1, org, org.rep1, cid)]
    first = apply_push(storage, org.rep1, batch)[0]
    before = storage.org_position(org.org_id)[0]
    again = apply_push(storage, org.rep1, batch)[0]
    assert again.status is OutcomeStatus.DUPLICATE
    assert again.first_status is OutcomeStatus.APPLIED
    assert again.server_seq == first.server_seq
    assert storage.org_position(org.org_id)[0] == before
    assert storage.device_max_seq(org.org_id, org.rep1.device_id) == 1


def test_a_bad_change_is_rejected_alone_and_stays_rejected_on_retry(storage, org):
    cid = add_customer(storage, org)
    bad = visit_change(2, org, org.rep1, cid)
    bad["payload"]["gps"] = {"lat": 123, "lon": 0, "accuracy_m": 5}
    batch = [visit_change(1, org, org.rep1, cid), bad, visit_change(3, org, org.rep1, cid)]
    outcomes = apply_push(storage, org.rep1, batch)
    assert [o.status.value for o in outcomes] == ["applied", "rejected", "applied"]
    assert outcomes[1].code == "invalid_input"
    assert outcomes[1].details["field"] == "payload.gps.lat"
    retry = apply_push(storage, org.rep1, batch)
    assert [o.first_status.value for o in retry if o.first_status] == [
        "applied",
        "rejected",
        "applied",
    ]


def test_visits_read_ahead_keep_each_changes_own_verdict_and_its_first_error(storage, org):
    cid = add_customer(storage, org)
    bad_payload = visit_change(1, org, org.rep1, cid)
    bad_payload["payload"]["device_time"] = "yesterday"
    wrong_op = visit_change(3, org, org.rep1, cid)
    wrong_op["op"] = "update"
    wrong_op["payload"]["gps"] = {"lat": 123}  # the op is refused before the payload is read
    same_id = visit_change(4, org, org.rep1, cid)
    batch = [bad_payload, visit_change(2, org, org.rep1, cid), wrong_op, same_id, dict(same_id)]
    batch[4]["seq"] = 5  # the same visit again under a new seq: already stored by seq 4
    out = apply_push(storage, org.rep1, batch)
    assert [o.status.value for o in out] == [
        "rejected", "applied", "rejected", "applied", "applied"
    ]  # fmt: skip
    assert out[0].details["field"] == "payload.device_time"
    assert out[2].code == "op_not_allowed"
    assert out[4].server_seq == out[3].server_seq  # stored once, answered twice
    assert out[4].details.get("already_stored") is True


def test_a_push_sent_again_is_read_ahead_but_answered_with_each_changes_first_outcome(storage, org):
    cid = add_customer(storage, org)
    bad_payload = visit_change(1, org, org.rep1, cid)
    bad_payload["payload"]["device_time"] = "yesterday"
    batch = [bad_payload, visit_change(2, org, org.rep1, cid), visit_change(3, org, org.rep1, cid)]
    first = apply_push(storage, org.rep1, batch)
    position = storage.org_position(org.org_id)[0]
    again = apply_push(storage, org.rep1, batch)  # every visit is parsed again, none judged
    assert [o.status.value for o in again] == ["duplicate"] * 3
    assert [o.first_status.value for o in again] == ["rejected", "applied", "applied"]
    assert again[0].details["field"] == "payload.device_time"
    assert [o.server_seq for o in again] == [o.server_seq for o in first]
    assert storage.org_position(org.org_id)[0] == position  # nothing stored the second time


def test_outcomes_are_found_by_seq_whether_near_together_or_far_apart(storage, org):
    cid = add_customer(storage, org)
    apply_push(storage, org.rep1, [visit_change(s, org, org.rep1, cid) for s in (1, 2, 3, 9000)])
    with storage.write(org.org_id) as tx:
        assert sorted(tx.outcomes(org.rep1.device_id, [1, 3, 4])) == [1, 3]  # one range
        assert sorted(tx.outcomes(org.rep1.device_id, [2, 9000])) == [2, 9000]  # one by one
        assert tx.outcomes(org.rep2.device_id, [1, 2, 3]) == {}  # another device's seqs


def test_lookups_asked_together_are_answered_in_any_order(storage, org):
    cid = add_customer(storage, org)
    apply_push(storage, org.rep1, [visit_change(1, org, org.rep1, cid)])
    with storage.write(org.org_id, bulk=True) as tx:
        outcomes = tx.outcomes_later(org.rep1.device_id, [1, 2])
        customers = tx.get_records_later("customer", [cid, "no-such-customer"])
        nothing = tx.get_records_later("visit", ["no-such-visit"])
        assert set(customers()) == {cid}  # read before the answer asked first
        assert nothing() == {}
        assert list(outcomes()) == [1]
        assert tx.get_records("customer", [cid])[cid].record_id == cid  # asked and read at once


def test_an_unparseable_change_is_rejected_with_its_field(storage, org):
    out = apply_push(storage, org.rep1, [{"seq": 1, "record_type": "nope", "record_id": "x"}])
    assert out[0].status is OutcomeStatus.REJECTED
    assert out[0].details["field"].startswith("changes[0].")


def test_a_failed_transaction_leaves_nothing_behind(storage, org):
    before = storage.org_position(org.org_id)[0]
    with pytest.raises(RuntimeError), storage.write(org.org_id) as tx:
        tx.next_seq()
        tx.put_records([])
        raise RuntimeError("boom")
    assert storage.org_position(org.org_id)[0] == before


def _note(org: Org, tx, n: int) -> StoredRecord:  # type: ignore[no-untyped-def]
    return StoredRecord(
        org.org_id, "customer", f"sent-ahead-{n}", 1, tx.next_seq(), {"n": n}, scope_kind="org"
    )


def test_rows_sent_ahead_are_read_back_in_the_transaction_and_rolled_back_with_it(storage, org):
    before = storage.org_position(org.org_id)[0]
    with pytest.raises(RuntimeError), storage.write(org.org_id, bulk=True) as tx:
        tx.put_records([_note(org, tx, 1)])
        tx.send_ahead()
        assert tx.get_records("customer", ["sent-ahead-1"])["sent-ahead-1"].payload == {"n": 1}
        raise RuntimeError("boom after sending ahead")
    assert storage.org_position(org.org_id)[0] == before
    assert storage.get_record(org.org_id, "customer", "sent-ahead-1") is None


def test_a_database_error_in_rows_sent_ahead_fails_the_push_and_the_next_one_works(storage, org):
    before = storage.org_position(org.org_id)[0]
    with pytest.raises(Exception) as failed, storage.write(org.org_id, bulk=True) as tx:
        first = _note(org, tx, 1)
        second = _note(org, tx, 2)
        second.server_seq = first.server_seq  # breaks the unique (org_id, server_seq) index
        tx.put_records([first])
        tx.send_ahead()
        tx.put_records([second])
        tx.send_ahead()
    assert not isinstance(failed.value, AssertionError)
    assert storage.get_record(org.org_id, "customer", "sent-ahead-1") is None
    assert storage.org_position(org.org_id)[0] == before
    with storage.write(org.org_id, bulk=True) as tx:  # the pooled connection is usable again
        tx.put_records([_note(org, tx, 3)])
    assert storage.get_record(org.org_id, "customer", "sent-ahead-3") is not None


@pytest.mark.parametrize("sent_between", [False, True])
def test_a_record_put_as_new_then_replaced_in_the_same_transaction_keeps_the_last(
    storage, org, sent_between
):
    with storage.write(org.org_id, bulk=True) as tx:
        first = _note(org, tx, 1)
        tx.put_records([first], known_new=True)  # a plain insert, when sent
        if sent_between:
            tx.send_ahead()
        second = _note(org, tx, 1)
        second.version, second.payload = 2, {"n": "replaced"}
        tx.put_records([second])  # replaces it whether or not the first was sent
    stored = storage.get_record(org.org_id, "customer", "sent-ahead-1")
    assert stored is not None
    assert (stored.version, stored.payload) == (2, {"n": "replaced"})


def test_a_push_longer_than_the_send_ahead_window_applies_every_change_once(storage, org):
    cid = add_customer(storage, org)
    n = SEND_AHEAD * 2 + 7
    batch = [visit_change(i, org, org.rep1, cid) for i in range(1, n + 1)]
    batch[SEND_AHEAD + 3]["payload"]["gps"] = {"lat": 123, "lon": 0, "accuracy_m": 5}
    outcomes = apply_push(storage, org.rep1, batch)
    assert [o.status.value for o in outcomes].count("applied") == n - 1
    assert outcomes[SEND_AHEAD + 3].status is OutcomeStatus.REJECTED
    again = apply_push(storage, org.rep1, batch)
    assert {o.status for o in again} == {OutcomeStatus.DUPLICATE}
    assert [o.server_seq for o in again] == [o.server_seq for o in outcomes]
    items, _ = pull_all(storage, org.rep1)
    assert len([i for i in items if i.record_type == "visit"]) == n - 1
    assert storage.device_max_seq(org.org_id, org.rep1.device_id) == n


def test_values_beyond_fast_json_are_stored_and_pulled_back_exactly(storage, org):
    # an integer beyond 64 bits and a lone surrogate: orjson cannot write them, so the rows
    # that hold them take the backend's slower path, which must store the very same values
    cid = add_customer(storage, org)
    huge = visit_change(1, org, org.rep1, cid)
    huge["payload"]["result"] = {"stock_count": 2**70}
    claim = visit_change(2, org, org.rep1, cid)
    claim["payload"]["device_report"] = {"huge": 2**70, "text": "\udc00"}
    outcomes = apply_push(storage, org.rep1, [huge, claim])
    assert [o.status for o in outcomes] == [OutcomeStatus.APPLIED] * 2
    items, _ = pull_all(storage, org.rep1)
    visits = {i.record_id: i for i in items if i.record_type == "visit"}
    assert visits[huge["record_id"]].payload["result"] == {"stock_count": 2**70}
    report = visits[claim["record_id"]].report
    assert report is not None and report["device_report"] == {"huge": 2**70, "text": "\udc00"}


def test_server_authoritative_records_cannot_be_pushed(storage, org):
    out = apply_push(storage, org.admin, [change(1, "settings", "settings", {})])
    assert out[0].status is OutcomeStatus.REJECTED
    assert out[0].code == "server_authoritative"


def test_the_same_visit_id_with_other_content_is_a_visible_conflict(storage, org):
    cid = add_customer(storage, org)
    first = visit_change(1, org, org.rep1, cid)
    apply_push(storage, org.rep1, [first])
    other = visit_change(2, org, org.rep1, cid, vid=first["record_id"], notes="changed")
    same = dict(first, seq=3)
    out = apply_push(storage, org.rep1, [other, same])
    assert out[0].status is OutcomeStatus.CONFLICT and out[0].code == "visit_id_taken"
    assert out[1].status is OutcomeStatus.APPLIED and out[1].details["already_stored"]
    assert [c.kind for c in storage.list_conflicts(org.rep1, "open")] == ["visit_id_taken"]


def test_a_visit_must_be_the_signed_in_reps_own(storage, org):
    cid = add_customer(storage, org)
    out = apply_push(storage, org.rep2, [visit_change(1, org, org.rep1, cid)])
    assert out[0].status is OutcomeStatus.REJECTED
    assert out[0].details["field"] == "payload.rep_id"


def test_different_fields_edited_concurrently_both_apply(storage, org):
    cid = add_customer(storage, org, address="old", grade="B")
    apply_push(
        storage,
        org.rep1,
        [
            change(
                1,
                "customer",
                cid,
                {"fields": {"address": "new addr"}, "base": {"address": "old"}},
                "update",
                1,
            )
        ],
    )
    out = apply_push(
        storage,
        org.manager,
        [
            change(
                1, "customer", cid, {"fields": {"grade": "A"}, "base": {"grade": "B"}}, "update", 1
            )
        ],
    )
    assert out[0].status is OutcomeStatus.APPLIED
    rec = storage.get_record(org.org_id, "customer", cid)
    assert rec is not None and rec.version == 3
    assert (rec.payload["address"], rec.payload["grade"]) == ("new addr", "A")


def test_the_same_field_edited_concurrently_keeps_the_first_and_a_conflict(storage, org):
    cid = add_customer(storage, org, address="old")
    apply_push(
        storage,
        org.manager,
        [
            change(
                1,
                "customer",
                cid,
                {"fields": {"address": "manager's"}, "base": {"address": "old"}},
                "update",
                1,
            )
        ],
    )
    out = apply_push(
        storage,
        org.rep1,
        [
            change(
                1,
                "customer",
                cid,
                {
                    "fields": {"address": "rep's", "grade": "A"},
                    "base": {"address": "old", "grade": ""},
                },
                "update",
                1,
            )
        ],
    )
    assert out[0].status is OutcomeStatus.CONFLICT and out[0].code == "field_conflict"
    rec = storage.get_record(org.org_id, "customer", cid)
    assert rec is not None
    assert rec.payload["address"] == "manager's" and rec.payload["grade"] == "A"
    for viewer in (org.rep1, org.manager, org.admin):
        conflicts = storage.list_conflicts(viewer, "open")
        assert [(c.field, c.server_value, c.device_value) for c in conflicts] == [
            ("address", "manager's", "rep's")
        ]
    assert storage.list_conflicts(org.other_team_rep, "all") == []


def test_an_update_of_a_customer_no_longer_assigned_is_a_conflict(storage, org):
    cid = add_customer(storage, org, owner="rep1")
    upsert_customers(storage, org.org_id, [(customer(org.org_id, cid), org.users["rep2"])])
    out = apply_push(
        storage,
        org.rep1,
        [
            change(
                1, "customer", cid, {"fields": {"grade": "A"}, "base": {"grade": ""}}, "update", 1
            )
        ],
    )
    assert out[0].status is OutcomeStatus.CONFLICT and out[0].code == "scope_revoked"
    assert [c.kind for c in storage.list_conflicts(org.manager, "open")] == ["scope_revoked"]


def test_a_reassigned_customer_leaves_the_former_reps_pull_as_a_delete(storage, org):
    cid = add_customer(storage, org, owner="rep1")
    _, cursor = pull_all(storage, org.rep1)
    upsert_customers(storage, org.org_id, [(customer(org.org_id, cid), org.users["rep3"])])
    items, _ = pull_all(storage, org.rep1, cursor)
    assert [(i.record_id, i.op, i.payload) for i in items] == [
        (cid, "delete", {"reason": "scope_exit"})
    ]
    new_owner, _ = pull_all(storage, org.other_team_rep)
    assert cid in {i.record_id for i in new_owner if i.op != "delete"}


def test_a_visit_captured_while_assigned_is_accepted_after_reassignment(storage, org):
    cid = add_customer(storage, org, owner="rep1")
    time.sleep(0.01)
    captured_at = time.time()
    time.sleep(0.01)
    captured = visit_change(1, org, org.rep1, cid)
    upsert_customers(storage, org.org_id, [(customer(org.org_id, cid), org.users["rep2"])])
    # The fixed 2024 capture time predates the assignment row: simulate "captured while
    # assigned" by dating the capture now, and "after revocation" by a date in the future.
    from datetime import UTC, datetime, timedelta

    assigned_at = datetime.fromtimestamp(captured_at, UTC)
    captured["payload"].update(
        device_time=assigned_at.isoformat(), anchor=None, elapsed_since_anchor_ms=None
    )
    late = visit_change(2, org, org.rep1, cid)
    late["payload"].update(
        device_time=(datetime.now(UTC) + timedelta(days=1)).isoformat(),
        anchor=None,
        elapsed_since_anchor_ms=None,
    )
    out = apply_push(storage, org.rep1, [captured, late])
    assert [o.status.value for o in out] == ["applied", "conflict"]
    assert out[1].code == "scope_revoked"


def test_scopes_see_only_their_records(storage, org):
    mine = add_customer(storage, org, owner="rep1")
    theirs = add_customer(storage, org, owner="rep3")
    apply_push(storage, org.rep1, [visit_change(1, org, org.rep1, mine)])
    other = make_org(storage)
    add_customer(storage, other, owner="rep1")

    def ids(scope):  # type: ignore[no-untyped-def]
        return {(i.record_type, i.record_id) for i in pull_all(storage, scope)[0]}

    rep1, rep2, mgr, admin = ids(org.rep1), ids(org.rep2), ids(org.manager), ids(org.admin)
    assert ("customer", mine) in rep1 and ("customer", theirs) not in rep1
    assert not any(t in ("customer", "visit") for t, _ in rep2)
    assert ("customer", mine) in mgr and ("customer", theirs) not in mgr
    assert {("customer", mine), ("customer", theirs)} <= admin
    assert ("settings", "settings") in rep2
    assert ids(other.admin).isdisjoint({("customer", mine), ("customer", theirs)})


def test_paging_returns_every_change_once_with_has_more(storage, org):
    cid = add_customer(storage, org)
    apply_push(storage, org.rep1, [visit_change(i, org, org.rep1, cid) for i in range(1, 26)])
    items, _ = pull_all(storage, org.rep1, 0, limit=4)
    keys = [(i.record_type, i.record_id) for i in items]
    assert len(keys) == len(set(keys))
    assert sum(1 for t, _ in keys if t == "visit") == 25
    page = pull_changes(storage, org.rep1, 0, 4)
    assert page.has_more and len(page.items) == 4 and page.next_cursor == page.items[-1].server_seq


def test_purged_tombstones_move_the_horizon_and_old_cursors_must_reset(storage, org):
    cid = add_customer(storage, org, owner="rep1")
    _, old_cursor = pull_all(storage, org.rep1)
    add_customer(storage, org, owner="rep1")
    out = apply_push(storage, org.admin, [change(1, "customer", cid, {}, "delete")])
    assert out[0].status is OutcomeStatus.APPLIED
    items, cursor = pull_all(storage, org.rep1, old_cursor)
    assert (cid, "delete") in {(i.record_id, i.op) for i in items}
    count, horizon = storage.purge_tombstones(org.org_id, time.time() + 1)
    assert count == 1 and horizon == out[0].server_seq
    with pytest.raises(ResetRequired):
        pull_changes(storage, org.rep1, old_cursor, 100)
    pull_changes(storage, org.rep1, cursor, 100)  # a cursor at or past the horizon is fine
    fresh, _ = pull_all(storage, org.rep1, 0)
    assert cid not in {i.record_id for i in fresh}


def test_accounts_devices_and_tokens_round_trip(storage, org):
    user = storage.find_user(org.org_id, "rep1")
    assert user is not None and user.role == "rep" and user.active
    storage.upsert_device(org.org_id, "dev1", user.id, "Phone", 1.0)
    storage.add_token(TokenRow("h1", org.org_id, user.id, "dev1", 99.0, None), 1.0)
    token = storage.get_token("h1")
    assert token is not None and token.revoked_at is None
    assert storage.revoke_device(org.org_id, "dev1", 2.0)
    assert storage.get_token("h1").revoked_at == 2.0  # type: ignore[union-attr]
    assert storage.get_device(org.org_id, "dev1").revoked_at == 2.0  # type: ignore[union-attr]
    storage.set_active(user.id, False)
    assert storage.get_user(user.id).active is False  # type: ignore[union-attr]
    storage.add_login_failure("k", 10.0)
    storage.add_login_failure("k", 20.0)
    assert storage.login_failures_since("k", 15.0) == [20.0]
    storage.clear_login_failures("k")
    assert storage.login_failures_since("k", 0.0) == []


def test_upload_offsets_are_compare_and_set(storage, org):
    sha = "a" * 64
    storage.create_upload(UploadRow(org.org_id, sha, 10, 0, False, "u", 1.0))
    assert storage.set_upload_offset(org.org_id, sha, 0, 4)
    assert not storage.set_upload_offset(org.org_id, sha, 0, 8)
    assert storage.get_upload(org.org_id, sha).offset == 4  # type: ignore[union-attr]
    assert [u.sha256 for u in storage.stale_uploads(2.0)] == [sha]
    storage.complete_upload(org.org_id, sha, 3.0)
    assert [u.sha256 for u in storage.unreferenced_uploads(4.0)] == [sha]


def test_meta_values_are_stored(storage):
    storage.set_meta("epoch", "e1")
    storage.set_meta("epoch", "e2")
    assert storage.get_meta("epoch") == "e2"
    assert storage.get_meta("missing") is None


def test_a_new_device_holds_no_seq(storage, org):
    assert storage.device_max_seq(org.org_id, uid()) == 0
