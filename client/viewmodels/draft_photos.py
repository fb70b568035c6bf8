"""Captured photo bytes of unfinished visits, kept beside the local database.

A separate content-addressed directory (not the visit blob store, whose garbage collection only
knows saved visits): a draft's photos survive the app being killed and are removed when the
draft is submitted or discarded.
"""

from __future__ import annotations

from client.localdb.blobs import BlobStore
from client.localdb.store import LocalStore


def draft_photo_store(store: LocalStore) -> BlobStore:
    return BlobStore(store.path.parent / f"{store.path.name}.draft-photos")
