"""The store's light read path (client/localdb/reader.py) and its lazy rest.

What the first screen reads is answered with the standard library's sqlite3: it must say exactly
what the SQLAlchemy repositories say, opening a current store must import neither SQLAlchemy nor
pydantic, and the rest of the store (engine, repositories, the sync engine's part) must load on
first use or when warmed, never after the store was closed.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from client.localdb import LocalStore, outbox, tickets
from client.localdb import visits as visits_db
from client.localdb.schema import outbox_t, ticket_photos_t, visit_photos_t
from shared.customers import CoordSystem
from shared.errors import InvalidInput, StorageError
from shared.settings import OrgSettings
from tests.client.crash_writer import BASE_TIME, make_visit
from tests.support.factories import make_customer

ROOT = Path(__file__).resolve().parents[2]


def reopened(path: Path) -> LocalStore:
    """A store opened the way the app opens an existing device: through the light path."""
    LocalStore.open(path).close()
    return LocalStore.open(path)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = reopened(tmp_path / "device" / "local.db")
    yield s
    s.close()


def fill(store: LocalStore) -> None:
    """Customers in every coordinate system, one edited here, another organisation; visits of
    today and older, one voided; photos uploaded or not; acknowledged entries; ticket photos."""
    store.upsert_customers(
        [
            make_customer(id="c1"),
            make_customer(id="c2", name="科技园便利店", grade="B", coord_system=CoordSystem.GCJ02),
            make_customer(id="c3", name="华强超市", address="", coord_system=CoordSystem.BD09),
            make_customer(id="c4", name="别家的店", org_id="org2"),
        ]
    )
    store.edit_customer("c1", {"address": "新地址 1 号", "district": "福田"})
    for vid, cid, hours, slots in (
        ("v1", "c1", 1, ("storefront", "price_tag")),
        ("v2", "c2", -30, ("storefront",)),
        ("v3", "c3", 2, ()),
        ("v4", "c2", 3, ("storefront",)),
    ):
        when = BASE_TIME + timedelta(hours=hours)
        visit, report, photos = make_visit(
            visit_id=vid, customer_id=cid, device_time=when, slots=slots
        )
        store.save_visit(visit, report, photos)
    store.void_visit("v3", "wrong store", voided_at=BASE_TIME + timedelta(hours=4))
    [uploaded, *_] = store.pending_photo_uploads()
    store.mark_photo_uploaded(uploaded)
    store.mark_acked([1, 2], server_epoch="e1")
    shared_sha = store.get_visit("v4").photos[0].stored_sha256  # also a ticket's: counted once
    with store.transaction() as tx:
        tx.execute(
            ticket_photos_t.insert(),
            [  # ticket id, position, captured, stored, thumbnail, uploaded at
                dict(zip(ticket_photos_t.c.keys(), row, strict=True))
                for row in (
                    ("t1", 0, "a" * 64, "b" * 64, "c" * 64, None),
                    ("t1", 1, "d" * 64, shared_sha, "e" * 64, None),
                    ("t2", 0, "f" * 64, "9" * 64, "8" * 64, "2025-03-12T00:00:00.000000+00:00"),
                )
            ],
        )


def test_summaries_carry_what_the_full_customers_say_in_every_coordinate_system(
    store: LocalStore,
) -> None:
    fill(store)
    full = store.list_customers("org1")
    summaries = store.list_customer_summaries("org1")
    assert [s.id for s in summaries] == [c.id for c in full]
    for s, c in zip(summaries, full, strict=True):
        assert (s.name, s.address, s.district, s.grade) == (c.name, c.address, c.district, c.grade)
        assert (s.lat, s.lon) == (c.lat, c.lon)
        assert CoordSystem(s.coord_system) is c.coord_system
    assert {s.address for s in summaries} >= {"新地址 1 号"}  # the pending edit, as shown
    assert [s.id for s in store.list_customer_summaries("org2")] == ["c4"]
    assert len(store.list_customer_summaries("org1", limit=2)) == 2


def test_visited_since_and_meta_answer_as_the_repositories_do(store: LocalStore) -> None:
    fill(store)
    for since in (BASE_TIME - timedelta(days=2), BASE_TIME, BASE_TIME + timedelta(hours=2)):
        with store._read() as conn:
            expected = visits_db.customers_visited_since(conn, since)
        assert store.customers_visited_since(since) == expected
    assert store.customers_visited_since(BASE_TIME) == {"c1", "c2"}  # v3 voided, v2 older
    with pytest.raises(InvalidInput, match="needs a time zone"):
        store.customers_visited_since(datetime(2025, 3, 12))

    store.set_meta("app.lang", "en")
    with store.transaction() as tx:
        for key in ("device_id", "app.lang", outbox.NEXT_SEQ_KEY, "no.such.key"):
            assert store.get_meta(key) == store.get_meta(key, tx=tx)
    assert store.get_meta("no.such.key") is None


def test_pending_counts_equal_what_the_repositories_count(store: LocalStore) -> None:
    fill(store)
    with store._read() as conn:
        visit_photos = set(
            conn.execute(
                select(visit_photos_t.c.stored_sha256).where(visit_photos_t.c.uploaded_at.is_(None))
            ).scalars()
        )
        expected = {
            "visits": outbox.count_pending(conn, "visit"),
            "photos": len(visit_photos | set(tickets.pending_uploads(conn, -1))),
            "outbox": outbox.count_pending(conn),
        }
        entries = conn.execute(select(outbox_t.c.record_type, outbox_t.c.acked_at)).all()
    assert store.pending_counts() == expected
    # the figures themselves: the customer edit and v1 acknowledged; v2, v3, v4 and v3's void
    # pending; v1's second photo, v2's and v4's (also a ticket's) + one more ticket photo
    assert [r for r, acked in entries if acked is None] == ["visit", "visit", "visit", "visit_void"]
    assert expected == {"visits": 3, "photos": 4, "outbox": 4}


def test_the_time_zone_is_the_pulled_settings_one_or_their_default(store: LocalStore) -> None:
    assert store.org_timezone("org1") == OrgSettings().tz  # nothing pulled yet
    store.put_settings("org1", OrgSettings(timezone="Asia/Urumqi"))
    assert store.org_timezone("org1") == store.get_settings("org1").tz == ZoneInfo("Asia/Urumqi")
    assert store.org_timezone("org2") == store.get_settings("org2").tz


PROBE = """
import json, sys
from datetime import UTC, datetime
from client.localdb.store import LocalStore

heavy = lambda: sorted(m for m in ("sqlalchemy", "sqlmodel", "pydantic") if m in sys.modules)
store = LocalStore.open(sys.argv[1])
answers = [
    store.get_meta("app.lang"), len(store.list_customer_summaries("org1")),
    sorted(store.customers_visited_since(datetime(2025, 3, 1, tzinfo=UTC))),
    store.pending_counts(), str(store.org_timezone("org1")),
]
before = heavy()
store.warm()
print(json.dumps({"answers": answers, "before": before, "after": heavy()}))
store.close()
"""


def test_opening_a_store_and_the_first_screens_reads_import_no_sqlalchemy_or_pydantic(
    tmp_path: Path,
) -> None:
    path = tmp_path / "local.db"
    with LocalStore.open(path) as s:  # a device that has synced: settings pulled
        fill(s)
        s.set_meta("app.lang", "en")
        s.put_settings("org1", OrgSettings())
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["answers"] == [
        "en",
        3,
        ["c1", "c2"],
        {"visits": 3, "photos": 4, "outbox": 4},
        "Asia/Shanghai",
    ]
    assert out["before"] == []
    assert {"sqlalchemy", "pydantic"} <= set(out["after"])  # warmed: the rest is loaded


def test_a_store_without_a_device_id_or_at_another_version_is_made_ready_at_open(
    tmp_path: Path,
) -> None:
    path = tmp_path / "local.db"
    LocalStore.open(path).close()
    db = sqlite3.connect(path)
    db.execute("DELETE FROM meta WHERE key = 'device_id'")
    db.commit()
    db.close()
    with LocalStore.open(path) as store:
        made = store.device_id
        assert made and store.get_meta("device_id") == made
    with LocalStore.open(path) as store:
        assert store.device_id == made

    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StorageError, match="newer than this app knows"):
        LocalStore.open(path)


def test_the_sync_engines_part_of_the_store_works_before_anything_is_warmed(
    store: LocalStore,
) -> None:
    seq = store.create_customer(make_customer(id="c9", name="新开的店"))
    assert store.customer_version("c9") == 0 and seq == 1
    assert [e.record_id for e in store.rejected_entries()] == []
    assert [s.name for s in store.list_customer_summaries("org1")] == ["新开的店"]
    assert not hasattr(store, "no_such_method")
    with pytest.raises(AttributeError, match="no_such_method"):
        store.no_such_method  # noqa: B018


def test_warming_makes_the_engine_once_and_not_for_a_closed_store(tmp_path: Path) -> None:
    path = tmp_path / "local.db"
    store = reopened(path)
    assert store._engine is None  # the light path: nothing made yet
    store.warm()
    engine = store.engine
    store.warm()
    assert store.engine is engine
    store.close()

    closed = reopened(path)
    closed.close()
    closed.warm()  # e.g. the app's background warm-up after the session ended
    assert closed._engine is None
    # a closed store still answers (as SQLAlchemy's disposed pool reconnects)
    assert closed.get_meta("device_id") == store.device_id
    closed.set_meta("k", "v")
    assert closed.get_meta("k") == "v"
    closed.close()


def test_first_screen_reads_from_several_threads_while_visits_are_saved(
    store: LocalStore,
) -> None:
    store.upsert_customers([make_customer()])
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                counts = store.pending_counts()
                assert counts["visits"] == counts["outbox"]
                assert len(store.list_customer_summaries("org1")) == 1
                store.customers_visited_since(datetime.now(UTC))
        except BaseException as exc:  # reported below
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        for i in range(8):
            visit, report, photos = make_visit(visit_id=f"v{i}", slots=("storefront",))
            store.save_visit(visit, report, photos)
    finally:
        done.set()
        for t in readers:
            t.join(10)
    assert errors == []
    assert store.pending_counts() == {"visits": 8, "photos": 8, "outbox": 8}
