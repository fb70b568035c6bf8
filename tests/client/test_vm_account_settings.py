"""First run (sign-in, device registration) and settings (language, sign-out) view-models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from client.localdb.store import LocalStore
from client.viewmodels.account import FirstRunVM, load_account
from client.viewmodels.settings import SettingsVM, load_lang
from client.viewmodels.visit_form import VisitFormVM
from shared.errors import InvalidInput
from tests.client.vm_support import ACCOUNT, complete_visit, seeded_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = LocalStore.open(tmp_path / "fresh" / "local.db")
    yield s
    s.close()


def answer(*_: str) -> dict[str, Any]:
    return {
        "token": "tok",
        "user": {"id": "u-7", "org_id": "org-9", "display_name": "韩梅梅", "username": "han"},
    }


def filled(store: LocalStore, login: Any = answer) -> FirstRunVM:
    vm = FirstRunVM(store, login)
    vm.server_url, vm.org, vm.username, vm.password = "http://127.0.0.1:8000/", "demo", "han", "pw"
    return vm


def test_signing_in_stores_the_account_from_the_servers_answer(store: LocalStore) -> None:
    seen: list[tuple[str, ...]] = []

    def login(*args: str) -> dict[str, Any]:
        seen.append(args)
        return answer()

    vm = filled(store, login)
    account = vm.submit()
    assert account is not None and vm.error is None
    assert seen == [("http://127.0.0.1:8000", "demo", "han", "pw")]
    assert load_account(store) == account
    assert (account.org_id, account.rep_id, account.token) == ("org-9", "u-7", "tok")
    assert vm.password == ""  # not kept in memory after use


def test_a_missing_field_is_named_before_any_network_call(store: LocalStore) -> None:
    vm = filled(store, lambda *a: pytest.fail("login must not be called"))
    vm.username = " "
    assert vm.submit() is None
    assert vm.field_error == "username"
    assert vm.error is not None and vm.error.text("zh") == "请填写用户名"
    assert vm.error.text("en") == "Please fill in Username"


def test_a_server_address_without_a_scheme_is_refused(store: LocalStore) -> None:
    vm = filled(store)
    vm.server_url = "127.0.0.1:8000"
    assert vm.submit() is None and vm.field_error == "server_url"
    assert load_account(store) is None


def test_an_unreachable_server_is_said_in_plain_words(store: LocalStore) -> None:
    def login(*_: str) -> dict[str, Any]:
        raise ConnectionRefusedError(111, "Connection refused")

    vm = filled(store, login)
    assert vm.submit() is None
    assert vm.error is not None and vm.error.key == "first.offline"
    assert load_account(store) is None and not vm.busy


def test_a_refused_login_shows_the_servers_own_bilingual_message(store: LocalStore) -> None:
    def login(*_: str) -> dict[str, Any]:
        raise InvalidInput("Wrong username or password.", message_zh="用户名或密码错误。")

    vm = filled(store, login)
    assert vm.submit() is None
    assert vm.error is not None
    assert vm.error.text("zh") == "登录失败：用户名或密码错误。"
    assert vm.error.text("en") == "Sign-in failed: Wrong username or password."


def test_chinese_is_the_default_language_and_english_is_remembered(store: LocalStore) -> None:
    assert load_lang(store) == "zh"
    vm = SettingsVM(store)
    assert vm.set_lang("en-US") == "en"
    assert load_lang(store) == "en"


def test_sign_out_is_refused_while_unsynced_work_exists_unless_confirmed(tmp_path: Path) -> None:
    store = seeded_store(tmp_path)
    try:
        complete_visit(VisitFormVM(store, ACCOUNT, "c1")).submit()
        vm = SettingsVM(store)
        assert not vm.sign_out()
        assert vm.error is not None and vm.error.args["n"] == 1
        assert load_account(store) == ACCOUNT
        vm.confirm_loss = True
        assert vm.sign_out()
        assert load_account(store) is None
        assert store.pending_counts()["visits"] == 1  # the record itself is not deleted
    finally:
        store.close()


def test_sign_out_with_nothing_pending_needs_no_confirmation(tmp_path: Path) -> None:
    store = seeded_store(tmp_path)
    try:
        assert SettingsVM(store).sign_out()
        assert load_account(store) is None
    finally:
        store.close()
