"""Administration panes: SOP templates, material packs, users and devices (client/screens/admin.py
holds the screen and the thresholds pane)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import flet as ft

from client.screens.shell import Shell
from client.screens.touchpoints import pick_document
from client.sync.admin_api import AdminApi
from client.viewmodels.admin import SECTIONS, SopAdminVM
from client.viewmodels.admin_people import MATERIAL_KINDS, ROLES, MaterialsVM, UsersVM
from shared.sop import FieldKind

Factory = Callable[[], AdminApi]


def _kept(shell: Shell, key: str, make: Callable[[], Any]) -> Any:
    from client.screens.admin import kept_vm

    return kept_vm(shell, key, make)


def _say(shell: Shell, error: Any, notice: Any = None) -> ft.Control:
    from client.screens.admin import say

    return say(shell, error, notice)


def _rerender(shell: Shell, action: Callable[[], Any]) -> Callable[[object], None]:
    def run(e: object) -> None:
        action()
        shell.render()

    return run


def _label(item: dict[str, Any], lang: str) -> str:
    label = item.get("label") or {}
    return str(label.get("zh" if lang.startswith("zh") else "en") or item.get("code", ""))


# --- SOP templates ----------------------------------------------------------------------------


def sops_pane(shell: Shell, factory: Factory) -> ft.Control:
    tr, lang = shell.tr, shell.lang
    vm: SopAdminVM = _kept(shell, "admin_vm_sops", lambda: SopAdminVM(factory))
    rows: list[ft.Control] = [_say(shell, vm.error, vm.notice)]
    if not vm.sops:
        rows.append(ft.TextButton(tr("adm.retry"), on_click=_rerender(shell, vm.load)))
        return ft.Column(rows)

    def choose(e: ft.Event[ft.Dropdown]) -> None:
        vm.select(e.control.value or vm.selected)
        shell.render()

    rows.append(
        ft.Dropdown(
            label=tr("adm.sop_action"),
            value=vm.selected,
            width=320,
            options=[ft.DropdownOption(key=k, text=_label(s, lang)) for k, s in vm.sops.items()],
            on_select=choose,
        )
    )
    for section in SECTIONS:
        rows.append(ft.Text(tr(f"adm.sop.{section}"), weight=ft.FontWeight.BOLD))
        for item in vm.items(section):
            bits = [item["code"]]
            if section == "result_fields":
                bits.append(tr(f"adm.kind.{item.get('kind', 'text')}"))
                if item.get("choices"):
                    bits.append("/".join(item["choices"]))
            rows.append(
                ft.Row(
                    [
                        ft.Checkbox(
                            label=tr("adm.required"),
                            value=bool(item.get("required")),
                            on_change=lambda e, s=section, c=item["code"]: vm.set_required(
                                s, c, bool(e.control.value)
                            ),
                        ),
                        ft.Text(_label(item, lang), weight=ft.FontWeight.W_500),
                        ft.Text(" · ".join(bits), size=12),
                        ft.IconButton(
                            ft.Icons.DELETE_OUTLINE,
                            tooltip=tr("adm.remove"),
                            on_click=_rerender(
                                shell, functools.partial(vm.remove_item, section, item["code"])
                            ),
                        ),
                    ],
                    wrap=True,
                )
            )
        rows.append(_add_item_row(shell, vm, section))
    rows.append(
        ft.FilledButton(tr("adm.save_sop"), icon=ft.Icons.SAVE, on_click=_rerender(shell, vm.save))
    )
    return ft.Column(rows, spacing=4)


def _add_item_row(shell: Shell, vm: SopAdminVM, section: str) -> ft.Control:
    tr = shell.tr
    code = ft.TextField(label=tr("adm.code"), width=160)
    zh = ft.TextField(label=tr("adm.label_zh"), width=160)
    en = ft.TextField(label=tr("adm.label_en"), width=160)
    controls: list[ft.Control] = [code, zh, en]
    kind = ft.Dropdown(
        label=tr("adm.kind"),
        value=FieldKind.TEXT.value,
        width=160,
        options=[ft.DropdownOption(key=k.value, text=tr(f"adm.kind.{k.value}")) for k in FieldKind],
    )
    choices = ft.TextField(label=tr("adm.choices"), width=200)
    if section == "result_fields":
        controls += [kind, choices]

    def add(e: object) -> None:
        vm.add_item(
            section,
            code.value or "",
            zh.value or "",
            en.value or "",
            kind=kind.value or "text",
            choices=choices.value or "",
        )
        shell.render()

    controls.append(ft.OutlinedButton(tr(f"adm.add.{section}"), icon=ft.Icons.ADD, on_click=add))
    return ft.Row(controls, wrap=True)


# --- material packs ---------------------------------------------------------------------------


def materials_pane(shell: Shell, factory: Factory) -> ft.Control:
    tr, lang = shell.tr, shell.lang
    vm: MaterialsVM = _kept(shell, "admin_vm_materials", lambda: MaterialsVM(factory))
    rows: list[ft.Control] = [_say(shell, vm.error, vm.notice)]
    for m in vm.rows:
        title = m.get("title_zh" if lang.startswith("zh") else "title_en") or m.get("id")
        bits = [tr(f"adm.mkind.{m.get('kind', '')}"), str(m.get("industry") or m.get("track"))]
        bits.append(str(m.get("filename", "")))
        active = bool(m.get("active", True))
        if not active:
            bits.append(tr("adm.retired_tag"))
        rows.append(
            ft.ListTile(
                leading=ft.Icon(ft.Icons.FOLDER if active else ft.Icons.FOLDER_OFF),
                title=ft.Text(str(title)),
                subtitle=ft.Text(" · ".join(b for b in bits if b), size=12),
                trailing=ft.TextButton(
                    tr("adm.retire"),
                    on_click=_rerender(shell, functools.partial(vm.retire, m["id"])),
                )
                if active
                else None,
            )
        )
    if not vm.rows and vm.error is None:
        rows.append(ft.Text(tr("adm.no_materials")))
    kind = ft.Dropdown(
        label=tr("adm.mkind"),
        value="attack_pack",
        width=200,
        options=[ft.DropdownOption(key=k, text=tr(f"adm.mkind.{k}")) for k in MATERIAL_KINDS],
    )
    industry = ft.TextField(label=tr("adm.industry"), width=180)
    title_zh = ft.TextField(label=tr("adm.title_zh"), width=200)
    title_en = ft.TextField(label=tr("adm.title_en"), width=200)

    async def upload(e: object) -> None:
        got = await pick_document(shell)
        if got is not None:
            vm.upload(
                got[1],
                got[0],
                kind=kind.value or "",
                industry=industry.value or "",
                title_zh=title_zh.value or "",
                title_en=title_en.value or "",
            )
        shell.render()

    rows.append(ft.Row([kind, industry, title_zh, title_en], wrap=True))
    rows.append(ft.FilledButton(tr("adm.upload"), icon=ft.Icons.UPLOAD_FILE, on_click=upload))
    return ft.Column(rows, spacing=4)


# --- users and devices ------------------------------------------------------------------------


def users_pane(shell: Shell, factory: Factory) -> ft.Control:
    tr = shell.tr
    vm: UsersVM = _kept(shell, "admin_vm_users", lambda: UsersVM(factory))
    rows: list[ft.Control] = [_say(shell, vm.error, vm.notice)]
    new_pw = ft.TextField(label=tr("adm.new_password"), password=True, width=200)
    rows.append(ft.Text(tr("adm.users"), weight=ft.FontWeight.BOLD))
    for u in vm.users:
        active = bool(u.get("active", True))
        sub = " · ".join(
            b
            for b in (
                tr(f"adm.role.{u['role']}"),
                u.get("team_id") or "",
                "" if active else tr("adm.inactive"),
            )
            if b
        )
        actions: list[ft.Control] = [
            ft.TextButton(
                tr("adm.reset_password"),
                on_click=_rerender(
                    shell,
                    lambda uid=u["id"]: vm.reset_password(uid, new_pw.value or ""),  # type: ignore[misc]
                ),
            )
        ]
        if active:
            actions.append(
                ft.TextButton(
                    tr("adm.deactivate"),
                    on_click=_rerender(shell, functools.partial(vm.deactivate, u["id"])),
                )
            )
        rows.append(
            ft.ListTile(
                leading=ft.Icon(ft.Icons.PERSON if active else ft.Icons.PERSON_OFF),
                title=ft.Text(f"{u.get('display_name') or u['username']} ({u['username']})"),
                subtitle=ft.Text(sub, size=12),
                trailing=ft.Row(actions, tight=True),
            )
        )
    rows.append(new_pw)
    username = ft.TextField(label=tr("adm.username"), width=180)
    password = ft.TextField(label=tr("adm.password"), password=True, width=180)
    role = ft.Dropdown(
        label=tr("adm.role"),
        value="rep",
        width=160,
        options=[ft.DropdownOption(key=r, text=tr(f"adm.role.{r}")) for r in ROLES],
    )
    team = ft.TextField(label=tr("adm.team"), width=140)
    rows.append(ft.Row([username, password, role, team], wrap=True))
    rows.append(
        ft.FilledButton(
            tr("adm.create_user"),
            icon=ft.Icons.PERSON_ADD,
            on_click=_rerender(
                shell,
                lambda: vm.create(
                    username.value or "", password.value or "", role.value or "", team.value or ""
                ),
            ),
        )
    )
    rows.append(ft.Text(tr("adm.devices"), weight=ft.FontWeight.BOLD))
    for d in vm.devices:
        revoked = bool(d.get("revoked"))
        sub = f"{vm.username(d['user_id'])} · {str(d.get('last_seen_at') or '')[:16]}"
        rows.append(
            ft.ListTile(
                leading=ft.Icon(ft.Icons.PHONE_ANDROID if not revoked else ft.Icons.BLOCK),
                title=ft.Text(str(d.get("name") or d["device_id"])),
                subtitle=ft.Text(sub + (" · " + tr("adm.revoked_tag") if revoked else ""), size=12),
                trailing=None
                if revoked
                else ft.TextButton(
                    tr("adm.revoke"),
                    on_click=_rerender(shell, functools.partial(vm.revoke, d["device_id"])),
                ),
            )
        )
    return ft.Column(rows, spacing=4)
