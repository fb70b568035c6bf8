"""Every model built with shared.trusted_models.trusted is the one model_validate gives."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from client.sync.pull import _well_formed as incoming
from shared.changes import IncomingChange, OutgoingChange
from shared.validation.engine import validate_visit
from shared.validation.report import ValidationReport
from sync_server.sync.push import _well_formed as outgoing
from tests.support.factories import make_context, make_visit


def _same_as_validated(obj: BaseModel, data: Any) -> None:
    cls = type(obj)
    assert list(obj.__dict__) == list(cls.model_fields)  # every field, in field order
    assert obj == cls.model_validate(data)
    assert obj.model_dump_json() == cls.model_validate(data).model_dump_json()


def test_the_engines_report() -> None:
    report = validate_visit(make_visit(), make_context())
    assert isinstance(report, ValidationReport)
    _same_as_validated(report, report.model_dump())


def test_a_pushed_change() -> None:
    item = {"seq": 2, "record_type": "customer", "record_id": "c1", "op": "update",
            "payload": {"name": "x"}, "base_version": 3}  # fmt: skip
    change = outgoing(item, 2)
    assert isinstance(change, OutgoingChange)
    _same_as_validated(change, item)


def test_a_pulled_change() -> None:
    item = {"server_seq": 9, "record_type": "visit", "record_id": "v1", "op": "create",
            "payload": {"id": "v1"}, "version": 1, "report": '{"counts":true}'}  # fmt: skip
    change = incoming(item)
    assert isinstance(change, IncomingChange)
    _same_as_validated(change, item)
