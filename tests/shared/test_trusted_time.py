"""Trusted time: the server anchor plus monotonic elapsed time beats the device clock."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.trusted_time import MAX_ANCHOR_AGE, TimeSource, trusted_time
from shared.visits import TimeAnchor
from tests.support.factories import utc

ANCHOR = TimeAnchor(server_time=utc(2025, 3, 12, 1, 0))


def test_anchor_plus_elapsed_gives_the_visit_time_whatever_the_wall_clock_says():
    t = trusted_time(utc(2030, 1, 1), ANCHOR, 90 * 60 * 1000)
    assert t.value == utc(2025, 3, 12, 2, 30)
    assert t.source is TimeSource.ANCHOR and t.trusted


def test_the_skew_is_the_wall_clock_minus_the_anchored_time():
    t = trusted_time(utc(2025, 3, 12, 2, 25), ANCHOR, 90 * 60 * 1000)
    assert t.skew_s == -300


def test_without_an_anchor_the_device_clock_is_used_untrusted():
    t = trusted_time(utc(2025, 3, 12, 2, 25), None, None)
    assert t.value == utc(2025, 3, 12, 2, 25)
    assert t.source is TimeSource.DEVICE and t.skew_s is None


def test_an_implausibly_old_anchor_falls_back_to_the_device_clock():
    too_long = int((MAX_ANCHOR_AGE + timedelta(days=1)) / timedelta(milliseconds=1))
    assert trusted_time(utc(2025, 5, 1), ANCHOR, too_long).source is TimeSource.DEVICE


@given(
    st.integers(min_value=0, max_value=int(MAX_ANCHOR_AGE / timedelta(milliseconds=1))),
    st.integers(min_value=-(10**9), max_value=10**9),
)
def test_the_anchored_time_never_depends_on_the_wall_clock(elapsed_ms, wall_offset_s):
    wall = ANCHOR.server_time + timedelta(seconds=wall_offset_s)
    t = trusted_time(wall, ANCHOR, elapsed_ms)
    assert t.value == ANCHOR.server_time + timedelta(milliseconds=elapsed_ms)
