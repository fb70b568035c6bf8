"""One ticket: evidence thumbnails, OCR text, similar issues, answers with policy documents,
comments; the reporter resolves it or reopens it when the answer did not help."""

from __future__ import annotations

import flet as ft

from client.screens.profile import back_button, fact
from client.screens.shell import Shell
from client.screens.theme import BLOCK_COLOR, OK_COLOR
from client.screens.tickets import api_factory
from client.viewmodels.tickets_list import TicketDetailVM
from client.viewmodels.tickets_manager import MANAGER_ROLES, user_role


def when(value: object) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value is not None else ""  # type: ignore[attr-defined]


def heading(text: str) -> ft.Text:
    return ft.Text(text, weight=ft.FontWeight.BOLD, size=15)


class TicketDetailScreen:
    def __init__(self, shell: Shell, ticket_id: str) -> None:
        self.shell = shell
        assert shell.account is not None
        self.vm = TicketDetailVM(
            shell.store,
            ticket_id,
            shell.account.rep_id,
            shell.lang,
            api_factory=api_factory(shell),
        )
        self.vm.load()

    def build(self) -> ft.Control:
        tr, vm = self.shell.tr, self.vm
        t = vm.ticket
        state = tr(vm.state_key)
        pending = vm.pending_state()
        head: list[ft.Control] = [
            back_button(self.shell),
            ft.Text(t.text.strip().splitlines()[0][:80], size=18, weight=ft.FontWeight.BOLD),
            ft.Row(
                [
                    ft.Text(f"{tr('tk.type.' + t.problem_type.value)} · {state}"),
                    *([ft.Text(tr("tk.overdue"), color=BLOCK_COLOR)] if vm.overdue else []),
                    *(
                        [
                            ft.Text(
                                tr("tk.pending_state", state=tr("tk.state." + pending)),
                                color=ft.Colors.AMBER_800,
                            )
                        ]
                        if pending
                        else []
                    ),
                ],
                wrap=True,
            ),
        ]
        facts: list[ft.Control] = []
        if vm.cause:
            facts.append(fact(tr("tk.cause"), vm.cause))
        sc = t.scenario
        place = " · ".join(x for x in (sc.place, sc.district, sc.province) if x)
        if place:
            facts.append(fact(tr("tk.scenario"), place))
        facts.append(fact(tr("tk.impact"), tr("tk.scope." + t.impact_scope.value)))
        if t.deadline is not None:
            facts.append(ft.Text(tr("tk.deadline", when=when(t.deadline))))
        if t.owner_id:
            facts.append(ft.Text(tr("tk.owner", who=t.owner_id)))
        if vm.answer_hours is not None:
            facts.append(ft.Text(tr("tk.hours", h=f"{vm.answer_hours:.1f}"), color=OK_COLOR))
        return ft.Column(
            [
                *head,
                *facts,
                ft.Text(t.text, selectable=True),
                *self._evidence(),
                *self._answers(),
                *self._similar(),
                *self._comments(),
                *self._actions(),
            ],
            scroll=ft.ScrollMode.AUTO,
            expand=True,
            spacing=6,
        )

    def _evidence(self) -> list[ft.Control]:
        tr = self.shell.tr
        items = self.vm.evidence()
        video = self.vm.video
        if video is not None:
            v, here = video
            line = tr(
                "tk.video_line", seconds=f"{v.duration_s:g}", mb=f"{v.size_bytes / 1048576:.1f}"
            )
            return [
                heading(tr("tk.evidence")),
                ft.Row([ft.Icon(ft.Icons.MOVIE), ft.Text(line)]),
                *([] if here else [ft.Text(tr("tk.video_not_here"), size=12)]),
            ]
        if not items:
            return []
        tiles: list[ft.Control] = [
            ft.Image(src=e.thumbnail, width=110, height=110, fit=ft.BoxFit.COVER)
            if e.thumbnail
            else ft.Container(
                ft.Text(tr("tk.no_thumb"), size=11),
                width=110,
                height=110,
                bgcolor=ft.Colors.GREY_200,
                alignment=ft.Alignment.CENTER,
            )
            for e in items
        ]
        ocr = self.vm.ocr_summary
        return [
            heading(tr("tk.evidence")),
            ft.Row(tiles, wrap=True),
            heading(tr("tk.ocr")),
            ft.Text(
                ocr or tr("tk.ocr_none"),
                selectable=True,
                size=12,
                color=None if ocr else ft.Colors.GREY_600,
            ),
        ]

    def _answers(self) -> list[ft.Control]:
        tr = self.shell.tr
        out: list[ft.Control] = [heading(tr("tk.answers"))]
        answers = self.vm.answers()
        if not answers:
            out.append(ft.Text(tr("tk.no_answer"), color=ft.Colors.GREY_600))
        for a in answers:
            kind = tr("tk.auto_answer" if a.automatic else "tk.owner_answer")
            out.append(ft.Text(f"{kind} · {when(a.created_at)}", size=12, color=OK_COLOR))
            out.append(ft.Text(a.text, selectable=True))
            for d in a.documents:
                out.append(
                    ft.TextButton(
                        tr("tk.open_document", title=d.title),
                        icon=ft.Icons.DESCRIPTION,
                        on_click=lambda e, sha=d.sha256: self.open_document(sha),
                    )
                )
                text = self.vm.document_text.get(d.sha256)
                if text:
                    out.append(
                        ft.Container(
                            ft.Text(text, size=12, selectable=True),
                            padding=8,
                            bgcolor=ft.Colors.BLUE_GREY_50,
                        )
                    )
        return out

    def _similar(self) -> list[ft.Control]:
        tr = self.shell.tr
        rows = self.vm.similar()
        out: list[ft.Control] = [heading(tr("tk.similar"))]
        if not rows:
            out.append(ft.Text(tr("tk.similar_none"), color=ft.Colors.GREY_600, size=12))
        for s in rows:
            line = tr(
                "tk.similar_row",
                title=s.title,
                type=tr(s.type_key),
                state=tr(s.state_key),
                relation=tr(s.cause_key),
                score=f"{s.score:.2f}",
            )
            out.append(ft.Text(line, size=12))
            if s.answer:
                out.append(ft.Text(f"→ {s.answer}", size=12, color=OK_COLOR))
        return out

    def _comments(self) -> list[ft.Control]:
        tr = self.shell.tr
        out: list[ft.Control] = [heading(tr("tk.comments"))]
        comments = self.vm.comments()
        if not comments:
            out.append(ft.Text(tr("tk.no_comments"), color=ft.Colors.GREY_600, size=12))
        for c in comments:
            tag = f" · {tr('tk.pending')}" if c.pending else ""
            out.append(ft.Text(f"{c.author_id} · {when(c.created_at)}{tag}", size=11))
            out.append(ft.Text(c.text))
        self.comment = ft.TextField(
            label=tr("tk.comment_label"), multiline=True, on_change=self.comment_changed
        )
        out += [
            self.comment,
            ft.OutlinedButton(
                tr("tk.add_comment"), icon=ft.Icons.COMMENT, on_click=self.add_comment
            ),
        ]
        return out

    def _actions(self) -> list[ft.Control]:
        tr, vm = self.shell.tr, self.vm
        self.error = ft.Text(self.shell.say(vm.error), color=BLOCK_COLOR)
        out: list[ft.Control] = []
        if vm.can_react_to_answer:
            self.reason = ft.TextField(label=tr("tk.reopen_reason"), on_change=self.reason_changed)
            out += [
                ft.FilledButton(tr("tk.resolve"), icon=ft.Icons.CHECK, on_click=self.resolve),
                self.reason,
                ft.OutlinedButton(tr("tk.reopen"), icon=ft.Icons.REPLAY, on_click=self.reopen),
            ]
        role = user_role(self.shell.store)
        if role in MANAGER_ROLES and vm.local is not None and vm.local.synced:
            out.append(
                ft.OutlinedButton(
                    tr("tk.triage_title"),
                    icon=ft.Icons.ASSIGNMENT_IND,
                    on_click=lambda e: self.shell.open("ticket_triage", ticket_id=vm.ticket_id),
                )
            )
        return [*out, self.error]

    # -- events ------------------------------------------------------------------------------
    def _done(self, ok: bool) -> None:
        if ok:
            self.shell.show_notice(self.shell.say(self.vm.notice))
            self.shell.render()
            self.shell.start_sync()
            return
        self.error.value = self.shell.say(self.vm.error)
        if self.error.page is not None:
            self.error.update()

    def comment_changed(self, e: ft.Event[ft.TextField]) -> None:
        self.vm.comment_text = e.control.value or ""

    def reason_changed(self, e: ft.Event[ft.TextField]) -> None:
        self.vm.reopen_note = e.control.value or ""

    def add_comment(self, e: object = None) -> None:
        self._done(self.vm.add_comment())

    def resolve(self, e: object = None) -> None:
        self._done(self.vm.resolve())

    def reopen(self, e: object = None) -> None:
        self._done(self.vm.reopen())

    def open_document(self, sha: str) -> None:
        ok = self.vm.open_document(sha)
        if ok:
            self.shell.render()
        else:
            self._done(False)
