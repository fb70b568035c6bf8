"""First run: server address, organisation, username, password -> sign in, register device."""

from __future__ import annotations

import asyncio

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

    async def submit(self, e: object = None) -> None:
        """Sign in off the event loop: Flet 1.0 runs a plain handler on the loop itself, so a
        slow network would freeze every session's screen until the server answered."""
        if self.vm.busy:
            return  # a second tap while signing in
        # the fields' own values: what the page holds when the button is tapped
        for name, tf in self.fields.items():
            setattr(self.vm, name, tf.value or "")
        self._show_busy(True)
        try:
            account = await asyncio.to_thread(self.vm.submit)
        finally:
            self._show_busy(self.vm.busy)  # still busy when another tap's sign-in runs
        if account is None:
            if self.vm.busy:
                return  # another tap's sign-in is under way and will answer
            self.error.value = self.shell.say(self.vm.error)
            for name, tf in self.fields.items():
                tf.error = self.error.value if name == self.vm.field_error else None
            return
        self.shell.signed_in(account)

    def _show_busy(self, busy: bool) -> None:
        """The button says the sign-in is under way (the network may take seconds)."""
        self.button.disabled = busy
        self.button.content = self.shell.tr("first.busy" if busy else "first.submit")
        if self.button.page is not None:
            self.button.update()
