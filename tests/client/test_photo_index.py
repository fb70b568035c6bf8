"""The warm photo-history index: built once, topped up, rebuilt when the history shrinks."""

from __future__ import annotations

from sqlalchemy import text

from client.localdb.store import LocalStore
from client.photo_index import photo_index
from tests.support.factories import fake_hash, fake_phash


def rows(*labels: str) -> list[tuple[str, str, str]]:
    return [(fake_hash(x), fake_phash(x), f"visit-{x}") for x in labels]


def test_the_index_sees_rows_added_after_it_was_built(tmp_path):
    with LocalStore.open(tmp_path / "d.sqlite") as store:
        store.add_photo_hashes(rows("a", "b"))
        first = photo_index(store)
        assert len(first) == 2
        store.add_photo_hashes(rows("c"))
        again = photo_index(store)
        assert again is first and len(again) == 3
        hit = again.find(fake_hash("c"), fake_phash("c"), max_distance=0)
        assert hit is not None and hit.visit_id == "visit-c"


def test_the_index_is_rebuilt_when_the_history_shrinks(tmp_path):
    with LocalStore.open(tmp_path / "d.sqlite") as store:
        store.add_photo_hashes(rows("a", "b"))
        assert len(photo_index(store)) == 2
        with store.transaction() as tx:
            tx.execute(text("DELETE FROM photo_hashes"))
        store.add_photo_hashes(rows("z"))
        index = photo_index(store)
        assert len(index) == 1
        assert index.find(fake_hash("a"), fake_phash("a"), max_distance=0) is None


def test_each_store_has_its_own_index(tmp_path):
    with (
        LocalStore.open(tmp_path / "1.sqlite") as one,
        LocalStore.open(tmp_path / "2.sqlite") as two,
    ):
        one.add_photo_hashes(rows("a"))
        assert len(photo_index(one)) == 1 and len(photo_index(two)) == 0
