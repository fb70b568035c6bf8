"""The server time anchor a device keeps: set at each contact, used for trusted capture time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from client import clock
from shared.visits import TimeAnchor

ANCHOR_TIME_KEY = "anchor.server_time"
ANCHOR_MS_KEY = "anchor.elapsed_ms"
ANCHOR_BOOT_KEY = "anchor.boot_id"


class MetaStore(Protocol):
    """What the anchor needs of the local store (``LocalStore`` provides it)."""

    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...


@dataclass(frozen=True)
class AnchorReading:
    anchor: TimeAnchor | None
    elapsed_since_anchor_ms: int | None


def save_anchor(store: MetaStore, server_time: datetime) -> None:
    """Record the server's time as seen now (call right after a server response)."""
    store.set_meta(ANCHOR_TIME_KEY, server_time.isoformat())
    store.set_meta(ANCHOR_MS_KEY, str(clock.elapsed_ms()))
    store.set_meta(ANCHOR_BOOT_KEY, clock.boot_id())


def read_anchor(store: MetaStore) -> AnchorReading:
    """The anchor and the elapsed time since it, or none when the device rebooted since."""
    raw_time, raw_ms = store.get_meta(ANCHOR_TIME_KEY), store.get_meta(ANCHOR_MS_KEY)
    boot = store.get_meta(ANCHOR_BOOT_KEY) or ""
    if raw_time is None or raw_ms is None or boot != clock.boot_id():
        return AnchorReading(None, None)
    elapsed = clock.elapsed_ms() - int(raw_ms)
    if elapsed < 0:
        return AnchorReading(None, None)
    anchor = TimeAnchor(server_time=datetime.fromisoformat(raw_time), boot_id=boot)
    return AnchorReading(anchor, elapsed)
