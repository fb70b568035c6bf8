"""OCR summary of ticket evidence photos, on the server, off the request path (docs/tickets.md).

Engine: RapidOCR (``rapidocr-onnxruntime`` 1.4.x, optional extra ``ocr``): PP-OCRv4 Chinese +
English detection/recognition models shipped inside the wheel, run by ONNX Runtime on the CPU.
Nothing is downloaded and nothing phones home: ``ORT_DISABLE_TELEMETRY=1`` is set before
onnxruntime is imported (tests/sync_server/test_ocr.py proves no socket is connected).

``OcrEngine.read`` never raises: bad, damaged, oversized or text-free images give an empty
result. ``OcrWorker`` runs jobs on its own thread from an in-process queue, so a sync request only
enqueues (``submit`` never blocks) and never waits for OCR. Jobs are derived from state (photos
without OCR text), so after a restart the server re-submits them with ``submit_many``.
"""

from __future__ import annotations

import io
import logging
import os
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageOps

os.environ["ORT_DISABLE_TELEMETRY"] = "1"  # before anything imports onnxruntime

log = logging.getLogger(__name__)

MAX_INPUT_BYTES = 40 * 1024 * 1024
MAX_PIXELS = 60_000_000
MAX_SIDE = 2000  # larger photos are scaled down first: the models read ~30 px text lines
MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class OcrLine:
    text: str
    confidence: float


@dataclass(frozen=True)
class OcrResult:
    lines: tuple[OcrLine, ...] = ()
    error: str = ""  # why the image gave nothing (kept for logs, never raised)

    @property
    def summary(self) -> str:
        """The searchable summary stored on the ticket: one line of text per detected line."""
        return "\n".join(line.text for line in self.lines)

    @property
    def empty(self) -> bool:
        return not self.lines


def ocr_available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except Exception:
        return False
    return True


class OcrEngine:
    """A lazily loaded RapidOCR instance; thread-safe (one read at a time)."""

    def __init__(self, *, threads: int = 2, min_confidence: float = MIN_CONFIDENCE) -> None:
        self.threads = max(1, min(threads, os.cpu_count() or 1))
        self.min_confidence = min_confidence
        self._engine: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._engine is None:
            from rapidocr_onnxruntime import RapidOCR  # the optional extra "ocr"

            self._engine = RapidOCR(
                intra_op_num_threads=self.threads, inter_op_num_threads=1, text_score=0.3
            )
        return self._engine

    def warm_up(self) -> None:
        with self._lock:
            self._load()

    def read(self, data: bytes) -> OcrResult:
        """Text lines in the photo, in reading order. Never raises."""
        try:
            pixels = _decode(data)
        except Exception as exc:  # not an image, damaged, too large, a bomb
            return OcrResult(error=f"decode: {type(exc).__name__}")
        try:
            with self._lock:
                raw, _elapsed = self._load()(pixels)
        except ImportError as exc:  # the "ocr" extra is not installed
            return OcrResult(error=f"ocr not installed: {exc}")
        except Exception as exc:
            log.warning("ocr failed: %s", exc)
            return OcrResult(error=f"ocr: {type(exc).__name__}")
        lines = []
        for item in raw or ():
            text, conf = str(item[1]).strip(), float(item[2])
            if text and conf >= self.min_confidence:
                lines.append(OcrLine(text=text, confidence=round(conf, 4)))
        return OcrResult(lines=tuple(lines))


def _decode(data: bytes) -> Any:
    """RGB photo → BGR numpy array (OpenCV order), upright per EXIF, at most MAX_SIDE px."""
    import numpy as np

    if not isinstance(data, bytes | bytearray | memoryview) or not 0 < len(data) <= MAX_INPUT_BYTES:
        raise ValueError("no data or too large")
    # No warnings.catch_warnings() here: it swaps process-wide filters and this runs on the
    # worker thread beside request threads. Pillow's warnings (bomb, corrupt EXIF) are only
    # logged in production; where warnings are errors they end as an empty result.
    opened = Image.open(io.BytesIO(bytes(data)), formats=["JPEG", "PNG", "WEBP"])
    if opened.width * opened.height > MAX_PIXELS:
        raise ValueError("too many pixels")
    opened.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at reduced scale when possible
    image = ImageOps.exif_transpose(opened).convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    return np.asarray(image)[:, :, ::-1].copy()


@dataclass(frozen=True)
class OcrJob:
    ticket_id: str
    sha256: str


@dataclass
class OcrWorker:
    """One background thread draining an in-process queue of OCR jobs.

    ``load_blob(sha256)`` returns the photo bytes (None if the blob is not uploaded yet: the
    job is dropped and re-submitted by the server when the upload completes);
    ``on_result(job, result)`` stores the summary. Exceptions in either are logged, never fatal.
    """

    engine: OcrEngine
    load_blob: Callable[[str], bytes | None]
    on_result: Callable[[OcrJob, OcrResult], None]
    maxsize: int = 10_000
    _queue: queue.Queue[OcrJob | None] = field(init=False)
    _thread: threading.Thread | None = field(default=None, init=False)
    _pending: set[OcrJob] = field(default_factory=set, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _idle: threading.Condition = field(init=False)
    processed: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._queue = queue.Queue(maxsize=self.maxsize)
        self._idle = threading.Condition(self._lock)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ocr-worker", daemon=True)
            self._thread.start()

    def submit(self, job: OcrJob) -> bool:
        """Enqueue without blocking; False if already queued or the queue is full."""
        with self._lock:
            if job in self._pending:
                return False
            try:
                self._queue.put_nowait(job)
            except queue.Full:
                return False
            self._pending.add(job)
            return True

    def submit_many(self, jobs: Iterable[OcrJob]) -> int:
        return sum(self.submit(job) for job in jobs)

    def wait_idle(self, timeout: float) -> bool:
        """Block until every submitted job is done (tests, shutdown); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._pending, timeout=timeout)

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                self._process(job)
            finally:
                with self._idle:
                    self._pending.discard(job)
                    self.processed += 1
                    self._idle.notify_all()

    def _process(self, job: OcrJob) -> None:
        try:
            data = self.load_blob(job.sha256)
        except Exception as exc:
            log.warning("ocr job %s: cannot load blob: %s", job, exc)
            return
        if data is None:
            return
        result = self.engine.read(data)
        try:
            self.on_result(job, result)
        except Exception as exc:
            log.warning("ocr job %s: storing the result failed: %s", job, exc)
