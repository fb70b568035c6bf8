"""First run: server address, organisation, username, password -> sign in, register device."""

from __future__ import annotations

import flet as ft

from client.screens.shell import Shell
from client.viewmodels.account import FirstRunVM

STATE_KEY = "first_run"


class FirstRunScreen:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        # kept across re-renders (a resize, a status update): what was typed stays typed
        vm = shell.screens_state.get(STATE_KEY)
        if not isinstance(vm, FirstRunVM):
            vm = shell.screens_state[STATE_KEY] = FirstRunVM(shell.store, shell.login)
        self.vm = vm

    def build(self) -> ft.Control:
        tr = self.shell.tr
        vm = self.vm

        def field(name: str, label: str, **kw: object) -> ft.TextField:
            def changed(e: ft.Event[ft.TextField]) -> None:
                setattr(vm, name, e.control.value or "")

            return ft.TextField(label=tr(label), value=getattr(vm, name), on_change=changed, **kw)

        self.fields = {
            "server_url": field("server_url", "first.server", keyboard_type=ft.KeyboardType.URL),
            "org": field("org", "first.org"),
            "username": field("username", "first.username"),
            "password": field(
                "password", "first.password", password=True, can_reveal_password=True
            ),
        }
        self.error = ft.Text("", color=ft.Colors.RED_700)
        self.button = ft.FilledButton(tr("first.submit"), on_click=self.submit)
        return ft.Container(
            ft.Column(
                [
                    ft.Text(tr("first.intro")),
                    *self.fields.values(),
                    self.button,
                    self.error,
                ],
                spacing=12,
                scroll=ft.ScrollMode.AUTO,
            ),
            padding=16,
            width=480,
        )

    def submit(self, e: object = None) -> None:
        # the fields' own values: Flet sets them in the order the keystrokes came, while the
        # on_change handlers run on worker threads and may finish out of order
        for name, tf in self.fields.items():
            setattr(self.vm, name, tf.value or "")
        self.button.disabled = True
        account = self.vm.submit()
        self.button.disabled = False
        if account is None:
            self.error.value = self.shell.say(self.vm.error)
            for name, tf in self.fields.items():
                tf.error = self.error.value if name == self.vm.field_error else None
            return
        self.shell.signed_in(account)
