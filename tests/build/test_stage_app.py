"""The packaging configuration: the staged app directory, its pyproject as flet-cli 1.0.5 reads
it, the icons, and the CLI options docs/packaging.md tells people to use."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from flet_cli.utils.pyproject_toml import load_pyproject_toml
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build"))
import make_icons  # noqa: E402
import stage_app  # noqa: E402

from client.screens.theme import FONT_FILE  # noqa: E402

DOC = ROOT / "docs" / "packaging.md"


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return stage_app.stage(tmp_path_factory.mktemp("stage") / "flet-app")


def test_the_root_pyproject_has_a_tool_flet_section_that_parses() -> None:
    flet = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["flet"]
    assert flet["bundle_id"] == "com.fieldledger.app" and flet["product"] == "外勤台账"
    assert flet["app"]["module"] == "main"


def test_the_staged_app_is_what_flet_build_expects(staged: Path) -> None:
    get = load_pyproject_toml(staged)  # flet-cli's own reader
    module = get("tool.flet.app.module")
    assert (staged / f"{module}.py").is_file()  # flet build's entry-point check
    compile((staged / "main.py").read_text(encoding="utf-8"), "main.py", "exec")
    assert (
        get("project.version")
        == tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
            "version"
        ]
    )
    assert (staged / "assets" / "fonts" / FONT_FILE).stat().st_size > 1_000_000
    assert (staged / "assets" / "icon.png").is_file()
    assert not (staged / "assets" / "demo").exists()
    assert not (staged / "client" / "cli").exists() and not (staged / "client" / "demo.py").exists()
    assert (staged / "client" / "app.py").is_file() and (staged / "shared" / "photos").is_dir()


def test_the_device_asks_only_for_camera_location_and_network(staged: Path) -> None:
    get = load_pyproject_toml(staged)
    perms = {k for k, v in get("tool.flet.android.permission").items() if v}
    assert perms == {
        "android.permission.INTERNET",
        "android.permission.CAMERA",
        "android.permission.ACCESS_FINE_LOCATION",
        "android.permission.ACCESS_COARSE_LOCATION",
    }
    assert get("tool.flet.permissions") is None  # flet's "location" would add background location
    info = get("tool.flet.ios.info")
    for key in ("NSCameraUsageDescription", "NSLocationWhenInUseUsageDescription"):
        assert re.search(r"[\u4e00-\u9fff]", info[key]) and re.search(r"[A-Za-z]{4}", info[key])


def test_the_staged_dependencies_are_the_client_only_ones(staged: Path) -> None:
    deps = load_pyproject_toml(staged)("project.dependencies")
    names = {stage_app.requirement_name(d) for d in deps}
    assert names == set(stage_app.MOBILE_DISTRIBUTIONS)
    assert not names & set(stage_app.SERVER_ONLY)
    assert "flet==1.0.5" in deps  # the device client must match the Python side exactly


def test_a_pyproject_without_a_flet_section_is_refused() -> None:
    with pytest.raises(ValueError, match=r"tool\.flet"):
        stage_app.flet_tables('[project]\nname = "x"\n')


def test_the_icon_is_a_square_1024_png_and_the_desktop_formats_exist() -> None:
    with Image.open(ROOT / "client" / "assets" / "icon.png") as icon:
        assert icon.size == (1024, 1024) and icon.mode == "RGBA"
        assert icon.getpixel((0, 0))[3] == 0  # rounded corners are transparent
        assert icon.getpixel((512, 40))[:3] == make_icons.BLUE[:3]
    icons = ROOT / "client" / "assets" / "icons"
    for n in make_icons.PNG_SIZES:
        with Image.open(icons / f"icon-{n}.png") as im:
            assert im.size == (n, n)
    with Image.open(icons / "icon.ico") as ico:
        assert (256, 256) in ico.info["sizes"]
    with Image.open(icons / "icon.icns") as icns:
        assert icns.format == "ICNS"


def test_the_committed_icon_is_what_make_icons_draws(tmp_path: Path) -> None:
    make_icons.write_all(tmp_path)
    with (
        Image.open(tmp_path / "icon.png") as fresh,
        Image.open(ROOT / "client" / "assets" / "icon.png") as committed,
    ):
        assert fresh.tobytes() == committed.tobytes()


def _help(command: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "flet_cli.cli", command, "--help"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_every_flet_option_the_packaging_doc_uses_exists_in_flet_cli() -> None:
    doc = DOC.read_text(encoding="utf-8")
    helps = {"build": _help("build"), "pack": _help("pack")}
    used = 0
    for line in doc.splitlines():
        m = re.match(r"\s*(?:\$ )?flet (build|pack)\b(.*)", line)
        if not m:
            continue
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]+)", m.group(2)):
            assert option in helps[m.group(1)], f"flet {m.group(1)} has no {option}"
            used += 1
    assert used >= 5
