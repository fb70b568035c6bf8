"""Fast JSON for the sync hot paths (orjson), giving exactly the standard library's values.

orjson is several times faster than ``json`` but reads integers beyond 64 bits as floats and
refuses NaN, Infinity and lone surrogates. Text with a run of 19+ digits, and anything orjson
refuses, goes through ``json`` instead, so every value loads as it did before. When dumping,
what orjson cannot write (huge integers, non-string keys, lone surrogates) falls back to
``json``; NaN and Infinity (not JSON) are written as ``null`` (as pydantic's JSON mode does).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# Every digit becomes "0", every other byte a space: a run of 19 digits is then one ``in``
# (a regex scan would cost more than the parse).
_DIGITS_ONLY = bytes(48 if 48 <= i <= 57 else 32 for i in range(256))
_LONG_RUN = b"0" * 19


def loads(text: str | bytes) -> Any:
    """``json.loads(text)``, faster."""
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    if _LONG_RUN not in raw.translate(_DIGITS_ONLY):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def dumps_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8", "surrogatepass"
        )


def dumps(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":"))``, faster."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
