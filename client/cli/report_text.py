"""Plain-text rendering of validation reports and photo facts for the terminal."""

from __future__ import annotations

from typing import Any

from shared.validation.report import ValidationReport

_T = {
    "zh": {"counts": "✅ 本次拜访有效", "blocked": "❌ 本次拜访无效", "time": "判定时间"},
    "en": {
        "counts": "✅ The visit counts",
        "blocked": "❌ The visit does not count",
        "time": "Judged at",
    },
}


def render_report(report: ValidationReport, lang: str) -> str:
    t = _T["zh" if lang.startswith("zh") else "en"]
    lines = [t["counts"] if report.counts else t["blocked"]]
    if report.visit_time is not None:
        lines.append(f"{t['time']}: {report.visit_time.isoformat()} ({report.time_source})")
    for r in report.results:
        mark = "✓" if r.passed else ("✗" if r.blocks else "!")
        subject = f"[{r.subject}] " if r.subject else ""
        lines.append(f"  {mark} {r.code.value:<22} {subject}{r.message(lang)}")
        if not r.passed and r.hint(lang):
            lines.append(f"      → {r.hint(lang)}")
    return "\n".join(lines)


def render_facts(facts: dict[str, Any]) -> str:
    width = max(len(k) for k in facts)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in facts.items())
