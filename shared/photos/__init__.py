"""Photo evidence: analysis (hashes, EXIF), the stored copy, the watermark, reuse detection.

See docs/photos.md for what is kept, what is stripped and why.
"""

from shared.photos.decode import MAX_INPUT_BYTES, MAX_PIXELS
from shared.photos.phash import hamming
from shared.photos.pipeline import (
    PhotoInfo,
    ProcessedPhoto,
    analyze_photo,
    process_photo,
    to_evidence,
)
from shared.photos.reuse import PhotoHashIndex, ReuseMatch
from shared.photos.watermark import FONT_PATH, Watermark

__all__ = [
    "FONT_PATH",
    "MAX_INPUT_BYTES",
    "MAX_PIXELS",
    "PhotoHashIndex",
    "PhotoInfo",
    "ProcessedPhoto",
    "ReuseMatch",
    "Watermark",
    "analyze_photo",
    "hamming",
    "process_photo",
    "to_evidence",
]
