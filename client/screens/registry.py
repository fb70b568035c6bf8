"""Screen name -> screen class (imported lazily so the shell module stays small)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from client.screens.shell import Shell


def make(name: str, shell: Shell, **params: Any) -> Any:
    from client.screens.customers import CustomerListScreen
    from client.screens.first_run import FirstRunScreen
    from client.screens.profile import ProfileScreen
    from client.screens.settings import SettingsScreen
    from client.screens.sync import SyncScreen, UpdateRequiredScreen
    from client.screens.tickets import TicketsScreen
    from client.screens.tickets_detail import TicketDetailScreen
    from client.screens.tickets_manager import TicketTriageScreen
    from client.screens.tickets_report import ReportTicketScreen
    from client.screens.visit_form import VisitFormScreen
    from client.screens.visits import MyVisitsScreen, VisitDetailScreen

    screens: dict[str, Any] = {
        "first_run": FirstRunScreen,
        "customers": CustomerListScreen,
        "profile": ProfileScreen,
        "visit_form": VisitFormScreen,
        "visits": MyVisitsScreen,
        "visit_detail": VisitDetailScreen,
        "sync": SyncScreen,
        "update_required": UpdateRequiredScreen,
        "settings": SettingsScreen,
        "tickets": TicketsScreen,
        "ticket_report": ReportTicketScreen,
        "ticket_detail": TicketDetailScreen,
        "ticket_triage": TicketTriageScreen,
    }
    return screens[name](shell, **params)
