"""App start (issue 4, bench/bench_app.py): the first screen — the real customer list over the real
store — is sent before SQLAlchemy and pydantic are imported, and the rest of the store is loaded
in the background right after it.

Each case runs in a fresh interpreter (this test process has imported everything already).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from client.viewmodels.customers import CustomerListVM
from client.viewmodels.settings import LANG_KEY
from tests.client.vm_support import ORG, seeded_store

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import asyncio, json, sys, threading
from client.app import AppConfig, no_login
from client.localdb.store import LocalStore
from tests.client.screen_support import AppHarness, RecordingConnection

path, width, height, *names = sys.argv[1:]
heavy = lambda: sorted(m for m in ("sqlalchemy", "sqlmodel", "pydantic") if m in sys.modules)
first = {}


class Probe(RecordingConnection):
    def send_message(self, message):
        super().send_message(message)
        text = json.dumps(self.sent[-1], ensure_ascii=False, default=str)
        if not first and ("搜索客户" in text or "Search customers" in text):
            first.update(heavy=heavy(), names=[n for n in names if n in text])


async def main():
    config = AppConfig(lambda page: LocalStore.open(path), no_login, None)
    app = AppHarness(config, (float(width), float(height)))
    app.conn = Probe()
    await app.start()
    for t in threading.enumerate():
        if t.name == "store-warm":
            t.join(60)
    first["after"] = heavy()
    first["tablet"] = app.page.navigation_bar is None  # a NavigationRail instead
    app.close()


asyncio.run(main())
print(json.dumps(first, ensure_ascii=False))
"""


@pytest.mark.parametrize(
    ("size", "lang"), [((390, 844), "zh"), ((1280, 800), "en")], ids=["phone-zh", "tablet-en"]
)
def test_the_first_screen_is_sent_before_sqlalchemy_and_pydantic_are_loaded(
    tmp_path: Path, size: tuple[int, int], lang: str
) -> None:
    store = seeded_store(tmp_path)
    vm = CustomerListVM(store, ORG)
    vm.load()  # a device that started before: pinyin initials stored
    vm.wait_saved()
    names = [s.name for s in store.list_customer_summaries(ORG)]
    store.set_meta(LANG_KEY, lang)
    path = store.path
    store.close()
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(path), *map(str, size), *names],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["heavy"] == []  # nothing of the store stack before the first screen...
    assert out["names"] == names and len(names) == 3  # ...which lists the real customers
    assert out["tablet"] is (size[0] >= 900)
    assert {"sqlalchemy", "pydantic"} <= set(out["after"])  # warmed right after it
