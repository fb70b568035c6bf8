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
from shared.visits import Visit
from sync_server.sync.context import default_calendar
from sync_server.sync.reports import stored_report

STORE = (22.5333, 113.9304)


def _visit(minute: int, lat: float = STORE[0]) -> Visit:
    when = datetime(2024, 3, 12, 3, 0, tzinfo=UTC) + timedelta(minutes=minute)
    return Visit.model_validate(
        {
            "id": f"v{minute}",
            "org_id": "o",
            "customer_id": "c1",
            "rep_id": "r",
            "action_type": "replenishment",
            "checklist": {"stock_counted": True},
            "result": {"stock_count": 12},
            "device_time": when.isoformat(),
            "anchor": {"server_time": (when - timedelta(minutes=5)).isoformat()},
            "elapsed_since_anchor_ms": 300_000,
            "gps": {"lat": lat, "lon": STORE[1], "accuracy_m": 10.0},
        }
    )


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
    assert json.loads(text) == report.to_json_dict()


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
    assert stored == report.to_json_dict()
