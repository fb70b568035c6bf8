"""Modules imported at their first use: the app's first screen opens the store without
importing SQLAlchemy, the repositories or their pydantic models (docs/app.md "Start-up")."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for the module ``name``; imports it at the first attribute access."""

    def __init__(self, name: str) -> None:
        self.name = name

    def load(self) -> ModuleType:
        return importlib.import_module(self.name)  # sys.modules after the first time

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.load(), attr)
