"""Trustworthy visit time: the last server time anchor plus monotonic elapsed time.

Device wall clocks are wrong or changed on purpose; a monotonic clock cannot be set by the user.
So when the device holds an anchor (server time seen at its last contact) and the monotonic time
elapsed since, the visit time is ``anchor.server_time + elapsed``; the wall clock is kept as
evidence and its disagreement with that value is the skew.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shared.visits import TimeAnchor

# An anchor older than this is still used, but elapsed monotonic time that long is implausible
# for a phone that never rebooted; such a visit falls back to the device clock.
MAX_ANCHOR_AGE = timedelta(days=45)
_ZERO = timedelta(0)


class TimeSource(StrEnum):
    ANCHOR = "anchor"  # server anchor + monotonic elapsed: trusted
    DEVICE = "device"  # no usable anchor: the device wall clock, untrusted


@dataclass(frozen=True, slots=True)
class TrustedTime:
    """A judged time. A plain value (no validation): it is only ever derived from the aware
    datetimes of already-validated models, and the server computes one per pushed visit."""

    value: datetime  # aware
    source: TimeSource
    skew_s: float | None = None  # device wall clock minus anchored time, seconds

    @property
    def trusted(self) -> bool:
        return self.source is TimeSource.ANCHOR


def trusted_time(
    device_time: datetime, anchor: TimeAnchor | None, elapsed_since_anchor_ms: int | None
) -> TrustedTime:
    """The best time for an event captured at ``device_time`` (an aware wall-clock value)."""
    if anchor is not None and elapsed_since_anchor_ms is not None:
        elapsed = timedelta(milliseconds=elapsed_since_anchor_ms)
        if _ZERO <= elapsed <= MAX_ANCHOR_AGE:
            value = anchor.server_time + elapsed
            skew = (device_time - value).total_seconds()
            return TrustedTime(value, TimeSource.ANCHOR, skew)
    return TrustedTime(device_time, TimeSource.DEVICE, None)
