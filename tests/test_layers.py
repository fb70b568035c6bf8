"""Imports point down only (ARCHITECTURE.md): a cheap check that keeps the layers honest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package -> top-level modules it must never import
FORBIDDEN = {
    "shared": {
        "client",
        "sync_server",
        "flet",
        "flask",
        "requests",
        "sqlalchemy",
        "sqlmodel.Session",
    },
    "client/localdb": {"flet", "sync_server", "client.screens", "client.sync"},
    "client/sync": {"flet", "sync_server", "client.screens"},
    "sync_server": {"client", "flet"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def violations(package: str, forbidden: set[str], root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / package).rglob("*.py")):
        for name in imported_modules(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(root)} imports {name}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_each_layer_imports_only_the_layers_below_it(package):
    if not (ROOT / package).is_dir():
        pytest.skip(f"{package} does not exist yet")
    assert violations(package, FORBIDDEN[package]) == []


def test_the_layer_check_notices_a_forbidden_import(tmp_path):
    pkg = tmp_path / "shared"
    pkg.mkdir()
    (pkg / "bad.py").write_text("import flet\nfrom client.localdb import store\nimport json\n")
    found = violations("shared", FORBIDDEN["shared"], root=tmp_path)
    assert sorted(found) == ["shared/bad.py imports client.localdb", "shared/bad.py imports flet"]
