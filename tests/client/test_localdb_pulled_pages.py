"""Pulled pages on the device: a visit's JSON is stored as the text ``jsonfast.dumps`` writes
(bound as UTF-8 bytes, cast to text); customers are stored in bulk, the last copy winning."""

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


def test_pulled_customers_are_stored_in_bulk_and_the_last_copy_wins(tmp_path: Path) -> None:
    def change(seq: int, cid: str, name: str, version: int) -> IncomingChange:
        payload = {"id": cid, "org_id": "org1", "name": name, "lat": 22.5, "lon": 113.9}
        return IncomingChange(
            server_seq=seq,
            record_type="customer",
            record_id=cid,
            op="update" if version > 1 else "create",
            payload=payload,
            version=version,
        )

    with LocalStore.open(tmp_path / "local.db") as store:
        page1 = [change(1, "c1", "便利店", 1), change(2, "c2", "超市", 1)]
        store.apply_pulled_changes(page1, org_id="org1", cursor=2)
        # c1 changed twice in one page, c3 new: inserted then updated, the last copy wins
        page2 = [change(3, "c1", "便利店二号", 2), change(4, "c3", "药店", 1)]
        page2 += [change(5, "c1", "便利店三号", 3), change(6, "c3", "药店（新）", 2)]
        store.apply_pulled_changes(page2, org_id="org1", cursor=6)
        names = {c.id: c.name for c in store.list_customers("org1")}
        assert names == {"c1": "便利店三号", "c2": "超市", "c3": "药店（新）"}
    raw = sqlite3.connect(tmp_path / "local.db")
    assert raw.execute("SELECT version FROM customers WHERE id = 'c1'").fetchone() == (3,)
