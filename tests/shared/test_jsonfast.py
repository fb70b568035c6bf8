"""shared.jsonfast gives exactly the standard library's values, only faster."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared import jsonfast

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_loads_and_dumps_round_trip_like_the_standard_library(value: object) -> None:
    text = json.dumps(value, ensure_ascii=False)
    assert jsonfast.loads(text) == json.loads(text)
    assert jsonfast.loads(text.encode("utf-8", "surrogatepass")) == json.loads(text)
    assert json.loads(jsonfast.dumps(value)) == value


@pytest.mark.parametrize(
    "text",
    [
        "[123456789012345678901234]",
        '{"n": -123456789012345678901234}',
        '{"a": 1,"n":   98765432109876543210987}',
        "123456789012345678901234",
    ],
)
def test_integers_beyond_64_bits_load_as_exact_integers(text: str) -> None:
    value = jsonfast.loads(text)
    assert value == json.loads(text)
    assert "e+" not in repr(value)


def test_a_long_digit_run_inside_a_string_keeps_its_value() -> None:
    text = '{"id": "a1234567890123456789012b", "n": 5}'
    assert jsonfast.loads(text) == {"id": "a1234567890123456789012b", "n": 5}


def test_nan_and_lone_surrogates_fall_back_to_the_standard_library() -> None:
    assert jsonfast.loads('{"x": NaN}')["x"] != jsonfast.loads('{"x": NaN}')["x"]  # NaN
    assert jsonfast.loads('"\\ud800"') == "\ud800"
    assert jsonfast.dumps("\ud800") == json.dumps("\ud800", ensure_ascii=False)
    assert jsonfast.dumps({1: "a"}) == '{"1":"a"}'


@pytest.mark.parametrize(
    "value", [{"notes": "货架补货完成", "n": 12, "x": 1.5}, [None, True, "✅"], {"n": 2**70}]
)
def test_utf8_dumps_are_the_text_dumps_writes(value: object) -> None:
    out = jsonfast.dumps_utf8(value)
    text = out.decode() if isinstance(out, bytes) else out
    assert text == jsonfast.dumps(value)


def test_a_lone_surrogate_stays_text_for_utf8_dumps() -> None:
    out = jsonfast.dumps_utf8({"t": "\udc00"})
    assert out == jsonfast.dumps({"t": "\udc00"}) and isinstance(out, str)


def test_invalid_json_raises_value_error() -> None:
    with pytest.raises(ValueError):
        jsonfast.loads(b'{"a": ')
    with pytest.raises(ValueError):
        jsonfast.loads(b"\xff\xfe{")


def test_without_orjson_the_standard_library_gives_the_same_text_and_values() -> None:
    """A device bundle may lack orjson: shared.jsonfast then uses json alone."""
    import subprocess
    import sys

    probe = (
        "import sys, json; sys.modules['orjson'] = None\n"
        "from shared import jsonfast\n"
        "assert not jsonfast.HAVE_ORJSON\n"
        "v = {'名': [1, 2.5, None, True], 'n': 2**70}\n"
        "assert jsonfast.loads(jsonfast.dumps(v)) == v\n"
        "assert jsonfast.dumps_bytes(v) == jsonfast.dumps(v).encode()\n"
        "assert jsonfast.dumps_utf8(v) == jsonfast.dumps(v)\n"
        "assert jsonfast.dumps(v) == json.dumps(v, ensure_ascii=False, separators=(',', ':'))\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
