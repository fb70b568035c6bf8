"""The customer search index at size: cached pinyin initials, reuse across loads, typing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin

from client.localdb.store import LocalStore
from client.viewmodels.customers import (
    INITIALS_META_KEY,
    INITIALS_VERSION,
    CustomerListVM,
    pinyin_initials,
)
from tests.client.vm_support import ORG, seeded_store
from tests.support.factories import make_customer


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = seeded_store(tmp_path)
    yield s
    s.close()


def loaded(store: LocalStore) -> CustomerListVM:
    vm = CustomerListVM(store, ORG)
    vm.load()
    vm.wait_saved()  # the initials cache is written off the UI thread
    return vm


@pytest.mark.parametrize("name", ["银行大厦商行", "重庆长安超市", "7-11便利店", "ABC乐乐百货"])
def test_initials_word_by_word_equal_pypinyins_own(name: str) -> None:
    parts = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    expected = "".join(p[:1] if p.isascii() and p.isalpha() else p for p in parts).lower()
    assert pinyin_initials(name) == expected


def test_the_initials_are_kept_in_the_store_and_read_at_the_next_start(store: LocalStore) -> None:
    loaded(store)
    cached = json.loads(store.get_meta(INITIALS_META_KEY) or "{}")
    assert cached["version"] == INITIALS_VERSION and cached["names"]["南山路店"] == "nsld"
    cached["names"]["南山路店"] = "zzz"  # proves the next load reads the cache, not pypinyin
    store.set_meta(INITIALS_META_KEY, json.dumps(cached))
    vm = loaded(store)
    vm.set_search("zzz")
    assert [r.customer.id for r in vm.rows] == ["c1"]


def test_a_cache_of_another_version_or_garbage_is_recomputed(store: LocalStore) -> None:
    for raw in ('{"version": "0/old", "names": {"南山路店": "zzz"}}', "not json", "[1, 2]"):
        store.set_meta(INITIALS_META_KEY, raw)
        vm = loaded(store)
        vm.set_search("nsld")
        assert [r.customer.id for r in vm.rows] == ["c1"]
        assert json.loads(store.get_meta(INITIALS_META_KEY) or "")["version"] == INITIALS_VERSION


def test_a_renamed_customer_is_found_by_its_new_name_after_a_reload(store: LocalStore) -> None:
    vm = loaded(store)
    store.upsert_customers([make_customer(name="北环大道店")])
    vm.load()
    vm.set_search("bhdd")
    assert [r.customer.id for r in vm.rows] == ["c1"]
    vm.set_search("nsld")
    assert vm.rows == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["南", "山", "路", "n", "s", "l", "d", "科", "kj", "号", " "]),
                max_size=6))  # fmt: skip
def test_typing_letter_by_letter_finds_what_a_fresh_search_finds(
    tmp_path_factory: pytest.TempPathFactory, keys: list[str]
) -> None:
    s = seeded_store(tmp_path_factory.mktemp("typing"))
    try:
        typing, fresh = loaded(s), loaded(s)
        text = ""
        for key in keys:
            text += key
            typing.set_search(text)
        fresh.set_search(text)
        assert [r.customer.id for r in typing.rows] == [r.customer.id for r in fresh.rows]
        assert typing.total == fresh.total
    finally:
        s.close()
