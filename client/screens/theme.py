"""The app's look: the bundled CJK font as the theme font, colours, the tablet breakpoint."""

from __future__ import annotations

import flet as ft

FONT_FAMILY = "CJK"
FONT_FILE = "FieldledgerSansSC-Regular.otf"
FONT_URL = f"/fonts/{FONT_FILE}"  # served from the app's assets_dir (client/assets)
TABLET_MIN_WIDTH = 900  # logical pixels: two panes from here up
SEED = ft.Colors.TEAL

OK_COLOR = ft.Colors.GREEN_700
BLOCK_COLOR = ft.Colors.RED_700
WARN_COLOR = ft.Colors.AMBER_800


def apply_theme(page: ft.Page) -> None:
    page.fonts = {FONT_FAMILY: FONT_URL}
    page.theme = ft.Theme(font_family=FONT_FAMILY, color_scheme_seed=SEED)
    page.theme_mode = ft.ThemeMode.LIGHT
    page.padding = 0


def is_tablet(page: ft.Page) -> bool:
    width = page.width or 0
    return width >= TABLET_MIN_WIDTH


def status_color(status: str) -> str:
    return {"pass": OK_COLOR, "block": BLOCK_COLOR}.get(status, WARN_COLOR)


def labelled(control: ft.Control, label: str) -> ft.Control:
    """A control whose semantics node carries ``label`` (Flutter does not expose a Dropdown's
    label to screen readers or browser tests by itself)."""
    return ft.Semantics(content=control, label=label)
