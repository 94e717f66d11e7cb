"""Seed 000 (Kế hoạch 72-KH/HU, Lục Ngạn 2022): the biểu's quotas reproduce its "Cộng" and total rows
through the report: communes 178 (41 54 52 31), institutions 42 (5 17 20 0), 220 = 46 + 71 + 72 + 31."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from pypdf import PdfReader

from organizations import demo as organization_demo
from organizations.models import Organization
from reports import exporters
from reports.selectors import progress_header, progress_report

from .factories import plan

# The two tables of seed 000, in its order (codes BG-LN-X01… and BG-LN-C01… follow the same order).
COMMUNES = [
    (5, 1, 2, 2, 0), (6, 1, 2, 2, 1), (5, 1, 2, 2, 0), (11, 2, 4, 3, 2), (6, 2, 2, 2, 0), (5, 2, 1, 0, 2),
    (6, 1, 2, 2, 1), (8, 2, 2, 2, 2), (6, 1, 1, 3, 1), (6, 1, 2, 2, 1), (5, 1, 2, 2, 0), (4, 0, 2, 1, 1),
    (6, 1, 2, 2, 1), (5, 1, 2, 2, 0), (4, 2, 1, 1, 0), (6, 2, 2, 2, 0), (5, 0, 1, 2, 2), (4, 1, 1, 1, 1),
    (6, 1, 2, 2, 1), (10, 2, 3, 3, 2), (4, 1, 1, 1, 1), (5, 1, 2, 1, 1), (6, 2, 1, 2, 1), (6, 2, 2, 1, 1),
    (6, 1, 2, 2, 1), (8, 2, 2, 2, 2), (8, 2, 2, 2, 2), (10, 3, 3, 2, 2), (6, 2, 1, 1, 2),
]  # fmt: skip
INSTITUTIONS = [
    (4, 2, 0, 2, 0), (4, 0, 2, 2, 0), (0, 0, 0, 0, 0), (5, 0, 2, 3, 0), (1, 0, 0, 1, 0), (2, 0, 2, 0, 0),
    (3, 0, 1, 2, 0), (4, 3, 1, 0, 0), (3, 0, 1, 2, 0), (1, 0, 0, 1, 0), (1, 0, 0, 1, 0), (1, 0, 0, 1, 0),
    (0, 0, 0, 0, 0), (0, 0, 0, 0, 0), (1, 0, 1, 0, 0), (0, 0, 0, 0, 0), (0, 0, 0, 0, 0), (0, 0, 0, 0, 0),
    (1, 0, 0, 1, 0), (2, 0, 2, 0, 0), (1, 0, 0, 1, 0), (2, 0, 2, 0, 0), (0, 0, 0, 0, 0), (2, 0, 1, 1, 0),
    (0, 0, 0, 0, 0), (4, 0, 2, 2, 0),
]  # fmt: skip


class _Quiet:
    def write(self, text):
        pass


@pytest.fixture
def luc_ngan(db):
    organization_demo.load(stdout=_Quiet())
    district = Organization.objects.get(code="BG-LN")
    quotas = {Organization.objects.get(code=f"BG-LN-X{i:02d}"): q for i, q in enumerate(COMMUNES, start=1)}
    quotas |= {Organization.objects.get(code=f"BG-LN-C{i:02d}"): q for i, q in enumerate(INSTITUTIONS, start=1)}
    plan(district, "72-KH/HU", quotas, year=2022, issued_on=datetime.date(2022, 2, 11))
    return district


def test_seed_000_subtotals_and_total(luc_ngan):
    report = progress_report(organization=luc_ngan, year=2022, quarter=4, today=datetime.date(2022, 12, 31))
    residential, institutions = report.groups
    assert [row.label for row in residential.rows][:4] == ["Biên Sơn", "Biển Động", "Cấm Sơn", "Chũ"]
    assert residential.rows[-1].label == "Trù Hựu" and len(residential.rows) == 29
    assert institutions.rows[0].label == "Đảng bộ Chính quyền" and len(institutions.rows) == 26
    assert (residential.subtotal.quota_total, residential.subtotal.quota_quarters) == (178, (41, 54, 52, 31))
    assert (institutions.subtotal.quota_total, institutions.subtotal.quota_quarters) == (42, (5, 17, 20, 0))
    assert (report.total.quota_total, report.total.quota_quarters) == (220, (46, 71, 72, 31))
    assert [report.total.quota.through[i] for i in range(4)] == [46, 117, 189, 220]  # 46, +71, +72, +31
    assert report.total.status == "behind"  # nothing admitted in the demo yet


def test_seed_000_as_the_quarterly_pdf(luc_ngan):
    report = progress_report(organization=luc_ngan, year=2022, quarter=1, today=datetime.date(2022, 3, 31))
    header = progress_header(organization=luc_ngan, year=2022, quarter=1, today=datetime.date(2022, 4, 5))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(exporters.progress_pdf(report, header))).pages]
    text = " ".join(" ".join(pages).split())
    assert "ĐẢNG BỘ TỈNH BẮC GIANG" in text and "HUYỆN ỦY LỤC NGẠN" in text
    assert "Lục Ngạn, ngày 05 tháng 04 năm 2022" in text
    assert "BÁO CÁO TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU KẾT NẠP ĐẢNG VIÊN — QUÝ I NĂM 2022" in text
    assert "chỉ tiêu theo Kế hoạch số 72-KH/HU ngày 11/02/2022" in text
    assert re.search(r"1 Biên Sơn 5 1 0 0 0,0 0,0", text)
    assert re.search(r"Cộng 178 41 0 0 0,0 0,0", text)
    assert re.search(r"Cộng 42 5 0 0 0,0 0,0", text)
    assert re.search(r"Tổng cộng 220 46 0 0 0,0 0,0", text)
    # 55 rows take more than one A4 page; page numbers start on page 2.
    assert len(pages) >= 2
    lines = [[line.strip() for line in page.splitlines()] for page in pages]
    assert "1" not in lines[0]
    assert "2" in lines[1]
