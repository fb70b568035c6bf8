"""Suite-wide test set-up: what the ``browser`` marker needs, and what happens without it.

Tests marked ``browser`` drive Debian's headless Chromium through Playwright (tests/e2e). When
Chromium or the ``playwright`` package is missing they are skipped with a loud reason, except
under ``CI=true``, where a missing browser fails them: CI must never pass without running them.
``make test`` runs build/ensure_services.sh first, which installs Chromium where it can.
"""

from __future__ import annotations

import os

import pytest

from tests.e2e.stack import browser_missing

_REASON: list[str] = []


def _missing() -> str | None:
    if not _REASON:
        _REASON.append(browser_missing() or "")
    return _REASON[0] or None


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser") is None:
        return
    reason = _missing()
    if reason is None:
        return
    loud = f"BROWSER TESTS NOT RUN: {reason}; the end-to-end test did not run"
    if os.environ.get("CI") == "true":
        pytest.fail(loud + " (CI=true: a missing browser is a failure)", pytrace=False)
    pytest.skip(loud)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if any("BROWSER TESTS NOT RUN" in str(getattr(r, "longrepr", "")) for r in skipped):
        terminalreporter.write_sep(
            "!", "BROWSER TESTS NOT RUN (see the skip reason above)", red=True
        )
