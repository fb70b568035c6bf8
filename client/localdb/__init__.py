"""The device's local store: SQLite (WAL) + content-addressed blobs. See docs/local-store.md."""

from client.localdb.blobs import BlobStore
from client.localdb.outbox import OutboxEntry
from client.localdb.prefill import OrderRow, Prefill
from client.localdb.store import LocalStore
from client.localdb.visits import StoredPhoto, StoredPhotoInput, StoredVisit

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
