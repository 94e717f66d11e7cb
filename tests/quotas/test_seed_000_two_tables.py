"""Seed 000 typed as printed: two tables one after the other (communes, then agencies), each with its
own title block, header rows and "Cộng", then "Tổng cộng: 220 đảng viên." The second header is a
header, not a data row, and each "Cộng" is checked against its own table."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from quotas import exporters, importers, selectors, services
from tests.quotas.conftest import quota_state
from tests.quotas.test_import_export import SEED_COMMUNES, SEED_INSTITUTIONS, luc_ngan_values, xlsx_bytes


def _title_block(sheet, *, rule_column: int) -> None:
    """ "BIỂU TỔNG HỢP", the subject and the attached-to line across the table, then the "-----" rule
    typed in one cell (where the seed centres it)."""
    for text in (
        "BIỂU TỔNG HỢP",
        "Giao chỉ tiêu kết nạp đảng viên năm 2022",
        "(kèm theo Kế hoạch số 72-KH/HU ngày 11/02/2022 của Ban Thường vụ Huyện uỷ)",
    ):
        sheet.append([text])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=7)
    rule = [None] * 7
    rule[rule_column - 1] = "-----"
    sheet.append(rule)


def _header(sheet, *, name_label: str, quarter_label: str) -> None:
    sheet.append(["TT", name_label, "Tổng số\nđảng viên\nkết nạp", "Chia ra theo quý"])
    top = sheet.max_row
    sheet.append([None, None, None, *(quarter_label.format(q) for q in ("I", "II", "III", "IV"))])
    sheet.merge_cells(start_row=top, start_column=4, end_row=top, end_column=7)
    for column in (1, 2, 3):
        sheet.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)


def seed_000_as_printed(*, communes=None, institutions=None, subtotals=None, second_header=None) -> bytes:
    communes = list(SEED_COMMUNES if communes is None else communes)
    institutions = list(SEED_INSTITUTIONS if institutions is None else institutions)
    subtotals = subtotals or [[sum(r[i] for r in rows) for i in range(1, 6)] for rows in (communes, institutions)]
    book = Workbook()
    sheet = book.active
    _title_block(sheet, rule_column=4)
    _header(sheet, name_label="Tên đảng bộ", quarter_label="Quý {}")
    for number, row in enumerate(communes, 1):
        sheet.append([number, *row])
    sheet.append([None, "Cộng", *subtotals[0]])
    sheet.append([])
    _title_block(sheet, rule_column=3)
    sheet.append([])
    if second_header:
        second_header(sheet)
    else:
        _header(sheet, name_label="Tên Đảng bộ, chi bộ", quarter_label="Quý\n{}")
    for number, row in enumerate(institutions, 1):
        sheet.append([number, *row])
    sheet.append([None, "Cộng", *subtotals[1]])
    sheet.append([])
    sheet.append(["Tổng cộng: 220 đảng viên."])
    return xlsx_bytes(book)


def _import(client, seeded, data: bytes, plan) -> None:
    """Upload into `plan` (which has no quotas yet), check the preview is clean, confirm."""
    url = reverse("quotas:import", kwargs={"pk": seeded.luc_ngan.pk, "year": 2022}) + f"?plan={plan.pk}"
    response = client.post(url, {"file": SimpleUploadedFile("bieu.xlsx", data)})
    preview = response.context["preview"]
    assert response.status_code == 200, [str(p) for p in preview.problems]
    assert preview.count("new") == 55
    assert client.post(url, {"payload": response.context["payload"]}).status_code == 302


def _empty_plan(seeded, number: str):
    return services.plan_replace(
        plan=seeded.plan72,
        by=seeded.staff,
        copy_quotas=False,
        number=number,
        title="Kết nạp đảng viên năm 2022",
        start_year=2022,
        end_year=2022,
    )


def test_both_tables_are_read_with_their_own_headers_and_subtotals(seeded):
    parsed = importers.read_workbook(seed_000_as_printed())
    assert [str(p) for p in parsed.problems] == []
    assert len(parsed.data_rows) == 55
    subtotals = [r for r in parsed.rows if r.kind == "subtotal"]
    assert [r.numbers["total"] for r in subtotals] == [178, 42]
    assert parsed.rows[-1].kind == "total" and parsed.rows[-1].text_total == 220


def test_a_file_typed_like_seed_000_imports_the_same_quotas_as_the_apps_export(seeded, client):
    original = luc_ngan_values(seeded.plan72)
    exported = xlsx_bytes(
        exporters.allocation_workbook(selectors.allocation_for(organization=seeded.luc_ngan, year=2022))
    )
    client.force_login(seeded.staff)
    from_export = _empty_plan(seeded, "73-KH/HU")
    _import(client, seeded, exported, from_export)
    from_typed = services.plan_replace(
        plan=from_export,
        by=seeded.staff,
        copy_quotas=False,
        number="74-KH/HU",
        title="Kết nạp đảng viên năm 2022",
        start_year=2022,
        end_year=2022,
    )
    _import(client, seeded, seed_000_as_printed(), from_typed)
    assert luc_ngan_values(from_typed) == luc_ngan_values(from_export) == original
    assert len(original) == 55 and sum(v[0] for v in original.values()) == 220


def test_each_subtotal_is_checked_against_its_own_table(seeded, client):
    """The agencies' "Cộng" is 42: it is compared with the 26 rows of the second table only."""
    data = seed_000_as_printed(subtotals=[[178, 41, 54, 52, 31], [43, 5, 17, 20, 0]])
    parsed = importers.read_workbook(data)
    line = [r.line for r in parsed.rows if r.kind == "subtotal"][1]
    assert [str(p) for p in parsed.problems] == [
        f"Dòng {line}, cột C (Tổng số): dòng “Cộng” ghi 43 nhưng tổng các dòng trên là 42"
    ]
    client.force_login(seeded.staff)
    before = quota_state()
    url = reverse("quotas:import", kwargs={"pk": seeded.luc_ngan.pk, "year": 2022})
    response = client.post(url, {"file": SimpleUploadedFile("bieu.xlsx", data)})
    assert response.status_code == 400 and "payload" not in response.context
    assert quota_state() == before


def test_a_second_table_with_other_columns_is_refused_at_its_header(seeded, client):
    def shifted(sheet):  # the quarters before the total: the numbers would land in the wrong columns
        sheet.append(["TT", "Tên Đảng bộ, chi bộ", "Chia ra theo quý", None, None, None, "Tổng số"])
        sheet.append([None, None, "Quý I", "Quý II", "Quý III", "Quý IV"])

    data = seed_000_as_printed(second_header=shifted)
    parsed = importers.read_workbook(data)
    sheet = load_workbook(io.BytesIO(data)).active
    header = [row for row in range(1, sheet.max_row + 1) if sheet.cell(row=row, column=1).value == "TT"][1]
    assert [str(p) for p in parsed.problems] == [
        f"Dòng {header}: tiêu đề bảng này có các cột khác với bảng ở dòng 5 (“Tổng số”: cột C ở bảng đầu, "
        "cột G ở bảng này; “Quý I”: cột D ở bảng đầu, cột C ở bảng này; “Quý II”: cột E ở bảng đầu, cột D ở "
        "bảng này; “Quý III”: cột F ở bảng đầu, cột E ở bảng này; “Quý IV”: cột G ở bảng đầu, cột F ở bảng "
        "này): hãy để các cột của mọi bảng theo cùng thứ tự"
    ]
    assert len(parsed.data_rows) == 29  # nothing read below the refused header
    client.force_login(seeded.staff)
    before = quota_state()
    url = reverse("quotas:import", kwargs={"pk": seeded.luc_ngan.pk, "year": 2022})
    response = client.post(url, {"file": SimpleUploadedFile("bieu.xlsx", data)})
    assert response.status_code == 400 and "payload" not in response.context
    assert quota_state() == before


def test_the_command_imports_the_two_tables(seeded, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "bieu.xlsx"
    path.write_bytes(seed_000_as_printed())
    before = quota_state()
    out = io.StringIO()
    call_command("import_quotas", str(path), "--org", "BG-LN", "--year", "2022", "--dry-run", stdout=out)
    assert "55 dòng tổ chức" in out.getvalue() and "không đổi: 55" in out.getvalue()
    assert quota_state() == before


def test_text_in_a_number_column_is_still_reported_when_no_header_follows(seeded):
    """Only the lines just above a repeated header are a title; text elsewhere is a mistake."""
    data = xlsx_bytes(exporters.allocation_workbook(selectors.allocation_for(organization=seeded.luc_ngan, year=2022)))
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    second_group = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(row=r, column=2).value == "Cộng") + 1
    sheet.cell(row=second_group, column=3).value = "xem ghi chú"
    parsed = importers.read_workbook(xlsx_bytes(book))
    assert [str(p) for p in parsed.problems] == [
        f"Dòng {second_group}, cột C (Tổng số): “xem ghi chú” không phải là số"
    ]


def test_a_file_whose_rows_lack_the_chi_bo_and_dang_bo_prefixes_matches_the_same_organizations(seeded):
    """ "Trường THPT Lục Ngạn số 1" for "Chi bộ Trường THPT Lục Ngạn số 1", "Công an" for "Đảng bộ Công an"."""
    bare = [(name.replace("Chi bộ ", "").replace("Đảng bộ ", ""), *numbers) for name, *numbers in SEED_INSTITUTIONS]
    assert bare[5][0] == "Trường THPT Lục Ngạn số 1" and bare[1][0] == "Công an "
    parsed = importers.read_workbook(seed_000_as_printed(institutions=bare))
    allocation = selectors.allocation_for(organization=seeded.luc_ngan, year=2022)
    preview = importers.build_preview(
        parsed,
        candidates=[r.organization for r in allocation.rows],
        parent_name=seeded.luc_ngan.name,
        current=allocation.values_by_organization(),
    )
    assert [str(p) for p in preview.problems] == []
    assert preview.count("same") == 55
    matched = {row.line: row.organization.code for row in preview.rows}
    line = next(r.line for r in parsed.data_rows if r.name == "Trường THPT Lục Ngạn số 1")
    assert matched[line] == "BG-LN-C06"
