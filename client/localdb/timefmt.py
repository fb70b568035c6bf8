"""How times are stored: ISO-8601 UTC text with microseconds, fixed width (text order = time)."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.errors import InvalidInput


def time_text(value: datetime, *, field: str = "time") -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{field} needs a time zone",
            message_zh=f"{field} 缺少时区",
            field=field,
        )
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def now_text() -> str:
    return time_text(datetime.now(UTC))


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)
