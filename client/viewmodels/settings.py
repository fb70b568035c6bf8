"""Settings: language (简体中文 default), server, sign out (refused over unsynced work)."""

from __future__ import annotations

from dataclasses import dataclass

from client.i18n import DEFAULT_LANG, Msg, norm_lang
from client.localdb.store import LocalStore
from client.viewmodels.account import LANG_KEY, Account, clear_account, load_account


def load_lang(store: LocalStore) -> str:
    return norm_lang(store.get_meta(LANG_KEY) or DEFAULT_LANG)


@dataclass
class SettingsVM:
    store: LocalStore
    lang: str = DEFAULT_LANG
    confirm_loss: bool = False
    error: Msg | None = None

    @property
    def account(self) -> Account | None:
        return load_account(self.store)

    def set_lang(self, lang: str) -> str:
        self.lang = norm_lang(lang)
        self.store.set_meta(LANG_KEY, self.lang)
        return self.lang

    def unsynced(self) -> int:
        return self.store.pending_counts()["outbox"]

    def sign_out(self) -> bool:
        """Forget the account. Refused while unsynced work exists unless ``confirm_loss``."""
        n = self.unsynced()
        if n and not self.confirm_loss:
            self.error = Msg("settings.sign_out_refused", {"n": n})
            return False
        clear_account(self.store)
        self.error = None
        self.confirm_loss = False
        return True
