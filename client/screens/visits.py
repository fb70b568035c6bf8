"""My visits (today / this week) and one visit's detail with photos, amend and void."""

from __future__ import annotations

import flet as ft

from client.screens.profile import back_button
from client.screens.shell import Shell
from client.screens.theme import status_color
from client.viewmodels.visits import MyVisitsVM, VisitDetailVM


class MyVisitsScreen:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        assert shell.account is not None
        period = shell.screens_state.get("visits_period", "today")
        self.vm = MyVisitsVM(shell.store, shell.account.org_id, shell.lang, period=period)
        self.vm.load()

    def build(self) -> ft.Control:
        tr = self.shell.tr
        self.period = ft.SegmentedButton(
            selected=[self.vm.period],
            segments=[
                ft.Segment(value="today", label=ft.Text(tr("visits.today"))),
                ft.Segment(value="week", label=ft.Text(tr("visits.week"))),
            ],
            on_change=self.period_changed,
        )
        self.list = ft.ListView(expand=True, spacing=2)
        self.fill()
        return ft.Column([ft.Container(self.period, padding=8), self.list], expand=True)

    def fill(self) -> None:
        tr = self.shell.tr
        rows: list[ft.Control] = []
        for r in self.vm.rows:
            v, counts = r.stored.visit, r.stored.report.counts
            verdict = tr("visit.counts" if counts else "visit.blocked")
            rows.append(
                ft.ListTile(
                    leading=ft.Icon(
                        ft.Icons.CHECK_CIRCLE if counts else ft.Icons.CANCEL,
                        color=status_color("pass" if counts else "block"),
                    ),
                    title=ft.Text(f"{r.customer_name} · {r.action_label}"),
                    subtitle=ft.Text(
                        f"{v.device_time.strftime('%m-%d %H:%M')} · {verdict} · {tr(r.state_key)}",
                        size=12,
                    ),
                    on_click=lambda e, vid=v.id: self.shell.open("visit_detail", visit_id=vid),
                )
            )
        self.list.controls = rows or [ft.Text(tr("visits.none"))]

    def period_changed(self, e: ft.Event[ft.SegmentedButton]) -> None:
        selected = list(e.control.selected or ["today"])
        self.shell.screens_state["visits_period"] = selected[0]
        self.vm.set_period(selected[0])
        self.fill()
        self.list.update()


class VisitDetailScreen:
    def __init__(self, shell: Shell, visit_id: str) -> None:
        self.shell = shell
        self.vm = VisitDetailVM(shell.store, visit_id, shell.lang)
        self.vm.load()

    def build(self) -> ft.Control:
        tr, vm = self.shell.tr, self.vm
        sv = vm.stored
        assert sv is not None
        v = sv.visit
        counts = sv.report.counts
        state = (
            tr("visits.voided")
            if sv.voided
            else tr("visits.synced" if sv.sync_state == "synced" else "visits.pending")
        )
        prov = {p.slot: p.provenance.value for p in v.photos}
        names = vm.slot_labels
        photos = [
            ft.Column(
                [
                    ft.Image(src=data, width=150, height=150, fit=ft.BoxFit.COVER),
                    ft.Text(f"{names.get(slot, slot)} · "
                            f"{tr('detail.provenance.' + prov.get(slot, 'file_picker'))}",
                            size=11),
                ],
                spacing=2,
            )
            for slot, data in vm.photo_bytes()
        ]  # fmt: skip
        rules = [
            ft.Row(
                [
                    ft.Icon(
                        ft.Icons.CHECK_CIRCLE if r.status == "pass" else ft.Icons.CANCEL,
                        color=status_color(r.status),
                        size=16,
                    ),
                    ft.Text(r.text + (f" — {r.hint}" if r.hint else ""), size=12, expand=True),
                ]
            )
            for r in vm.rules
        ]
        self.reason = ft.TextField(label=tr("detail.void_reason"), on_change=self.reason_changed)
        self.error = ft.Text("", color=ft.Colors.RED_700)
        actions: list[ft.Control] = []
        if not sv.voided:
            actions = [
                ft.OutlinedButton(
                    tr("detail.amend"),
                    icon=ft.Icons.EDIT,
                    on_click=lambda e: self.shell.open(
                        "visit_form", customer_id=v.customer_id, amends=v.id
                    ),
                ),
                self.reason,
                ft.OutlinedButton(tr("detail.void"), icon=ft.Icons.BLOCK, on_click=self.void),
                self.error,
            ]
        return ft.Column(
            [
                back_button(self.shell),
                ft.Text(tr("detail.title"), size=18, weight=ft.FontWeight.BOLD),
                ft.Text(
                    tr("visit.counts" if counts else "visit.blocked"),
                    color=status_color("pass" if counts else "block"),
                    weight=ft.FontWeight.BOLD,
                ),
                ft.Text(f"{v.device_time.strftime('%Y-%m-%d %H:%M')} · {state}"),
                *([ft.Text(f"{tr('detail.void_reason')}: {sv.void_reason}")] if sv.voided else []),
                ft.Text(tr("detail.evidence"), weight=ft.FontWeight.BOLD),
                ft.Row(photos, wrap=True),
                *rules,
                *actions,
            ],
            scroll=ft.ScrollMode.AUTO,
            expand=True,
            spacing=6,
        )

    def reason_changed(self, e: ft.Event[ft.TextField]) -> None:
        self.vm.void_reason = e.control.value or ""

    def void(self, e: object = None) -> None:
        if self.vm.void():
            self.shell.show_notice(self.vm.notice or "")
            self.shell.render()
            return
        self.error.value = self.shell.say(self.vm.error)
        if self.error.page is not None:
            self.error.update()
