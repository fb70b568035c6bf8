"""Customer profile: pre-filled history, past visits with thumbnails, drafts, 新建拜访."""

from __future__ import annotations

import flet as ft

from client.screens.shell import Shell
from client.screens.theme import status_color
from client.viewmodels.profile import CustomerProfileVM


def back_button(shell: Shell) -> ft.Control:
    return ft.TextButton(
        shell.tr("common.back"), icon=ft.Icons.ARROW_BACK, on_click=lambda e: shell.back()
    )


def fact(label: str, value: str) -> ft.Control:
    return ft.Row(
        [ft.Text(label, weight=ft.FontWeight.BOLD, size=13), ft.Text(value, size=13, expand=True)],
        vertical_alignment=ft.CrossAxisAlignment.START,
    )


class ProfileScreen:
    def __init__(self, shell: Shell, customer_id: str) -> None:
        self.shell = shell
        assert shell.account is not None
        self.vm = CustomerProfileVM(shell.store, shell.account.org_id, customer_id, shell.lang)
        self.vm.load()

    def build(self) -> ft.Control:
        tr, vm = self.shell.tr, self.vm
        c, pf = vm.customer, vm.prefill
        assert c is not None and pf is not None
        none = tr("prof.none")
        last = pf.last_visit_at.strftime("%Y-%m-%d %H:%M") if pf.last_visit_at else none
        history = ft.Card(
            ft.Container(
                ft.Column(
                    [
                        ft.Text(tr("prof.history"), weight=ft.FontWeight.BOLD),
                        fact(tr("prof.categories"), "、".join(pf.categories_bought) or none),
                        fact(
                            tr("prof.intervals"),
                            tr("prof.intervals_value", days=vm.intervals_text)
                            if vm.intervals_text
                            else none,
                        ),
                        fact(tr("prof.last_visit"), last),
                        fact(tr("prof.stock_warning"), pf.stock_warning or none),
                    ],
                    spacing=4,
                ),
                padding=12,
            )
        )
        visits: list[ft.Control] = []
        for pv in vm.visits:
            sv = pv.stored
            counts = sv.report.counts
            visits.append(
                ft.ListTile(
                    leading=ft.Icon(
                        ft.Icons.CHECK_CIRCLE if counts else ft.Icons.CANCEL,
                        color=status_color("pass" if counts else "block"),
                        tooltip=tr("visit.counts" if counts else "visit.blocked"),
                    ),
                    title=ft.Text(pv.action_label),
                    subtitle=ft.Row(
                        [
                            ft.Text(sv.visit.device_time.strftime("%m-%d %H:%M"), size=12),
                            *[
                                ft.Image(src=b, width=48, height=48, fit=ft.BoxFit.COVER)
                                for b in pv.thumbnails[:3]
                            ],
                        ]
                    ),
                    on_click=lambda e, vid=sv.visit.id: self.shell.open(
                        "visit_detail", visit_id=vid
                    ),
                )
            )
        drafts = [
            ft.TextButton(
                f"{tr('prof.resume')} · {d[:8]}",
                icon=ft.Icons.EDIT_NOTE,
                on_click=lambda e, d=d: self.shell.open("visit_form", customer_id=c.id, draft_id=d),
            )
            for d in vm.drafts
        ]
        return ft.Column(
            [
                back_button(self.shell),
                ft.Text(c.name, size=20, weight=ft.FontWeight.BOLD),
                ft.Text(f"{c.address} · {c.district} · {c.grade}", size=13),
                ft.FilledButton(
                    tr("prof.new_visit"),
                    icon=ft.Icons.ADD_TASK,
                    on_click=lambda e: self.shell.open("visit_form", customer_id=c.id),
                ),
                ft.OutlinedButton(
                    tr("nav.touchpoints"),
                    icon=ft.Icons.CONTACT_PHONE,
                    on_click=lambda e: self.shell.open("touchpoints", customer_id=c.id),
                ),
                history,
                *(
                    [ft.Text(tr("prof.drafts"), weight=ft.FontWeight.BOLD), *drafts]
                    if drafts
                    else []
                ),
                ft.Text(tr("prof.past_visits"), weight=ft.FontWeight.BOLD),
                *(visits or [ft.Text(tr("prof.no_visits"))]),
            ],
            scroll=ft.ScrollMode.AUTO,
            expand=True,
            spacing=8,
        )
