"""Fast JSON for the sync hot paths (orjson), giving exactly the standard library's values.

The server always has orjson. The device uses it where it is installed (desktop, web, tests)
and the standard library where it is not (a mobile bundle without an orjson build): the values
are the same either way.

orjson is several times faster than ``json`` but reads integers beyond 64 bits as floats and
refuses NaN, Infinity and lone surrogates. Text with a number of 19+ digits, and anything
orjson refuses, goes through ``json`` instead, so every value loads as it did before. (A run of
19 digits inside a string — a hex id — is common and harmless: only a run where a number can
start, after ``[``, ``:`` or ``,``, sends the text to ``json``.) When dumping,
what orjson cannot write (huge integers, non-string keys, lone surrogates) falls back to
``json``; NaN and Infinity (not JSON) are written as ``null`` (as pydantic's JSON mode does).
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - the mobile bundle may lack it
    orjson = None  # type: ignore[assignment]

HAVE_ORJSON = orjson is not None

# Every digit becomes "0", every other byte a space: a run of 19 digits is then one ``in``
# (a regex scan would cost more than the parse).
_DIGITS_ONLY = bytes(48 if 48 <= i <= 57 else 32 for i in range(256))
_LONG_RUN = b"0" * 19
_BEFORE_NUMBER = frozenset(b"[:,")
_SKIP_BACK = frozenset(b" \t\r\n-")


def _has_long_number(raw: bytes) -> bool:
    """Does a run of 19+ digits start where a JSON number can (after ``[``, ``:`` or ``,``)?"""
    digits = raw.translate(_DIGITS_ONLY)
    at = digits.find(_LONG_RUN)
    while at != -1:
        j = at - 1
        while j >= 0 and raw[j] in _SKIP_BACK:
            j -= 1
        if j < 0 or raw[j] in _BEFORE_NUMBER:
            return True
        end = digits.find(b" ", at)
        if end == -1:
            return False
        at = digits.find(_LONG_RUN, end)
    return False


def loads(text: str | bytes) -> Any:
    """``json.loads(text)``, faster."""
    if orjson is None:
        return json.loads(text)
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    if not _has_long_number(raw):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def dumps_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON."""
    if orjson is None:
        return _std_dumps(value).encode("utf-8", "surrogatepass")
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8", "surrogatepass"
        )


def dumps_utf8(value: Any) -> bytes | str:
    """``dumps(value)`` as its UTF-8 bytes where orjson writes it (no decoding to str), else
    ``dumps(value)`` itself: what orjson refuses (a lone surrogate) cannot be valid UTF-8.
    For a database that takes the bytes as text (SQLite ``CAST(? AS TEXT)``)."""
    if orjson is not None:
        try:
            return orjson.dumps(value)
        except TypeError:
            pass
    return dumps(value)


def dumps(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":"))``, faster."""
    if orjson is None:
        return _std_dumps(value)
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _std_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
