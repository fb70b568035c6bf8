"""Regenerate the bundled demo photos in client/assets/demo/ (run from the repo root).

Small real JPEGs with real EXIF (DateTimeOriginal with offset, GPS) for the demo: the three
display-optimization slots shot at the demo store, and one old gallery photo from the week before.
"""

from __future__ import annotations

import io
import sys
from datetime import datetime
from pathlib import Path

import piexif
from PIL import ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.photos import gps_ifd, make_image  # noqa: E402

FONT = ROOT / "shared" / "data" / "fonts" / "FieldledgerSansSC-Regular.otf"
OUT = ROOT / "client" / "assets" / "demo"
STORE = (22.5333, 113.9305)
PHOTOS = [
    ("storefront.jpg", "门头 Storefront", datetime(2025, 3, 12, 9, 55), 11),
    ("stack_display.jpg", "堆头 Stack display", datetime(2025, 3, 12, 9, 57), 12),
    ("price_tag.jpg", "价签 ¥12.80", datetime(2025, 3, 12, 9, 58), 13),
    ("gallery_old.jpg", "旧照片 Old photo", datetime(2025, 3, 5, 15, 12), 14),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    font = ImageFont.truetype(str(FONT), 56)
    for name, label, taken, seed in PHOTOS:
        image = make_image(960, 720, seed)
        draw = ImageDraw.Draw(image)
        draw.rectangle((40, 560, 920, 680), fill=(255, 255, 255))
        draw.text((70, 585), label, font=font, fill=(20, 20, 20))
        exif = {
            "0th": {piexif.ImageIFD.Make: b"Fieldledger demo", piexif.ImageIFD.Orientation: 1},
            "Exif": {
                piexif.ExifIFD.DateTimeOriginal: taken.strftime("%Y:%m:%d %H:%M:%S").encode(),
                piexif.ExifIFD.OffsetTimeOriginal: b"+08:00",
            },
            "GPS": gps_ifd(*STORE),
            "1st": {},
            "thumbnail": None,
        }
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=82, exif=piexif.dump(exif))
        (OUT / name).write_bytes(buf.getvalue())
        print(f"{name}: {len(buf.getvalue()) // 1024} KB")


if __name__ == "__main__":
    main()
