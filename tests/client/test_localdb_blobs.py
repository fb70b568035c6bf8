"""The content-addressed blob store and its garbage collection."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from client.localdb import BlobStore, LocalStore
from client.localdb.blobs import TMP_PREFIX
from shared.errors import InvalidInput, NotFound
from tests.client.crash_writer import make_visit


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_a_blob_is_named_by_its_sha256_and_leaves_no_temp_file(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "b")
    data = b"\xff\xd8 photo bytes"
    sha = blobs.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert blobs.path(sha) == tmp_path / "b" / sha[:2] / sha
    assert all_files(tmp_path / "b") == [blobs.path(sha)]
    assert blobs.get(sha) == data and blobs.has(sha) and blobs.verify(sha)


def test_putting_the_same_bytes_twice_is_idempotent(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "b")
    first = blobs.put(b"same")
    os.utime(blobs.path(first), (1, 1))
    assert blobs.put(b"same") == first
    assert list(blobs.all_hashes()) == [first]
    assert blobs.age_s(first) < 60  # touched again, so a running gc leaves it alone


def test_getting_a_missing_blob_is_not_found(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "b")
    with pytest.raises(NotFound) as caught:
        blobs.get("0" * 64)
    assert caught.value.field == "sha256"
    assert not blobs.has("0" * 64) and not blobs.verify("0" * 64)


@pytest.mark.parametrize("bad", ["", "abc", "../" + "0" * 61, "A" * 64, "g" * 64])
def test_a_name_that_is_not_a_sha256_is_refused(tmp_path: Path, bad: str) -> None:
    blobs = BlobStore(tmp_path / "b")
    with pytest.raises(InvalidInput) as caught:
        blobs.get(bad)
    assert caught.value.field == "sha256"


def test_verify_catches_bytes_changed_on_disk_and_delete_removes(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "b")
    sha = blobs.put(b"original")
    blobs.path(sha).write_bytes(b"tampered")
    assert not blobs.verify(sha)
    blobs.delete(sha)
    blobs.delete(sha)  # twice is fine
    assert not blobs.has(sha)


def test_gc_removes_old_orphans_and_temp_files_but_keeps_referenced_and_young_blobs(
    tmp_path: Path,
) -> None:
    with LocalStore.open(tmp_path / "local.db") as store:
        visit, report, photos = make_visit(visit_id="v1")
        store.save_visit(visit, report, photos)
        referenced = set(store.blobs.all_hashes())
        old_orphan = store.blobs.put(b"orphan from a crash")
        young_orphan = store.blobs.put(b"a visit being saved right now")
        stale_tmp = store.blobs.root / "ab" / f"{TMP_PREFIX}dead"
        stale_tmp.parent.mkdir(exist_ok=True)
        stale_tmp.write_bytes(b"half")
        long_ago = time.time() - 7200
        for p in (store.blobs.path(old_orphan), stale_tmp, *map(store.blobs.path, referenced)):
            os.utime(p, (long_ago, long_ago))

        assert store.gc_blobs() == 2

        assert set(store.blobs.all_hashes()) == referenced | {young_orphan}
        assert not stale_tmp.exists()
        assert len(referenced) == 4  # 2 stored + 2 thumbnails
