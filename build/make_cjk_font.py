"""Regenerate shared/data/fonts/FieldledgerSansSC-Regular.otf (dev-time only).

A subset of Noto Sans CJK SC Regular (SIL OFL 1.1) covering ASCII, Latin-1, general
punctuation, CJK symbols, full-width forms and every character of GB2312 (6,763 hanzi), so one
font draws both Chinese and Latin/digits (Pillow does not fall back per glyph). The family is
renamed because the file is a Modified Version under the OFL.

Needs Debian's ``fonts-noto-cjk`` (apt-get install fonts-noto-cjk) and fonttools
(pip install fonttools). Run: ``.venv/bin/python build/make_cjk_font.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_NAME = "Noto Sans CJK SC"
OUT = Path(__file__).resolve().parents[1] / "shared" / "data" / "fonts"
OUT_FILE = OUT / "FieldledgerSansSC-Regular.otf"
FAMILY = "Fieldledger Sans SC"
PS_NAME = "FieldledgerSansSC-Regular"

RANGES = [
    (0x20, 0x7E),  # ASCII
    (0xA0, 0xFF),  # Latin-1 supplement (°, ·, ×, é…)
    (0x2000, 0x206F),  # general punctuation (— … ‘ ’ “ ”)
    (0x2100, 0x215F),  # letterlike symbols, number forms (№ ℃ Ⅰ)
    (0x2190, 0x21FF),  # arrows
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ②)
    (0x25A0, 0x25FF),  # geometric shapes (■ ● ▲)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。《》【】)
    (0xFF00, 0xFFEF),  # full-width forms (，：（）)
]


def gb2312_characters() -> set[int]:
    """Every character encodable in GB2312 (levels 1 and 2 hanzi plus its symbols)."""
    chars: set[int] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes((hi, lo)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            chars.add(ord(ch))
    return chars


def main() -> int:
    if not SOURCE.exists():
        print(f"missing {SOURCE}: apt-get install fonts-noto-cjk", file=sys.stderr)
        return 1
    collection = TTCollection(str(SOURCE))
    font = next(f for f in collection.fonts if f["name"].getDebugName(1) == SOURCE_NAME)
    unicodes = gb2312_characters()
    for lo, hi in RANGES:
        unicodes.update(range(lo, hi + 1))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["VORG", "vhea", "vmtx"]  # vertical layout is not used
    options.desubroutinize = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(unicodes))
    subsetter.subset(font)
    name = font["name"]
    name.setName(FAMILY, 1, 3, 1, 0x409)
    name.setName("Regular", 2, 3, 1, 0x409)
    name.setName(f"1.0;{PS_NAME};subset of NotoSansCJKsc-Regular 2.004", 3, 3, 1, 0x409)
    name.setName(FAMILY, 4, 3, 1, 0x409)
    name.setName(PS_NAME, 6, 3, 1, 0x409)
    name.names = [
        rec for rec in name.names if rec.nameID not in (1, 2, 3, 4, 6) or rec.langID == 0x409
    ]
    name.names = [rec for rec in name.names if rec.nameID not in (16, 17, 21, 22)]
    font["CFF "].cff.fontNames = [PS_NAME]
    OUT.mkdir(parents=True, exist_ok=True)
    font.save(str(OUT_FILE))
    cmap = font.getBestCmap()
    print(f"{OUT_FILE}: {OUT_FILE.stat().st_size / 1e6:.2f} MB, {len(cmap)} characters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
