"""New visit: action -> SOP checklist, photo slots, GPS, result fields, live validation, submit."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from client.capture import camera_stamp
from client.screens.camera import take_photo
from client.screens.devices import DeviceError
from client.screens.profile import back_button
from client.screens.shell import Shell
from client.screens.theme import labelled, status_color
from client.viewmodels.visit_form import VisitFormVM, rule_rows, slot_labels
from shared.sop import FieldKind
from shared.visits import Provenance


class VisitFormScreen:
    def __init__(
        self,
        shell: Shell,
        customer_id: str,
        draft_id: str | None = None,
        amends: str | None = None,
    ) -> None:
        self.shell = shell
        assert shell.account is not None
        if draft_id and shell.store.load_draft(draft_id) is not None:
            self.vm = VisitFormVM.resume(shell.store, shell.account, draft_id)
        else:
            self.vm = VisitFormVM(shell.store, shell.account, customer_id, amends=amends)
            self.vm.revalidate()
            # the route now names the draft, so a re-render resumes it instead of starting over
            if shell.detail is not None:
                shell.detail.params["draft_id"] = self.vm.visit_id

    # -- building ------------------------------------------------------------------------
    def build(self) -> ft.Control:
        tr, vm, lang = self.shell.tr, self.vm, self.shell.lang
        self.action = ft.Dropdown(
            label=tr("visit.action"),
            value=vm.action_type,
            options=[
                ft.DropdownOption(key=k, text=s.label.for_lang(lang)) for k, s in vm.sops.items()
            ],
            on_select=self.action_selected,
        )
        self.sop_area = ft.Column(spacing=6)
        self.gps_text = ft.Text(self._gps_words())
        self.gps_button = ft.OutlinedButton(
            tr("visit.get_gps"), icon=ft.Icons.MY_LOCATION, on_click=self.locate
        )
        self.notes = ft.TextField(
            label=tr("visit.notes"), value=vm.notes, multiline=True, on_change=self.notes_changed
        )
        self.panel = ft.Column(spacing=4)
        self.verdict = ft.Text("", weight=ft.FontWeight.BOLD, size=16)
        self.message = ft.Text("")
        self.submit_button = ft.FilledButton(
            tr("visit.submit"), icon=ft.Icons.SAVE, on_click=self.submit
        )
        self._fill_sop()
        self._fill_panel()
        title = tr("visit.amend_title" if vm.amends else "visit.title")
        head = [back_button(self.shell), ft.Text(f"{title} · {vm.customer.name}", size=18)]
        if vm.amends:
            head.append(ft.Text(tr("visit.amends", id=vm.amends[:8]), size=12))
        return ft.Column(
            [
                *head,
                labelled(self.action, tr("visit.action")),
                self.sop_area,
                ft.Text(tr("visit.gps"), weight=ft.FontWeight.BOLD),
                ft.Row([self.gps_button, self.gps_text], wrap=True),
                self.notes,
                ft.Divider(),
                ft.Row([ft.Text(tr("visit.validation"), weight=ft.FontWeight.BOLD), self.verdict]),
                self.panel,
                self.submit_button,
                self.message,
                ft.TextButton(tr("visit.discard"), icon=ft.Icons.DELETE, on_click=self.discard),
            ],
            scroll=ft.ScrollMode.AUTO,
            expand=True,
            spacing=8,
        )

    def _gps_words(self) -> str:
        fix = self.vm.gps
        if fix is None:
            return self.shell.tr("visit.gps_none")
        return self.shell.tr(
            "visit.gps_value",
            lat=f"{fix.lat:.5f}",
            lon=f"{fix.lon:.5f}",
            acc=f"{fix.accuracy_m:.0f}",
        )

    def _fill_sop(self) -> None:
        tr, vm, lang = self.shell.tr, self.vm, self.shell.lang
        sop = vm.sop
        controls: list[ft.Control] = []
        if sop is None:
            self.sop_area.controls = controls
            return
        controls.append(ft.Text(tr("visit.checklist"), weight=ft.FontWeight.BOLD))
        for item in sop.checklist:
            controls.append(
                ft.Checkbox(
                    label=item.label.for_lang(lang),
                    value=vm.checklist.get(item.code, False),
                    on_change=lambda e, code=item.code: self.checked(code, bool(e.control.value)),
                )
            )
        controls.append(ft.Text(tr("visit.photos"), weight=ft.FontWeight.BOLD))
        self.photo_error = ft.Text("", color=ft.Colors.RED_700)
        for slot in sop.photo_slots:
            controls.append(self._slot_row(slot.code, slot.label.for_lang(lang)))
        controls.append(self.photo_error)
        controls.append(ft.Text(tr("visit.result"), weight=ft.FontWeight.BOLD))
        self.result_fields: dict[str, ft.Control] = {}
        for f in sop.result_fields:
            label = f.label.for_lang(lang) + (" *" if f.required else "")
            raw = vm.result_raw.get(f.code, "")
            ctl: ft.Control
            if f.kind is FieldKind.BOOL:
                ctl = ft.Dropdown(
                    label=label,
                    value=raw or None,
                    options=[
                        ft.DropdownOption(key="true", text=tr("visit.yes")),
                        ft.DropdownOption(key="false", text=tr("visit.no")),
                    ],
                    on_select=lambda e, code=f.code: self.result_changed(code, e.control.value),
                )
            elif f.kind is FieldKind.MULTI:  # several choices: one checkbox each
                ctl = self._multi(f.code, label, f.choices, raw, f.choice_label)
            elif f.kind is FieldKind.CHOICE:
                ctl = ft.Dropdown(
                    label=label,
                    value=raw or None,
                    options=[
                        ft.DropdownOption(key=c, text=f.choice_label(c, lang)) for c in f.choices
                    ],
                    on_select=lambda e, code=f.code: self.result_changed(code, e.control.value),
                )
            else:
                numeric = f.kind in (FieldKind.INT, FieldKind.NUMBER)
                ctl = ft.TextField(
                    label=label,
                    value=raw,
                    keyboard_type=ft.KeyboardType.NUMBER if numeric else ft.KeyboardType.TEXT,
                    on_change=lambda e, code=f.code: self.result_changed(code, e.control.value),
                )
            self.result_fields[f.code] = ctl
            controls.append(labelled(ctl, label) if isinstance(ctl, ft.Dropdown) else ctl)
        self.sop_area.controls = controls

    def _multi(
        self,
        code: str,
        label: str,
        choices: tuple[str, ...],
        raw: str,
        words: Callable[[str, str], str],
    ) -> ft.Control:
        ticked = set(raw.split(",")) if raw else set()

        def toggle(choice: str, on: bool) -> None:
            ticked.add(choice) if on else ticked.discard(choice)
            self.result_changed(code, ",".join(c for c in choices if c in ticked))

        boxes = [
            ft.Checkbox(
                label=words(c, self.shell.lang),
                value=c in ticked,
                on_change=lambda e, c=c: toggle(c, bool(e.control.value)),
            )
            for c in choices
        ]
        return ft.Column([ft.Text(label, size=13), ft.Row(boxes, wrap=True)], spacing=2)

    def _slot_row(self, code: str, label: str) -> ft.Control:
        tr, vm = self.shell.tr, self.vm
        photo = vm.photos.get(code)
        preview: ft.Control = (
            ft.Image(src=photo.thumbnail, width=64, height=64, fit=ft.BoxFit.COVER)
            if photo
            else ft.Container(
                ft.Text(tr("visit.photo_missing"), size=11, color=ft.Colors.GREY_600),
                width=64,
                height=64,
                bgcolor=ft.Colors.GREY_200,
                alignment=ft.Alignment.CENTER,
            )
        )

        async def camera(e: object) -> None:
            await self.camera(code)

        async def pick(e: object) -> None:
            await self.pick(code)

        buttons: list[ft.Control] = []
        if self.shell.devices is not None and self.shell.devices.has_camera:
            buttons.append(
                ft.OutlinedButton(
                    f"{tr('visit.take_photo')} · {label}",
                    icon=ft.Icons.PHOTO_CAMERA,
                    on_click=camera,
                )
            )
        buttons.append(
            ft.OutlinedButton(
                f"{tr('visit.pick_photo')} · {label}",
                icon=ft.Icons.PHOTO_LIBRARY,
                on_click=pick,
            )
        )
        return ft.Row([preview, ft.Column([ft.Text(label), *buttons], spacing=4)], wrap=False)

    def _fill_panel(self) -> None:
        vm, lang, tr = self.vm, self.shell.lang, self.shell.tr
        rows: list[ft.Control] = []
        for r in rule_rows(vm.report, lang, slot_labels(vm.sop, lang)):
            icon = {"pass": ft.Icons.CHECK_CIRCLE, "block": ft.Icons.CANCEL}.get(
                r.status, ft.Icons.WARNING_AMBER
            )
            lines: list[ft.Control] = [ft.Text(r.text, size=13)]
            if r.hint:
                lines.append(
                    ft.Text(tr("rule.todo", hint=r.hint), size=12, color=ft.Colors.GREY_800)
                )
            rows.append(
                ft.Row(
                    [
                        ft.Icon(icon, color=status_color(r.status), size=18,
                                tooltip=tr(f"rule.{r.status}")),
                        ft.Column(lines, spacing=0, expand=True),
                    ],
                    vertical_alignment=ft.CrossAxisAlignment.START,
                )
            )  # fmt: skip
        self.panel.controls = rows
        counts = vm.counts
        self.verdict.value = tr("visit.counts" if counts else "visit.blocked")
        self.verdict.color = status_color("pass" if counts else "block")

    # -- handlers ------------------------------------------------------------------------
    def _refresh(self, *, sop: bool = False) -> None:
        if sop:
            self._fill_sop()
        self._fill_panel()
        if self.panel.page is not None:
            if sop:
                self.sop_area.update()
            self.panel.update()
            self.verdict.update()

    def action_selected(self, e: ft.Event[ft.Dropdown]) -> None:
        self.vm.set_action(e.control.value or self.vm.action_type)
        self._refresh(sop=True)

    def checked(self, code: str, done: bool) -> None:
        self.vm.set_check(code, done)
        self._refresh()

    def result_changed(self, code: str, raw: str | None) -> None:
        self.vm.set_result(code, raw or "")
        field = self.result_fields.get(code)
        if isinstance(field, ft.TextField):
            err = self.vm.result_errors.get(code)
            field.error = self.shell.say(err) if err else None
            if field.page is not None:
                field.update()
        self._refresh()

    def notes_changed(self, e: ft.Event[ft.TextField]) -> None:
        self.vm.set_notes(e.control.value or "")
        self._refresh()

    def add_photo(
        self, slot: str, data: bytes, provenance: Provenance, stamp: object = None
    ) -> bool:
        ok = self.vm.add_photo(slot, data, provenance, stamp)  # type: ignore[arg-type]
        self._refresh(sop=True)
        self.photo_error.value = self.shell.say(self.vm.photo_error)
        if self.photo_error.page is not None:
            self.photo_error.update()
        return ok

    async def pick(self, slot: str) -> None:
        assert self.shell.devices is not None
        data = await self.shell.devices.pick_photo()
        if data:
            self.add_photo(slot, data, Provenance.FILE_PICKER)

    async def camera(self, slot: str) -> None:
        data = await take_photo(self.shell)
        if data:
            stamp = camera_stamp(self.shell.store, self.vm.gps)
            self.add_photo(slot, data, Provenance.APP_CAMERA, stamp)

    async def locate(self, e: object = None) -> None:
        assert self.shell.devices is not None
        try:
            fix = await self.shell.devices.locate()
        except DeviceError as exc:
            self.gps_text.value = self.shell.tr("visit.gps_failed", reason=str(exc))
        else:
            self.shell.last_fix = fix
            self.vm.set_gps(fix)
            self.gps_text.value = self._gps_words()
        if self.gps_text.page is not None:
            self.gps_text.update()
        self._refresh()

    def submit(self, e: object = None) -> None:
        outcome = self.vm.submit()
        self.shell.show_notice(outcome.message, error=not outcome.report.counts)
        self.shell.open("visit_detail", visit_id=outcome.visit_id)

    def discard(self, e: object = None) -> None:
        self.vm.discard()
        self.shell.open("profile", customer_id=self.vm.customer.id)
