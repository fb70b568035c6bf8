"""Stage the rep's app for ``flet build`` / ``flet pack`` (docs/packaging.md).

Run: ``.venv/bin/python build/stage_app.py [--out var/flet-app]``, then build from that directory.

Why a staged directory and not the repository root: ``flet build`` packages the whole app
directory and installs ``[project].dependencies`` into the device bundle — at the root that
would be the sync server's Flask, psycopg, waitress and argon2 (binary packages Flet's mobile
index does not carry), plus tests/, sync_server/ and .venv/. The staged directory holds only:

- ``main.py`` — the entry point (``[tool.flet.app] module = "main"``);
- ``client/`` (without the CLI and the demo launcher) and ``shared/``;
- ``assets/`` — client/assets without the demo photos, plus the CJK font copied by
  ``client.app.ensure_assets`` (the font is not committed under client/assets; a symlink
  would not survive the build) and the icons drawn by build/make_icons.py;
- ``pyproject.toml`` — ``[project]`` with the client-only dependencies (their bounds taken from
  the root pyproject) and the root's ``[tool.flet]`` tables copied verbatim.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_OUT = ROOT / "var" / "flet-app"

# What the device bundle installs (docs/packaging.md "Dependencies on the device"). Binary ones
# must come from Flet's mobile package index: pillow, pydantic-core (via pydantic), pyproj, and
# msgpack (flet's own). The others are pure Python.
MOBILE_DISTRIBUTIONS = (
    "flet",
    "flet-geolocator",
    "flet-camera",
    "flet-charts",
    "pypinyin",
    "sqlmodel",
    "pydantic",
    "pyproj",
    "pillow",
    "piexif",
    "requests",
    "tzdata",
    "chinesecalendar",  # the bundled official calendar before the first sync (pure Python)
)
# Server-only: must never reach the device bundle.
SERVER_ONLY = ("flask", "waitress", "argon2-cffi", "psycopg", "openpyxl")

SKIP_IN_CLIENT = ("cli", "demo.py", "demo_evidence.py", "assets")
SKIP_IN_ASSETS = ("demo",)
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store")

MAIN_PY = '''"""Fieldledger 外勤台账: the packaged app's entry point (from build/stage_app.py)."""

import os
from pathlib import Path

import flet as ft

# A packaged app keeps its local database in the platform's app-data directory.
if not os.environ.get("FIELDLEDGER_DATA") and os.environ.get("FLET_APP_STORAGE_DATA"):
    os.environ["FIELDLEDGER_DATA"] = os.environ["FLET_APP_STORAGE_DATA"]

from client.app import main  # noqa: E402

ft.run(main, assets_dir=str(Path(__file__).resolve().parent / "assets"))
'''


def requirement_name(req: str) -> str:
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
    if m is None:
        raise ValueError(f"not a requirement: {req!r}")
    return m.group(1).lower().replace("_", "-")


def mobile_requirements(pyproject: dict[str, object]) -> list[str]:
    """The root's requirement strings (with their bounds) for MOBILE_DISTRIBUTIONS, in order."""
    project = pyproject["project"]
    assert isinstance(project, dict)
    reqs = list(project["dependencies"]) + list(project["optional-dependencies"]["app"])
    by_name: dict[str, str] = {}
    for req in reqs:
        name = requirement_name(req)
        if name == "flet":  # "flet[all]" drags flet-desktop/flet-web in: the device needs neither
            req = re.sub(r"^flet\[[^\]]*\]", "flet", req)
        by_name.setdefault(name, req)
    missing = [n for n in MOBILE_DISTRIBUTIONS if n not in by_name]
    if missing:
        raise ValueError(f"the root pyproject does not list {missing}")
    return [by_name[n] for n in MOBILE_DISTRIBUTIONS]


def flet_tables(pyproject_text: str) -> str:
    """Every ``[tool.flet]`` / ``[tool.flet.*]`` table of the root pyproject, verbatim."""
    out: list[str] = []
    keep = False
    for line in pyproject_text.splitlines():
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$", line)
        if header and not line.lstrip().startswith("[["):
            name = header.group(1).strip()
            keep = name == "tool.flet" or name.startswith("tool.flet.")
        if keep:
            out.append(line)
    while out and not out[-1].strip():
        out.pop()
    if not out:
        raise ValueError("the root pyproject has no [tool.flet] section")
    return "\n".join(out) + "\n"


def staged_pyproject(root: Path = ROOT) -> str:
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    project = data["project"]
    deps = "".join(f'    "{r}",\n' for r in mobile_requirements(data))
    head = (
        "# Written by build/stage_app.py from the repository's pyproject.toml — do not edit.\n"
        "[project]\n"
        f'name = "{project["name"]}"\n'
        f'version = "{project["version"]}"\n'
        'description = "Fieldledger 外勤台账 — the field rep\'s offline visit ledger"\n'
        f'requires-python = "{project["requires-python"]}"\n'
        f"dependencies = [\n{deps}]\n\n"
    )
    result = head + flet_tables(text)
    tomllib.loads(result)  # it must parse
    return result


def stage(out: Path = DEFAULT_OUT, root: Path = ROOT) -> Path:
    """(Re)create ``out`` as a buildable Flet app directory; returns it."""
    from client.app import ensure_assets  # after sys.path holds the repo root

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    client_src = root / "client"
    (out / "client").mkdir()
    for item in sorted(client_src.iterdir()):
        if item.name in SKIP_IN_CLIENT or item.name == "__pycache__":
            continue
        if item.is_dir():
            shutil.copytree(item, out / "client" / item.name, ignore=IGNORE)
        else:
            shutil.copy2(item, out / "client" / item.name)
    shutil.copytree(root / "shared", out / "shared", ignore=IGNORE)
    assets = out / "assets"
    shutil.copytree(
        client_src / "assets", assets, ignore=shutil.ignore_patterns(*SKIP_IN_ASSETS, "fonts")
    )
    if not (assets / "icon.png").exists():
        raise FileNotFoundError("client/assets/icon.png is missing: run build/make_icons.py")
    ensure_assets(assets)  # the CJK font, served as /fonts/<file>
    (out / "main.py").write_text(MAIN_PY, encoding="utf-8")
    (out / "pyproject.toml").write_text(staged_pyproject(root), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    out = stage(args.out.resolve())
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"staged {out} ({size / 1e6:.1f} MB)")
    print("next, on a machine with the Flutter SDK (docs/packaging.md):")
    print(f"  cd {out} && flet build apk   # or aab / ipa / linux / windows / macos")
    return 0


if __name__ == "__main__":
    sys.exit(main())
