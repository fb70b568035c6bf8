"""What the app imports must exist on Android/iOS (docs/packaging.md "Dependencies on the device").

Flet's mobile builds take binary packages only from Flet's own mobile index; the client may load
only the third-party modules allowed here, and never the sync server's.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build"))
from stage_app import MOBILE_DISTRIBUTIONS, SERVER_ONLY  # noqa: E402

# top-level module -> why it may run on a phone (keep in step with docs/packaging.md)
ALLOWED = {
    "flet": "pure Python; the app framework",
    "flet_geolocator": "pure Python (the Flutter side is built in)",
    "flet_camera": "pure Python (the Flutter side is built in)",
    "flet_charts": "pure Python (the Flutter side is built in; the targets radar)",
    "msgpack": "flet's protocol; binary, on Flet's mobile index (pure fallback exists)",
    "PIL": "Pillow: binary, on Flet's mobile index",
    "pydantic": "pure Python",
    "pydantic_core": "binary, on Flet's mobile index",
    "annotated_types": "pure Python (pydantic)",
    "typing_extensions": "pure Python",
    "typing_inspection": "pure Python (pydantic)",
    "sqlmodel": "pure Python",
    "sqlalchemy": "2.1: pure-Python wheel, C speed-ups optional; greenlet not required",
    "pyproj": "binary, on Flet's mobile index",
    "piexif": "pure Python",
    "pypinyin": "pure Python (customer search by pinyin initials)",
    "requests": "pure Python (the sync transport)",
    "urllib3": "pure Python (requests)",
    "idna": "pure Python (requests)",
    "certifi": "pure Python (requests)",
    "charset_normalizer": "pure-Python wheel exists (requests)",
    "chardet": "pure Python (requests, when installed)",
    "tzdata": "pure Python (zoneinfo data: Android has no tz files zoneinfo can read)",
    "chinese_calendar": "pure Python (the official calendar used before the first sync)",
    "orjson": "optional: faster sync JSON where installed (shared/jsonfast.py falls back)",
}
FORBIDDEN = (
    "flask", "werkzeug", "waitress", "argon2", "_argon2_cffi_bindings", "psycopg",
    "psycopg_binary", "openpyxl", "numpy", "onnxruntime", "rapidocr_onnxruntime",
    "pillow_heif", "sync_server", "pytest", "hypothesis", "playwright",
)  # fmt: skip
# imported only when installed: requests prefers chardet, else uses charset_normalizer;
# shared.jsonfast uses orjson where it is installed, else the standard library
OPTIONAL_IMPORTS = {"chardet", "orjson"}
# not packages: interpreter or tooling artefacts that show up in sys.modules
NOT_PACKAGES = re.compile(
    r"^(__main__|_cython_.*|cython_runtime|_sysconfigdata_.*|__editable__.*|_distutils_hack)$"
)

PROBE = """
import importlib, json, pkgutil, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
if "--walk" in sys.argv[0:1] or {walk}:
    import client, shared
    skip = ("client.cli", "client.demo", "client.demo_evidence")
    for pkg in (client, shared):
        for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if not m.name.startswith(skip):
                importlib.import_module(m.name)
    from client.viewmodels.customers import pinyin_initials
    pinyin_initials("南山路店")  # pypinyin is imported on first use
tops = {{m.split(".")[0] for m in sys.modules}} - set(sys.stdlib_module_names)
print(json.dumps(sorted(tops - {{"client", "shared"}})))
"""


def third_party_modules(*modules: str, walk: bool = False) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(walk=walk), *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return {
        m for m in json.loads(proc.stdout.strip().splitlines()[-1]) if not NOT_PACKAGES.match(m)
    }


def test_starting_the_app_loads_only_packages_a_phone_can_install() -> None:
    loaded = third_party_modules("client.app")
    assert "flet" in loaded  # the probe really saw the app's imports
    assert loaded <= set(ALLOWED), f"not allowed on a device: {sorted(loaded - set(ALLOWED))}"
    assert not loaded & set(FORBIDDEN)


def test_every_client_module_including_lazy_ones_stays_inside_the_allow_list() -> None:
    loaded = third_party_modules("client.app", walk=True)
    # lazily imported by search, geo, photos, and the store once the first screen is sent
    assert {"pypinyin", "pyproj", "PIL", "sqlalchemy", "pydantic"} <= loaded
    assert loaded <= set(ALLOWED), f"not allowed on a device: {sorted(loaded - set(ALLOWED))}"
    assert not loaded & set(FORBIDDEN)


def _requirement_names(dist: str) -> set[str]:
    """What installing ``dist`` installs directly (markers evaluated, no extras)."""
    out = set()
    for text in md.requires(dist) or []:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            out.add(req.name.lower().replace("_", "-"))
    return out


def _closure(roots: tuple[str, ...]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        dist = todo.pop()
        if dist in seen:
            continue
        seen.add(dist)
        try:
            todo.extend(_requirement_names(dist) - seen)
        except md.PackageNotFoundError:
            continue
    return seen


def test_the_device_bundle_installs_every_package_the_client_imports() -> None:
    installed = _closure(MOBILE_DISTRIBUTIONS)
    by_module = md.packages_distributions()
    loaded = third_party_modules("client.app", walk=True)
    for module in loaded - OPTIONAL_IMPORTS:
        dists = {d.lower().replace("_", "-") for d in by_module.get(module, [])}
        assert dists & installed, f"{module} ({dists}) would be missing on the device"
    assert not installed & set(SERVER_ONLY)


@pytest.mark.parametrize("name", ["flask", "waitress", "argon2-cffi", "psycopg"])
def test_no_server_package_is_a_device_dependency(name: str) -> None:
    assert name in SERVER_ONLY
    assert name not in _closure(MOBILE_DISTRIBUTIONS)
