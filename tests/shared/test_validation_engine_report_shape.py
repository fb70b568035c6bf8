"""The engine's report is built without pydantic's pass: it must equal a validated one."""

from __future__ import annotations

from shared.validation.engine import validate_visit
from shared.validation.report import ValidationReport
from tests.support.factories import make_context, make_visit


def test_the_engines_report_equals_the_same_report_validated_by_pydantic() -> None:
    report = validate_visit(make_visit(), make_context())
    again = ValidationReport.model_validate(report.model_dump())
    assert again == report
    assert report.model_fields_set == set(ValidationReport.model_fields)
    assert ValidationReport.model_validate_json(report.model_dump_json()) == report
