"""A pulled visit's JSON is stored as the text ``jsonfast.dumps`` writes (bound as UTF-8
bytes and cast to text) and reads back as the visit the server sent."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from client.localdb import LocalStore
from shared import jsonfast
from shared.changes import IncomingChange
from tests.client.crash_writer import make_visit


def test_a_pulled_visit_in_chinese_is_stored_as_text_and_reads_back(tmp_path: Path) -> None:
    visit, _, _ = make_visit(visit_id="v-pulled")
    payload = {**visit.model_dump(mode="json"), "notes": "货架补货完成，店长签字 ✅"}
    change = IncomingChange(
        server_seq=7, record_type="visit", record_id="v-pulled", op="create", payload=payload
    )
    with LocalStore.open(tmp_path / "local.db") as store:
        store.apply_pulled_changes([change], org_id=visit.org_id, cursor=7)
        assert store.get_visit("v-pulled").visit.notes == "货架补货完成，店长签字 ✅"
    raw = sqlite3.connect(tmp_path / "local.db")
    kind, text = raw.execute(
        "SELECT typeof(visit_json), visit_json FROM visits WHERE id = 'v-pulled'"
    ).fetchone()
    assert kind == "text"
    assert text == jsonfast.dumps(payload)
