"""Ticket benchmarks: OCR time per evidence photo, similar-issue lookup at 100,000 tickets.

Run: ``.venv/bin/python bench/bench_tickets.py [--runs 50] [--ocr-photos 6]``. Not a test:
prints medians and the target (lookup <= 50 ms with 100,000 tickets on the server, 5,000 of
them in the last 30 days of one province). OCR needs the "ocr" extra; without it that part is
skipped with a note.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared.tickets import (  # noqa: E402
    ImpactScope,
    ProblemType,
    Scenario,
    SimilarIndex,
    Ticket,
    default_root_cause_tree,
)
from shared.tickets.similar import Digest, tokenize  # noqa: E402

TARGET_MS = 50.0
NOW = datetime(2025, 6, 30, 4, 0, tzinfo=UTC)
PROVINCES = ["广东", "湖南", "浙江", "江苏", "山东", "四川", "河南", "湖北", "福建", "北京"]
PHRASES = [
    "集采报价", "医保目录", "调出目录", "支付标准下调", "医院暂停采购", "上会周期太长",
    "挂网窗口", "竞品降价", "返利", "陈列买断", "配送延迟", "维修不及时", "开票错误",
    "特价审批太慢", "合同条款", "样品申领", "包装破损", "效期短", "断货", "规格不符",
    "客户要求", "价格", "单价", "药剂科", "设备科", "采购负责人", "本周", "下个月",
]  # fmt: skip


def synthetic_digests(total: int, hot: int, rng: random.Random) -> list[Digest]:
    """``total`` tickets over a year; ``hot`` of them in the last 30 days of 广东."""
    tree = default_root_cause_tree()
    leaves = [n for n in tree.nodes if n.parent_id is not None]
    out = []
    for i in range(total):
        node = rng.choice(leaves)
        path = tree.path(node.id)
        if i < hot:
            province, age_days = "广东", rng.uniform(0, 30)
        else:
            province = rng.choice(PROVINCES[1:])
            age_days = rng.uniform(0, 365)
            if rng.random() < 0.1:  # older 广东 history
                province, age_days = "广东", rng.uniform(31, 365)
        text = "".join(rng.sample(PHRASES, rng.randint(2, 5)))
        out.append(
            Digest(
                id=f"t{i}", reported_ts=(NOW - timedelta(days=age_days)).timestamp(),
                customer_id=f"c{rng.randrange(20_000)}", district=f"区{rng.randrange(12)}",
                province=province, country="CN", problem_type=path[0].id,
                root_cause_id=node.id, family_id=path[1].id if len(path) > 1 else None,
                tokens=tokenize(text),
            )
        )  # fmt: skip
    return out


def bench_similar(runs: int) -> None:
    rng = random.Random(7)
    t0 = time.perf_counter()
    digests = synthetic_digests(100_000, 5_000, rng)
    index = SimilarIndex(default_root_cause_tree())
    index.add_many(digests)
    build_s = time.perf_counter() - t0
    queries = [
        Ticket(
            id=f"q{i}",
            org_id="org",
            reporter_id="rep",
            problem_type=ProblemType.POLICY,
            root_cause_id="policy.vbp_pricing.price_cap",
            impact_scope=scope,
            scenario=Scenario(customer_id="c1", district="区3", province="广东"),
            text="集采报价低于最高有效申报价，医院暂停采购，客户要求价格说明",
            device_time=NOW,
        )
        for i, scope in enumerate(
            [ImpactScope.PROVINCE, ImpactScope.DISTRICT, ImpactScope.CUSTOMER, ImpactScope.NATIONAL]
        )
    ]
    print(f"similar issues: {len(index):,} tickets indexed in {build_s:.1f} s")
    print(f"  {'scope':<10} {'candidates':>10} {'shown':>6} {'median ms':>10} {'p90 ms':>8}")
    for q in queries:
        from shared.tickets.similar import digest

        qd = digest(q, index.tree)
        n_cand = len(index.candidates(qd, q.impact_scope, NOW))
        times = []
        found = []
        for _ in range(runs):
            start = time.perf_counter()
            found = index.lookup(q, now=NOW)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        med, p90 = statistics.median(times), times[int(0.9 * (len(times) - 1))]
        print(
            f"  {q.impact_scope.value:<10} {n_cand:>10,} {len(found):>6} {med:>10.2f} {p90:>8.2f}"
        )
        if q.impact_scope is ImpactScope.PROVINCE:
            verdict = "OK" if med <= TARGET_MS else "OVER TARGET"
            print(
                f"  target: province lookup (5,000 candidates) <= {TARGET_MS:.0f} ms: "
                f"median {med:.2f} ms ({med / TARGET_MS:.2f}x of target) -> {verdict}"
            )


def bench_ocr(photos: int) -> None:
    try:
        import numpy as np
        from PIL import Image, ImageDraw, ImageFilter, ImageFont

        from sync_server.ocr import OcrEngine, ocr_available
    except ImportError as exc:
        print(f"OCR: skipped ({exc})")
        return
    if not ocr_available():
        print('OCR: skipped (install the "ocr" extra: pip install -e ".[ocr]")')
        return
    font = ImageFont.truetype(str(ROOT / "shared/data/fonts/FieldledgerSansSC-Regular.otf"), 44)
    rng = np.random.default_rng(1)
    lines = ["价格调整通知 单价 128.50 元", "合同编号 HT-2024-0315", "Model XR-200 Serial 88213"]
    datas = []
    for i in range(photos):
        img = Image.new("RGB", (1600, 1200), (236, 230, 214))
        draw = ImageDraw.Draw(img)
        for j, line in enumerate(lines):
            draw.text((120, 200 + 110 * j), line, font=font, fill=(30, 30, 35))
        img = img.rotate(3 - i, resample=Image.Resampling.BICUBIC, fillcolor=(120, 110, 100))
        px = np.asarray(img).astype(np.float32) + rng.normal(0, 10, (1200, 1600, 3))
        out = io.BytesIO()
        Image.fromarray(np.clip(px, 0, 255).astype(np.uint8)).filter(
            ImageFilter.GaussianBlur(0.8)
        ).save(out, "JPEG", quality=85)
        datas.append(out.getvalue())
    engine = OcrEngine()
    t0 = time.perf_counter()
    engine.warm_up()
    load_ms = (time.perf_counter() - t0) * 1000
    times, cpu = [], []
    found = 0
    for data in datas:
        w, c = time.perf_counter(), time.process_time()
        result = engine.read(data)
        times.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        found += "合同" in result.summary
    load = os.getloadavg()[0]
    print(
        f"OCR ({engine.threads} ORT threads, {os.cpu_count()} CPUs, load {load:.2f}): "
        f"model load {load_ms:.0f} ms; per 1600x1200 photo median "
        f"{statistics.median(times):.0f} ms wall, {statistics.median(cpu):.0f} ms CPU; "
        f"text found in {found}/{len(datas)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--ocr-photos", type=int, default=6)
    args = parser.parse_args()
    bench_similar(args.runs)
    bench_ocr(args.ocr_photos)


if __name__ == "__main__":
    main()
