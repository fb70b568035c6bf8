"""The device's local store: SQLite (WAL) + content-addressed blobs. See docs/local-store.md.

The names below are imported on first use (PEP 562): importing ``client.localdb.store`` to open
the store must not import every repository, SQLAlchemy and pydantic with them (app start,
bench/bench_app.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from client.localdb.blobs import BlobStore
    from client.localdb.outbox import OutboxEntry
    from client.localdb.prefill import OrderRow, Prefill
    from client.localdb.store import LocalStore
    from client.localdb.visits import StoredPhoto, StoredPhotoInput, StoredVisit

_EXPORTS = {
    "BlobStore": "client.localdb.blobs",
    "LocalStore": "client.localdb.store",
    "OrderRow": "client.localdb.prefill",
    "OutboxEntry": "client.localdb.outbox",
    "Prefill": "client.localdb.prefill",
    "StoredPhoto": "client.localdb.visits",
    "StoredPhotoInput": "client.localdb.visits",
    "StoredVisit": "client.localdb.visits",
}

__all__ = [
    "BlobStore",
    "LocalStore",
    "OrderRow",
    "OutboxEntry",
    "Prefill",
    "StoredPhoto",
    "StoredPhotoInput",
    "StoredVisit",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:  # a submodule not imported yet: ``from client.localdb import outbox``
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
