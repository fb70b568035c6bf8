"""Screen name -> screen class, imported on first use.

Only the module of the screen being opened is imported: the first screen (the customer list)
does not pay for the visit form's photo pipeline, the tickets' or the targets' modules
(bench/bench_app.py, app start). Add a screen as ``"name": ("client.screens.module", "Class")``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from client.screens.shell import Shell

SCREENS: dict[str, tuple[str, str]] = {
    "first_run": ("client.screens.first_run", "FirstRunScreen"),
    "customers": ("client.screens.customers", "CustomerListScreen"),
    "profile": ("client.screens.profile", "ProfileScreen"),
    "visit_form": ("client.screens.visit_form", "VisitFormScreen"),
    "visits": ("client.screens.visits", "MyVisitsScreen"),
    "visit_detail": ("client.screens.visits", "VisitDetailScreen"),
    "sync": ("client.screens.sync", "SyncScreen"),
    "update_required": ("client.screens.sync", "UpdateRequiredScreen"),
    "settings": ("client.screens.settings", "SettingsScreen"),
    "tickets": ("client.screens.tickets", "TicketsScreen"),
    "ticket_report": ("client.screens.tickets_report", "ReportTicketScreen"),
    "ticket_detail": ("client.screens.tickets_detail", "TicketDetailScreen"),
    "ticket_triage": ("client.screens.tickets_manager", "TicketTriageScreen"),
    "goals": ("client.screens.targets", "GoalsScreen"),  # targets (docs/manager-app.md)
    "targets_drill": ("client.screens.targets_drill", "DrillDownScreen"),
    "targets_material": ("client.screens.targets_mine", "MaterialScreen"),
    "touchpoints": ("client.screens.touchpoints", "TouchpointsScreen"),  # docs/targets.md
    "admin": ("client.screens.admin", "AdminScreen"),  # docs/admin-app.md
}


def screen_class(name: str) -> Any:
    module, cls = SCREENS[name]
    return getattr(importlib.import_module(module), cls)


def make(name: str, shell: Shell, **params: Any) -> Any:
    return screen_class(name)(shell, **params)
