"""The signed-in account kept in the local store, and the first-run (sign-in) view-model."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from client.i18n import Msg
from client.localdb.store import LocalStore
from shared.errors import FieldledgerError

ACCOUNT_KEY = "app.account"
LANG_KEY = "app.lang"

LoginFn = Callable[[str, str, str, str], dict[str, Any]]
"""``login(server_url, org, username, password) -> the server's login answer`` (sync engine)."""


@dataclass(frozen=True)
class Account:
    server_url: str
    org: str
    org_id: str
    rep_id: str
    username: str
    display_name: str = ""
    token: str = ""


def load_account(store: LocalStore) -> Account | None:
    raw = store.get_meta(ACCOUNT_KEY)
    if not raw:
        return None
    return Account(**json.loads(raw))


def save_account(store: LocalStore, account: Account) -> None:
    store.set_meta(ACCOUNT_KEY, json.dumps(asdict(account), ensure_ascii=False))


def clear_account(store: LocalStore) -> None:
    store.set_meta(ACCOUNT_KEY, "")


def error_msg(exc: BaseException) -> Msg:
    """Any failure as words for the rep: domain errors keep their own bilingual text."""
    if isinstance(exc, FieldledgerError):
        return Msg.raw(exc.message_zh, exc.message)
    if isinstance(exc, OSError):
        return Msg("first.offline")
    return Msg("common.error", {"reason": str(exc) or type(exc).__name__})


def account_from_login(server_url: str, org: str, username: str, answer: dict[str, Any]) -> Account:
    user = answer.get("user") or {}
    return Account(
        server_url=server_url,
        org=org,
        org_id=str(user.get("org_id") or answer.get("org_id") or org),
        rep_id=str(user.get("id") or answer.get("rep_id") or username),
        username=username,
        display_name=str(user.get("display_name") or username),
        token=str(answer.get("token") or ""),
    )


class FirstRunVM:
    """Server address, organisation, username, password -> a signed-in, registered device."""

    FIELDS = ("server_url", "org", "username", "password")

    def __init__(self, store: LocalStore, login: LoginFn) -> None:
        self.store = store
        self._login = login
        # The demo and deployments can pre-fill these (make demo sets both).
        self.server_url = os.environ.get("FIELDLEDGER_DEFAULT_SERVER", "http://127.0.0.1:8765")
        self.org = os.environ.get("FIELDLEDGER_DEFAULT_ORG", "")
        self.username = ""
        self.password = ""
        self.error: Msg | None = None
        self.field_error: str = ""
        self.busy = False
        self._one_at_a_time = threading.Lock()

    def _check(self) -> Msg | None:
        labels = {
            "server_url": "first.server",
            "org": "first.org",
            "username": "first.username",
            "password": "first.password",
        }
        for name in self.FIELDS:
            if not str(getattr(self, name)).strip():
                self.field_error = name
                return Msg("first.missing", {"field": Msg(labels[name])})
        if not self.server_url.strip().startswith(("http://", "https://")):
            self.field_error = "server_url"
            return Msg("first.bad_url")
        self.field_error = ""
        return None

    def submit(self) -> Account | None:
        """Sign in; on success the account is stored and returned, else ``error`` says why.
        A second tap while one sign-in is under way does nothing (returns None, ``busy``)."""
        if not self._one_at_a_time.acquire(blocking=False):
            return None
        self.busy = True
        try:
            return self._submit()
        finally:
            self.busy = False
            self._one_at_a_time.release()

    def _submit(self) -> Account | None:
        self.error = self._check()
        if self.error is not None:
            return None
        url = self.server_url.strip().rstrip("/")
        org, user = self.org.strip(), self.username.strip()
        try:
            answer = self._login(url, org, user, self.password)
        except Exception as exc:  # any transport or server failure becomes words
            err = error_msg(exc)
            self.error = err if err.key else Msg("first.failed", {"reason": err})
            return None
        account = account_from_login(url, org, user, answer)
        save_account(self.store, account)
        self.password = ""
        return account
