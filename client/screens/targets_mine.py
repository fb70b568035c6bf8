""" "My goals" 我的目标 (reps) and opening a delivered material offline."""

from __future__ import annotations

import flet as ft

from client.materials import MaterialCache, open_with_system
from client.screens.profile import back_button
from client.screens.shell import Shell
from client.screens.targets import drill, light_badge, section_title
from client.screens.theme import BLOCK_COLOR, OK_COLOR
from client.viewmodels.targets import MyGoalsVM, TrackView


def goals_vm(shell: Shell) -> MyGoalsVM:
    assert shell.account is not None
    vm = MyGoalsVM(
        shell.store,
        shell.account.org_id,
        shell.account.rep_id,
        MaterialCache.for_store(shell.store),
    )
    vm.load()
    return vm


def track_card(shell: Shell, view: TrackView, tablet: bool) -> ft.Control:
    tr = shell.tr
    name = tr(f"tg.track.{view.track}")
    facts = [ft.Text(shell.say(m), size=12, color=ft.Colors.GREY_800) for m in view.facts]
    return ft.Card(
        ft.Container(
            ft.Column(
                [
                    ft.Row(
                        [
                            ft.Text(name, size=15, weight=ft.FontWeight.BOLD, expand=True),
                            light_badge(shell, view.light, name),
                        ]
                    ),
                    ft.Text(shell.say(view.headline), size=14),
                    *facts,
                    ft.Text(view.period_key, size=11, color=ft.Colors.GREY_600),
                ],
                spacing=4,
            ),
            padding=12,
            width=380 if tablet else None,
            on_click=lambda e: drill(shell, view.track, view.record_id),
            tooltip=tr("tg.drill.numbers"),
        )
    )


def my_goals_pane(shell: Shell) -> ft.Control:
    tr = shell.tr
    vm = goals_vm(shell)
    if vm.empty:
        return ft.Text(tr("tg.none"))
    tablet = (shell.page.width or 0) >= 900
    cards = [track_card(shell, v, tablet) for v in (vm.stock, vm.increment) if v is not None]
    out: list[ft.Control] = [ft.Row(cards, wrap=True, spacing=8)]
    if vm.business:
        out.append(section_title(tr("tg.business", period=vm.business_period)))
        ref = vm.increment.record_id if vm.increment else ""
        out.append(
            ft.Row(
                [
                    ft.Container(
                        ft.Column(
                            [
                                ft.Text(tr(k), size=12, color=ft.Colors.GREY_700),
                                ft.Text(v, size=18, weight=ft.FontWeight.BOLD),
                            ],
                            spacing=0,
                        ),
                        padding=8,
                        border_radius=8,
                        bgcolor=ft.Colors.BLUE_GREY_50,
                        on_click=lambda e: drill(shell, "business", ref),
                    )
                    for k, v in vm.business
                ],
                wrap=True,
            )
        )
    if vm.next_steps:
        out.append(section_title(tr("tg.next")))
        out += [
            ft.Row(
                [ft.Icon(ft.Icons.ARROW_RIGHT, size=18), ft.Text(shell.say(m), expand=True)],
                vertical_alignment=ft.CrossAxisAlignment.START,
            )
            for m in vm.next_steps
        ]
    if vm.deliveries:
        out.append(section_title(tr("tg.materials")))
    for d in vm.deliveries:
        lines: list[ft.Control] = [
            ft.Text(shell.say(d.title), weight=ft.FontWeight.BOLD),
            ft.Text(shell.say(d.detail), size=12),
            ft.Text(d.as_of, size=11, color=ft.Colors.GREY_600),
        ]
        if d.pending:
            lines.append(ft.Text(tr("tg.mat.pending"), size=12, color=ft.Colors.AMBER_900))
        for m in d.materials:
            title = m.ref.title(shell.lang)
            if m.on_device:
                lines.append(
                    ft.OutlinedButton(
                        f"{tr('tg.mat.open')} · {title}",
                        icon=ft.Icons.DESCRIPTION,
                        on_click=lambda e, sha=m.ref.sha256: shell.open(
                            "targets_material", sha256=sha
                        ),
                    )
                )
            else:
                lines.append(
                    ft.Text(f"{title} — {tr('tg.mat.not_yet')}", size=12, color=ft.Colors.GREY_700)
                )
        out.append(ft.Card(ft.Container(ft.Column(lines, spacing=4), padding=12)))
    return ft.Column(out, spacing=8)


class MaterialScreen:
    """One delivered document, opened from the device's own copy (no connection needed)."""

    def __init__(self, shell: Shell, sha256: str) -> None:
        self.shell = shell
        self.vm = goals_vm(shell)
        self.opened = self.vm.open_material(sha256)
        self.ref = next(
            (m.ref for d in self.vm.deliveries for m in d.materials if m.ref.sha256 == sha256), None
        )

    def build(self) -> ft.Control:
        tr, shell = self.shell.tr, self.shell
        out: list[ft.Control] = [back_button(shell)]
        if self.ref is not None:
            out.append(section_title(self.ref.title(shell.lang)))
        if self.opened is None:
            out.append(ft.Text(shell.say(self.vm.error), color=BLOCK_COLOR))
            return ft.Column(out, expand=True, scroll=ft.ScrollMode.AUTO)
        out.append(
            ft.Text(
                tr("tg.mat.saved_at", path=str(self.opened.path)),
                size=12,
                color=OK_COLOR,
                selectable=True,
            )
        )
        if not shell.page.web and shell.page.platform in (
            ft.PagePlatform.LINUX,
            ft.PagePlatform.WINDOWS,
            ft.PagePlatform.MACOS,
        ):
            path = self.opened.path
            out.append(
                ft.OutlinedButton(
                    tr("tg.mat.open_system"),
                    icon=ft.Icons.OPEN_IN_NEW,
                    on_click=lambda e: open_with_system(path),
                )
            )
        if self.opened.text is not None:
            out.append(
                ft.Container(
                    ft.Text(self.opened.text, selectable=True),
                    padding=12,
                    bgcolor=ft.Colors.GREY_50,
                    border_radius=8,
                )
            )
        return ft.Column(out, expand=True, scroll=ft.ScrollMode.AUTO, spacing=8)
