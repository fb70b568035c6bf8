"""The app shell: one object per session holding the store, the account, the language and the
view-models, routing between screens, the status bar, and the phone / tablet layouts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import flet as ft

from client.i18n import Msg, t
from client.localdb.store import LocalStore
from client.screens.devices import Devices
from client.screens.theme import apply_theme, is_tablet
from client.sync.api import SyncService
from client.viewmodels.account import Account, LoginFn, load_account
from client.viewmodels.settings import load_lang
from client.viewmodels.sync import StatusBarVM, SyncVM
from client.viewmodels.sync_schedule import SyncSchedule

if TYPE_CHECKING:
    from shared.visits import GpsFix

log = logging.getLogger("fieldledger.app")

SyncFactory = Callable[[LocalStore, Account], SyncService | None]
SINGLE_PANE = frozenset({"sync", "settings"})  # no list to pick from: one pane on a tablet
# the rep's screens get side margins here (the others lay out their own)
PADDED = frozenset(
    {"customers", "profile", "visit_form", "visits", "visit_detail", "sync", "settings"}
)
TABS = ("customers", "visits", "tickets", "goals", "sync", "settings")
WIDE_TABS = ("goals",)  # on a tablet the tab takes the width; a detail opens beside it
TAB_ICONS = {
    "customers": ft.Icons.STOREFRONT,
    "visits": ft.Icons.FACT_CHECK,
    "tickets": ft.Icons.REPORT_PROBLEM,  # issue tickets (client/screens/tickets.py)
    "goals": ft.Icons.FLAG,  # targets (client/screens/targets.py)
    "sync": ft.Icons.SYNC,
    "settings": ft.Icons.SETTINGS,
}


@dataclass
class Route:
    name: str  # "profile" | "visit_form" | "visit_detail"
    params: dict[str, Any] = field(default_factory=dict)


class Shell:
    def __init__(
        self,
        page: ft.Page,
        store: LocalStore,
        login: LoginFn,
        sync_factory: SyncFactory | None = None,
    ) -> None:
        self.page = page
        self.store = store
        self.login = login
        self.sync_factory = sync_factory
        self.lang = load_lang(store)
        self.account: Account | None = load_account(store)
        self.tab = "customers"
        self.detail: Route | None = None
        self.sync_vm = SyncVM(store, None, on_change=self._sync_changed)
        self.status_vm = StatusBarVM(store)
        self.status_texts: list[ft.Text] = [ft.Text(size=12) for _ in range(3)]
        self.notice = ft.Text("", size=13)
        self.screens: dict[str, Any] = {}
        self.screens_state: dict[str, Any] = {}  # view-model state kept across re-renders
        self.last_fix: GpsFix | None = None
        self.devices: Devices | None = None
        self._rendered_result: object = None
        self._laid_out_tablet: bool | None = None
        self.sync_vm.after_sync = self._after_sync
        self.schedule = SyncSchedule()
        self.closed = False
        # the sync service (the engine and its HTTP stack) is made by start_sync(), after the
        # first screen is sent (docs/app.md "Start-up")

    # -- words ---------------------------------------------------------------------------
    def tr(self, key: str, **args: Any) -> str:
        return t(key, self.lang, **args)

    def say(self, msg: Msg | None) -> str:
        return msg.text(self.lang) if msg else ""

    # -- services ------------------------------------------------------------------------
    def _connect_sync(self) -> None:
        service = None
        if self.account is not None and self.sync_factory is not None:
            service = self.sync_factory(self.store, self.account)
        self.sync_vm.service = service
        self.status_vm.sync = service

    def signed_in(self, account: Account) -> None:
        self.account = account
        self.screens_state.pop("first_run", None)  # the typed password goes with the form
        self._connect_sync()
        self.tab, self.detail = "customers", None
        self.render()
        self.start_sync()
        self.schedule.resume(time.monotonic())

    def signed_out(self) -> None:
        self.account = None
        self.screens_state.pop("first_run", None)
        self._connect_sync()
        self.render()

    def start_sync(self) -> bool:
        """Sync off the UI thread; progress comes back through ``_sync_changed``."""
        if self.sync_vm.service is None:
            self._connect_sync()
        if self.sync_vm.service is None or self.sync_vm.running:
            return False
        self.page.run_thread(self.sync_vm.run)
        return True

    # -- background sync (client/viewmodels/sync_schedule.py) ------------------------------
    def start_auto_sync(self, tick_s: float = 1.0) -> None:
        """Look at the schedule every ``tick_s`` on the page's event loop until ``close``."""
        self.schedule.start(time.monotonic())

        async def loop() -> None:
            while not self.closed:
                await asyncio.sleep(tick_s)
                if self.closed:
                    break
                try:
                    self.auto_sync_tick()
                except Exception:  # a locked or closing store: the next tick looks again
                    log.warning("the background sync check failed", exc_info=True)

        with contextlib.suppress(RuntimeError):  # no event loop (the page is gone)
            self.page.run_task(loop)

    def auto_sync_tick(self, now: float | None = None) -> bool:
        """Start a sync when the schedule says one is due; True when one was started."""
        now = time.monotonic() if now is None else now
        schedule = self.schedule
        if not self.sync_vm.running:
            schedule.finished(now, self.sync_vm.result)
        if self.account is None:
            return False
        schedule.observe(now, self.store.pending_counts()["outbox"])
        if schedule.due(now) and self.start_sync():
            # planned again when this sync's result is seen; should it never come (the thread
            # died), the first retry pause starts another
            schedule.next_at = now + schedule.retry_s[0]
            return True
        return False

    def close(self) -> None:
        """The session ended: the background sync loop stops."""
        self.closed = True

    def _after_sync(self, result: object) -> None:
        """In the sync thread, after a successful sync: fetch delivered materials' bytes."""
        from client.materials import fetch_after_sync

        fetch_after_sync(self.store)

    def _sync_changed(self) -> None:
        async def refresh() -> None:
            self.refresh_status()
            screen = self.screens.get("sync")
            if screen is not None and self.tab == "sync":
                screen.update_progress()
            if self.sync_vm.needs_update:
                self.render()
            elif self._brought_data():
                self.render()  # the lists re-read the store (a first sync brings the customers)

        with contextlib.suppress(RuntimeError):  # no event loop (the page is gone)
            self.page.run_task(refresh)

    def _brought_data(self) -> bool:
        """A sync just ended having received records, and no form is open that a re-render
        would disturb (the rep may be typing in it)."""
        vm = self.sync_vm
        if vm.running or vm.result is None or vm.result is self._rendered_result:
            return False
        self._rendered_result = vm.result
        if not vm.result.pulled or self.account is None:
            return False
        return self.detail is None or self.detail.name not in ("visit_form", "ticket_report")

    # -- navigation ----------------------------------------------------------------------
    def go_tab(self, tab: str) -> None:
        self.notice.value = ""
        self.tab, self.detail = tab, None
        self.render()

    def open(self, name: str, **params: Any) -> None:
        self.detail = Route(name, params)
        self.render()

    def back(self) -> None:
        self.notice.value = ""
        self.detail = None
        self.render()

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self.render()

    # -- rendering -----------------------------------------------------------------------
    def refresh_status(self) -> None:
        self.status_vm.refresh()
        for text, msg in zip(self.status_texts, self.status_vm.texts(), strict=True):
            text.value = msg.text(self.lang)
        online = self.status_vm.online
        self.status_texts[2].color = ft.Colors.GREEN_800 if online else ft.Colors.GREY_700
        if self.status_bar.page is not None:
            self.status_bar.update()

    def _build_status_bar(self) -> ft.Control:
        self.status_bar = ft.Container(
            content=ft.Row(
                [self.status_texts[0], self.status_texts[1], self.status_texts[2]],
                wrap=True,
                spacing=12,
            ),
            bgcolor=ft.Colors.BLUE_GREY_50,
            padding=ft.Padding.symmetric(horizontal=12, vertical=4),
            tooltip=self.tr("nav.sync"),
        )
        return self.status_bar

    def _screen(self, name: str, **params: Any) -> ft.Control:
        from client.screens import registry

        screen = registry.make(name, self, **params)
        self.screens[name] = screen
        built: ft.Control = screen.build()
        if name in PADDED:
            built = ft.Container(built, padding=ft.Padding.symmetric(horizontal=12), expand=True)
        return built

    def _body(self, tablet: bool) -> ft.Control:
        if self.account is None:
            return self._screen("first_run")
        if self.sync_vm.needs_update:
            return self._screen("update_required")
        tab_view = self._screen(self.tab)
        if not tablet:
            if self.detail is not None:
                return self._screen(self.detail.name, **self.detail.params)
            return tab_view
        if self.detail is None and self.tab in SINGLE_PANE:
            return ft.Container(tab_view, width=720, expand=True)
        if self.tab in WIDE_TABS:
            panes: list[ft.Control] = [ft.Container(tab_view, expand=True)]
            if self.detail is not None:
                detail = self._screen(self.detail.name, **self.detail.params)
                panes += [ft.VerticalDivider(width=1), ft.Container(detail, width=440)]
            return ft.Row(panes, expand=True, vertical_alignment=ft.CrossAxisAlignment.STRETCH)
        right: ft.Control = ft.Container(
            ft.Text(self.tr("app.title"), color=ft.Colors.GREY_500), alignment=ft.Alignment.CENTER
        )
        if self.detail is not None:
            right = self._screen(self.detail.name, **self.detail.params)
        return ft.Row(
            [
                ft.Container(tab_view, width=420),
                ft.VerticalDivider(width=1),
                ft.Container(right, expand=True),
            ],
            expand=True,
            vertical_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    def relayout(self) -> None:
        """A resize: rebuilt only when it crosses between the phone and the tablet layout (a
        rebuild while the rep types would send the fields' values back and drop keystrokes
        still on their way; within one layout the controls stretch by themselves)."""
        if is_tablet(self.page) != self._laid_out_tablet:
            self.render()

    def render(self) -> None:
        page = self.page
        apply_theme(page)
        page.title = self.tr("app.title")
        tablet = is_tablet(page)
        self._laid_out_tablet = tablet
        self.screens = {}
        body = self._body(tablet)
        signed_in = self.account is not None and not self.sync_vm.needs_update
        selected = TABS.index(self.tab)
        self.notice.visible = bool(self.notice.value)
        column: list[ft.Control] = [self._build_status_bar(), self.notice]
        if signed_in and tablet:
            rail = ft.NavigationRail(
                selected_index=selected,
                label_type=ft.NavigationRailLabelType.ALL,
                destinations=[
                    ft.NavigationRailDestination(icon=TAB_ICONS[k], label=self.tr(f"nav.{k}"))
                    for k in TABS
                ],
                on_change=lambda e: self.go_tab(TABS[int(e.control.selected_index or 0)]),
            )
            self.nav = rail
            content: ft.Control = ft.Row(
                [rail, ft.VerticalDivider(width=1), ft.Column([*column, body], expand=True)],
                expand=True,
            )
            page.navigation_bar = None
        else:
            content = ft.Column([*column, body], expand=True)
            page.navigation_bar = (
                ft.NavigationBar(
                    selected_index=selected,
                    destinations=[
                        ft.NavigationBarDestination(icon=TAB_ICONS[k], label=self.tr(f"nav.{k}"))
                        for k in TABS
                    ],
                    on_change=lambda e: self.go_tab(TABS[int(e.control.selected_index or 0)]),
                )
                if signed_in
                else None
            )
            self.nav = page.navigation_bar
        page.appbar = ft.AppBar(title=ft.Text(self._title()), bgcolor=ft.Colors.TEAL_50)
        page.controls = [ft.SafeArea(content, expand=True)]
        page.update()
        self.refresh_status()

    def _title(self) -> str:
        if self.account is None:
            return self.tr("first.title")
        if self.detail is not None and not is_tablet(self.page):
            return self.tr(
                {
                    "profile": "prof.history",
                    "visit_form": "visit.title",
                    "visit_detail": "detail.title",
                    "ticket_report": "tk.report_title",
                    "ticket_detail": "tk.detail_title",
                    "ticket_triage": "tk.triage_title",
                    "targets_drill": "tg.drill.title",
                    "targets_material": "tg.materials",
                    "touchpoints": "tp.title",
                    "admin": "adm.title",
                }[self.detail.name]
            )
        return self.tr(f"nav.{self.tab}")

    def show_notice(self, msg: Msg | str, *, error: bool = False) -> None:
        self.notice.value = msg if isinstance(msg, str) else msg.text(self.lang)
        self.notice.color = ft.Colors.RED_700 if error else ft.Colors.GREEN_800
        self.notice.visible = bool(self.notice.value)
        if self.notice.page is not None:
            self.notice.update()
