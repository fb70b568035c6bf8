"""PostgreSQL's binary array format, written directly: a push's records as one array a column.

psycopg's array dumper calls an element dumper for every value in Python (about 9 µs of a
pushed visit's 12 columns). These encoders write the format ``array_send`` defines with one
``struct`` call or one ``bytes.join`` a column, and the wrappers carry the bytes to psycopg,
which sends them as they are, typed by the wrapper's OID.

Format (PostgreSQL ``src/backend/utils/adt/arrayfuncs.c``, ``array_send``), big-endian:
dimensions, a has-nulls flag, the element type's OID, then per dimension its length and lower
bound (1), then per element its length in bytes (-1: NULL) and its bytes. An empty array has no
dimensions. A text element's bytes are its text in the connection's encoding (UTF-8 here).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.adapt import Dumper
from psycopg.pq import Format

_HEAD = struct.Struct("!iiIii")
_EMPTY = struct.Struct("!iiI")
_NULL = b"\xff\xff\xff\xff"


class EncodedArray:
    """A one-dimensional array already in PostgreSQL's binary format."""

    __slots__ = ("data",)
    oid = 0  # the array type's OID

    def __init__(self, data: bytes) -> None:
        self.data = data


class TextArray(EncodedArray):
    __slots__ = ()
    oid = 1009


class Int8Array(EncodedArray):
    __slots__ = ()
    oid = 1016


class Int4Array(EncodedArray):
    __slots__ = ()
    oid = 1007


class Float8Array(EncodedArray):
    __slots__ = ()
    oid = 1022


def _head(element_oid: int, n: int, nulls: bool) -> bytes:
    if n == 0:
        return _EMPTY.pack(0, 0, element_oid)
    return _HEAD.pack(1, int(nulls), element_oid, n, 1)


def text_array(values: Sequence[str | bytes | None]) -> TextArray:
    """``text[]``: each value a str (encoded UTF-8; a lone surrogate raises
    UnicodeEncodeError, as psycopg would), bytes already UTF-8, or None."""
    n = len(values)
    if n and type(values[0]) is str and values.count(values[0]) == n:  # one value repeated
        b = values[0].encode()
        return TextArray(_head(25, n, False) + (len(b).to_bytes(4, "big") + b) * n)
    try:
        encoded = [v if type(v) is bytes else v.encode() for v in values]  # type: ignore[union-attr]
    except AttributeError:  # None (or another type) among them
        return _text_array_mixed(values)
    parts = [x for b in encoded for x in (len(b).to_bytes(4, "big"), b)]
    return TextArray(_head(25, n, False) + b"".join(parts))


def _text_array_mixed(values: Sequence[str | bytes | None]) -> TextArray:
    parts: list[bytes] = []
    add = parts.append
    nulls = False
    for v in values:
        if v is None:
            add(_NULL)
            nulls = True
            continue
        if isinstance(v, str):
            b = v.encode()
        elif isinstance(v, bytes):
            b = v
        else:
            raise TypeError(f"text element of type {type(v).__name__}")
        add(len(b).to_bytes(4, "big"))
        add(b)
    return TextArray(_head(25, len(values), nulls) + b"".join(parts))


@lru_cache(maxsize=256)
def _fixed(code: str, n: int) -> struct.Struct:
    return struct.Struct("!" + ("i" + code) * n)


def _fixed_array(code: str, size: int, element_oid: int, values: Sequence[float | None]) -> bytes:
    if None in values:  # rare: NULL elements, each its own length -1
        parts = [_NULL if v is None else struct.pack(f"!i{code}", size, v) for v in values]
        return _head(element_oid, len(values), True) + b"".join(parts)
    args: list[float] = []
    for v in values:
        args.append(size)
        args.append(v)  # type: ignore[arg-type]
    return _head(element_oid, len(values), False) + _fixed(code, len(values)).pack(*args)


def int8_array(values: Sequence[int | None]) -> Int8Array:
    """``bigint[]`` (a value outside 64 bits raises struct.error)."""
    return Int8Array(_fixed_array("q", 8, 20, values))


def int4_array(values: Sequence[int | None]) -> Int4Array:
    """``integer[]`` (a value outside 32 bits raises struct.error)."""
    return Int4Array(_fixed_array("i", 4, 23, values))


def float8_array(values: Sequence[float | None]) -> Float8Array:
    """``double precision[]``."""
    return Float8Array(_fixed_array("d", 8, 701, [None if v is None else float(v) for v in values]))


ENCODERS: dict[str, Callable[[Sequence[Any]], EncodedArray]] = {
    "text": text_array,
    "bigint": int8_array,
    "integer": int4_array,
    "double precision": float8_array,
}


def _dumper_for(cls: type[EncodedArray]) -> type[Dumper]:
    class _Sent(Dumper):
        format = Format.BINARY
        oid = cls.oid

        def dump(self, obj: EncodedArray) -> bytes:
            return obj.data

    _Sent.__name__ = f"{cls.__name__}Dumper"
    return _Sent


for _cls in (TextArray, Int8Array, Int4Array, Float8Array):
    psycopg.adapters.register_dumper(_cls, _dumper_for(_cls))
