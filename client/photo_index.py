"""The organisation's photo history as a reuse index, kept warm between visits.

Building a :class:`PhotoHashIndex` from 150,000 stored hashes takes about a second on a phone, so
the index is built once per open store and then topped up with the rows added since (the table is
append-only; a shrink — reset or revoke — rebuilds it).
"""

from __future__ import annotations

import threading
import weakref

from sqlalchemy import text

from client.localdb.store import LocalStore
from shared.photos.reuse import PhotoHashIndex

_SINCE = text(
    "SELECT rowid, sha256, phash, visit_id FROM photo_hashes WHERE rowid > :after ORDER BY rowid"
)
_SHAPE = text("SELECT count(*), coalesce(max(rowid), 0) FROM photo_hashes")


class _Cached:
    def __init__(self) -> None:
        self.index = PhotoHashIndex()
        self.count = 0
        self.max_rowid = 0


_CACHE: weakref.WeakKeyDictionary[LocalStore, _Cached] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def photo_index(store: LocalStore) -> PhotoHashIndex:
    """The reuse index over every photo hash in ``store``, current as of this call."""
    with _LOCK, store.engine.connect() as conn:
        count, max_rowid = conn.execute(_SHAPE).one()
        cached = _CACHE.get(store)
        if cached is None or count < cached.count:
            cached = _CACHE[store] = _Cached()
        if max_rowid > cached.max_rowid:
            for rowid, sha, phash, visit_id in conn.execute(_SINCE, {"after": cached.max_rowid}):
                cached.index.add(sha, phash, visit_id)
                cached.max_rowid = rowid
            cached.count = count
        return cached.index
