"""The pull's fast paths: items built without pydantic, reports stored as pulled, pages
prefetched while the previous one is applied (client/sync/pull.py, client/localdb/pulled.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from client.localdb.pulled import _report_text
from client.localdb.store import LocalStore
from client.sync.engine import SyncEngine
from client.sync.pull import _well_formed
from shared.changes import IncomingChange
from tests.sim.harness import (
    FlaskTransport,
    World,
    capture,
    engine_for,
    local_visit_ids,
    make_world,
    new_device,
    server_records,
)

VISIT_ITEM = {
    "server_seq": 7,
    "record_type": "visit",
    "record_id": "v1",
    "op": "create",
    "payload": {"id": "v1"},
    "version": 1,
    "report": '{"counts":true,"visit_id":"v1","results":[]}',
}


@pytest.mark.parametrize(
    "item",
    [
        VISIT_ITEM,
        {**VISIT_ITEM, "report": {"results": []}},
        {**VISIT_ITEM, "report": None, "op": "delete", "payload": {}},
        {k: v for k, v in VISIT_ITEM.items() if k not in ("version", "report", "payload")},
        {**VISIT_ITEM, "record_type": "customer", "op": "update", "version": 3},
    ],
)
def test_a_well_typed_item_is_built_exactly_as_pydantic_would(item: dict[str, Any]) -> None:
    fast = _well_formed(item)
    assert fast is not None
    assert fast.model_dump() == IncomingChange.model_validate(item).model_dump()


@pytest.mark.parametrize(
    "item",
    [
        {**VISIT_ITEM, "server_seq": True},  # a bool is not a sequence number
        {**VISIT_ITEM, "server_seq": 0},
        {**VISIT_ITEM, "server_seq": "7"},  # pydantic coerces; the fast path leaves it to it
        {**VISIT_ITEM, "record_type": "hologram"},  # unknown to this app version
        {**VISIT_ITEM, "op": "explode"},
        {**VISIT_ITEM, "surprise": 1},
        {**VISIT_ITEM, "payload": []},
        {**VISIT_ITEM, "report": 5},
        ["not", "a", "dict"],
    ],
)
def test_anything_unusual_is_left_to_pydantic(item: Any) -> None:
    assert _well_formed(item) is None


def test_a_report_pulled_as_text_with_its_verdict_first_is_stored_as_sent_minus_the_verdict():
    text = '{"counts":false,"visit_id":"v1","engine_version":1,"results":[]}'
    assert _report_text(text, "v1") == ('{"visit_id":"v1","engine_version":1,"results":[]}', False)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # an older server's order
        ('{"visit_id":"v1","engine_version":1,"results":[],"counts":true}',
         {"visit_id": "v1", "engine_version": 1, "results": []}),
        # the device's own claim is the server's evidence, not part of the verdict
        ('{"counts":true,"visit_id":"v1","results":[],"device_report":{"counts":false}}',
         {"visit_id": "v1", "results": []}),
    ],
)  # fmt: skip
def test_other_report_texts_are_decoded_and_cleaned_before_they_are_stored(
    text: str, kept: dict[str, Any]
) -> None:
    judged = _report_text(text, "v1")
    assert judged is not None
    assert json.loads(judged[0]) == kept and judged[1] is True


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '{"counts":true}', '"a string"'])
def test_a_report_text_of_the_wrong_shape_is_dropped(text: str) -> None:
    assert _report_text(text, "v1") is None


class RecordingTransport(FlaskTransport):
    """The real server through Flask's test client, allowed to prefetch like HTTP; it notes the
    device's committed cursor when each page is asked for."""

    prefetch_pulls = True

    def __init__(self, world: World, store: LocalStore) -> None:
        super().__init__(world.client(), lambda: store.get_meta("session.token"))
        self.store = store
        self.asked: list[tuple[int, int]] = []  # (cursor asked for, cursor committed)

    def pull(self, cursor: int, limit: int) -> dict[str, Any]:
        committed = int(self.store.get_meta("sync.cursor") or 0)
        self.asked.append((cursor, committed))
        return super().pull(cursor, limit)


def test_prefetched_pages_are_applied_in_order_exactly_once(tmp_path: Path) -> None:
    world = make_world(tmp_path / "server")
    writer = new_device(world, tmp_path / "a.db", "rep1")
    assert engine_for(world, writer).sync().ok
    vids = {capture(writer, world, "rep1", "rep1-c0", seed=i, photos=0) for i in range(9)}
    assert engine_for(world, writer).sync().ok

    reader = new_device(world, tmp_path / "b.db", "rep1")
    transport = RecordingTransport(world, reader)
    result = SyncEngine(reader, transport, sleep=lambda _s: None, pull_limit=2).sync()

    assert result.ok, result
    assert local_visit_ids(reader) == set(server_records(world, "visit")) >= vids
    asked = [c for c, _ in transport.asked]
    assert asked == sorted(set(asked)), "each page asked for once, in cursor order"
    ahead = [(c, done) for c, done in transport.asked if c > done]
    assert ahead, "pages were prefetched while the previous one was applied"
    assert all(asked.index(c) >= 1 and asked[asked.index(c) - 1] == done for c, done in ahead), (
        "at most one page ahead of what is committed"
    )
    assert reader.get_meta("sync.cursor") == str(world.storage.org_position(world.org_id)[0])
