"""The allocation printed as the official biểu (WeasyPrint): the text survives with its diacritics."""

from __future__ import annotations

import io

from django.urls import reverse
from pypdf import PdfReader

from quotas import selectors


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_allocation_pdf_has_the_title_every_name_and_the_totals(seeded, client):
    client.force_login(seeded.leader)
    response = client.get(reverse("quotas:allocation_pdf", kwargs={"pk": seeded.luc_ngan.pk, "year": 2022}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, pages = pdf_text(response.content)
    flat = " ".join(text.split())
    for expected in (
        "HUYỆN ỦY LỤC NGẠN",
        "Số 72-KH/HU",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Lục Ngạn, ngày 11 tháng 02 năm 2022",
        "BIỂU TỔNG HỢP",
        "Giao chỉ tiêu kết nạp đảng viên năm 2022",
        "(kèm theo Kế hoạch số 72-KH/HU ngày 11/02/2022 của Ban Thường vụ Huyện ủy)",
        "Chia ra theo quý",
        "Tổng cộng: 220 đảng viên.",
        "PHÓ BÍ THƯ",
        "Cao Văn Hoàn",
    ):
        assert expected in flat, expected
    allocation = selectors.allocation_for(organization=seeded.luc_ngan, year=2022)
    for row in allocation.rows:
        assert row.name in flat, row.name  # "Biển Động", "Phượng Sơn", "Chi bộ Công ty TNHH Y Dược Bắc Thăng Long"…
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Cộng 178 41 54 52 31" in lines
    assert "Cộng 42 5 17 20 0" in lines
    assert "Tổng cộng 220 46 71 72 31" in lines
    assert pages >= 2
    # Page numbers from page 2 on, none on the first page.
    reader = PdfReader(io.BytesIO(response.content))
    for index, page in enumerate(reader.pages[1:], 2):
        assert page.extract_text().split()[-1] == str(index)
    assert reader.pages[0].extract_text().split()[-1] != "1"


def test_term_pdf_prints_seed_004_columns(seeded, client):
    client.force_login(seeded.staff_bl)
    response = client.get(reverse("quotas:term_pdf", kwargs={"plan_pk": seeded.plan55.pk}))
    text, _pages = pdf_text(response.content)
    flat = " ".join(text.split())
    for expected in ("HUYỆN ỦY BẢO LÂM", "Số 55-KH/HU", "Chỉ tiêu kết nạp trong nhiệm kỳ", "Năm 2025", "Xã B'Lá"):
        assert expected in flat, expected
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Tổng cộng 247 3.258 3.210 400 80 80 80 80 80" in lines
