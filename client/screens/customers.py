"""Customer list: search (name, pinyin initials, address), filters, distance, today's status."""

from __future__ import annotations

import flet as ft

from client.screens.devices import DeviceError
from client.screens.shell import Shell
from client.viewmodels.customers import CustomerListVM, CustomerRow, distance_text


class CustomerListScreen:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        assert shell.account is not None
        vm = shell.screens_state.get("customers")
        if vm is None:
            vm = CustomerListVM(shell.store, shell.account.org_id)
            shell.screens_state["customers"] = vm
        vm.load()
        self.vm: CustomerListVM = vm

    def _dropdown(self, label: str, values: list[str], value: str, which: str) -> ft.Dropdown:
        options = [ft.DropdownOption(key="", text=self.shell.tr("cust.all"))]
        options += [ft.DropdownOption(key=v, text=v) for v in values]

        def selected(e: ft.Event[ft.Dropdown]) -> None:
            self.vm.set_filters(**{which: e.control.value or ""})
            self.update_rows()

        return ft.Dropdown(
            label=self.shell.tr(label), options=options, value=value, on_select=selected, width=150
        )

    def build(self) -> ft.Control:
        tr = self.shell.tr
        self.search = ft.TextField(
            label=tr("cust.search"),
            value=self.vm.search,
            prefix_icon=ft.Icons.SEARCH,
            on_change=self.searched,
        )
        self.sort = ft.Switch(
            label=tr("cust.sort_distance"), value=self.vm.sort_by_distance, on_change=self.sorted
        )
        self.count = ft.Text("", size=12, color=ft.Colors.GREY_700)
        self.list = ft.ListView(expand=True, spacing=2)
        self.update_rows(send=False)
        return ft.Column(
            [
                ft.Container(self.search, padding=ft.Padding.only(left=8, right=8, top=8)),
                ft.Row(
                    [
                        self._dropdown(
                            "cust.district", self.vm.districts, self.vm.district, "district"
                        ),
                        self._dropdown("cust.grade", self.vm.grades, self.vm.grade, "grade"),
                        self.sort,
                    ],
                    wrap=True,
                ),
                self.count,
                self.list,
            ],
            expand=True,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    def row(self, r: CustomerRow) -> ft.Control:
        tr = self.shell.tr
        dist = distance_text(r.distance_m)
        extra = [tr(dist[0], **dist[1])] if dist else []
        badge = ft.Icon(
            ft.Icons.CHECK_CIRCLE if r.visited_today else ft.Icons.RADIO_BUTTON_UNCHECKED,
            color=ft.Colors.GREEN_700 if r.visited_today else ft.Colors.GREY_400,
            tooltip=tr("cust.visited_today" if r.visited_today else "cust.not_visited"),
        )
        c = r.customer
        return ft.ListTile(
            leading=badge,
            title=ft.Text(c.name),
            subtitle=ft.Text(" · ".join([c.address, *extra, c.district, c.grade]), size=12),
            on_click=lambda e, cid=c.id: self.shell.open("profile", customer_id=cid),
        )

    def update_rows(self, send: bool = True) -> None:
        tr = self.shell.tr
        self.list.controls = [self.row(r) for r in self.vm.rows] or [ft.Text(tr("cust.none"))]
        self.count.value = tr("cust.count", n=self.vm.total)
        if send:
            self.list.update()
            self.count.update()

    def searched(self, e: ft.Event[ft.TextField]) -> None:
        self.vm.set_search(e.control.value or "")
        self.update_rows()

    async def sorted(self, e: ft.Event[ft.Switch]) -> None:
        on = bool(e.control.value)
        if on and self.shell.last_fix is None and self.shell.devices is not None:
            try:
                self.shell.last_fix = await self.shell.devices.locate()
            except DeviceError as exc:
                self.shell.show_notice(
                    self.shell.tr("visit.gps_failed", reason=str(exc)), error=True
                )
        self.vm.set_fix(self.shell.last_fix)
        self.vm.set_sort_by_distance(on)
        self.update_rows()
