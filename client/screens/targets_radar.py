"""Industry radar 各行业攻坚进度对比雷达图 with flet-charts' RadarChart (three series, 0..100 per
industry); with fewer than three industries a radar cannot take shape, so bars compare them
(said on screen). The table below gives the numbers; a row opens the industry's cases."""

from __future__ import annotations

import flet as ft
import flet_charts as fch

from client.screens.shell import Shell
from client.screens.targets import drill
from client.viewmodels.targets import fmt
from client.viewmodels.targets_radar import SERIES, IndustryRow, RadarVM

SERIES_COLORS = {
    "closed_share": ft.Colors.TEAL,
    "on_target": ft.Colors.INDIGO,
    "not_overdue": ft.Colors.ORANGE,
}


def scale_set(n: int) -> fch.RadarDataSet:
    """An invisible set with 0 and 100: the radar then always spans 0..100 %."""
    return fch.RadarDataSet(
        entries=[fch.RadarDataSetEntry(100 if i == 0 else 0) for i in range(n)],
        fill_color=ft.Colors.TRANSPARENT,
        border_color=ft.Colors.TRANSPARENT,
        border_width=0,
        entry_radius=0,
    )


def radar_chart(shell: Shell, rows: list[IndustryRow]) -> fch.RadarChart:
    return fch.RadarChart(
        titles=[
            # a title with angle 0 turns with its axis (words upside down at the bottom); a
            # full turn is upright and, not being 0, is taken as given
            fch.RadarChartTitle(text=r.industry, angle=360)
            for r in rows
        ],
        data_sets=[
            fch.RadarDataSet(
                entries=[fch.RadarDataSetEntry(round(r.series(s), 1)) for r in rows],
                fill_color=ft.Colors.with_opacity(0.15, SERIES_COLORS[s]),
                border_color=SERIES_COLORS[s],
                border_width=2,
                entry_radius=3,
            )
            for s in SERIES
        ]
        + [scale_set(len(rows))],
        radar_shape=fch.RadarShape.POLYGON,
        tick_count=4,
        ticks_text_style=ft.TextStyle(size=9, color=ft.Colors.GREY_600),
        title_text_style=ft.TextStyle(size=13, color=ft.Colors.GREY_900),
        radar_border_side=ft.BorderSide(1, ft.Colors.GREY_400),
        grid_border_side=ft.BorderSide(1, ft.Colors.GREY_300),
        tick_border_side=ft.BorderSide(1, ft.Colors.GREY_300),
        interactive=False,
        height=340,
        expand=True,
    )


def bars(shell: Shell, rows: list[IndustryRow]) -> ft.Control:
    lines: list[ft.Control] = []
    for r in rows:
        lines.append(ft.Text(r.industry, weight=ft.FontWeight.BOLD))
        for s in SERIES:
            v = r.series(s)
            lines.append(
                ft.Row(
                    [
                        ft.Text(shell.tr(f"tg.radar.series.{s}"), size=12, width=110),
                        ft.Container(
                            width=max(2.0, 2.4 * v),
                            height=14,
                            bgcolor=SERIES_COLORS[s],
                            border_radius=3,
                        ),
                        ft.Text(f"{v:.0f}%", size=12),
                    ],
                    spacing=6,
                )
            )
    return ft.Column(lines, spacing=4)


def legend(shell: Shell) -> ft.Control:
    return ft.Row(
        [
            ft.Row(
                [
                    ft.Container(width=14, height=14, bgcolor=SERIES_COLORS[s], border_radius=3),
                    ft.Text(shell.tr(f"tg.radar.series.{s}"), size=12),
                ],
                spacing=4,
                tight=True,
            )
            for s in SERIES
        ],
        wrap=True,
        spacing=16,
    )


def radar_pane(shell: Shell) -> ft.Control:
    tr = shell.tr
    vm = RadarVM(shell.store)
    vm.load()
    if not vm.rows:
        return ft.Text(tr("tg.radar.none"))
    out: list[ft.Control] = [ft.Text(tr("tg.radar.week", week=vm.week_key), size=12), legend(shell)]
    if vm.radar_fits:
        out.append(
            ft.Semantics(
                label=tr("tg.view.radar"),
                container=True,
                content=ft.Container(radar_chart(shell, vm.rows), height=360, padding=8),
            )
        )
    else:
        out.append(ft.Text(tr("tg.radar.fallback"), size=12, color=ft.Colors.AMBER_900))
        out.append(bars(shell, vm.rows))
    for r in vm.rows:
        out.append(
            ft.ListTile(
                title=ft.Text(r.industry, weight=ft.FontWeight.BOLD),
                subtitle=ft.Text(
                    tr(
                        "tg.radar.row",
                        cases=r.cases,
                        closed=r.closed_in_window,
                        open=r.open,
                        overdue=r.overdue,
                        median=fmt(r.median_days),
                    ),
                    size=12,
                ),
                trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                on_click=lambda e, ind=r.industry: drill(shell, "industry", ind),
                dense=True,
            )
        )
    return ft.Column(out, spacing=6)
