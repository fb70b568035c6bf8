"""OCR of evidence photos: real photographed-like text made here, read by the real engine.

Needs the "ocr" extra (rapidocr-onnxruntime). The photos are rendered with the bundled CJK font
on a paper-coloured background, rotated, noisy, blurred and saved as JPEG.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from sync_server.ocr import OcrEngine, OcrJob, OcrResult, OcrWorker

ROOT = Path(__file__).resolve().parents[2]
FONT = ROOT / "shared" / "data" / "fonts" / "FieldledgerSansSC-Regular.otf"
pytestmark = pytest.mark.slow


def photo_of_text(lines: list[str], *, angle: float, seed: int, size: int = 46) -> bytes:
    """A phone-photo-like JPEG of printed text: paper tone, rotation, sensor noise, blur."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (1200, 160 + 90 * len(lines)), (236, 230, 214))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), size)
    for i, line in enumerate(lines):
        draw.text((90, 80 + 90 * i), line, font=font, fill=(32, 30, 36))
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(118, 108, 96))
    noise = rng.normal(0, 12, (image.height, image.width, 3))
    pixels = np.asarray(image).astype(np.float32) + noise
    noisy = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    noisy.filter(ImageFilter.GaussianBlur(0.9)).save(out, "JPEG", quality=82)
    return out.getvalue()


def blank_photo(seed: int = 3) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = np.full((600, 800, 3), (200, 190, 170), np.float32) + rng.normal(0, 6, (600, 800, 3))
    out = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(out, "JPEG", quality=85)
    return out.getvalue()


@pytest.fixture(scope="module")
def engine() -> OcrEngine:
    e = OcrEngine(threads=1)
    e.warm_up()
    return e


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_a_photographed_chinese_price_tag_and_contract_clause_are_read(engine):
    lines = ["价格调整通知 单价 128.50 元", "合同编号 HT-2024-0315", "付款期限 30 天"]
    data = photo_of_text(lines, angle=3.5, seed=1)
    result = engine.read(data)
    text = squash(result.summary)
    for word in ("价格", "单价", "128.50", "合同", "2024", "0315", "付款"):
        assert word in text, (word, result.summary)
    assert all(0.5 <= line.confidence <= 1 for line in result.lines)


def test_a_photographed_english_nameplate_is_read(engine):
    data = photo_of_text(
        ["Model XR-200 Infusion Pump", "Serial No. 88213", "Rated 220V 50Hz"], angle=-4, seed=2
    )
    text = squash(engine.read(data).summary)
    for word in ("Model", "XR-200", "Serial", "88213", "220V"):
        assert word in text, (word, text)


def test_a_photo_without_text_gives_an_empty_summary(engine):
    result = engine.read(blank_photo())
    assert result.empty and result.summary == "" and result.error == ""


@pytest.mark.parametrize(
    "data",
    [
        b"",
        os.urandom(4096),
        b"\xff\xd8\xff\xe0" + b"\x00" * 100,  # a JPEG header and nothing else
        "not bytes",
    ],
    ids=["empty", "random", "truncated-jpeg", "str"],
)
def test_bad_bytes_give_an_empty_summary_never_an_error(engine, data):
    result = engine.read(data)
    assert result.empty and result.summary == "" and result.error.startswith("decode")


def test_a_truncated_photo_of_text_gives_an_empty_or_partial_result_without_raising(engine):
    data = photo_of_text(["合同编号 HT-2024-0315"], angle=2, seed=5)
    result = engine.read(data[: len(data) // 3])
    assert isinstance(result, OcrResult)


def test_a_decompression_bomb_is_refused_before_decoding(engine):
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")  # 144 Mpx, a few KB
    result = engine.read(out.getvalue())
    assert result.empty and result.error.startswith("decode")


def test_the_worker_runs_jobs_off_the_callers_thread_and_submit_never_waits(engine):
    blobs = {
        "a" * 64: photo_of_text(["价格 99 元"], angle=2, seed=7),
        "b" * 64: blank_photo(),
        "c" * 64: b"junk",
    }
    results: dict[str, tuple[str, str]] = {}
    threads: set[str] = set()

    def on_result(job: OcrJob, result: OcrResult) -> None:
        threads.add(threading.current_thread().name)
        if job.sha256 == "c" * 64:
            raise RuntimeError("the store failed")  # logged; the worker carries on
        results[job.sha256] = (job.ticket_id, result.summary)

    worker = OcrWorker(engine=engine, load_blob=blobs.get, on_result=on_result)
    worker.start()
    try:
        jobs = [OcrJob("t1", "c" * 64), OcrJob("t1", "a" * 64), OcrJob("t2", "b" * 64)]
        jobs.append(OcrJob("t3", "d" * 64))  # blob not uploaded yet: dropped quietly
        started = time.perf_counter()
        assert worker.submit_many(jobs) == 4
        assert worker.submit(jobs[1]) is False  # already queued
        assert time.perf_counter() - started < 0.05
        assert worker.wait_idle(timeout=120)
    finally:
        worker.stop()
    assert threads == {"ocr-worker"}
    assert results["a" * 64][0] == "t1" and "价格" in results["a" * 64][1]
    assert results["b" * 64] == ("t2", "")
    assert "c" * 64 not in results and "d" * 64 not in results
    assert worker.processed == 4


_CHILD = textwrap.dedent(
    """
    import json, socket, sys
    attempts = []

    def hook(event, args):
        if event in ("socket.connect", "socket.getaddrinfo", "socket.sendto", "socket.sendmsg"):
            attempts.append([event, repr(args)[:200]])
            raise PermissionError("network use during OCR: " + event)

    sys.addaudithook(hook)
    from sync_server.ocr import OcrEngine
    import os
    engine = OcrEngine(threads=1)
    summary = engine.read(open(sys.argv[1], "rb").read()).summary
    ortenv = os.environ.get("ORT_DISABLE_TELEMETRY")
    during = list(attempts)
    # Prove the hook is live: a deliberate connect must be caught and recorded.
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=0.5)
    except Exception:
        pass
    print(json.dumps({"summary": summary, "during": during, "probe": len(attempts) > len(during),
                      "ort_env": ortenv}))
    """
)


def test_ocr_opens_no_network_connection(tmp_path):
    image = tmp_path / "tag.jpg"
    image.write_bytes(photo_of_text(["合同 价格 100"], angle=2, seed=9))
    script = tmp_path / "child.py"
    script.write_text(_CHILD)
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run(
        [sys.executable, str(script), str(image)],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["during"] == []
    assert out["probe"] is True  # the hook did see the deliberate connect
    assert out["ort_env"] == "1"  # set by sync_server.ocr before onnxruntime loads
    assert "合同" in out["summary"]


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_ocr_makes_no_inet_connect_syscall_even_from_native_code(tmp_path):
    image = tmp_path / "tag.jpg"
    image.write_bytes(photo_of_text(["价格 100"], angle=2, seed=11))
    trace = tmp_path / "trace.txt"
    code = (
        "import sys; from sync_server.ocr import OcrEngine; "
        "print(OcrEngine(threads=1).read(open(sys.argv[1], 'rb').read()).summary)"
    )
    proc = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-e", "signal=none",
         "-o", str(trace), sys.executable, "-c", code, str(image)],
        capture_output=True, text=True, timeout=300, env=os.environ | {"PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    if proc.returncode != 0 and "ptrace" in proc.stderr:
        pytest.skip("ptrace is not permitted here")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "价格" in proc.stdout
    calls = trace.read_text().splitlines()
    inet = [c for c in calls if "AF_INET" in c]
    assert inet == []
