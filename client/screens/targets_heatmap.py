"""Store heat map 门店热力图: a grid of coloured cells with values, for a chosen metric, day or
week, by store (optionally one district) or by district. A cell opens its drill-down."""

from __future__ import annotations

import itertools
from typing import Any

import flet as ft

from client.screens.shell import Shell
from client.screens.targets import chosen, drill
from client.screens.theme import labelled
from client.viewmodels.targets import fmt, pct
from client.viewmodels.targets_heatmap import GROUPS, METRICS, SPANS, HeatCell, HeatMapVM

STATE_KEY = "targets_heatmap"
NO_VALUE = "#E0E0E0"
# rates: red (low) -> amber -> green (high); counts: light -> darker blue
RATE_STOPS = ((0.0, (0xEF, 0x9A, 0x9A)), (0.5, (0xFF, 0xE0, 0x82)), (1.0, (0x81, 0xC7, 0x84)))
COUNT_STOPS = ((0.0, (0xE3, 0xF2, 0xFD)), (1.0, (0x42, 0xA5, 0xF5)))


def shade_color(shade: float | None, rate: bool) -> str:
    if shade is None:
        return NO_VALUE
    stops = RATE_STOPS if rate else COUNT_STOPS
    x = min(1.0, max(0.0, shade))
    for (x0, c0), (x1, c1) in itertools.pairwise(stops):
        if x <= x1:
            f = 0.0 if x1 == x0 else (x - x0) / (x1 - x0)
            rgb = [round(a + (b - a) * f) for a, b in zip(c0, c1, strict=True)]
            return "#{:02X}{:02X}{:02X}".format(*rgb)
    return "#{:02X}{:02X}{:02X}".format(*stops[-1][1])


def value_text(shell: Shell, cell: HeatCell) -> str:
    if cell.is_rate:
        return shell.tr("tg.heat.no_trial") if cell.value is None else pct(cell.value)
    return fmt(cell.value, 0)


def heat_vm(shell: Shell) -> HeatMapVM:
    assert shell.account is not None
    state: dict[str, Any] = shell.screens_state.setdefault(STATE_KEY, {})
    vm = HeatMapVM(shell.store, shell.account.org_id, **state)
    vm.load()
    state.update(metric=vm.metric, span=vm.span, by=vm.by, district=vm.district, day=vm.day)
    return vm


def heatmap_pane(shell: Shell) -> ft.Control:
    tr = shell.tr
    vm = heat_vm(shell)
    state = shell.screens_state[STATE_KEY]

    def change(**kw: Any) -> None:
        state.update({k: v for k, v in kw.items() if v is not None})
        shell.render()

    def move(steps: int) -> None:
        vm.move(steps)
        change(day=vm.day)

    metric = labelled(
        ft.Dropdown(
            label=tr("tg.heat.metric"),
            value=vm.metric,
            width=290,
            options=[ft.DropdownOption(key=m, text=tr(f"tg.heat.metric.{m}")) for m in METRICS],
            on_select=lambda e: change(metric=e.control.value),
        ),
        tr("tg.heat.metric"),
    )
    span = ft.SegmentedButton(
        selected=[vm.span],
        segments=[ft.Segment(value=s, label=ft.Text(tr(f"tg.heat.span.{s}"))) for s in SPANS],
        on_change=lambda e: change(span=chosen(e, "day")),
    )
    by = ft.SegmentedButton(
        selected=[vm.by],
        segments=[ft.Segment(value=g, label=ft.Text(tr(f"tg.heat.by.{g}"))) for g in GROUPS],
        on_change=lambda e: change(by=chosen(e, "store")),
    )
    controls: list[ft.Control] = [metric, span, by]
    if vm.by == "store" and vm.districts:
        controls.append(
            labelled(
                ft.Dropdown(
                    label=tr("tg.export.district"),
                    value=vm.district or "*",
                    width=170,
                    options=[ft.DropdownOption(key="*", text=tr("tg.heat.all_districts"))]
                    + [ft.DropdownOption(key=d, text=d) for d in vm.districts],
                    on_select=lambda e: change(
                        district="" if e.control.value == "*" else e.control.value
                    ),
                ),
                tr("tg.export.district"),
            )
        )
    period = ft.Row(
        [
            ft.IconButton(
                ft.Icons.CHEVRON_LEFT, tooltip=tr("tg.heat.prev"), on_click=lambda e: move(-1)
            ),
            ft.Text(
                tr("tg.heat.range", start=vm.first_day.isoformat(), end=vm.last_day.isoformat()),
                weight=ft.FontWeight.BOLD,
            ),
            ft.IconButton(
                ft.Icons.CHEVRON_RIGHT, tooltip=tr("tg.heat.next"), on_click=lambda e: move(1)
            ),
        ],
        spacing=2,
    )
    out: list[ft.Control] = [ft.Row(controls, wrap=True, spacing=8), period]
    if not vm.cells:
        out.append(ft.Text(tr("tg.heat.none")))
        return ft.Column(out, spacing=8)
    total = vm.total()
    out.append(
        ft.Text(
            tr(
                "tg.heat.total",
                value=f"{value_text(shell, total)}"
                + (f" ({total.numerator}/{total.denominator})" if total.is_rate else ""),
            ),
            size=13,
        )
    )
    out.append(
        ft.Row([heat_cell(shell, vm, c) for c in vm.cells], wrap=True, spacing=6, run_spacing=6)
    )
    return ft.Column(out, spacing=8)


def heat_cell(shell: Shell, vm: HeatMapVM, c: HeatCell) -> ft.Control:
    tr = shell.tr
    value = value_text(shell, c)
    sub = tr("tg.heat.of", num=c.numerator, den=c.denominator) if c.denominator else ""
    lines: list[ft.Control] = [
        ft.Text(c.label, size=12, max_lines=1, overflow=ft.TextOverflow.ELLIPSIS),
        ft.Text(value, size=18, weight=ft.FontWeight.BOLD),
    ]
    if sub:
        lines.append(ft.Text(sub, size=11, color=ft.Colors.GREY_800))
    kind = "store" if vm.by == "store" else "district"
    first, last = vm.first_day.isoformat(), vm.last_day.isoformat()
    return ft.Semantics(
        label=f"{c.label} {value}",
        container=True,
        content=ft.Container(
            ft.Column(lines, spacing=0, horizontal_alignment=ft.CrossAxisAlignment.CENTER),
            width=150,
            height=78,
            padding=6,
            border_radius=8,
            bgcolor=shade_color(c.shade, c.is_rate),
            alignment=ft.Alignment.CENTER,
            on_click=lambda e: drill(shell, kind, c.key, first=first, last=last),
        ),
    )
