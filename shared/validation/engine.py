"""The validation engine: every rule, one report. The same code runs on device and server."""

from __future__ import annotations

from shared.settings import RuleCode, Severity
from shared.trusted_time import trusted_time
from shared.validation.context import PhotoHistory, ValidationContext
from shared.validation.report import RuleResult, ValidationReport
from shared.validation.rules_gps import check_gps
from shared.validation.rules_photos import check_photos_evidence
from shared.validation.rules_sop import check_checklist, check_photos, check_result_fields
from shared.validation.rules_time import check_time
from shared.visits import Visit

__all__ = ["PhotoHistory", "ValidationContext", "validate_visit"]


def validate_visit(visit: Visit, ctx: ValidationContext) -> ValidationReport:
    """Judge ``visit`` against every enabled rule of the organisation.

    Never raises for a well-formed ``Visit``: every problem is a failed rule in the report.
    """
    enabled = {code for code in RuleCode if ctx.settings.severity(code) is not Severity.OFF}
    when = trusted_time(visit.device_time, visit.anchor, visit.elapsed_since_anchor_ms)
    results: list[RuleResult] = [
        check_photos(visit, ctx),
        check_checklist(visit, ctx),
        check_result_fields(visit, ctx),
        *check_gps(visit, ctx),
        *check_time(when, ctx),
        *check_photos_evidence(visit, when.value, ctx, enabled),
    ]
    return ValidationReport(
        visit_id=visit.id,
        visit_time=when.value,
        time_source=when.source.value,
        results=tuple(r for r in results if r.code in enabled),
    )
