"""Recognising a ticket's evidence video by its bytes and reading its duration, in pure Python.

The same code runs on the device (before a video is attached) and on the server (when its upload
completes), so both agree on what the file is and how long it lasts. No native dependency:

* **MP4 / QuickTime** (ISO base media file format): top-level boxes are walked; the file must
  start with ``ftyp`` (major brand ``qt  `` -> ``video/quicktime``, anything else ->
  ``video/mp4``) or, for old QuickTime files, with ``moov`` / ``mdat`` / ``wide`` / ``free`` /
  ``skip`` / ``pnot``; it needs ``moov`` and media data (``mdat``). The duration is
  ``moov/mvhd`` duration / timescale (version 0: 32-bit fields, version 1: 64-bit); a fragmented
  file with no duration in ``mvhd`` uses ``moov/mvex/mehd``. A box running past the end of the
  bytes is a truncated file.
* **WebM** (Matroska with DocType ``webm``): the EBML header, then ``Segment/Info``:
  ``TimecodeScale`` (default 1,000,000 ns) times ``Duration`` (a float). A WebM file without a
  ``Duration`` (what a browser's MediaRecorder writes while recording) is refused: its length
  could only be known by reading every cluster.

Anything else, or a file whose duration cannot be read, is ``InvalidVideo`` (field ``video``).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from shared.errors import InvalidInput

MIME_MP4 = "video/mp4"
MIME_QUICKTIME = "video/quicktime"
MIME_WEBM = "video/webm"
VIDEO_MIMES = (MIME_MP4, MIME_QUICKTIME, MIME_WEBM)
VIDEO_EXTENSIONS = ("mp4", "m4v", "mov", "webm")
_QT_FIRST = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
_EBML, _DOCTYPE, _SEGMENT, _INFO = 0x1A45DFA3, 0x4282, 0x18538067, 0x1549A966
_TIMECODE_SCALE, _DURATION = 0x2AD7B1, 0x4489


class InvalidVideo(InvalidInput):
    """Bytes that are not a usable MP4 / QuickTime / WebM video, or whose length is unknown."""

    code = "invalid_video"


@dataclass(frozen=True)
class VideoInfo:
    mime: str
    duration_s: float
    size_bytes: int


def _bad(en: str, zh: str) -> InvalidVideo:
    return InvalidVideo(f"video: {en}", message_zh=f"视频：{zh}", field="video")


def _truncated() -> InvalidVideo:
    return _bad("the file is truncated", "文件不完整（被截断）")


def sniff_video(data: bytes) -> str | None:
    """The container's MIME type from the first bytes, or None when it is none of ours."""
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return MIME_WEBM
    if len(data) >= 8 and data[4:8] == b"ftyp":
        return MIME_QUICKTIME if data[8:12] == b"qt  " else MIME_MP4
    if len(data) >= 8 and data[4:8] in _QT_FIRST:
        return MIME_QUICKTIME
    return None


def probe_video(data: bytes) -> VideoInfo:
    """What the video is and how long it lasts; ``InvalidVideo`` naming the problem otherwise."""
    mime = sniff_video(data)
    if mime is None:
        raise _bad("not an MP4, QuickTime or WebM video", "不是 MP4、QuickTime（MOV）或 WebM 视频")
    seconds = _webm_duration(data) if mime == MIME_WEBM else _mp4_duration(data)
    if not math.isfinite(seconds) or seconds <= 0:
        raise _bad("its duration is not a positive number", "视频时长无效")
    return VideoInfo(mime, round(seconds, 3), len(data))


# -- MP4 / QuickTime -------------------------------------------------------------------------


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of the boxes in ``data[start:end]``."""
    pos = start
    while pos < end:
        if end - pos < 8:
            raise _truncated()
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        header = 8
        if size == 1:
            if end - pos < 16:
                raise _truncated()
            size, header = int.from_bytes(data[pos + 8 : pos + 16], "big"), 16
        elif size == 0:  # the last box runs to the end of the file
            size = end - pos
        if size < header:
            raise _bad(f"box {kind!r} has an impossible size", "视频文件结构损坏")
        if pos + size > end:
            raise _truncated()
        yield kind, pos + header, pos + size
        pos += size


def _child(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    for k, p, e in _boxes(data, start, end):
        if k == kind:
            return p, e
    return None


def _mp4_duration(data: bytes) -> float:
    top = list(_boxes(data, 0, len(data)))
    if any(not all(32 <= b < 127 for b in k) for k, _p, _e in top):
        raise _bad("not an MP4 / QuickTime file", "不是 MP4 / QuickTime 文件")
    kinds = {k for k, _p, _e in top}
    if b"moov" not in kinds:
        raise _bad("no 'moov' box: not a complete MP4 / QuickTime file", "缺少 moov，文件不完整")
    if b"mdat" not in kinds:
        raise _bad("no media data ('mdat' box)", "没有媒体数据（mdat）")
    _k, mp, me = next(b for b in top if b[0] == b"moov")
    mvhd = _child(data, mp, me, b"mvhd")
    if mvhd is None:
        raise _bad("no 'moov/mvhd' box", "缺少 moov/mvhd")
    p, e = mvhd
    version = data[p] if p < e else -1
    if version == 0 and e - p >= 20:
        timescale, duration = struct.unpack(">II", data[p + 12 : p + 20])
        unknown = duration == 0xFFFFFFFF
    elif version == 1 and e - p >= 32:
        timescale, duration = struct.unpack(">IQ", data[p + 20 : p + 32])
        unknown = duration == 0xFFFFFFFFFFFFFFFF
    else:
        raise _bad("the 'mvhd' box is malformed", "mvhd 结构损坏")
    if timescale == 0:
        raise _bad("the 'mvhd' timescale is 0", "mvhd 时间刻度为 0")
    if duration == 0 or unknown:
        duration = _fragment_duration(data, mp, me)
    if duration == 0:
        raise _bad("its duration is not recorded in the file", "文件中没有记录视频时长")
    return float(duration) / float(timescale)


def _fragment_duration(data: bytes, moov_start: int, moov_end: int) -> int:
    mvex = _child(data, moov_start, moov_end, b"mvex")
    mehd = _child(data, *mvex, b"mehd") if mvex else None
    if mehd is None:
        return 0
    p, e = mehd
    if data[p] == 1 and e - p >= 12:
        return int.from_bytes(data[p + 4 : p + 12], "big")
    if e - p >= 8:
        return int.from_bytes(data[p + 4 : p + 8], "big")
    return 0


# -- WebM ------------------------------------------------------------------------------------


def _vint(data: bytes, pos: int, *, is_id: bool) -> tuple[int | None, int]:
    """An EBML variable-length integer at ``pos``: (value, length). Unknown size -> None."""
    if pos >= len(data):
        raise _truncated()
    first = data[pos]
    if first == 0:
        raise _bad("bad EBML number", "EBML 编码错误")
    length = 9 - first.bit_length()
    if pos + length > len(data):
        raise _truncated()
    raw = int.from_bytes(data[pos : pos + length], "big")
    if is_id:
        return raw, length
    value = raw & ((1 << (7 * length)) - 1)
    return (None if value == (1 << (7 * length)) - 1 else value), length


def _elements(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int | None]]:
    """(id, payload start, payload end or None for an unknown size) of EBML elements."""
    pos = start
    while pos < end:
        eid, n = _vint(data, pos, is_id=True)
        size, m = _vint(data, pos + n, is_id=False)
        payload = pos + n + m
        if size is None:
            yield int(eid or 0), payload, None
            return
        if payload + size > end:
            raise _truncated()
        yield int(eid or 0), payload, payload + size
        pos = payload + size


def _webm_duration(data: bytes) -> float:
    els = _elements(data, 0, len(data))
    eid, p, e = next(els)
    if eid != _EBML or e is None:
        raise _bad("bad EBML header", "EBML 头损坏")
    doctype = b""
    for cid, cp, ce in _elements(data, p, e):
        if cid == _DOCTYPE and ce is not None:
            doctype = data[cp:ce].rstrip(b"\x00")
    if doctype != b"webm":
        raise _bad(
            f"a Matroska file of type {doctype.decode('ascii', 'replace')!r}, not WebM",
            "不是 WebM 视频",
        )
    for sid, sp, se in els:
        if sid == _SEGMENT:
            return _segment_duration(data, sp, se if se is not None else len(data))
    raise _bad("no Segment", "缺少 Segment")


def _segment_duration(data: bytes, start: int, end: int) -> float:
    scale, duration = 1_000_000, None
    for cid, cp, ce in _elements(data, start, end):
        if cid == _INFO and ce is not None:
            for iid, ip, ie in _elements(data, cp, ce):
                if ie is None:
                    break
                if iid == _TIMECODE_SCALE:
                    scale = int.from_bytes(data[ip:ie], "big")
                elif iid == _DURATION and ie - ip in (4, 8):
                    duration = struct.unpack(">f" if ie - ip == 4 else ">d", data[ip:ie])[0]
        if ce is None:  # a cluster of unknown size (live recording): stop walking here
            break
    if duration is None:
        raise _bad(
            "a WebM file without a recorded duration (as a browser records it) is refused;"
            " save it as MP4 or let the recorder finish the file",
            "WebM 文件没有记录时长（浏览器边录边存的文件），请另存为 MP4",
        )
    return float(duration) * scale / 1e9
