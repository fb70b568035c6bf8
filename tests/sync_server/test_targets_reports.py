"""The quarterly district diagnosis PDF and the team board XLSX: they open, carry the Chinese
text with an embedded font, show the hand-computed numbers, and respect scope."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pypdf

from sync_server.sync.orgdata import upsert_customers
from sync_server.targets_engine import evaluate_org
from tests.sync_server.server_support import customer
from tests.sync_server.targets_support import TargetsWorld, put_visit, tworld_fixture  # noqa: F401

REPORT = "/api/v1/targets/reports/district/{}.pdf?quarter={}"


def pdf_text(data: bytes) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    return "".join(text.split()), reader  # pypdf spaces CID glyphs apart: compare without


def embedded_fonts(reader: pypdf.PdfReader) -> list[tuple[str, bool]]:
    out = []
    for page in reader.pages:
        fonts: Any = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            out.append((str(font["/BaseFont"]), "/FontFile3" in desc))
    return out


def add_other_team_store(w: TargetsWorld) -> None:
    """G: rep3's (team t2) store in 南山区 with a March visit: admins' report only."""
    g = customer("acme", "G", name="南头店", district="南山区", industry="便利店")
    upsert_customers(w.api.storage, "acme", [(g, w.users["rep3"])])
    put_visit(w.api, w.users, "rep3", "G", "2025-03-05T02:00:00+00:00")


def test_the_district_report_opens_and_shows_the_numbers_in_chinese(
    tworld: TargetsWorld, tmp_path: Path
):
    add_other_team_store(tworld)
    evaluate_org(tworld.api.storage, "acme", date(2025, 2, 28))
    evaluate_org(tworld.api.storage, "acme", date(2025, 3, 31))
    r = tworld.get("mgr1", REPORT.format("南山区", "2025q1"))
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF-")
    text, reader = pdf_text(r.data)
    assert [(name.split("+")[-1], cff) for name, cff in embedded_fonts(reader)] == [
        ("FieldledgerSansSC", True)
    ]  # one subset of the bundled OpenType/CFF font, embedded
    assert "区域销售诊断Regionalsalesdiagnosis—南山区—2025Q1" in text
    assert "2025-01-01..2025-03-31" in text and "门店stores:5业务员reps:2" in text  # t1 only
    assert "rep3" not in text
    # Stock: (A 1 + B 0) / 2 at each month end -> 0.50 red three times.
    assert text.count("rep10.50红灯0.50红灯0.50红灯") == 1
    assert "rep2—灰灯—灰灯—灰灯" in text  # no existing customers: grey
    # Increment at 31 Mar: rep1 N1 open 88 days (red); rep2 median (10 + 88) / 2 = 49 (yellow).
    assert "rep188.00红灯1" in text and "rep249.00黄灯1" in text
    # Quarter visits in t1's 南山区 stores: N1, N2, N3, A, A (real), B (failed) -> 5 / 6 = 83%;
    # trials: A's two new-product visits, one converted.
    assert "拜访6次，真实拜访率83%；新品试用转化1/2。" in text
    assert "医疗器械211110.00100%" in text  # cases, closed, open, overdue, median, on target
    assert "主管介入Supervisorintervention" in text and "竞品攻坚包Attackpack" in text
    if shutil.which("pdftoppm"):  # poppler renders it (installed by `make test` where it can)
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(r.data)
        subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")],
                       check=True, capture_output=True, timeout=60)  # fmt: skip
        pages = sorted(tmp_path.glob("page*.png"))
        assert pages and pages[0].stat().st_size > 5000

    admin, _ = pdf_text(tworld.get("admin1", REPORT.format("南山区", "2025Q1")).data)
    assert "门店stores:6业务员reps:3" in admin and "rep3" in admin


def test_the_district_report_is_scoped_and_checks_its_quarter(tworld: TargetsWorld):
    assert tworld.get("mgr1", REPORT.format("福田区", "2025Q1")).status_code == 404  # team t2
    assert tworld.get("admin1", REPORT.format("福田区", "2025Q1")).status_code == 200
    assert tworld.get("rep1", REPORT.format("南山区", "2025Q1")).status_code == 403
    assert tworld.get("other_admin", REPORT.format("南山区", "2025Q1")).status_code == 404
    for bad in ("2025Q5", "2025-03", ""):
        r = tworld.get("admin1", REPORT.format("南山区", bad))
        assert r.status_code == 400 and r.json["details"]["field"] == "quarter"


def test_the_team_board_exports_to_xlsx_with_the_snapshot_numbers(tworld: TargetsWorld):
    add_other_team_store(tworld)
    r = tworld.get("mgr1", "/api/v1/targets/board.xlsx?as_of=2025-03-31")
    assert r.status_code == 200, r.data[:200]
    ws = openpyxl.load_workbook(io.BytesIO(r.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert "存量 stock 2025-03-31" in rows[0][0] and "增量 increment 2025-03-30" in rows[0][0]
    assert rows[1][0] == "业务员 Rep" and rows[1][6] == "增量灯 Increment light"
    body = {row[0]: row for row in rows[2:]}
    assert set(body) == {"rep1", "rep2"}  # the manager's team only
    # rep1: stock 0.5 red, 2 existing; increment at Sun 30 Mar: N1 87 days, red, 1 overdue;
    # March: A twice (real) + B (failed): 2 touchpoints, real-visit rate 2 / 3.
    assert body["rep1"][1:9] == ("t1", 0.5, "红灯 red", 2, 87, "红灯 red", 1, 2)
    assert body["rep1"][11] == round(2 / 3, 4)
    assert body["rep2"][2:8] == (None, "灰灯 grey", 0, 48.5, "黄灯 yellow", 1)
    admin = openpyxl.load_workbook(
        io.BytesIO(tworld.get("admin1", "/api/v1/targets/board.xlsx?as_of=2025-03-31").data)
    ).active
    assert {row[0] for row in admin.iter_rows(min_row=3, values_only=True)} == {
        "rep1", "rep2", "rep3",
    }  # fmt: skip
    bad = tworld.get("mgr1", "/api/v1/targets/board.xlsx?as_of=31.03.2025")
    assert bad.status_code == 400 and bad.json["details"]["field"] == "as_of"
    assert tworld.get("rep1", "/api/v1/targets/board.xlsx").status_code == 403
