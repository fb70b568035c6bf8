"""The report the server stores with each pushed visit, serialized for the hot path.

The server re-validates every visit it receives, and a report holds a dozen rule results of
which most are shared by thousands of visits (``shared.validation.context.memo_result``: the
same GPS provider, the same workday, the same missing photo...). Each shared result is encoded
to JSON once here and embedded as an ``orjson.Fragment``; only the few per-visit results (work
hours, distance, accuracy) are encoded per visit. The stored text holds what
``ValidationReport.to_json_dict()`` holds, ``counts`` first and each result in its compact
list form (docs/sync-protocol.md §7).

Everything in the returned document is either a fragment or a plain str/int/bool, so orjson
never falls back to ``json`` on it (which could not write a fragment): the device's own report,
untrusted input, is encoded on its own with the fallback.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from shared.jsonfast import dumps_bytes
from shared.validation.report import (
    MEMO_JSON,
    RuleResult,
    ValidationReport,
    _json_value,
    compact_result,
)

_SHARED: dict[int, tuple[RuleResult, orjson.Fragment]] = {}
_SHARED_MAX = 8192


_INT64 = 2**63


def _result_fragment(r: RuleResult) -> orjson.Fragment | list[Any]:
    """A shared result: its JSON, encoded once. Any other: its compact list, which orjson
    encodes with the document (wrapped as encoded JSON only when orjson could not write it)."""
    hit = _SHARED.get(id(r))
    if hit is not None and hit[0] is r:
        return hit[1]
    memo = MEMO_JSON.get(id(r))
    if memo is not None and memo[0] is r:
        frag = orjson.Fragment(dumps_bytes(compact_result(memo[1])))
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        _SHARED[id(r)] = (r, frag)  # the entry keeps ``r`` alive: its id is not reused
        return frag
    d = r.__dict__
    measured, limit = _json_value(d["measured"]), _json_value(d["limit"])
    # compact_result(_build_result_json(r)), built directly
    row = [
        d["code"]._value_, d["passed"], d["severity"]._value_, measured, limit, d["unit"],
        d["subject"], d["message_zh"], d["message_en"], d["hint_zh"], d["hint_en"],
    ]  # fmt: skip
    while row[-1] == "" or row[-1] is None:
        row.pop()
    if (type(measured) is int and not -_INT64 <= measured < _INT64) or (
        type(limit) is int and not -_INT64 <= limit < _INT64
    ):
        return orjson.Fragment(dumps_bytes(row))  # beyond 64 bits: orjson could not write it
    return row


def _fragments(results: tuple[RuleResult, ...]) -> list[Any]:
    """``[_result_fragment(r) for r in results]``, the shared results' lookup inlined (most
    of a report's results are shared: a call each would cost more than the lookup)."""
    shared = _SHARED
    out: list[Any] = []
    for r in results:
        hit = shared.get(id(r))
        out.append(hit[1] if hit is not None and hit[0] is r else _result_fragment(r))
    return out


def stored_report(
    report: ValidationReport, device_report: Any = None, counts: bool | None = None
) -> dict[str, Any]:
    """``report.to_json_dict()`` with ``counts`` moved first and compact results
    (``shared.validation.report.compact_result``), plus the device's report, kept as evidence,
    last: what the server stores and sends."""
    doc: dict[str, Any] = {
        # first: a device pulling with report=text reads the verdict off the text's start
        "counts": counts if counts is not None else report.counts,
        "visit_id": report.visit_id,
        "engine_version": report.engine_version,
        "visit_time": _json_value(report.visit_time),
        "time_source": report.time_source,
        "results": _fragments(report.results),
    }
    if device_report is not None:
        doc["device_report"] = orjson.Fragment(_claim_json(device_report))
    return doc


def _claim_json(value: Any) -> bytes:
    """Untrusted JSON as valid UTF-8 JSON text: a lone surrogate escaped (not written raw),
    NaN and Infinity written as null (as orjson does), huge integers exact."""
    try:
        return orjson.dumps(value)
    except TypeError:
        plain = json.loads(json.dumps(value), parse_constant=lambda _name: None)
        return json.dumps(plain, separators=(",", ":")).encode("ascii")
