"""The issue-ticket tab: report a problem, my tickets; managers' triage queue and answer-time
board; admins' root-cause tree, answer scripts and routing rules (thin views over
client/viewmodels/tickets*.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from client.screens.shell import Shell
from client.screens.theme import BLOCK_COLOR, OK_COLOR
from client.sync.tickets_api import TicketsApi
from client.viewmodels.tickets_list import MyTicketsVM
from client.viewmodels.tickets_manager import MANAGER_ROLES, user_role

API_KEY = "tickets_api_factory"  # screens_state key: tests put another factory there
VIEW_KEY = "tickets_view"


def api_factory(shell: Shell) -> Callable[[], TicketsApi]:
    """The REST client of the signed-in server (a test may inject its own factory)."""
    injected = shell.screens_state.get(API_KEY)
    if injected is not None:
        return injected  # type: ignore[no-any-return]
    return lambda: TicketsApi.for_store(shell.store)


def views_for(role: str) -> list[str]:
    if role == "admin":
        return ["mine", "triage", "board", "admin"]
    if role in MANAGER_ROLES:
        return ["mine", "triage", "board"]
    return ["mine"]


def message_text(shell: Shell, msg: Any, *, error: bool = True) -> ft.Text:
    return ft.Text(
        shell.say(msg), color=BLOCK_COLOR if error else OK_COLOR, visible=msg is not None
    )


class TicketsScreen:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        assert shell.account is not None
        self.role = user_role(shell.store)
        self.views = views_for(self.role)
        view = shell.screens_state.get(VIEW_KEY, "mine")
        self.view = view if view in self.views else "mine"

    def build(self) -> ft.Control:
        tr = self.shell.tr
        head: list[ft.Control] = [
            ft.FilledButton(
                tr("tk.report"),
                icon=ft.Icons.REPORT_PROBLEM,
                on_click=lambda e: self.shell.open("ticket_report"),
                tooltip=tr("tk.report"),
            )
        ]
        if len(self.views) > 1:
            head.append(
                ft.SegmentedButton(
                    selected=[self.view],
                    segments=[
                        ft.Segment(value=v, label=ft.Text(tr(f"tk.view.{v}"))) for v in self.views
                    ],
                    on_change=self.view_changed,
                )
            )
        return ft.Column(
            [ft.Container(ft.Row(head, wrap=True), padding=8), self._pane()],
            expand=True,
            scroll=ft.ScrollMode.AUTO,
        )

    def _pane(self) -> ft.Control:
        from client.screens import tickets_manager as mgr

        if self.view == "triage":
            return mgr.triage_pane(self.shell, api_factory(self.shell))
        if self.view == "board":
            return mgr.board_pane(self.shell, api_factory(self.shell))
        if self.view == "admin":
            from client.screens.tickets_admin import admin_area

            return admin_area(self.shell, api_factory(self.shell))
        return self._mine()

    def _mine(self) -> ft.Control:
        shell, tr = self.shell, self.shell.tr
        assert shell.account is not None
        vm = MyTicketsVM(shell.store, shell.account.rep_id, shell.lang)
        vm.load()
        rows: list[ft.Control] = []
        for r in vm.rows:
            bits = [tr(r.type_key), tr(r.state_key)]
            if r.cause:
                bits.append(r.cause)
            if r.deadline is not None and not r.answered:
                bits.append(tr("tk.deadline", when=r.deadline.astimezone().strftime("%m-%d %H:%M")))
            if r.pending_changes:
                bits.append(tr("tk.pending_n", n=r.pending_changes))
            icon, color, tip = ft.Icons.HOURGLASS_EMPTY, ft.Colors.GREY_600, tr(r.state_key)
            if r.overdue:
                icon, color, tip = ft.Icons.ALARM, BLOCK_COLOR, tr("tk.overdue")
            elif r.answered:
                icon, color, tip = ft.Icons.MARK_CHAT_READ, OK_COLOR, tr("tk.answered_mark")
            rows.append(
                ft.ListTile(
                    leading=ft.Icon(icon, color=color, tooltip=tip),
                    title=ft.Text(r.title),
                    subtitle=ft.Text(" · ".join(bits), size=12),
                    on_click=lambda e, tid=r.ticket.id: shell.open("ticket_detail", ticket_id=tid),
                )
            )
        return ft.Column(rows or [ft.Text(tr("tk.none"))], spacing=2)

    def view_changed(self, e: ft.Event[ft.SegmentedButton]) -> None:
        selected = list(e.control.selected or ["mine"])
        self.shell.screens_state[VIEW_KEY] = selected[0]
        self.shell.render()
