"""Admins' ticket configuration in the Issues tab: the root-cause tree (``tickets_manager``),
the answer knowledge base (script text zh/en per cause, policy documents) and the routing rules
(problem type, province, district -> owner with a deadline; fallback owner). All need the
server; thin views over ``client.viewmodels.tickets_admin``."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable

import flet as ft

from client.screens.shell import Shell
from client.screens.theme import OK_COLOR
from client.screens.tickets import message_text
from client.sync.tickets_api import TicketsApi
from client.viewmodels.tickets_admin import KnowledgeBaseVM, RoutingVM, ScriptLine
from shared.tickets import ProblemType, RoutingRule

PART_KEY = "tickets_admin_part"
KB_EDIT_KEY = "tickets_kb_edit"  # root-cause id whose script is being edited
RULE_EDIT_KEY = "tickets_rule_edit"  # rule id being edited ("" or absent: a new rule)
PARTS = ("tree", "kb", "routing")
ANY = "-"
DOC_EXTENSIONS = ["pdf", "txt", "md", "doc", "docx", "jpg", "jpeg", "png"]
Factory = Callable[[], TicketsApi]


def admin_area(shell: Shell, factory: Factory) -> ft.Control:
    from client.screens.tickets_manager import admin_pane

    part = shell.screens_state.get(PART_KEY, "tree")
    part = part if part in PARTS else "tree"

    def choose(e: ft.Event[ft.SegmentedButton]) -> None:
        shell.screens_state[PART_KEY] = next(iter(e.control.selected or ["tree"]))
        shell.render()

    selector = ft.SegmentedButton(
        selected=[part],
        segments=[
            ft.Segment(value=p, label=ft.Text(shell.tr(f"tk.admin_part.{p}"))) for p in PARTS
        ],
        on_change=choose,
    )
    pane = {"tree": admin_pane, "kb": kb_pane, "routing": routing_pane}[part]
    return ft.Column([selector, pane(shell, factory)], spacing=8)


def _after(shell: Shell, ok: bool, vm: KnowledgeBaseVM | RoutingVM, status: ft.Text) -> None:
    if ok:
        shell.show_notice(shell.say(vm.notice))
        shell.render()
        return
    status.value, status.visible = shell.say(vm.error), True
    if status.page is not None:
        status.update()


# -- the answer knowledge base ----------------------------------------------------------------


def kb_pane(shell: Shell, factory: Factory) -> ft.Control:
    tr = shell.tr
    vm = KnowledgeBaseVM(factory, shell.lang)
    vm.load()
    status = message_text(shell, vm.error)
    out: list[ft.Control] = [ft.Text(tr("tk.kb_hint"), size=12, color=ft.Colors.GREY_700), status]
    editing = shell.screens_state.get(KB_EDIT_KEY)
    zh = shell.lang.startswith("zh")
    for line in vm.lines():
        s = line.script
        text = (s.text_zh if zh else s.text_en) if s else tr("tk.kb_none")
        pad = ft.Padding.only(left=16 * (line.level - 2))
        head = ft.Row(
            [
                ft.Text(line.label, size=14 if line.level == 2 else 13, expand=True),
                ft.TextButton(
                    tr("tk.kb_edit"),
                    tooltip=f"{tr('tk.kb_edit')}: {line.label}",
                    on_click=lambda e, nid=line.node.id: _edit(shell, nid),
                ),
            ]
        )
        body: list[ft.Control] = [head, ft.Text(text, size=12, color=OK_COLOR if s else None)]
        if s and s.documents:
            titles = "、".join(d.title_zh if zh else d.title_en for d in s.documents)
            body.append(ft.Text(tr("tk.kb_docs", titles=titles), size=12))
        if editing == line.node.id:
            body.append(_editor(shell, vm, line, status))
        out.append(ft.Container(ft.Column(body, spacing=2), padding=pad))
    return ft.Column(out, spacing=4)


def _edit(shell: Shell, node_id: str) -> None:
    shell.screens_state[KB_EDIT_KEY] = node_id
    shell.render()


def _editor(shell: Shell, vm: KnowledgeBaseVM, line: ScriptLine, status: ft.Text) -> ft.Control:
    tr, s, node_id = shell.tr, line.script, line.node.id
    text_zh = ft.TextField(
        label=tr("tk.kb_text_zh"), value=s.text_zh if s else "", multiline=True, min_lines=2
    )
    text_en = ft.TextField(
        label=tr("tk.kb_text_en"), value=s.text_en if s else "", multiline=True, min_lines=2
    )
    title_zh = ft.TextField(label=tr("tk.kb_doc_title_zh"), width=200)
    title_en = ft.TextField(label=tr("tk.kb_doc_title_en"), width=200)

    def save(e: object = None) -> None:
        ok = vm.save_script(node_id, text_zh.value or "", text_en.value or "")
        _after(shell, ok, vm, status)

    async def attach(e: object = None) -> None:
        if vm.script_for(node_id) is None:  # refused before the picker opens
            _after(shell, vm.attach_document(node_id, b"", "", "", ""), vm, status)
            return
        picked = await _pick_document(shell)
        if picked is None:
            return
        name, data = picked
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        ok = vm.attach_document(node_id, data, mime, title_zh.value or name, title_en.value or name)
        _after(shell, ok, vm, status)

    return ft.Container(
        ft.Column(
            [
                text_zh,
                text_en,
                ft.FilledButton(tr("tk.kb_save"), icon=ft.Icons.SAVE, on_click=save),
                ft.Row([title_zh, title_en], wrap=True),
                ft.OutlinedButton(tr("tk.kb_attach"), icon=ft.Icons.ATTACH_FILE, on_click=attach),
            ],
            spacing=6,
        ),
        padding=8,
        border=ft.Border.all(1, ft.Colors.GREY_400),
        border_radius=6,
    )


async def _pick_document(shell: Shell) -> tuple[str, bytes] | None:
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


# -- routing rules ------------------------------------------------------------------------------


def _rule_text(shell: Shell, r: RoutingRule) -> str:
    tr, any_ = shell.tr, shell.tr("tk.rt_any")
    return tr(
        "tk.rt_rule",
        type=tr(f"tk.type.{r.problem_type.value}") if r.problem_type else any_,
        province=r.province or any_,
        district=r.district or any_,
        owner=r.owner_id,
        hours=f"{r.deadline_hours:g}",
    )


def _hours(field: ft.TextField, default: float = 48.0) -> float:
    try:
        return float(field.value or default)
    except ValueError:
        return -1.0  # refused by the model, naming deadline_hours


def routing_pane(shell: Shell, factory: Factory) -> ft.Control:
    tr = shell.tr
    vm = RoutingVM(factory)
    loaded = vm.load()
    status = message_text(shell, vm.error)
    out: list[ft.Control] = [ft.Text(tr("tk.rt_hint"), size=12, color=ft.Colors.GREY_700), status]
    if not loaded:
        return ft.Column(out, spacing=4)
    editing = shell.screens_state.get(RULE_EDIT_KEY) or ""
    for r in vm.table.rules:
        out.append(
            ft.Row(
                [
                    ft.Text(_rule_text(shell, r), size=13, expand=True),
                    ft.TextButton(
                        tr("tk.rt_edit"),
                        tooltip=f"{tr('tk.rt_edit')} {r.id}",
                        on_click=lambda e, rid=r.id: _edit_rule(shell, rid),
                    ),
                    ft.TextButton(
                        tr("tk.rt_remove"),
                        tooltip=f"{tr('tk.rt_remove')} {r.id}",
                        on_click=lambda e, rid=r.id: _after(shell, vm.remove_rule(rid), vm, status),
                    ),
                ]
            )
        )
    if not vm.table.rules:
        out.append(ft.Text(tr("tk.rt_none")))
    out += [ft.Divider(), _rule_form(shell, vm, vm.rule(editing), status), ft.Divider()]
    out.append(_fallback(shell, vm, status))
    return ft.Column(out, spacing=4)


def _edit_rule(shell: Shell, rule_id: str) -> None:
    shell.screens_state[RULE_EDIT_KEY] = rule_id
    shell.render()


def _rule_form(
    shell: Shell, vm: RoutingVM, rule: RoutingRule | None, status: ft.Text
) -> ft.Control:
    tr = shell.tr
    kind = ft.Dropdown(
        label=tr("tk.problem_type"),
        options=[ft.DropdownOption(key=ANY, text=tr("tk.rt_any"))]
        + [ft.DropdownOption(key=p.value, text=tr(f"tk.type.{p.value}")) for p in ProblemType],
        value=rule.problem_type.value if rule and rule.problem_type else ANY,
        width=200,
    )
    province = ft.TextField(label=tr("tk.province"), value=rule.province if rule else "", width=150)
    district = ft.TextField(label=tr("tk.district"), value=rule.district if rule else "", width=150)
    owner = ft.TextField(label=tr("tk.owner_id"), value=rule.owner_id if rule else "", width=220)
    hours = ft.TextField(
        label=tr("tk.rt_rule_hours"),
        value=f"{rule.deadline_hours:g}" if rule else "48",
        width=120,
    )

    def save(e: object = None) -> None:
        ok = vm.save_rule(
            rule.id if rule else None,
            problem_type=None if (kind.value or ANY) == ANY else kind.value,
            province=province.value or "",
            district=district.value or "",
            owner_id=owner.value or "",
            deadline_hours=_hours(hours),
        )
        if ok:
            shell.screens_state.pop(RULE_EDIT_KEY, None)
        _after(shell, ok, vm, status)

    def cancel(e: object = None) -> None:
        shell.screens_state.pop(RULE_EDIT_KEY, None)
        shell.render()

    title = tr("tk.rt_editing", id=rule.id) if rule else tr("tk.rt_new")
    buttons: list[ft.Control] = [
        ft.FilledButton(tr("tk.rt_save"), icon=ft.Icons.SAVE, on_click=save)
    ]
    if rule is not None:
        buttons.append(ft.TextButton(tr("tk.rt_cancel"), on_click=cancel))
    return ft.Column(
        [
            ft.Text(title, weight=ft.FontWeight.BOLD),
            ft.Row([kind, province, district], wrap=True),
            ft.Row([owner, hours], wrap=True),
            ft.Row(buttons, wrap=True),
        ],
        spacing=6,
    )


def _fallback(shell: Shell, vm: RoutingVM, status: ft.Text) -> ft.Control:
    tr, t = shell.tr, vm.table
    text = (
        tr("tk.rt_fallback", owner=t.fallback_owner_id, hours=f"{t.fallback_deadline_hours:g}")
        if t.fallback_owner_id
        else tr("tk.rt_fallback_none")
    )
    owner = ft.TextField(
        label=tr("tk.rt_fallback_owner"), value=t.fallback_owner_id or "", width=260
    )
    hours = ft.TextField(
        label=tr("tk.rt_fallback_hours"), value=f"{t.fallback_deadline_hours:g}", width=120
    )

    def save(e: object = None) -> None:
        _after(shell, vm.set_fallback(owner.value or "", _hours(hours)), vm, status)

    return ft.Column(
        [
            ft.Text(text, weight=ft.FontWeight.BOLD),
            ft.Row([owner, hours], wrap=True),
            ft.OutlinedButton(tr("tk.rt_fallback_save"), icon=ft.Icons.SAVE, on_click=save),
        ],
        spacing=6,
    )
