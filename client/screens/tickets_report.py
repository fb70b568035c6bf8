"""Report a problem 报告问题: type -> root cause, scenario, impact scope, text, photos or one
video (picked with the file picker, video types)."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from client.screens.camera import take_photo
from client.screens.profile import back_button
from client.screens.shell import Shell
from client.screens.theme import BLOCK_COLOR
from client.viewmodels.tickets import ReportTicketVM
from shared.tickets.video import VIDEO_EXTENSIONS

STATE_KEY = "ticket_report_vm"
NONE = "-"  # dropdown key of "no visit" / "not sure"


class ReportTicketScreen:
    def __init__(
        self, shell: Shell, visit_id: str | None = None, customer_id: str | None = None
    ) -> None:
        self.shell = shell
        assert shell.account is not None
        key = (visit_id, customer_id)
        kept = shell.screens_state.get(STATE_KEY)
        if kept is not None and kept[0] == key:
            self.vm: ReportTicketVM = kept[1]
        else:
            self.vm = ReportTicketVM(
                shell.store,
                shell.account.org_id,
                shell.account.rep_id,
                shell.lang,
                visit_id=visit_id,
                customer_id=customer_id,
            )
            shell.screens_state[STATE_KEY] = (key, self.vm)
        self.vm.lang = shell.lang

    def _dropdown(
        self,
        label: str,
        options: list[tuple[str, str]],
        value: str | None,
        on_select: Callable[[ft.Event[ft.Dropdown]], None],
        *,
        none: str | None = None,
    ) -> ft.Dropdown:
        opts = [ft.DropdownOption(key=NONE, text=self.shell.tr(none))] if none else []
        opts += [ft.DropdownOption(key=k, text=v) for k, v in options]
        return ft.Dropdown(
            label=self.shell.tr(label),
            options=opts,
            value=value or (NONE if none else None),
            on_select=on_select,
            width=320,
        )

    def build(self) -> ft.Control:
        tr, vm = self.shell.tr, self.vm
        sc = vm.scenario
        visits = vm.recent_visits()
        scenario: list[ft.Control] = [ft.Text(tr("tk.scenario"), weight=ft.FontWeight.BOLD)]
        if visits:
            scenario.append(
                self._dropdown(
                    "tk.from_visit", visits, sc.visit_id, self.visit_selected, none="tk.no_visit"
                )
            )
        if sc.customer_id:
            scenario.append(ft.Text(tr("tk.customer", name=vm.customer_name)))
        self.place = ft.TextField(
            label=tr("tk.place"), value=sc.place, on_change=self.place_changed
        )
        self.district = ft.TextField(
            label=tr("tk.district"), value=sc.district, on_change=self.place_changed, width=155
        )
        self.province = ft.TextField(
            label=tr("tk.province"), value=sc.province, on_change=self.place_changed, width=155
        )
        scenario += [self.place, ft.Row([self.district, self.province], wrap=True)]
        scopes = [
            (s, tr(f"tk.scope.{s}")) for s in ("customer", "district", "province", "national")
        ]
        self.text = ft.TextField(
            label=tr("tk.text"),
            value=vm.text,
            multiline=True,
            min_lines=3,
            max_length=4000,
            on_change=self.text_changed,
        )
        self.error = ft.Text(self.shell.say(vm.error), color=BLOCK_COLOR)
        self.photo_error = ft.Text(self.shell.say(vm.photo_error), color=BLOCK_COLOR)
        return ft.Column(
            [
                back_button(self.shell),
                ft.Text(tr("tk.report_title"), size=18, weight=ft.FontWeight.BOLD),
                self._dropdown(
                    "tk.problem_type",
                    vm.type_options(),
                    vm.problem_type.value if vm.problem_type else None,
                    self.type_selected,
                ),
                *(
                    [
                        self._dropdown(
                            "tk.family",
                            vm.family_options(),
                            vm.family_id,
                            self.family_selected,
                            none="tk.not_sure",
                        )
                    ]
                    if vm.problem_type
                    else []
                ),
                *(
                    [
                        self._dropdown(
                            "tk.cause",
                            vm.cause_options(),
                            vm.cause_id,
                            self.cause_selected,
                            none="tk.not_sure",
                        )
                    ]
                    if vm.family_id and vm.cause_options()
                    else []
                ),
                *scenario,
                self._dropdown("tk.impact", scopes, vm.scope.value, self.scope_selected),
                self.text,
                *self._photos(),
                self.photo_error,
                self.error,
                ft.FilledButton(tr("tk.submit"), icon=ft.Icons.SEND, on_click=self.submit),
            ],
            scroll=ft.ScrollMode.AUTO,
            expand=True,
            spacing=8,
        )

    def _photos(self) -> list[ft.Control]:
        tr, vm = self.shell.tr, self.vm
        count = tr("tk.photos_count", n=len(vm.photos), max=vm.settings.max_photos)
        thumbs: list[ft.Control] = []
        for i, p in enumerate(vm.photos):
            thumbs.append(
                ft.Column(
                    [
                        ft.Image(src=p.thumbnail, width=96, height=96, fit=ft.BoxFit.COVER),
                        ft.IconButton(
                            ft.Icons.DELETE,
                            tooltip=tr("tk.remove_photo"),
                            on_click=lambda e, i=i: self.remove(i),
                        ),
                    ],
                    spacing=0,
                )
            )
        buttons: list[ft.Control] = []
        devices = self.shell.devices
        if devices is not None and devices.has_camera:
            buttons.append(
                ft.OutlinedButton(tr("tk.camera"), icon=ft.Icons.PHOTO_CAMERA, on_click=self.camera)
            )
        buttons.append(
            ft.OutlinedButton(tr("tk.pick_photo"), icon=ft.Icons.PHOTO_LIBRARY, on_click=self.pick)
        )
        buttons.append(
            ft.OutlinedButton(tr("tk.pick_video"), icon=ft.Icons.VIDEO_LIBRARY, on_click=self.video)
        )
        limits = tr(
            "tk.video_limits",
            seconds=f"{vm.settings.video_max_duration_s:g}",
            mb=f"{vm.settings.video_max_bytes / 1048576:.0f}",
        )
        out: list[ft.Control] = [
            ft.Text(count, weight=ft.FontWeight.BOLD),
            ft.Text(limits, size=12, color=ft.Colors.GREY_700),
            ft.Row(thumbs, wrap=True),
        ]
        if vm.video is not None:
            v = vm.video.evidence
            line = tr(
                "tk.video_line", seconds=f"{v.duration_s:g}", mb=f"{v.size_bytes / 1048576:.1f}"
            )
            out.append(
                ft.Row(
                    [
                        ft.Icon(ft.Icons.MOVIE),
                        ft.Text(line),
                        ft.IconButton(
                            ft.Icons.DELETE,
                            tooltip=tr("tk.remove_video"),
                            on_click=lambda e: self.remove_video(),
                        ),
                    ]
                )
            )
        out.append(ft.Row(buttons, wrap=True))
        return out

    # -- events ------------------------------------------------------------------------------
    def visit_selected(self, e: ft.Event[ft.Dropdown]) -> None:
        value = e.control.value or NONE
        if value == NONE:
            self.vm.scenario = self.vm.scenario.model_copy(update={"visit_id": None})
        else:
            self.vm.use_visit(value)
        self.shell.render()

    def type_selected(self, e: ft.Event[ft.Dropdown]) -> None:
        self.vm.set_type(e.control.value or "policy")
        self.shell.render()

    def family_selected(self, e: ft.Event[ft.Dropdown]) -> None:
        value = e.control.value or NONE
        self.vm.set_family(None if value == NONE else value)
        self.shell.render()

    def cause_selected(self, e: ft.Event[ft.Dropdown]) -> None:
        value = e.control.value or NONE
        self.vm.set_cause(None if value == NONE else value)

    def scope_selected(self, e: ft.Event[ft.Dropdown]) -> None:
        self.vm.set_scope(e.control.value or "national")

    def place_changed(self, e: object = None) -> None:
        self.vm.set_place(
            self.place.value or "", self.district.value or "", self.province.value or ""
        )

    def text_changed(self, e: ft.Event[ft.TextField]) -> None:
        self.vm.text = e.control.value or ""

    def remove(self, index: int) -> None:
        self.vm.remove_photo(index)
        self.shell.render()

    def add_photo(self, data: bytes) -> None:
        self.vm.add_photo(data)
        self.shell.render()

    async def pick(self, e: object = None) -> None:
        assert self.shell.devices is not None
        data = await self.shell.devices.pick_photo()
        if data:
            self.add_photo(data)

    def remove_video(self) -> None:
        self.vm.remove_video()
        self.shell.render()

    async def video(self, e: object = None) -> None:
        """One short video from the file picker (video types) instead of photos."""
        assert self.shell.devices is not None
        files = await self.shell.devices.picker.pick_files(
            file_type=ft.FilePickerFileType.CUSTOM,
            allowed_extensions=list(VIDEO_EXTENSIONS),
            with_data=True,
            allow_multiple=False,
        )
        if not files:
            return
        f = files[0]
        data = bytes(f.bytes) if f.bytes else None
        if data is None and f.path:  # desktop: a path instead of bytes
            with open(f.path, "rb") as fh:
                data = fh.read()
        if data:
            self.vm.add_video(data)
            self.shell.render()

    async def camera(self, e: object = None) -> None:
        data = await take_photo(self.shell)
        if data:
            self.add_photo(data)

    def submit(self, e: object = None) -> None:
        self.place_changed()
        ticket = self.vm.submit()
        if ticket is None:
            self.error.value = self.shell.say(self.vm.error)
            if self.error.page is not None:
                self.error.update()
            return
        self.shell.screens_state.pop(STATE_KEY, None)
        self.shell.detail = None
        self.shell.tab = "tickets"
        self.shell.show_notice(self.shell.tr("tk.saved"))
        self.shell.render()
        self.shell.start_sync()
