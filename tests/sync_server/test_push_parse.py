"""Pushed changes are parsed without pydantic when well typed: exactly as pydantic would."""

from __future__ import annotations

from typing import Any

import pytest

from shared.changes import OutgoingChange
from sync_server.sync.push import _well_formed, parse_changes

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
