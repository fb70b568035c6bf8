"""The visible watermark draws Chinese and Latin with the bundled font, bottom-left."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont
from pydantic import ValidationError

from shared.photos import FONT_PATH, Watermark, process_photo
from shared.photos.watermark import draw_watermark, font_size_for, load_font
from tests.support.photos import make_image, make_jpeg

LINES = ("2026-11-27 10:31 +08:00", "南山路店 · 深圳市南山区南山大道", "22.5333, 113.9305")


def _glyph(font: ImageFont.FreeTypeFont, text: str) -> bytes:
    image = Image.new("L", (80, 80))
    ImageDraw.Draw(image).text((4, 4), text, font=font, fill=255)
    return image.tobytes()


def test_the_bundled_font_and_its_licence_ship_together():
    assert FONT_PATH.suffix == ".otf" and FONT_PATH.stat().st_size < 6_000_000
    licence = (FONT_PATH.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence


@pytest.mark.parametrize("text", ["南", "口", "店", "A", "7", "，"])
def test_the_font_has_real_glyphs_for_chinese_latin_and_digits(text):
    font = load_font(48)
    tofu = _glyph(font, "\U0010fffd")  # certainly missing: drawn as the .notdef box
    drawn = _glyph(font, text)
    assert any(drawn) and drawn != tofu


def test_different_chinese_characters_render_differently():
    font = load_font(48)
    assert _glyph(font, "南") != _glyph(font, "口")


def test_the_watermark_darkens_a_band_bottom_left_and_leaves_the_rest_alone():
    image = make_image(1600, 1200, seed=5)
    stamped = draw_watermark(image, Watermark(lines=LINES))
    diff = ImageChops.difference(image, stamped).convert("L")
    changed = diff.getbbox()
    assert changed is not None
    left, top, right, bottom = changed
    assert left == 0 and bottom == 1200
    assert top > 1200 * 0.75 and right < 1600
    assert diff.crop((0, 0, 1600, top)).getbbox() is None  # nothing above the band
    size = font_size_for(1600, 1200)
    assert 30 <= size <= 60
    # Text is bright on the darkened band: some pixels near white inside the band.
    band = stamped.crop(changed).convert("L")
    assert band.getextrema()[1] >= 240


def test_chinese_text_changes_pixels_differently_from_latin():
    image = make_image(800, 600, seed=2)
    chinese = draw_watermark(image, Watermark(lines=("南南南南",)))
    other = draw_watermark(image, Watermark(lines=("口口口口",)))
    assert chinese.tobytes() != other.tobytes()


def test_a_long_line_is_cut_to_fit_the_photo():
    image = make_image(400, 300, seed=1)
    stamped = draw_watermark(image, Watermark(lines=("深圳市南山区" * 20,)))
    diff = ImageChops.difference(image, stamped).getbbox()
    assert diff is not None and diff[2] <= 400


def test_a_watermark_needs_at_least_one_line_and_drops_control_characters():
    with pytest.raises(ValidationError):
        Watermark(lines=())
    assert Watermark(lines=("a\nb\x00c",)).lines == ("a b c",)


def test_the_stored_copy_shows_the_watermark():
    data = make_jpeg(1200, 900, seed=4, extra_exif=False)
    plain = Image.open(io.BytesIO(process_photo(data).stored)).convert("L")
    stamped = process_photo(data, watermark=Watermark(lines=LINES)).stored
    stamped_image = Image.open(io.BytesIO(stamped)).convert("L")
    corner = (0, 800, 300, 900)
    top = (0, 0, 300, 100)
    corner_diff = ImageChops.difference(plain.crop(corner), stamped_image.crop(corner))
    top_diff = ImageChops.difference(plain.crop(top), stamped_image.crop(top))
    assert sum(corner_diff.histogram()[40:]) > 1000  # strong changes in the band
    assert sum(top_diff.histogram()[40:]) == 0
