"""Import edge cases found in review: a blank total with its quarters counts in "Cộng", a whole
number written "5,0", numbers too large for any biểu, a column title given twice, a cell count
without the member counts. Each bad file is refused in the preview, naming row and column."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from quotas import importers, selectors
from tests.quotas.conftest import quota_state, seed_000_workbook
from tests.quotas.test_import_export import SEED_COMMUNES, SEED_INSTITUTIONS, seed_004_workbook, xlsx_bytes

pytestmark = pytest.mark.django_db


def _preview(seeded, data: bytes):
    parsed = importers.read_workbook(data)
    allocation = selectors.allocation_for(organization=seeded.luc_ngan, year=2022)
    return importers.build_preview(
        parsed,
        candidates=[row.organization for row in allocation.rows],
        parent_name="Huyện ủy Lục Ngạn",
        current=allocation.values_by_organization(),
    )


def _term_preview(seeded, data: bytes):
    table = selectors.term_table(plan=seeded.plan55)
    return importers.build_preview(
        importers.read_workbook(data),
        candidates=[row.organization for row in table.rows],
        parent_name="Huyện ủy Bảo Lâm",
        current={},
        plan_years=list(seeded.plan55.years),
        current_figures={},
    )


def _with_bien_son(*values, subtotal=(178, 41, 54, 52, 31), total="Tổng cộng: 220 đảng viên."):
    rows = [list(SEED_COMMUNES), list(SEED_INSTITUTIONS)]
    rows[0][0] = ("Biên Sơn", *values)
    return seed_000_workbook(rows, subtotals=[subtotal, (42, 5, 17, 20, 0)], total_text=total)


def test_a_blank_total_is_the_sum_of_its_quarters_in_the_cong_check_too(seeded):
    assert _preview(seeded, _with_bien_son(None, 1, 2, 2, 0)).is_clean
    wrong = _preview(seeded, _with_bien_son(None, 1, 2, 2, 0, subtotal=(173, 41, 54, 52, 31), total="Tổng cộng: 215"))
    assert any("dòng “Cộng” ghi 173 nhưng tổng các dòng trên là 178" in str(p) for p in wrong.problems)


def test_a_whole_number_written_with_a_decimal_part_is_that_number():
    assert [importers.parse_number(text) for text in ("5,0", "5.0", "12,00", "1.234", "5.000")] == [
        5,
        5,
        12,
        1234,
        5000,
    ]
    with pytest.raises(importers.NotANumber, match="không phải là số nguyên"):
        importers.parse_number("2,5")
    # "1,000" is one in Vietnamese and a thousand in English: refused rather than guessed.
    with pytest.raises(importers.NotANumber, match="không rõ là số nào"):
        importers.parse_number("1,000")


def test_a_number_too_large_for_any_bieu_is_refused_in_the_preview(seeded):
    preview = _preview(seeded, _with_bien_son(10**20, None, None, None, None, subtotal=(None,) * 5, total="Tổng cộng"))
    assert not preview.is_clean
    assert any(p.letter == "C" and "quá lớn" in str(p) for p in preview.problems)


def test_a_cong_row_repeating_a_bad_cell_above_is_not_reported_again(seeded):
    preview = _preview(seeded, _with_bien_son("2,5", None, None, None, None, subtotal=("=SUM(C6:C34)",) + (None,) * 4))
    assert any("2,5 không phải là số nguyên" in str(p) for p in preview.problems)
    cong = next(row.line for row in preview.parsed.rows if row.kind == "subtotal")
    assert [str(p) for p in preview.problems if p.line == cong] == []


def test_a_column_title_given_twice_is_refused_at_the_header(seeded):
    book = load_workbook(io.BytesIO(seed_004_workbook()))
    book.active.cell(row=4, column=9).value = "Năm 2022"  # a typo for Năm 2023
    preview = _term_preview(seeded, xlsx_bytes(book))
    assert any("cùng có tiêu đề “Năm 2022”" in str(p) for p in preview.problems)


def test_a_cell_count_without_the_member_counts_is_refused(seeded):
    book = load_workbook(io.BytesIO(seed_004_workbook()))
    sheet = book.active
    assert sheet.cell(row=5, column=2).value == "Thị trấn Lộc Thắng"
    sheet.cell(row=5, column=4).value = sheet.cell(row=5, column=5).value = None
    preview = _term_preview(seeded, xlsx_bytes(book))
    assert any(p.line == 5 and "có số chi bộ nhưng thiếu số đảng viên" in str(p) for p in preview.problems)


def test_a_huge_quota_through_the_api_is_a_400_and_writes_nothing(seeded):
    api = APIClient()
    api.force_authenticate(seeded.staff)
    before = quota_state()
    response = api.post(
        "/api/v1/quotas/", {"organization": seeded.org("BG-LN-X01").pk, "year": 2026, "total": 10**20}, format="json"
    )
    assert response.status_code == 400 and "quá lớn" in str(response.json())
    assert quota_state() == before
