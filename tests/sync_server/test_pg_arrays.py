"""The binary arrays a push sends PostgreSQL read back as the values they were written from."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from sync_server.storage.pg_arrays import ENCODERS
from sync_server.storage.postgres import _array

pytestmark = pytest.mark.postgres

CASES: list[tuple[str, list[Any]]] = [
    ("text", ["a", "", "货架补货完成", "x" * 5000, 'quote " and \\ and {braces}, commas']),
    ("text", ["org-1"] * 7),  # one value repeated: written once, multiplied
    ("text", [b'{"json":"already utf-8 \xe8\xb4\xa7"}', "and text", None]),
    ("text", [None, None]),
    ("text", []),
    ("bigint", [0, 1, -2, 2**63 - 1, -(2**63)]),
    ("bigint", [5, None, 7]),
    ("integer", [0, 2**31 - 1, -(2**31)]),
    ("double precision", [0.0, -0.0, 1.5, 1e-300, -1e300, math.inf, 1.7e9]),
    ("double precision", [2.5, None]),
    ("double precision", []),
]


@pytest.fixture
def conn(pg_dsn: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(pg_dsn, autocommit=True) as c:
        yield c


def expected(values: list[Any]) -> list[Any]:
    return [v.decode() if isinstance(v, bytes) else v for v in values]


@pytest.mark.parametrize(("kind", "values"), CASES)
def test_each_array_reads_back_as_the_values_it_was_written_from(
    conn: psycopg.Connection[Any], kind: str, values: list[Any]
) -> None:
    row = conn.execute(f"SELECT %b::{kind}[]", [ENCODERS[kind](values)]).fetchone()
    assert row is not None
    assert row[0] == expected(values)


def test_an_array_of_rows_unnests_into_a_table_as_psycopg_would_send_it(
    conn: psycopg.Connection[Any],
) -> None:
    columns = [
        ("text", ["r1", "r2", "r3"]),
        ("bigint", [10, 11, 12]),
        ("integer", [0, 1, 0]),
        ("text", [b'{"n":1}', b'{"n":2}', None]),
        ("double precision", [1.25, 2.5, 3.75]),
    ]
    arrays = ", ".join(f"%b::{kind}[]" for kind, _ in columns)
    ours = conn.execute(
        f"SELECT * FROM unnest({arrays})", [ENCODERS[k](v) for k, v in columns]
    ).fetchall()
    theirs = conn.execute(
        f"SELECT * FROM unnest({arrays})", [expected(v) for _, v in columns]
    ).fetchall()
    assert (
        ours
        == theirs
        == [
            ("r1", 10, 0, '{"n":1}', 1.25),
            ("r2", 11, 1, '{"n":2}', 2.5),
            ("r3", 12, 0, None, 3.75),
        ]
    )


def test_values_the_encoders_refuse_go_to_psycopg_unchanged(
    conn: psycopg.Connection[Any],
) -> None:
    # beyond 64 bits: psycopg sends a numeric array, and the cast names the overflow
    big = _array("bigint", [1, 2**70])
    assert big == [1, 2**70]
    with pytest.raises(psycopg.errors.NumericValueOutOfRange):
        conn.execute("SELECT %b::bigint[]", [big])
    # a lone surrogate cannot be UTF-8: psycopg gets text (bytes decoded back) and refuses it
    lone = _array("text", [b"ok", "\udc00"])
    assert lone == ["ok", "\udc00"]
    with pytest.raises((UnicodeEncodeError, psycopg.DataError)):
        conn.execute("SELECT %b::text[]", [lone])
    # a type a text column cannot hold is not written as text
    assert _array("text", ["a", 3]) == ["a", 3]


def test_a_column_type_without_an_encoder_is_sent_by_psycopg() -> None:
    assert _array("boolean", [True, False]) == [True, False]
