"""The visible evidence watermark (水印): lines of text on a dark band, bottom-left.

Drawn with the bundled font ``shared/data/fonts/FieldledgerSansSC-Regular.otf``, a subset of
Noto Sans CJK SC (SIL OFL 1.1) that covers GB2312 Chinese *and* Latin letters/digits: Pillow
does not fall back per glyph, so one font must hold both.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from pydantic import BaseModel, ConfigDict, Field, field_validator

FONT_PATH = Path(__file__).resolve().parents[1] / "data" / "fonts" / "FieldledgerSansSC-Regular.otf"
BAND_OPACITY = 0.55  # how much the band darkens the photo under it
TEXT_RGB = (255, 255, 255)
ACCENT_RGB = (255, 193, 7)  # the amber bar 水印相机 users recognise
MAX_LINES = 6
MAX_LINE_CHARS = 120


class Watermark(BaseModel):
    """Text lines stamped on the stored copy, e.g. time, store + address, coordinates."""

    model_config = ConfigDict(frozen=True)

    lines: tuple[str, ...] = Field(min_length=1, max_length=MAX_LINES)

    @field_validator("lines")
    @classmethod
    def _clean(cls, lines: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(
            "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in line).strip()[
                :MAX_LINE_CHARS
            ]
            for line in lines
        )
        return cleaned


@lru_cache(maxsize=16)
def load_font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size, layout_engine=ImageFont.Layout.BASIC)


def font_size_for(width: int, height: int) -> int:
    """Readable on a phone and in a report: ~3.2 % of the short side, at least 12 px."""
    return max(12, round(min(width, height) * 0.032))


def _fit(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> str:
    if font.getlength(text) <= max_width:
        return text
    while text and font.getlength(text + "…") > max_width:
        text = text[:-1]
    return text + "…"


def draw_watermark(image: Image.Image, watermark: Watermark) -> Image.Image:
    """A copy of an RGB ``image`` with the watermark drawn bottom-left."""
    out = image.copy()
    width, height = out.size
    size = font_size_for(width, height)
    font = load_font(size)
    pad = max(4, round(size * 0.6))
    bar = max(2, round(size * 0.18))
    line_height = round(size * 1.4)
    text_x = pad + bar + pad // 2
    lines = [_fit(line, font, width - text_x - pad) for line in watermark.lines]
    text_width = max((font.getlength(line) for line in lines), default=0.0)
    band_w = min(width, round(text_x + text_width + pad))
    band_h = min(height, line_height * len(lines) + 2 * pad - (line_height - size) // 2)
    box = (0, height - band_h, band_w, height)
    region = out.crop(box)
    region = Image.blend(region, Image.new("RGB", region.size, (0, 0, 0)), BAND_OPACITY)
    draw = ImageDraw.Draw(region)
    draw.rectangle((pad // 2, pad, pad // 2 + bar - 1, band_h - pad), fill=ACCENT_RGB)
    for i, line in enumerate(lines):
        draw.text((text_x, pad + i * line_height), line, font=font, fill=TEXT_RGB, anchor="la")
    out.paste(region, box[:2])
    return out
