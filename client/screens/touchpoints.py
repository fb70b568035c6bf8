"""Touchpoints 触点 and contacts 联系人 of one customer: log an inquiry or a proposal sent (with
its document), see what was logged, keep the customer's contacts with their decision role.
Works offline: everything is saved on the device and sent at the next sync."""

from __future__ import annotations

import flet as ft

from client.screens.profile import back_button
from client.screens.shell import Shell
from client.screens.theme import BLOCK_COLOR, OK_COLOR
from client.viewmodels.touchpoints import KINDS, ROLES, ContactsVM, LogTouchpointVM

STATE_KEY = "touchpoint_vm"
DOC_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "doc", "docx", "ppt", "pptx", "xls", "xlsx"]


async def pick_document(shell: Shell) -> tuple[str, bytes] | None:
    """(file name, bytes) of one picked document, or None."""
    devices = shell.devices
    if devices is None:
        return None
    files = await devices.picker.pick_files(
        file_type=ft.FilePickerFileType.CUSTOM,
        allowed_extensions=DOC_EXTENSIONS,
        with_data=True,
        allow_multiple=False,
    )
    if not files:
        return None
    f = files[0]
    if f.bytes:
        return f.name, bytes(f.bytes)
    if f.path:  # desktop: a path instead of bytes
        with open(f.path, "rb") as fh:
            return f.name, fh.read()
    return None


class TouchpointsScreen:
    def __init__(self, shell: Shell, customer_id: str) -> None:
        self.shell = shell
        assert shell.account is not None
        kept = shell.screens_state.get(STATE_KEY)
        if kept is not None and kept[0] == customer_id:
            self.vm: LogTouchpointVM = kept[1]
            self.contacts: ContactsVM = kept[2]
            self.contacts.reload()
        else:
            self.vm = LogTouchpointVM(shell.store, shell.account.rep_id, customer_id)
            self.contacts = ContactsVM(shell.store, customer_id)
            shell.screens_state[STATE_KEY] = (customer_id, self.vm, self.contacts)
        self.customer_id = customer_id

    def _msg(self, error: object, notice: object) -> ft.Control:
        shell = self.shell
        if error is not None:
            return ft.Text(shell.say(error), color=BLOCK_COLOR)  # type: ignore[arg-type]
        return ft.Text(shell.say(notice), color=OK_COLOR, visible=notice is not None)  # type: ignore[arg-type]

    def build(self) -> ft.Control:
        tr, vm = self.shell.tr, self.vm
        try:
            name = self.shell.store.get_customer(self.customer_id).name
        except Exception:  # a customer that left the scope: the id is enough
            name = self.customer_id
        controls: list[ft.Control] = [
            back_button(self.shell),
            ft.Text(tr("tp.title"), size=18, weight=ft.FontWeight.BOLD),
            ft.Text(name, size=13),
            ft.SegmentedButton(
                selected=[vm.kind],
                segments=[ft.Segment(value=k, label=ft.Text(tr(f"tp.kind.{k}"))) for k in KINDS],
                on_change=self.kind_changed,
            ),
            ft.TextField(
                label=tr("tp.note"),
                value=vm.note,
                multiline=True,
                min_lines=2,
                on_change=lambda e: vm.set_note(e.control.value or ""),
            ),
            ft.Row(
                [
                    ft.OutlinedButton(
                        tr("tp.pick_file"), icon=ft.Icons.ATTACH_FILE, on_click=self.pick
                    ),
                    ft.Text(tr("tp.file", name=vm.filename) if vm.filename else tr("tp.no_file")),
                ],
                wrap=True,
            ),
            ft.FilledButton(tr("tp.save"), icon=ft.Icons.SAVE, on_click=self.save),
            self._msg(vm.error, vm.notice),
            ft.Divider(),
            ft.Text(tr("tp.history"), weight=ft.FontWeight.BOLD),
            *self._history(),
            ft.Divider(),
            *self._contacts(),
        ]
        return ft.Column(controls, scroll=ft.ScrollMode.AUTO, spacing=8, expand=True)

    def _history(self) -> list[ft.Control]:
        tr = self.shell.tr
        rows = self.vm.history()
        if not rows:
            return [ft.Text(tr("tp.none"))]
        out: list[ft.Control] = []
        for row in rows:
            tp = row.touchpoint
            bits = [
                tr(f"tp.kind.{tp.kind}"),
                tp.occurred_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            ]
            bits.append(tr("tp.synced") if row.synced else tr("tp.unsent"))
            if tp.attachment is not None:
                bits.append(tp.attachment.filename)
            out.append(
                ft.ListTile(
                    leading=ft.Icon(
                        ft.Icons.DESCRIPTION if tp.kind == "proposal" else ft.Icons.CHAT_BUBBLE
                    ),
                    title=ft.Text(tp.note or tr(f"tp.kind.{tp.kind}")),
                    subtitle=ft.Text(" · ".join(bits), size=12),
                )
            )
        return out

    def _contacts(self) -> list[ft.Control]:
        tr, cvm = self.shell.tr, self.contacts
        out: list[ft.Control] = [ft.Text(tr("tp.contacts"), weight=ft.FontWeight.BOLD)]
        if not cvm.rows:
            out.append(ft.Text(tr("tp.no_contacts")))
        for row in cvm.rows:
            c = row.contact
            sub = " · ".join(b for b in (tr(f"tp.role.{c.role}"), c.title, c.phone) if b)
            if row.pending:
                sub += " · " + tr("tp.unsent")
            out.append(
                ft.ListTile(
                    leading=ft.Icon(ft.Icons.PERSON),
                    title=ft.Text(c.name),
                    subtitle=ft.Text(sub, size=12),
                    trailing=ft.IconButton(
                        ft.Icons.DELETE_OUTLINE,
                        tooltip=tr("tp.remove"),
                        on_click=lambda e, cid=c.id: self.remove(cid),
                    ),
                )
            )
        self.c_name = ft.TextField(label=tr("tp.name"), width=200)
        self.c_role = ft.Dropdown(
            label=tr("tp.role"),
            value="other",
            width=200,
            options=[ft.DropdownOption(key=r, text=tr(f"tp.role.{r}")) for r in ROLES],
        )
        self.c_title = ft.TextField(label=tr("tp.title_field"), width=200)
        self.c_phone = ft.TextField(label=tr("tp.phone"), width=200)
        out.append(ft.Row([self.c_name, self.c_role, self.c_title, self.c_phone], wrap=True))
        out.append(
            ft.OutlinedButton(tr("tp.add_contact"), icon=ft.Icons.PERSON_ADD, on_click=self.add)
        )
        out.append(self._msg(cvm.error, cvm.notice))
        return out

    # -- events ------------------------------------------------------------------------------
    def kind_changed(self, e: ft.Event[ft.SegmentedButton]) -> None:
        self.vm.set_kind(next(iter(e.control.selected or ["inquiry"])))
        self.shell.render()

    async def pick(self, e: object) -> None:
        got = await pick_document(self.shell)
        if got is not None:
            self.vm.attach(got[1], got[0])
        self.shell.render()

    def save(self, e: object) -> None:
        self.vm.save()
        self.shell.render()

    def add(self, e: object) -> None:
        self.contacts.add(
            self.c_name.value or "",
            self.c_role.value or "other",
            self.c_title.value or "",
            self.c_phone.value or "",
        )
        self.shell.render()

    def remove(self, contact_id: str) -> None:
        self.contacts.remove(contact_id)
        self.shell.render()
