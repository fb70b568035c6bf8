"""Drafts: saved as the rep works, surviving the app being killed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from client.localdb import LocalStore
from shared.errors import InvalidInput


def test_a_draft_survives_closing_and_reopening_the_store(tmp_path: Path) -> None:
    path = tmp_path / "local.db"
    with LocalStore.open(path) as store:
        store.save_draft("d1", {"customer_id": "c1", "checklist": {"a": True}, "note": "货架"})
    with LocalStore.open(path) as store:
        assert store.load_draft("d1") == {
            "customer_id": "c1",
            "checklist": {"a": True},
            "note": "货架",
        }


def test_saving_a_draft_again_replaces_it_and_moves_it_to_the_top(tmp_path: Path) -> None:
    with LocalStore.open(tmp_path / "local.db") as store:
        store.save_draft("d1", {"step": 1})
        time.sleep(0.002)
        store.save_draft("d2", {"step": 1})
        time.sleep(0.002)
        store.save_draft("d1", {"step": 2})
        listed = store.list_drafts()
        assert [(d, data) for d, _, data in listed] == [("d1", {"step": 2}), ("d2", {"step": 1})]
        assert listed[0][1] > listed[1][1]


def test_a_deleted_draft_is_gone(tmp_path: Path) -> None:
    with LocalStore.open(tmp_path / "local.db") as store:
        store.save_draft("d1", {"step": 1})
        store.delete_draft("d1")
        store.delete_draft("never-there")
        assert store.load_draft("d1") is None
        assert store.list_drafts() == []


@pytest.mark.parametrize(
    ("draft_id", "data", "field"),
    [
        ("", {"a": 1}, "draft_id"),
        ("x" * 65, {"a": 1}, "draft_id"),
        ("d1", {"when": object()}, "data"),
        ("d1", {"n": float("nan")}, "data"),
        ("d1", ["not", "a", "dict"], "data"),
    ],
)
def test_a_draft_that_cannot_be_stored_is_refused_naming_the_field(
    tmp_path: Path, draft_id: str, data: object, field: str
) -> None:
    with LocalStore.open(tmp_path / "local.db") as store:
        store.save_draft("d0", {"keep": True})
        with pytest.raises(InvalidInput) as caught:
            store.save_draft(draft_id, data)  # type: ignore[arg-type]
        assert caught.value.field == field
        assert [d for d, _, _ in store.list_drafts()] == ["d0"]
