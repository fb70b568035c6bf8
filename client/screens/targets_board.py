"""The team board 团队看板 (DataTable, sortable by any column, a number opens its drill-down) and
the exports (board XLSX, district PDF) saved into the documents folder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from client.screens.shell import Shell
from client.screens.targets import LIGHT_COLORS, drill, light_badge
from client.screens.theme import BLOCK_COLOR, OK_COLOR
from client.sync.targets_api import TargetsApi
from client.viewmodels.targets import fmt, pct
from client.viewmodels.targets_board import (
    COLUMNS,
    LIGHT_COLUMNS,
    BoardRow,
    ExportVM,
    TeamBoardVM,
    quarter_of,
)
from client.viewmodels.targets_data import load_store_metrics

SORT_KEY = "targets_board_sort"
API_KEY = "targets_api_factory"  # screens_state key: tests put another factory there
EXPORT_KEY = "targets_export_msg"
NUMERIC = {
    "stock_value",
    "increment_value",
    "overdue",
    "touchpoints",
    "explicitness",
    "depth",
    "real_rate",
}
# column -> drill-down kind, and which snapshot it reads
DRILL = {
    "stock_light": "stock",
    "stock_value": "stock",
    "increment_light": "increment",
    "increment_value": "increment",
    "overdue": "increment",
    "touchpoints": "business",
    "explicitness": "business",
    "depth": "business",
    "real_rate": "business",
    "rep": "business",
}


def api_factory(shell: Shell) -> Callable[[], Any]:
    injected = shell.screens_state.get(API_KEY)
    if injected is not None:
        return injected  # type: ignore[no-any-return]
    return lambda: TargetsApi.for_store(shell.store)


def cell_text(column: str, value: Any) -> str:
    if column in ("explicitness", "real_rate"):
        return pct(value)
    if column == "stock_value" or column == "depth":
        return fmt(value, 2)
    if column in ("increment_value", "touchpoints"):
        return fmt(value)
    return "—" if value is None else str(value)


def board_vm(shell: Shell) -> TeamBoardVM:
    column, ascending = shell.screens_state.get(SORT_KEY, ("stock_light", True))
    vm = TeamBoardVM(shell.store, column, ascending)
    vm.load()
    return vm


def _cell(shell: Shell, row: BoardRow, column: str) -> ft.DataCell:
    kind = DRILL[column]
    snap = row.month if kind in ("stock", "business") else row.week
    snap = snap or row.month or row.week
    ref = snap.record_id if snap else ""
    value = row.values.get(column)
    if column in LIGHT_COLUMNS:
        content: ft.Control = light_badge(
            shell, str(value), f"{row.rep_name} {shell.tr('tg.col.' + column)}", size=12
        )
    else:
        bad = column == "overdue" and bool(value)
        content = ft.Text(
            cell_text(column, value),
            color=BLOCK_COLOR if bad else None,
            weight=ft.FontWeight.BOLD if column == "rep" else None,
        )
    return ft.DataCell(content, on_tap=lambda e: drill(shell, kind, ref))


def board_table(shell: Shell, vm: TeamBoardVM) -> ft.DataTable:
    tr = shell.tr

    def sorted_by(e: ft.DataColumnSortEvent) -> None:
        column = COLUMNS[e.column_index]
        ascending = not vm.ascending if column == vm.sort_column else True
        shell.screens_state[SORT_KEY] = (column, ascending)
        shell.render()

    return ft.DataTable(
        columns=[
            ft.DataColumn(
                ft.Text(tr(f"tg.col.{c}"), weight=ft.FontWeight.BOLD),
                numeric=c in NUMERIC,
                on_sort=sorted_by,
            )
            for c in COLUMNS
        ],
        rows=[ft.DataRow([_cell(shell, r, c) for c in COLUMNS]) for r in vm.rows],
        sort_column_index=COLUMNS.index(vm.sort_column),
        sort_ascending=vm.ascending,
        column_spacing=18,
        horizontal_margin=8,
        heading_row_color=ft.Colors.BLUE_GREY_50,
        data_row_min_height=40,
        data_row_max_height=48,
    )


def board_pane(shell: Shell) -> ft.Control:
    tr = shell.tr
    vm = board_vm(shell)
    if not vm.rows:
        return ft.Column([ft.Text(tr("tg.board.none")), export_row(shell, vm)])
    s, i = vm.light_counts("stock_light"), vm.light_counts("increment_light")
    summary = ft.Row(
        [
            ft.Text(
                tr("tg.board.periods", month=vm.month_key or "—", week=vm.week_key or "—"),
                size=12,
                color=ft.Colors.GREY_800,
            ),
            ft.Text(
                tr(
                    "tg.board.counts",
                    sr=s["red"],
                    sy=s["yellow"],
                    sg=s["green"],
                    ir=i["red"],
                    iy=i["yellow"],
                    ig=i["green"],
                ),
                size=12,
            ),
        ],
        wrap=True,
    )
    table = ft.Row([board_table(shell, vm)], scroll=ft.ScrollMode.AUTO)
    return ft.Column(
        [
            summary,
            ft.Text(tr("tg.board.hint"), size=11, color=ft.Colors.GREY_600),
            table,
            ft.Divider(),
            export_row(shell, vm),
        ],
        spacing=6,
    )


def export_row(shell: Shell, vm: TeamBoardVM) -> ft.Control:
    tr = shell.tr
    assert shell.account is not None
    export = ExportVM(api_factory(shell))
    last: tuple[str, bool] | None = shell.screens_state.get(EXPORT_KEY)
    status = ft.Text(
        last[0] if last else "",
        color=BLOCK_COLOR if last and last[1] else OK_COLOR,
        selectable=True,
        size=12,
    )
    districts = _districts(shell) or ["—"]
    district = ft.Dropdown(
        label=tr("tg.export.district"),
        width=180,
        value=districts[0],
        options=[ft.DropdownOption(key=d, text=d) for d in districts],
    )
    month_end = vm.latest_month_end
    quarter = ft.TextField(
        label=tr("tg.export.quarter"), width=120, value=quarter_of(month_end) if month_end else ""
    )

    def done(ok: bool) -> None:
        msg = export.notice if ok else export.error
        text = shell.say(msg)
        shell.screens_state[EXPORT_KEY] = (text, not ok)
        status.value, status.color = text, (OK_COLOR if ok else BLOCK_COLOR)
        if status.page is not None:
            status.update()

    def xlsx(e: Any) -> None:
        done(export.board_xlsx(month_end) is not None)

    def pdf(e: Any) -> None:
        done(
            export.district_pdf(str(district.value or ""), str(quarter.value or "").strip())
            is not None
        )

    return ft.Column(
        [
            ft.Row(
                [ft.FilledButton(tr("tg.export.xlsx"), icon=ft.Icons.TABLE_VIEW, on_click=xlsx)],
                wrap=True,
            ),
            ft.Row(
                [
                    district,
                    quarter,
                    ft.OutlinedButton(
                        tr("tg.export.pdf"), icon=ft.Icons.PICTURE_AS_PDF, on_click=pdf
                    ),
                ],
                wrap=True,
                vertical_alignment=ft.CrossAxisAlignment.CENTER,
            ),
            status,
        ],
        spacing=6,
    )


def _districts(shell: Shell) -> list[str]:
    """Districts of the customers on the device and of the store metrics."""
    assert shell.account is not None
    out = {c.district for c in shell.store.list_customers(shell.account.org_id, limit=100_000)}
    out |= {m.district for m in load_store_metrics(shell.store)}
    return sorted(d for d in out if d)


__all__ = ["LIGHT_COLORS", "board_pane", "board_table"]
