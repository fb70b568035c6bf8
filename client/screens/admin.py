"""Administration 管理 (tablet/desktop, admins only, online only): thresholds and colour rules,
SOP templates, material packs, users and devices — over the server's admin API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from client.screens.admin_panes import materials_pane, sops_pane, users_pane
from client.screens.profile import back_button
from client.screens.shell import Shell
from client.screens.theme import BLOCK_COLOR, OK_COLOR
from client.sync.admin_api import AdminApi
from client.viewmodels.admin import ThresholdsVM
from shared.settings import RuleCode, Severity

API_KEY = "admin_api"  # a test may inject its own API factory here
SECTION_KEY = "admin_section"
SECTIONS = ("thresholds", "sops", "materials", "users")


def api_factory(shell: Shell) -> Callable[[], AdminApi]:
    injected = shell.screens_state.get(API_KEY)
    if injected is not None:
        return injected  # type: ignore[no-any-return]
    return lambda: AdminApi.for_store(shell.store)


def say(shell: Shell, error: Any, notice: Any = None) -> ft.Control:
    if error is not None:
        return ft.Text(shell.say(error), color=BLOCK_COLOR)
    return ft.Text(shell.say(notice), color=OK_COLOR, visible=notice is not None)


def kept_vm(shell: Shell, key: str, make: Callable[[], Any]) -> Any:
    """One view-model per section, kept across renders (so messages and edits survive)."""
    vm = shell.screens_state.get(key)
    if vm is None:
        vm = make()
        vm.load()
        shell.screens_state[key] = vm
    return vm


class AdminScreen:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self.factory = api_factory(shell)

    def build(self) -> ft.Control:
        shell, tr = self.shell, self.shell.tr
        section = shell.screens_state.get(SECTION_KEY, "thresholds")

        def pick(e: ft.Event[ft.SegmentedButton]) -> None:
            shell.screens_state[SECTION_KEY] = next(iter(e.control.selected or ["thresholds"]))
            shell.render()

        panes: dict[str, Callable[[], ft.Control]] = {
            "thresholds": self._thresholds,
            "sops": lambda: sops_pane(shell, self.factory),
            "materials": lambda: materials_pane(shell, self.factory),
            "users": lambda: users_pane(shell, self.factory),
        }
        return ft.Column(
            [
                back_button(shell),
                ft.Text(tr("adm.title"), size=18, weight=ft.FontWeight.BOLD),
                ft.Text(tr("adm.online_only"), size=12),
                ft.SegmentedButton(
                    selected=[section],
                    segments=[
                        ft.Segment(value=s, label=ft.Text(tr(f"adm.section.{s}"))) for s in SECTIONS
                    ],
                    on_change=pick,
                ),
                panes[section](),
            ],
            scroll=ft.ScrollMode.AUTO,
            spacing=8,
            expand=True,
        )

    def _thresholds(self) -> ft.Control:
        shell, tr = self.shell, self.shell.tr
        vm: ThresholdsVM = kept_vm(shell, "admin_vm_thresholds", lambda: ThresholdsVM(self.factory))
        rows: list[ft.Control] = [say(shell, vm.error, vm.notice)]
        if not vm.loaded:
            rows.append(ft.TextButton(tr("adm.retry"), on_click=lambda e: self._reload(vm)))
            return ft.Column(rows)
        for title, doc in (("adm.org_thresholds", "org"), ("adm.target_lights", "targets")):
            rows.append(ft.Text(tr(title), weight=ft.FontWeight.BOLD))
            fields: list[ft.Control] = []
            for f in vm.NUMBERS:
                if f.doc != doc:
                    continue
                err = vm.field_errors.get(f.name)
                fields.append(
                    ft.TextField(
                        label=tr(f"adm.set.{f.name}"),
                        value=vm.raw.get(f.name, ""),
                        width=260,
                        keyboard_type=ft.KeyboardType.NUMBER,
                        error=shell.say(err) if err else None,
                        on_change=lambda e, n=f.name: vm.set_number(n, e.control.value or ""),
                    )
                )
            rows.append(ft.Row(fields, wrap=True))
        rows.append(
            ft.Checkbox(
                label=tr("adm.set.increment_open_cases_in_median"),
                value=vm.bool_setting("increment_open_cases_in_median"),
                on_change=lambda e: vm.set_bool(
                    "increment_open_cases_in_median", bool(e.control.value)
                ),
            )
        )
        rows.append(ft.Text(tr("adm.severities"), weight=ft.FontWeight.BOLD))
        sev: list[ft.Control] = []
        for code in RuleCode:
            sev.append(
                ft.Dropdown(
                    label=tr(f"adm.rule.{code.value}"),
                    value=vm.severity(code.value),
                    width=260,
                    options=[
                        ft.DropdownOption(key=s.value, text=tr(f"adm.sev.{s.value}"))
                        for s in Severity
                    ],
                    on_select=lambda e, c=code.value: vm.set_severity(c, e.control.value),
                )
            )
        rows.append(ft.Row(sev, wrap=True))
        rows.append(ft.FilledButton(tr("adm.save"), icon=ft.Icons.SAVE, on_click=self._save(vm)))
        return ft.Column(rows, spacing=6)

    def _reload(self, vm: Any) -> None:
        vm.load()
        self.shell.render()

    def _save(self, vm: ThresholdsVM) -> Callable[[object], None]:
        def run(e: object) -> None:
            vm.save()
            self.shell.render()

        return run
