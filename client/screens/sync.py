"""The sync screen (progress, plain-word errors, conflicts) and the update-required screen."""

from __future__ import annotations

import flet as ft

from client.screens.shell import Shell
from client.sync.api import SyncPhase


def human_bytes(n: int) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024:
            return f"{n:.0f} {unit}"
        n = int(n / 1024)
    return f"{n} GB"


class SyncScreen:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self.vm = shell.sync_vm
        self.vm.load_status()

    def build(self) -> ft.Control:
        tr = self.shell.tr
        self.button = ft.FilledButton(tr("sync.now"), icon=ft.Icons.SYNC, on_click=self.sync_now)
        self.phase = ft.Text("")
        self.bar = ft.ProgressBar(value=0)
        self.records = ft.Text("", size=12)
        self.bytes = ft.Text("", size=12)
        self.error = ft.Text("", color=ft.Colors.RED_700)
        self.result = ft.Text("")
        self.conflicts = ft.Column(spacing=4)
        self.update_progress(send=False)
        body: list[ft.Control] = [self.button]
        if self.vm.service is None:
            body = [ft.Text(tr("sync.not_configured"))]
        return ft.Column(
            [
                *body,
                self.phase,
                self.bar,
                self.records,
                self.bytes,
                self.error,
                self.result,
                ft.Text(tr("sync.conflicts"), weight=ft.FontWeight.BOLD),
                self.conflicts,
            ],
            scroll=ft.ScrollMode.AUTO,
            expand=True,
        )

    def update_progress(self, send: bool = True) -> None:
        tr, vm = self.shell.tr, self.vm
        p = vm.progress
        self.button.disabled = vm.running
        self.phase.value = tr("sync.running") if vm.running else tr(f"sync.phase.{p.phase.value}")
        total = p.bytes_total or p.records_total
        done = p.bytes_done if p.bytes_total else p.records_done
        self.bar.value = (done / total) if total else (None if vm.running else 0)
        self.records.value = tr("sync.records", done=p.records_done, total=p.records_total)
        self.bytes.value = tr(
            "sync.bytes", done=human_bytes(p.bytes_done), total=human_bytes(p.bytes_total)
        )
        self.error.value = self.shell.say(vm.error_msg)
        r = vm.result
        self.result.value = (
            tr("sync.result", pushed=r.pushed, pulled=r.pulled)
            if r is not None and r.ok and p.phase is SyncPhase.DONE
            else ""
        )
        self.conflicts.controls = [
            ft.Text(
                tr("sync.conflict_row", record=f"{c.record_type} {c.record_id}", field=c.field,
                   local=c.local_value, server=c.server_value),
                size=12,
            )
            for c in vm.conflicts
        ] or [ft.Text(tr("sync.no_conflicts"), size=12)]  # fmt: skip
        if send and self.phase.page is not None:
            for c in (self.button, self.phase, self.bar, self.records, self.bytes, self.error,
                      self.result, self.conflicts):  # fmt: skip
                c.update()

    def sync_now(self, e: object = None) -> None:
        self.shell.start_sync()
        self.update_progress()


class UpdateRequiredScreen:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell

    def build(self) -> ft.Control:
        tr = self.shell.tr
        n = self.shell.sync_vm.unsynced
        return ft.Container(
            ft.Column(
                [
                    ft.Icon(ft.Icons.SYSTEM_UPDATE, size=48, color=ft.Colors.AMBER_800),
                    ft.Text(tr("update.title"), size=20, weight=ft.FontWeight.BOLD),
                    ft.Text(tr("update.body", n=n)),
                    ft.Text(self.shell.say(self.shell.sync_vm.error_msg), size=12),
                ],
                spacing=12,
            ),
            padding=24,
        )
