"""The outbox: per-device seq, acknowledgement without deletion, requeue, failures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from client.localdb import LocalStore
from shared.customers import Customer
from tests.client.crash_writer import make_visit


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "local.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[LocalStore]:
    with LocalStore.open(db_path) as s:
        yield s


def save(store: LocalStore, visit_id: str, slots: tuple[str, ...] = ()) -> int:
    v, r, p = make_visit(visit_id=visit_id, slots=slots)
    return store.save_visit(v, r, p)


def test_seq_is_strictly_increasing_across_closing_and_reopening(db_path: Path) -> None:
    seqs = []
    for round_ in range(3):
        with LocalStore.open(db_path) as store:
            seqs += [save(store, f"v{round_}-{i}") for i in range(2)]
    assert seqs == [1, 2, 3, 4, 5, 6]


def test_the_device_id_is_made_once_and_kept(db_path: Path) -> None:
    with LocalStore.open(db_path) as first:
        device_id = first.device_id
    with LocalStore.open(db_path) as second:
        assert second.device_id == device_id
    assert len(device_id) == 32 and int(device_id, 16) >= 0


def test_mark_acked_keeps_the_entries_and_a_seq_is_never_reused(store: LocalStore) -> None:
    seqs = [save(store, f"v{i}") for i in range(3)]
    store.mark_acked(seqs[:2], server_epoch="epoch-A")

    assert [e.seq for e in store.pending_changes()] == [3]
    everything = store.outbox_entries()
    assert [(e.seq, e.server_epoch) for e in everything] == [
        (1, "epoch-A"),
        (2, "epoch-A"),
        (3, None),
    ]
    assert everything[0].acked_at is not None
    assert store.get_visit("v0").sync_state == "synced"
    assert store.get_visit("v2").sync_state == "pending"
    assert save(store, "v3") == 4


def test_requeue_makes_acknowledged_entries_pending_again_with_the_same_seq_and_payload(
    store: LocalStore,
) -> None:
    seqs = [save(store, f"v{i}") for i in range(4)]
    before = {e.seq: e.payload for e in store.outbox_entries()}
    store.mark_acked(seqs[:2], server_epoch="old")
    store.mark_acked(seqs[2:], server_epoch="new")

    assert store.requeue([1]) == 1
    assert [e.seq for e in store.pending_changes()] == [1]
    assert store.requeue_unless_epoch("new") == 1  # seq 2, acked by the old server
    assert [e.seq for e in store.pending_changes()] == [1, 2]
    assert store.requeue_after(3) == 1  # seq 4
    assert [e.seq for e in store.pending_changes()] == [1, 2, 4]
    assert {e.seq: e.payload for e in store.outbox_entries()} == before


def test_a_failure_is_counted_and_remembered_without_blocking_the_queue(store: LocalStore) -> None:
    save(store, "v0")
    save(store, "v1")
    store.record_failure(1, "server said: invalid")
    store.record_failure(1, "server said: still invalid")
    first, second = store.pending_changes()
    assert (first.attempts, first.last_error) == (2, "server said: still invalid")
    assert (second.attempts, second.last_error) == (0, "")


def test_pending_changes_respects_its_limit_in_seq_order(store: LocalStore) -> None:
    for i in range(5):
        save(store, f"v{i}")
    assert [e.seq for e in store.pending_changes(limit=2)] == [1, 2]


def test_pending_counts_count_visits_photos_and_entries(store: LocalStore) -> None:
    save(store, "v0", slots=("a", "b"))
    save(store, "v1", slots=("a",))
    store.void_visit("v1", "mistake", voided_at=make_visit(visit_id="x")[0].device_time)
    assert store.pending_counts() == {"visits": 2, "photos": 3, "outbox": 3}

    [first, *_] = store.pending_photo_uploads()
    store.mark_photo_uploaded(first)
    store.mark_acked([1], server_epoch="e")
    assert store.pending_counts() == {"visits": 1, "photos": 2, "outbox": 2}
    assert first not in store.pending_photo_uploads()
    assert any(p.uploaded for p in store.get_visit("v0").photos + store.get_visit("v1").photos)


def test_a_pulled_page_and_its_cursor_commit_together_or_not_at_all(store: LocalStore) -> None:
    customer = Customer(id="c9", org_id="org1", name="Shop", lat=22.5, lon=113.9)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        store.upsert_customers([customer], tx=tx)
        store.set_meta("pull_cursor", "10", tx=tx)
        assert store.get_meta("pull_cursor", tx=tx) == "10"
        raise RuntimeError("crash between page and cursor")
    assert store.get_meta("pull_cursor") is None
    assert store.list_customers("org1") == []

    with store.transaction() as tx:
        store.upsert_customers([customer], tx=tx)
        store.set_meta("pull_cursor", "10", tx=tx)
    assert store.get_meta("pull_cursor") == "10"
    assert store.get_customer("c9") == customer


@settings(max_examples=25, deadline=None)
@given(ops=st.lists(st.sampled_from(["save", "ack", "requeue", "fail", "reopen"]), max_size=12))
def test_seqs_only_grow_whatever_the_mix_of_operations(tmp_path_factory, ops: list[str]) -> None:
    path = tmp_path_factory.mktemp("prop") / "local.db"
    store = LocalStore.open(path)
    issued: list[int] = []
    try:
        for i, op in enumerate(ops):
            if op == "save":
                issued.append(save(store, f"v{i}"))
            elif op == "ack":
                store.mark_acked([e.seq for e in store.pending_changes()], server_epoch="e")
            elif op == "requeue":
                store.requeue(issued)
            elif op == "fail" and issued:
                store.record_failure(issued[-1], "boom")
            elif op == "reopen":
                store.close()
                store = LocalStore.open(path)
        issued.append(save(store, "last"))
        assert issued == sorted(set(issued))
        assert [e.seq for e in store.outbox_entries()] == issued
    finally:
        store.close()
