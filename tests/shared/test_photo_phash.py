"""The perceptual hash survives re-encoding and resizing, and tells different scenes apart."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.photos import analyze_photo, hamming
from shared.photos.phash import phash_image
from tests.support.photos import make_image, make_jpeg, resave_jpeg

hashes = st.integers(min_value=0, max_value=2**64 - 1).map(lambda v: f"{v:016x}")


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_resaved_and_halved_photo_keeps_nearly_the_same_phash(seed):
    original = make_jpeg(2000, 1500, seed=seed, extra_exif=False, quality=92)
    copy = resave_jpeg(original, quality=60, scale=0.5)
    a, b = analyze_photo(original), analyze_photo(copy)
    assert a.sha256 != b.sha256
    assert hamming(a.phash, b.phash) <= 4


def test_different_scenes_are_far_apart():
    phashes = [analyze_photo(make_jpeg(800, 600, seed=s, extra_exif=False)).phash for s in range(8)]
    distances = [hamming(a, b) for a, b in itertools.combinations(phashes, 2)]
    assert min(distances) > 20
    assert sorted(distances)[len(distances) // 2] >= 28  # random hashes: 32 on average


def test_the_hash_is_sixteen_hex_digits_and_deterministic():
    image = make_image(300, 200, seed=9)
    assert phash_image(image) == phash_image(image.copy())
    assert len(phash_image(image)) == 16 and int(phash_image(image), 16) >= 0


def test_hamming_counts_differing_bits_and_refuses_non_hashes():
    assert hamming("0" * 16, "f" * 16) == 64
    assert hamming("00000000000000ff", "0000000000000000") == 8
    for bad in ("abc", "z" * 16, "0" * 17):
        with pytest.raises(ValueError):
            hamming(bad, "0" * 16)


@given(hashes, hashes)
def test_hamming_is_symmetric_and_zero_only_for_equal_hashes(a, b):
    assert hamming(a, b) == hamming(b, a)
    assert (hamming(a, b) == 0) == (a == b)


@given(hashes, hashes, hashes)
def test_hamming_obeys_the_triangle_inequality(a, b, c):
    assert hamming(a, c) <= hamming(a, b) + hamming(b, c)
