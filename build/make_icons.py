"""Draw the app icon with Pillow and write every file the packagers read.

Run: ``.venv/bin/python build/make_icons.py``. Writes (committed):

- ``client/assets/icon.png`` — 1024×1024 RGBA, the source ``flet build`` derives every platform
  icon from (Android adaptive layers, iOS, macOS, Windows, Linux, web);
- ``client/assets/icons/icon-<n>.png`` for n in 16…512 — favicons, desktop entries, README;
- ``client/assets/icons/icon.ico`` (Windows, 16…256) and ``icon.icns`` (macOS) for ``flet pack``.

The drawing: a blue rounded tile, a white ledger page with three ruled lines, and an orange map
pin with a white tick — "a checked visit at a place". Deterministic: same bytes every run.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "client" / "assets"
ICONS = ASSETS / "icons"
SIZE = 1024
SUPERSAMPLE = 2
PNG_SIZES = (16, 32, 48, 64, 128, 180, 192, 256, 512)
ICO_SIZES = [(s, s) for s in (16, 24, 32, 48, 64, 128, 256)]

BLUE = (21, 101, 192, 255)  # #1565C0, also [tool.flet] icon_background
PAPER = (255, 255, 255, 255)
RULE = (144, 164, 174, 255)
ORANGE = (255, 143, 0, 255)


def draw_icon(size: int = SIZE) -> Image.Image:
    s = size * SUPERSAMPLE
    u = s / 1024  # drawing units: the design is laid out on a 1024 grid
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((0, 0, s - 1, s - 1), radius=int(224 * u), fill=BLUE)
    # the ledger page
    page = (232 * u, 196 * u, 700 * u, 828 * u)
    d.rounded_rectangle(page, radius=int(48 * u), fill=PAPER)
    for i in range(3):
        y = (330 + i * 110) * u
        d.rounded_rectangle((310 * u, y, 620 * u, y + 36 * u), radius=int(18 * u), fill=RULE)
    # the map pin: a circle over a downward triangle, with a tick inside
    cx, cy, r = 690 * u, 590 * u, 165 * u
    d.polygon([(cx - r * 0.82, cy + r * 0.55), (cx + r * 0.82, cy + r * 0.55), (cx, cy + 2.1 * r)],
              fill=ORANGE)  # fmt: skip
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=ORANGE)
    tick = [(cx - 82 * u, cy + 4 * u), (cx - 22 * u, cy + 64 * u), (cx + 90 * u, cy - 60 * u)]
    d.line(tick, fill=PAPER, width=int(40 * u), joint="curve")
    for x, y in (tick[0], tick[-1]):  # round caps
        d.ellipse((x - 20 * u, y - 20 * u, x + 20 * u, y + 20 * u), fill=PAPER)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def write_all(assets: Path = ASSETS) -> list[Path]:
    icons = assets / "icons"
    icons.mkdir(parents=True, exist_ok=True)
    master = draw_icon(SIZE)
    written = [assets / "icon.png"]
    master.save(written[0], optimize=True)
    for n in PNG_SIZES:
        path = icons / f"icon-{n}.png"
        master.resize((n, n), Image.Resampling.LANCZOS).save(path, optimize=True)
        written.append(path)
    master.save(icons / "icon.ico", sizes=ICO_SIZES)
    master.save(icons / "icon.icns")
    written += [icons / "icon.ico", icons / "icon.icns"]
    return written


def main() -> int:
    for path in write_all():
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
