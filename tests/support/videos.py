"""Real, minimal video files made by hand for tests: MP4 / QuickTime (ftyp + moov/mvhd + mdat)
and WebM (EBML header + Segment/Info with a Duration), with a chosen duration and size."""

from __future__ import annotations

import struct


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mvhd(duration_s: float, timescale: int = 1000, version: int = 0) -> bytes:
    ticks = round(duration_s * timescale)
    if version == 1:
        times = struct.pack(">QQIQ", 0, 0, timescale, ticks)
    else:
        times = struct.pack(">IIII", 0, 0, timescale, ticks)
    rest = struct.pack(">IH", 0x00010000, 0x0100) + bytes(10)  # rate, volume, reserved
    rest += struct.pack(">9I", 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000)  # matrix
    rest += bytes(24) + struct.pack(">I", 2)  # pre-defined, next track id
    return box(b"mvhd", bytes([version, 0, 0, 0]) + times + rest)


def make_mp4(
    duration_s: float = 5.0,
    *,
    media_bytes: int = 256,
    timescale: int = 1000,
    version: int = 0,
    brand: bytes = b"isom",
    seed: int = 0,
) -> bytes:
    """ftyp + moov(mvhd) + mdat: a few hundred bytes that every MP4 parser accepts as a file."""
    ftyp = box(b"ftyp", brand + struct.pack(">I", 0x200) + brand + b"mp41")
    moov = box(b"moov", mvhd(duration_s, timescale, version))
    media = bytes((i * 31 + seed) % 256 for i in range(media_bytes))
    return ftyp + moov + box(b"mdat", media)


def _ebml_size(n: int) -> bytes:
    return bytes([0x08]) + n.to_bytes(4, "big") if n >= 0x7F else bytes([0x80 | n])


def element(eid: int, payload: bytes) -> bytes:
    return eid.to_bytes((eid.bit_length() + 7) // 8, "big") + _ebml_size(len(payload)) + payload


def make_webm(duration_s: float | None = 4.0, *, doctype: bytes = b"webm") -> bytes:
    """EBML header + Segment(Info(TimecodeScale, Duration), Cluster): no Duration if None."""
    header = element(0x1A45DFA3, element(0x4286, b"\x01") + element(0x4282, doctype))
    info = element(0x2AD7B1, (1_000_000).to_bytes(3, "big"))
    if duration_s is not None:
        info += element(0x4489, struct.pack(">d", duration_s * 1000))
    cluster = element(0x1F43B675, element(0xE7, b"\x00") + bytes(40))
    return header + element(0x18538067, element(0x1549A966, info) + cluster)
