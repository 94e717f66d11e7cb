"""The term biểu follows seed 004: TT 1–17 straight through, no group headings and no "Cộng", one
"Tổng cộng" row; the subject is the plan's own wording ("giai đoạn 2020 – 2025", a 2020–2025 term whose
quotas run 2021–2025), in the .xlsx, the PDF and the page alike."""

from __future__ import annotations

import html as html_text
import io
import re

from django.urls import reverse
from openpyxl import load_workbook

from quotas import exporters, importers, selectors
from tests.quotas.test_import_export import xlsx_bytes
from tests.quotas.test_pdf import pdf_text

SUBJECT = "Về công tác phát triển đảng viên, giai đoạn 2020 – 2025"
# Seed 004's table, TT and name, as printed.
SEED_004_NAMES = [
    "Thị trấn Lộc Thắng", "Xã Lộc An", "Xã Lộc Bắc", "Xã Lộc Bảo", "Xã Lộc Lâm", "Xã Lộc Phú", "Xã Lộc Ngãi",
    "Xã Lộc Đức", "Xã Lộc Quảng", "Xã Lộc Tân", "Xã B'Lá", "Xã Lộc Nam", "Xã Lộc Thành", "Xã Tân Lạc",
    "Công an huyện", "Quân sự huyện", "Các chi bộ cơ sở còn lại",
]  # fmt: skip


def test_the_term_table_numbers_its_rows_straight_through(seeded):
    table = selectors.term_table(plan=seeded.plan55)
    assert [(row.number, row.name) for row in table.rows] == list(enumerate(SEED_004_NAMES, 1))


def test_term_xlsx_has_seed_004_rows_and_one_total_row(seeded):
    data = xlsx_bytes(exporters.term_workbook(selectors.term_table(plan=seeded.plan55)))
    sheet = load_workbook(io.BytesIO(data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert SUBJECT in values
    assert not any(isinstance(v, str) and v.startswith("Giai đoạn") for v in values)
    numbered = [
        (sheet.cell(row=r, column=1).value, sheet.cell(row=r, column=2).value)
        for r in range(1, sheet.max_row + 1)
        if isinstance(sheet.cell(row=r, column=1).value, int)
    ]
    assert numbered == list(enumerate(SEED_004_NAMES, 1))
    assert "Cộng" not in values
    assert "Đảng bộ xã, phường, thị trấn" not in values  # no group headings either
    total_row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "Tổng cộng")
    assert total_row == next(r for r in range(1, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == 17) + 1
    # The total is live: a SUM over the 17 rows, which the importer checks like Excel would compute it.
    assert str(sheet.cell(row=total_row, column=6).value).startswith("=SUM(")
    parsed = importers.read_workbook(data)
    assert parsed.problems == [] and [r.kind for r in parsed.rows] == ["data"] * 17 + ["total"]
    total = parsed.rows[-1].numbers
    assert (total["cell_count"], total["member_count"], total["official_member_count"], total["term_total"]) == (
        247,
        3258,
        3210,
        400,
    )
    assert [total[f"y{year}"] for year in range(2021, 2026)] == [80] * 5


def test_term_pdf_follows_seed_004(seeded, client):
    client.force_login(seeded.staff_bl)
    response = client.get(reverse("quotas:term_pdf", kwargs={"plan_pk": seeded.plan55.pk}))
    text, _pages = pdf_text(response.content)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert SUBJECT in lines and "Giai đoạn 2021 – 2025" not in lines
    assert "1 Thị trấn Lộc Thắng 33 502 498 40 8 8 8 8 8" in lines
    assert "15 Công an huyện 3 36 36 10 2 2 2 2 2" in lines
    assert "16 Quân sự huyện 11 116 116 0" in lines
    assert "17 Các chi bộ cơ sở còn lại 508 501 15 3 3 3 3 3" in lines
    assert "Tổng cộng 247 3.258 3.210 400 80 80 80 80 80" in lines
    assert not any(re.match(r"^Cộng\b", line) for line in lines)
    assert "Đảng bộ xã, phường, thị trấn" not in lines


def test_term_page_follows_seed_004(seeded, client):
    client.force_login(seeded.staff_bl)
    response = client.get(reverse("quotas:term", kwargs={"plan_pk": seeded.plan55.pk}))
    html = response.content.decode()
    assert response.status_code == 200 and SUBJECT in html
    numbers = re.findall(r'<td class="tt">(\d+)</td><td>([^<]+)</td>', html)
    assert [(int(n), html_text.unescape(name)) for n, name in numbers] == list(enumerate(SEED_004_NAMES, 1))
    assert 'class="subtotal"' not in html and 'class="group"' not in html
    assert "Tổng cộng" in html and "data-total-term>400<" in html
