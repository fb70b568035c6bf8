"""Drill-down 明细: what is behind a number (client/viewmodels/targets_drill.py)."""

from __future__ import annotations

from datetime import date

import flet as ft

from client.screens.profile import back_button
from client.screens.shell import Shell
from client.screens.targets import section_title
from client.screens.theme import BLOCK_COLOR, WARN_COLOR
from client.viewmodels.targets_drill import DrillDownVM, DrillRow

FLAG_COLORS = {"bad": BLOCK_COLOR, "warn": WARN_COLOR}


class DrillDownScreen:
    def __init__(self, shell: Shell, kind: str, ref: str, first: str = "", last: str = "") -> None:
        self.shell = shell
        assert shell.account is not None
        self.vm = DrillDownVM(
            shell.store,
            shell.account.org_id,
            kind,
            ref,
            date.fromisoformat(first) if first else None,
            date.fromisoformat(last) if last else None,
        )
        self.vm.load()

    def _row(self, r: DrillRow) -> ft.Control:
        shell = self.shell
        color = FLAG_COLORS.get(r.flag)
        return ft.ListTile(
            leading=ft.Icon(ft.Icons.CIRCLE, size=10, color=color or ft.Colors.GREEN_600),
            title=ft.Text(r.title, size=14),
            subtitle=ft.Text(shell.say(r.detail), size=12, color=color),
            dense=True,
            on_click=(lambda e, vid=r.visit_id: shell.open("visit_detail", visit_id=vid))
            if r.visit_id
            else None,
        )

    def build(self) -> ft.Control:
        shell, tr, vm = self.shell, self.shell.tr, self.vm
        out: list[ft.Control] = [back_button(shell), section_title(shell.say(vm.title))]
        out += [ft.Text(shell.say(m), size=13) for m in vm.summary]
        if vm.rows:
            out.append(section_title(tr("tg.drill.numbers")))
            out += [self._row(r) for r in vm.rows]
        if vm.kind != "industry":
            out.append(section_title(tr("tg.drill.visits")))
            out += [self._row(r) for r in vm.visits] or [ft.Text(tr("tg.drill.no_visits"), size=12)]
        return ft.Column(out, expand=True, scroll=ft.ScrollMode.AUTO, spacing=4)
