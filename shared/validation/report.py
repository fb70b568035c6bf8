"""The validation report: one result per rule, each with its measured value and limit."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_jsonable_python

from shared.settings import RuleCode, Severity

ENGINE_VERSION = 1


class RuleResult(BaseModel):
    """The outcome of one rule (for per-photo rules, of one rule on one photo)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: RuleCode
    passed: bool
    severity: Severity
    measured: Any = None
    limit: Any = None
    unit: str = ""
    subject: str = Field(default="", description="e.g. the photo slot a per-photo rule checked")
    message_zh: str
    message_en: str
    hint_zh: str = Field(default="", description="what to do when it fails")
    hint_en: str = ""

    @property
    def blocks(self) -> bool:
        return not self.passed and self.severity is Severity.BLOCK

    @property
    def warns(self) -> bool:
        return not self.passed and self.severity is Severity.WARN

    def message(self, lang: str) -> str:
        return self.message_zh if lang.startswith("zh") else self.message_en

    def hint(self, lang: str) -> str:
        return self.hint_zh if lang.startswith("zh") else self.hint_en


class ValidationReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    visit_id: str
    engine_version: int = ENGINE_VERSION
    visit_time: datetime | None = Field(default=None, description="the trusted time judged")
    time_source: str = ""
    results: tuple[RuleResult, ...]

    @property
    def counts(self) -> bool:
        """True when no blocking rule failed: the visit counts."""
        return not any(r.blocks for r in self.results)

    @property
    def blocking(self) -> list[RuleResult]:
        return [r for r in self.results if r.blocks]

    @property
    def warnings(self) -> list[RuleResult]:
        return [r for r in self.results if r.warns]

    def result(self, code: RuleCode, subject: str = "") -> RuleResult | None:
        for r in self.results:
            if r.code is code and (not subject or r.subject == subject):
                return r
        return None

    def to_json_dict(self) -> dict[str, Any]:
        """``model_dump(mode="json")`` plus ``counts``, built directly (the server stores one
        per pushed visit): the same keys, order and values."""
        return {
            "visit_id": self.visit_id,
            "engine_version": self.engine_version,
            "visit_time": _json_value(self.visit_time),
            "time_source": self.time_source,
            "results": [_result_json(r) for r in self.results],
            "counts": self.counts,
        }


_PLAIN = (str, int, bool)


def _json_value(value: Any) -> Any:
    """A value as pydantic's JSON mode renders it (plain values pass through unchanged)."""
    kind = type(value)
    if value is None or kind in _PLAIN or (kind is float and math.isfinite(value)):
        return value
    return to_jsonable_python(value)


# JSON of the results shared through ``context.memo_result``: id -> (result, its JSON). The
# entries keep their results alive, so an id is never reused while it is here.
MEMO_JSON: dict[int, tuple[RuleResult, dict[str, Any]]] = {}


def _result_json(r: RuleResult) -> dict[str, Any]:
    hit = MEMO_JSON.get(id(r))
    if hit is not None and hit[0] is r:
        return dict(hit[1])  # a copy: callers may change what they get
    return _build_result_json(r)


def _build_result_json(r: RuleResult) -> dict[str, Any]:
    d = r.__dict__
    return {
        "code": d["code"]._value_,
        "passed": d["passed"],
        "severity": d["severity"]._value_,
        "measured": _json_value(d["measured"]),
        "limit": _json_value(d["limit"]),
        "unit": d["unit"],
        "subject": d["subject"],
        "message_zh": d["message_zh"],
        "message_en": d["message_en"],
        "hint_zh": d["hint_zh"],
        "hint_en": d["hint_en"],
    }


# --- the compact form the server stores and sends (docs/sync-protocol.md §7) -----------------
# Each result is a list of its values in RESULT_FIELDS order, trailing empty values ("" or
# null: hints of a passed rule, an empty subject...) left out: less than half the bytes of the
# object form, for every visit the server stores and every visit a device pulls.
RESULT_FIELDS = (
    "code",
    "passed",
    "severity",
    "measured",
    "limit",
    "unit",
    "subject",
    "message_zh",
    "message_en",
    "hint_zh",
    "hint_en",
)
_EMPTY_DEFAULTS: dict[str, Any] = {
    "measured": None,
    "limit": None,
    "unit": "",
    "subject": "",
    "message_zh": "",
    "message_en": "",
    "hint_zh": "",
    "hint_en": "",
}


def compact_result(result: dict[str, Any]) -> list[Any]:
    """A result's JSON object (``_build_result_json``) as its compact list."""
    row = [result[k] for k in RESULT_FIELDS]
    while row and (row[-1] is None or row[-1] == ""):
        row.pop()
    return row


def expand_result(row: list[Any]) -> dict[str, Any]:
    """A compact result back to its object form (a short or long list is left to validation,
    which names what is wrong)."""
    out = dict(zip(RESULT_FIELDS, row, strict=False))
    for key, default in _EMPTY_DEFAULTS.items():
        out.setdefault(key, default)
    if len(row) > len(RESULT_FIELDS):
        out["extra_values"] = row[len(RESULT_FIELDS) :]
    return out


def expand_report(data: dict[str, Any]) -> dict[str, Any]:
    """A stored or pulled report with compact results, in the object form (others unchanged)."""
    results = data.get("results")
    if not isinstance(results, list) or not any(isinstance(r, list) for r in results):
        return data
    return {
        **data,
        "results": [expand_result(r) if isinstance(r, list) else r for r in results],
    }
