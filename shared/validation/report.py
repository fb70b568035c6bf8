"""The validation report: one result per rule, each with its measured value and limit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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
        data = self.model_dump(mode="json")
        data["counts"] = self.counts
        return data
