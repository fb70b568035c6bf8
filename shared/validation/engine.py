"""The validation engine: every rule, one report. The same code runs on device and server."""

from __future__ import annotations

from shared.settings import OrgSettings, RuleCode, Severity
from shared.trusted_models import trusted
from shared.trusted_time import TrustedTime, trusted_time
from shared.validation.context import PhotoHistory, ValidationContext
from shared.validation.report import ENGINE_VERSION, RuleResult, ValidationReport
from shared.validation.rules_gps import check_gps
from shared.validation.rules_photos import check_photos_evidence
from shared.validation.rules_sop import check_sop
from shared.validation.rules_time import check_time
from shared.visits import Visit

__all__ = ["PhotoHistory", "ValidationContext", "validate_visit"]

_ALL_RULES = len(RuleCode)
_ENABLED_CACHE: dict[int, tuple[OrgSettings, frozenset[RuleCode]]] = {}


def enabled_rules(settings: OrgSettings) -> frozenset[RuleCode]:
    """The rules not switched off; cached per settings object (settings are immutable)."""
    hit = _ENABLED_CACHE.get(id(settings))
    if hit is not None and hit[0] is settings:
        return hit[1]
    enabled = frozenset(c for c in RuleCode if settings.severity(c) is not Severity.OFF)
    if len(_ENABLED_CACHE) > 256:
        _ENABLED_CACHE.clear()
    _ENABLED_CACHE[id(settings)] = (settings, enabled)
    return enabled


def validate_visit(
    visit: Visit, ctx: ValidationContext, when: TrustedTime | None = None
) -> ValidationReport:
    """Judge ``visit`` against every enabled rule of the organisation.

    ``when`` is the visit's trusted time when the caller already computed it (the server does,
    to check the assignment at capture time). Never raises for a well-formed ``Visit``: every
    problem is a failed rule in the report.
    """
    enabled = enabled_rules(ctx.settings)
    if when is None:
        when = trusted_time(visit.device_time, visit.anchor, visit.elapsed_since_anchor_ms)
    results: list[RuleResult] = [
        *check_sop(visit, ctx),
        *check_gps(visit, ctx),
        *check_time(when, ctx),
        *check_photos_evidence(visit, when.value, ctx, enabled),
    ]
    # every value is already of its field's type (the results are RuleResults, the time an
    # aware datetime): built without pydantic's validation pass (shared/trusted_models.py)
    return trusted(
        ValidationReport,
        {
            "visit_id": visit.id,
            "engine_version": ENGINE_VERSION,
            "visit_time": when.value,
            "time_source": when.source._value_,  # .value: a slower descriptor
            "results": tuple(results)
            if len(enabled) == _ALL_RULES
            else tuple(r for r in results if r.code in enabled),
        },
    )
