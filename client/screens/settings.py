"""Settings: language, server, device, sign out (refused over unsynced work unless confirmed)."""

from __future__ import annotations

import flet as ft

from client.i18n import LANG_NAMES
from client.screens.shell import Shell
from client.screens.theme import labelled
from client.viewmodels.settings import SettingsVM


class SettingsScreen:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self.vm = SettingsVM(shell.store, shell.lang)

    def _admin_entry(self) -> list[ft.Control]:
        """Admins reach the administration screens (client/screens/admin.py) from here."""
        from client.viewmodels.tickets_manager import user_role

        if user_role(self.shell.store) != "admin":
            return []
        return [
            ft.FilledButton(
                self.shell.tr("nav.admin"),
                icon=ft.Icons.ADMIN_PANEL_SETTINGS,
                on_click=lambda e: self.shell.open("admin"),
            )
        ]

    def build(self) -> ft.Control:
        tr = self.shell.tr
        acc = self.vm.account
        self.lang = ft.Dropdown(
            label=tr("settings.language"),
            value=self.vm.lang,
            options=[ft.DropdownOption(key=k, text=v) for k, v in LANG_NAMES.items()],
            on_select=self.lang_selected,
            width=220,
        )
        self.confirm = ft.Checkbox(
            label=tr("settings.sign_out_confirm"), value=False, on_change=self.confirm_changed
        )
        self.error = ft.Text("", color=ft.Colors.RED_700)
        return ft.Column(
            [
                labelled(self.lang, tr("settings.language")),
                ft.Text(f"{tr('settings.server')}: {acc.server_url if acc else '-'}"),
                ft.Text(
                    f"{tr('settings.account')}: {acc.display_name or acc.username} ({acc.org})"
                    if acc
                    else "-"
                ),
                ft.Text(f"{tr('settings.device')}: {self.shell.store.device_id}", size=12),
                *self._admin_entry(),
                ft.Divider(),
                self.confirm,
                ft.OutlinedButton(
                    tr("settings.sign_out"), icon=ft.Icons.LOGOUT, on_click=self.sign_out
                ),
                self.error,
            ],
            spacing=10,
            scroll=ft.ScrollMode.AUTO,
        )

    def lang_selected(self, e: ft.Event[ft.Dropdown]) -> None:
        self.shell.set_lang(self.vm.set_lang(e.control.value or "zh"))

    def confirm_changed(self, e: ft.Event[ft.Checkbox]) -> None:
        self.vm.confirm_loss = bool(e.control.value)

    def sign_out(self, e: object = None) -> None:
        if self.vm.sign_out():
            self.shell.signed_out()
            return
        self.error.value = self.shell.say(self.vm.error)
        if self.error.page is not None:
            self.error.update()
