"""Traffic lights and exact threshold comparison."""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction


class Light(StrEnum):
    GREEN = "green"  # 绿灯: on target
    YELLOW = "yellow"  # 黄灯: close, act now
    RED = "red"  # 红灯: off target
    GREY = "grey"  # 灰灯: nothing to judge yet (no existing customers / no cases)


def exact(value: float | int) -> Fraction:
    """A setting as the decimal number the admin typed (2.3 is 23/10, not the nearest double)."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
