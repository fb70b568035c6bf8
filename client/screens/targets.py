"""The goals tab 目标: "My goals" for reps; the team board, store heat map and industry radar for
managers and admins (thin views over client/viewmodels/targets*.py; docs/manager-app.md)."""

from __future__ import annotations

from typing import Any

import flet as ft

from client.screens.shell import Shell
from client.viewmodels.tickets_manager import MANAGER_ROLES, user_role

VIEW_KEY = "targets_view"
LIGHT_COLORS = {
    "green": ft.Colors.GREEN_600,
    "yellow": ft.Colors.AMBER_600,
    "red": ft.Colors.RED_600,
    "grey": ft.Colors.GREY_400,
}
LIGHT_ICONS = {
    "green": ft.Icons.CHECK_CIRCLE,
    "yellow": ft.Icons.ERROR,
    "red": ft.Icons.CANCEL,
    "grey": ft.Icons.REMOVE_CIRCLE_OUTLINE,
}


def views_for(role: str) -> list[str]:
    return ["board", "heatmap", "radar"] if role in MANAGER_ROLES else ["mine"]


def light_badge(shell: Shell, light: str, label: str = "", *, size: int = 14) -> ft.Control:
    """A coloured light with its word (颜色之外也有文字：色弱也能读), labelled for tests."""
    word = shell.tr(f"tg.light.{light}")
    return ft.Semantics(
        label=f"{label}：{word}" if label else word,
        container=True,
        content=ft.Container(
            ft.Row(
                [
                    ft.Icon(
                        LIGHT_ICONS.get(light, ft.Icons.CIRCLE),
                        color=ft.Colors.WHITE,
                        size=size + 2,
                    ),
                    ft.Text(word, color=ft.Colors.WHITE, size=size, weight=ft.FontWeight.BOLD),
                ],
                spacing=4,
                tight=True,
            ),
            bgcolor=LIGHT_COLORS.get(light, ft.Colors.GREY_400),
            border_radius=12,
            padding=ft.Padding.symmetric(horizontal=8, vertical=2),
        ),
    )


def chosen(e: ft.Event[ft.SegmentedButton], default: str) -> str:
    """The segment picked: the event's data (what the client sends) or the control's state."""
    data = getattr(e, "data", None)
    if isinstance(data, list) and data:
        return str(data[0])
    if isinstance(data, str) and data.startswith("["):
        import json

        try:
            picked = json.loads(data)
        except ValueError:
            picked = None
        if isinstance(picked, list) and picked:
            return str(picked[0])
    return next(iter(e.control.selected or [default]))


def section_title(text: str) -> ft.Text:
    return ft.Text(text, size=16, weight=ft.FontWeight.BOLD)


class GoalsScreen:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        assert shell.account is not None
        self.views = views_for(user_role(shell.store))
        view = shell.screens_state.get(VIEW_KEY, self.views[0])
        self.view = view if view in self.views else self.views[0]

    def build(self) -> ft.Control:
        tr = self.shell.tr
        head: list[ft.Control] = []
        if len(self.views) > 1:
            head.append(
                ft.SegmentedButton(
                    selected=[self.view],
                    segments=[
                        ft.Segment(value=v, label=ft.Text(tr(f"tg.view.{v}"))) for v in self.views
                    ],
                    on_change=self.view_changed,
                )
            )
        else:
            head.append(section_title(tr("tg.view.mine")))
        return ft.Column(
            [
                ft.Container(ft.Row(head, wrap=True), padding=8),
                ft.Container(self._pane(), padding=ft.Padding.symmetric(horizontal=8)),
            ],
            expand=True,
            scroll=ft.ScrollMode.AUTO,
        )

    def _pane(self) -> ft.Control:
        if self.view == "board":
            from client.screens.targets_board import board_pane

            return board_pane(self.shell)
        if self.view == "heatmap":
            from client.screens.targets_heatmap import heatmap_pane

            return heatmap_pane(self.shell)
        if self.view == "radar":
            from client.screens.targets_radar import radar_pane

            return radar_pane(self.shell)
        from client.screens.targets_mine import my_goals_pane

        return my_goals_pane(self.shell)

    def view_changed(self, e: ft.Event[ft.SegmentedButton]) -> None:
        self.shell.screens_state[VIEW_KEY] = chosen(e, self.views[0])
        self.shell.detail = None
        self.shell.render()


def drill(shell: Shell, kind: str, ref: str, **extra: Any) -> None:
    shell.open("targets_drill", kind=kind, ref=ref, **extra)
