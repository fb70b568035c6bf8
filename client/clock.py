"""The device's clocks: wall time (evidence only) and a monotonic clock for trusted time.

The trusted time of a capture is ``anchor.server_time + (now_ms - anchor_ms)`` where both
readings come from :func:`elapsed_ms`. That clock must keep counting while the phone sleeps and
cannot be set by the user: CLOCK_BOOTTIME where the OS has it (Linux, Android), else
``time.monotonic``. Readings are only comparable within one boot, so an anchor carries the boot id.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

_BOOT_ID_FILE = Path("/proc/sys/kernel/random/boot_id")


def elapsed_ms() -> int:
    clock = getattr(time, "CLOCK_BOOTTIME", None)
    if clock is not None:
        return int(time.clock_gettime(clock) * 1000)
    return int(time.monotonic() * 1000)


def boot_id() -> str:
    """An id that changes at every boot ('' where the OS does not expose one)."""
    try:
        return _BOOT_ID_FILE.read_text().strip()
    except OSError:
        return ""


def wall_now() -> datetime:
    """The device wall clock, aware. Kept as evidence; never trusted on its own."""
    return datetime.now(UTC).astimezone()
