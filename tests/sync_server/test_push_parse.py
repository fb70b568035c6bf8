"""Pushed changes are parsed without pydantic when well typed: exactly as pydantic would."""

from __future__ import annotations

from typing import Any

import pytest

from shared.changes import OutgoingChange
from sync_server.sync.push import _well_formed, parse_changes
from tests.sync_server.server_support import visit_payload

VISIT = {"seq": 3, "record_type": "visit", "record_id": "v1", "op": "create", "payload": {"a": 1}}


@pytest.mark.parametrize(
    "item",
    [
        VISIT,
        {**VISIT, "record_type": "customer", "op": "update", "base_version": 4},
        {k: v for k, v in VISIT.items() if k != "payload"},
        {**VISIT, "base_version": None},
    ],
)
def test_a_well_typed_change_is_built_exactly_as_pydantic_would(item: dict[str, Any]) -> None:
    fast = _well_formed(item, item["seq"])
    assert fast is not None
    assert fast.model_dump() == OutgoingChange.model_validate(item).model_dump()


@pytest.mark.parametrize(
    "item",
    [
        {**VISIT, "record_id": ""},
        {**VISIT, "record_id": "x" * 65},
        {**VISIT, "record_id": 5},
        {**VISIT, "record_type": "hologram"},
        {**VISIT, "op": "explode"},
        {**VISIT, "payload": []},
        {**VISIT, "base_version": "4"},
        {**VISIT, "surprise": True},
    ],
)
def test_anything_unusual_goes_through_pydantic_and_names_the_field(item: dict[str, Any]) -> None:
    assert _well_formed(item, item["seq"]) is None
    ((seq, parsed, _raw),) = parse_changes([item])
    assert seq == 3
    if item.get("base_version") == "4":  # pydantic accepts a numeric string
        assert isinstance(parsed, OutgoingChange) and parsed.base_version == 4
    else:
        assert not isinstance(parsed, OutgoingChange)
        assert parsed.details["field"].startswith("changes[0]")


def test_a_visit_is_read_as_pydantics_own_validate_and_dump_would_read_it() -> None:
    from shared.visits import Visit
    from sync_server.sync.visits import read_visit

    payload = {
        **visit_payload("org1", "c1", "rep1"),
        "device_time": "2025-03-12T10:30:00.5+08:00",
        "gps": {"lat": 22.5, "lon": 113.9, "accuracy_m": 7, "taken_at": "2025-03-12T02:29:00Z"},
        "result": {"stock_count": 12, "note": "货架"},
    }
    change = OutgoingChange.model_validate(
        {
            "seq": 1,
            "record_type": "visit",
            "record_id": payload["id"],
            "op": "create",
            "payload": payload,
        }
    )
    visit, canonical, device_report = read_visit(change)
    assert visit == Visit.model_validate(payload)
    assert canonical == Visit.model_validate(payload).model_dump(mode="json")
    assert canonical["device_time"] == "2025-03-12T10:30:00.500000+08:00"
    assert device_report is None
