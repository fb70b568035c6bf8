"""64-bit DCT perceptual hash (pHash) in pure Python, and the Hamming distance between hashes.

Definition: the image (already decoded and orientation-applied) is reduced to 32x32 with
Pillow's box filter (an integer ``reduce`` first when it is large) and converted to grayscale;
a separable 2-D DCT-II (unnormalised, like scipy's default) keeps only the 8x8 lowest
frequencies; the median of those 64 coefficients *without* the DC term is the
threshold; bit i (row-major u*8+v, most significant first) is 1 when coefficient i > median.
The result is 16 lowercase hex digits.

No numpy/scipy here: shared/ must build for Android from Flet's mobile index. This is why the
``imagehash`` package is not used (it pulls numpy, scipy and PyWavelets). One hash costs about
a millisecond: the cosine table is precomputed and only 8 of 32 frequencies are computed.
"""

from __future__ import annotations

import math

from PIL import Image

HASH_SIZE = 8
DCT_SIZE = 32
_HEX_DIGITS = HASH_SIZE * HASH_SIZE // 4

# _COS[u][x] = cos(pi * (2x + 1) * u / (2N)), for the 8 kept frequencies u.
_COS: tuple[tuple[float, ...], ...] = tuple(
    tuple(math.cos(math.pi * (2 * x + 1) * u / (2 * DCT_SIZE)) for x in range(DCT_SIZE))
    for u in range(HASH_SIZE)
)


def _low_dct(pixels: list[float]) -> list[float]:
    """The 8x8 low-frequency block of the 2-D DCT-II of a 32x32 row-major pixel list."""
    n = DCT_SIZE
    rows = [pixels[r * n : (r + 1) * n] for r in range(n)]
    # 1-D DCT along each row, keeping 8 frequencies: 32 rows x 8 coefficients.
    row_dct = [[sum(map(float.__mul__, cos_u, row)) for cos_u in _COS] for row in rows]
    # Then along the columns of that (32 x 8) result, keeping 8 frequencies.
    columns = [[row_dct[r][v] for r in range(n)] for v in range(HASH_SIZE)]
    out = [0.0] * (HASH_SIZE * HASH_SIZE)
    for u, cos_u in enumerate(_COS):
        for v, column in enumerate(columns):
            out[u * HASH_SIZE + v] = sum(map(float.__mul__, cos_u, column))
    return out


def phash_image(image: Image.Image, transpose: Image.Transpose | None = None) -> str:
    """The 64-bit pHash of a decoded image (any mode), as 16 hex digits.

    ``transpose`` is the EXIF orientation fix; it is applied to the 32x32 reduction (the same
    pixels as reducing the rotated image, at a fraction of the cost).
    """
    factor = min(image.size) // (2 * DCT_SIZE)
    if factor >= 2:
        image = image.reduce(factor)  # integer box reduction: same filter, a third of the cost
    small = image.resize((DCT_SIZE, DCT_SIZE), Image.Resampling.BOX).convert("L")
    if transpose is not None:
        small = small.transpose(transpose)
    pixels = [float(p) for p in small.tobytes()]
    coeffs = _low_dct(pixels)
    ac = sorted(coeffs[1:])
    median = (ac[31] + ac[32]) / 2 if len(ac) % 2 == 0 else ac[len(ac) // 2]
    bits = 0
    for c in coeffs:
        bits = (bits << 1) | (1 if c > median else 0)
    return f"{bits:0{_HEX_DIGITS}x}"


def parse_hash(value: str) -> int:
    """A 16-hex-digit hash as an int; ValueError for anything else."""
    if len(value) != _HEX_DIGITS:
        raise ValueError(f"a perceptual hash has {_HEX_DIGITS} hex digits, got {value!r}")
    try:
        return int(value, 16)
    except ValueError:
        raise ValueError(f"a perceptual hash is hexadecimal, got {value!r}") from None


def hamming(a: str, b: str) -> int:
    """Number of differing bits between two 64-bit hashes given as 16 hex digits."""
    return (parse_hash(a) ^ parse_hash(b)).bit_count()
