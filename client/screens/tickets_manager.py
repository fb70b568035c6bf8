"""Managers: the triage queue, one ticket's handling (answer / assign / close) and the
answer-time board. Admins: the root-cause tree with its scripts. All need the server."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from client.screens.profile import back_button
from client.screens.shell import Shell
from client.screens.theme import BLOCK_COLOR, OK_COLOR
from client.screens.tickets import api_factory, message_text
from client.sync.tickets_api import TicketsApi
from client.viewmodels.tickets_manager import AdminConfigVM, BoardVM, TriageVM

BOARD_KEY = "tickets_board_by"


def _hours(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


def triage_pane(shell: Shell, factory: Callable[[], TicketsApi]) -> ft.Control:
    tr = shell.tr
    vm = TriageVM(factory, shell.lang)
    vm.load()
    rows: list[ft.Control] = [message_text(shell, vm.error)]
    for r in vm.rows:
        bits = [tr(f"tk.type.{r['problem_type']}"), tr(f"tk.state.{r['state']}")]
        if r.get("district"):
            bits.append(str(r["district"]))
        if r.get("deadline"):
            bits.append(tr("tk.deadline", when=str(r["deadline"])[:16].replace("T", " ")))
        overdue = bool(r.get("overdue"))
        rows.append(
            ft.ListTile(
                leading=ft.Icon(
                    ft.Icons.ALARM if overdue else ft.Icons.INBOX,
                    color=BLOCK_COLOR if overdue else None,
                    tooltip=tr("tk.overdue") if overdue else tr(f"tk.state.{r['state']}"),
                ),
                title=ft.Text(str(r.get("title", ""))),
                subtitle=ft.Text(" · ".join(bits), size=12),
                on_click=lambda e, tid=r["id"]: shell.open("ticket_triage", ticket_id=tid),
            )
        )
    if not vm.rows and vm.error is None:
        rows.append(ft.Text(tr("tk.triage_none")))
    rows.append(
        ft.TextButton(tr("tk.refresh"), icon=ft.Icons.REFRESH, on_click=lambda e: shell.render())
    )
    return ft.Column(rows, spacing=2)


def board_pane(shell: Shell, factory: Callable[[], TicketsApi]) -> ft.Control:
    tr = shell.tr
    vm = BoardVM(factory, by=shell.screens_state.get(BOARD_KEY, "type"))
    vm.load()

    def group(e: ft.Event[ft.SegmentedButton]) -> None:
        shell.screens_state[BOARD_KEY] = next(iter(e.control.selected or ["type"]))
        shell.render()

    lines: list[ft.Control] = [
        ft.SegmentedButton(
            selected=[vm.by],
            segments=[ft.Segment(value=g, label=ft.Text(tr(f"tk.group.{g}"))) for g in vm.GROUPS],
            on_change=group,
        ),
        message_text(shell, vm.error),
    ]
    if vm.error is None:
        lines.append(
            ft.Text(
                tr("tk.board_total", n=vm.total, overdue=len(vm.overdue_ids)),
                weight=ft.FontWeight.BOLD,
            )
        )
        for ln in vm.lines:
            key = tr(f"tk.type.{ln.key}") if vm.by == "type" else ln.key
            lines.append(
                ft.Text(
                    tr(
                        "tk.board_row",
                        group=key,
                        tickets=ln.tickets,
                        delivered=ln.delivered,
                        median=_hours(ln.median_hours),
                        p90=_hours(ln.p90_hours),
                        overdue=ln.overdue,
                    ),
                    color=BLOCK_COLOR if ln.overdue else None,
                )
            )
        if not vm.lines:
            lines.append(ft.Text(tr("tk.board_none")))
    return ft.Column(lines, spacing=6)


def admin_pane(shell: Shell, factory: Callable[[], TicketsApi]) -> ft.Control:
    tr = shell.tr
    vm = AdminConfigVM(shell.store, factory, shell.lang)
    out: list[ft.Control] = [ft.Text(tr("tk.admin_hint"), size=12, color=ft.Colors.GREY_700)]
    status = ft.Text("")

    def toggle(node_id: str, active: bool) -> None:
        ok = vm.set_active(node_id, active)
        status.value = shell.say(vm.notice if ok else vm.error)
        status.color = OK_COLOR if ok else BLOCK_COLOR
        if ok:
            shell.render()
        elif status.page is not None:
            status.update()

    for line in vm.lines():
        n = line.node
        label = line.label + ("" if n.active else f" {tr('tk.retired')}")
        row: list[ft.Control] = [ft.Text(label, size=14 if line.level < 3 else 13, expand=True)]
        if line.level > 1:
            row.append(
                ft.TextButton(
                    tr("tk.retire" if n.active else "tk.restore"),
                    on_click=lambda e, nid=n.id, a=not n.active: toggle(nid, a),
                )
            )
        out.append(ft.Container(ft.Row(row), padding=ft.Padding.only(left=16 * (line.level - 1))))
        if line.script is not None:
            text = line.script.text_zh if shell.lang.startswith("zh") else line.script.text_en
            out.append(
                ft.Container(
                    ft.Text(tr("tk.script_of", text=text), size=12, color=OK_COLOR),
                    padding=ft.Padding.only(left=16 * line.level),
                )
            )
    out.append(status)
    return ft.Column(out, spacing=2)


class TicketTriageScreen:
    """A manager handles one ticket: answer (own words or a script), assign, close."""

    def __init__(self, shell: Shell, ticket_id: str) -> None:
        self.shell, self.ticket_id = shell, ticket_id
        self.vm = TriageVM(api_factory(shell), shell.lang)
        self.vm.load()
        self.row = next((r for r in self.vm.rows if r["id"] == ticket_id), None)
        self.script_id: str | None = None

    def build(self) -> ft.Control:
        tr = self.shell.tr
        self.msg = message_text(self.shell, self.vm.error)
        head: list[ft.Control] = [
            back_button(self.shell),
            ft.Text(tr("tk.triage_title"), size=18, weight=ft.FontWeight.BOLD),
        ]
        if self.row is not None:
            head.append(ft.Text(str(self.row.get("title", ""))))
            head.append(ft.Text(tr("tk.reporter", who=self.row.get("reporter_id", "")), size=12))
        self.answer = ft.TextField(label=tr("tk.answer_text"), multiline=True, min_lines=2)
        scripts = [ft.DropdownOption(key="-", text=tr("tk.no_script"))] + [
            ft.DropdownOption(
                key=s["id"],
                text=str(s.get("text_zh" if self.shell.lang == "zh" else "text_en") or s["id"])[
                    :40
                ],
            )
            for s in self.vm.scripts
        ]
        self.script = ft.Dropdown(
            label=tr("tk.script"),
            options=scripts,
            value="-",
            on_select=self.script_selected,
            width=320,
        )
        self.owner = ft.TextField(label=tr("tk.owner_id"), width=200)
        self.hours = ft.TextField(label=tr("tk.deadline_hours"), value="48", width=120)
        self.note = ft.TextField(label=tr("tk.close_note"))
        return ft.Column(
            [
                *head,
                self.msg,
                self.answer,
                self.script,
                ft.FilledButton(tr("tk.send_answer"), icon=ft.Icons.SEND, on_click=self.send),
                ft.Divider(),
                ft.Row([self.owner, self.hours], wrap=True),
                ft.OutlinedButton(
                    tr("tk.assign"), icon=ft.Icons.ASSIGNMENT_IND, on_click=self.assign
                ),
                ft.Divider(),
                self.note,
                ft.OutlinedButton(tr("tk.close"), icon=ft.Icons.CLOSE, on_click=self.close),
            ],
            scroll=ft.ScrollMode.AUTO,
            expand=True,
            spacing=8,
        )

    def script_selected(self, e: ft.Event[ft.Dropdown]) -> None:
        value = e.control.value or "-"
        self.script_id = None if value == "-" else value

    def _after(self, ok: bool) -> None:
        if ok:
            self.shell.detail = None
            self.shell.show_notice(self.shell.say(self.vm.notice))
            self.shell.render()
            return
        self.msg.value = self.shell.say(self.vm.error)
        self.msg.visible = True
        if self.msg.page is not None:
            self.msg.update()

    def send(self, e: object = None) -> None:
        self._after(self.vm.answer(self.ticket_id, self.answer.value or "", self.script_id))

    def assign(self, e: object = None) -> None:
        try:
            hours = float(self.hours.value or "48")
        except ValueError:
            hours = 48.0
        self._after(self.vm.assign(self.ticket_id, self.owner.value or "", hours))

    def close(self, e: object = None) -> None:
        self._after(self.vm.close(self.ticket_id, self.note.value or ""))
