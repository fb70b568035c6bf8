"""The report the server stores per visit holds exactly the validation engine's report."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from shared import jsonfast
from shared.customers import Customer
from shared.settings import OrgSettings
from shared.sop import default_sop_templates
from shared.validation.engine import ValidationContext, validate_visit
from shared.validation.report import expand_report
from shared.visits import Visit
from sync_server.sync.context import default_calendar
from sync_server.sync.reports import stored_report
from tests.sync_server.server_support import visit_payload

STORE = (22.5333, 113.9304)


def _visit(minute: int, lat: float = STORE[0]) -> Visit:
    when = datetime(2024, 3, 12, 3, 0, tzinfo=UTC) + timedelta(minutes=minute)
    payload = visit_payload(
        "o",
        "c1",
        "r",
        f"v{minute}",
        device_time=when.isoformat(),
        anchor={"server_time": (when - timedelta(minutes=5)).isoformat()},
        gps={"lat": lat, "lon": STORE[1], "accuracy_m": 10.0},
    )
    return Visit.model_validate(payload)


def _refuse(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


@pytest.fixture
def ctx() -> ValidationContext:
    customer = Customer.model_validate(
        {"id": "c1", "org_id": "o", "name": "便利店", "lat": STORE[0], "lon": STORE[1]}
    )
    return ValidationContext(
        settings=OrgSettings(),
        calendar=default_calendar(),
        customer=customer,
        sop=dict(default_sop_templates())["replenishment"],
    )


@pytest.mark.parametrize("minute", [0, 1, 600])  # the second shares results with the first
def test_the_stored_report_is_the_engines_report_with_its_verdict_first(
    ctx: ValidationContext, minute: int
) -> None:
    validate_visit(_visit(0), ctx)  # warm the shared results
    report = validate_visit(_visit(minute), ctx)
    text = jsonfast.dumps(stored_report(report))
    assert text.startswith('{"counts":' + json.dumps(report.counts))
    assert expand_report(json.loads(text)) == report.to_json_dict()
    assert all(isinstance(r, list) for r in json.loads(text)["results"])  # compact


def test_the_devices_own_report_is_kept_last_whatever_it_holds(ctx: ValidationContext) -> None:
    report = validate_visit(_visit(2, lat=0.0), ctx)  # far from the store: does not count
    claim = {"counts": True, "huge": 2**70, "nan": float("nan"), "text": "\ud800"}
    text = jsonfast.dumps_bytes(stored_report(report, claim))
    stored = json.loads(text.decode("utf-8"), parse_constant=_refuse)  # UTF-8, no NaN
    keys = list(stored)
    assert keys[0] == "counts" and keys[-1] == "device_report"
    assert stored["counts"] is False
    claimed = stored["device_report"]
    assert claimed == {"counts": True, "huge": 2**70, "nan": None, "text": "\ud800"}
    stored.pop("device_report")
    assert expand_report(stored) == report.to_json_dict()


def test_a_device_reads_the_pulled_report_text_back_as_the_very_same_report(
    ctx: ValidationContext,
) -> None:
    from client.localdb.pulled import _report_text
    from client.localdb.visits import read_report

    for visit in (_visit(3), _visit(4, lat=0.0)):
        report = validate_visit(visit, ctx)
        judged = _report_text(jsonfast.dumps(stored_report(report)), visit.id)
        assert judged is not None and judged[1] is report.counts
        assert read_report(judged[0], visit.id) == report


def test_compact_results_drop_only_trailing_empty_values() -> None:
    from shared.validation.report import compact_result, expand_result

    full = {
        "code": "gps.mock_location",
        "passed": False,
        "severity": "block",
        "measured": False,
        "limit": 0,
        "unit": "",
        "subject": "",
        "message_zh": "检测到模拟定位",
        "message_en": "Mock location detected",
        "hint_zh": "",
        "hint_en": "",
    }
    row = compact_result(full)
    assert row == ["gps.mock_location", False, "block", False, 0, "", "", "检测到模拟定位",
                   "Mock location detected"]  # fmt: skip
    assert expand_result(row) == full


def test_a_result_measuring_beyond_64_bits_is_stored_exactly() -> None:
    from shared.settings import RuleCode
    from shared.validation.context import make_result
    from sync_server.sync.reports import _result_fragment

    result = make_result(OrgSettings(), RuleCode.PHOTOS_REQUIRED, True, "好", "ok", measured=2**70)
    doc = {"results": [_result_fragment(result)]}
    assert json.loads(jsonfast.dumps(doc))["results"] == [
        ["photos.required", True, "block", 2**70, None, "", "", "好", "ok"]
    ]
