"""The upload guard reads a workbook the way openpyxl does (issue 12, break 2): the parts openpyxl opens
are the parts the guard scanned, whatever the file calls them; what openpyxl would build from them is
bounded; merged ranges and Excel's error values in the cells an importer reads are refused with their
address. Every refusal here comes before openpyxl (no_openpyxl) and writes nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from benchmarks.uploads import crafted
from candidates.importers import parse_admissions_xlsx
from partytrack import uploads
from quotas import importers as quota_importers
from tests.quotas.conftest import seed_000_workbook
from tests.quotas.test_import_edges import _preview, _with_bien_son, xlsx_bytes

from .conftest import HEADER, rezip, state, xlsx

SHEET_REL = b'Target="/xl/worksheets/sheet1.xml"'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
ADMISSION = [1, "A1C", "Nguyễn Văn A", "Nam", "01/01/2000", "1-QĐ/HU", "11/02/2022"]


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rebuilt(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def two_sheets(first_rows, *, hide_first: bool = False) -> bytes:
    """An admissions workbook whose first sheet holds `first_rows` and whose second sheet is a clean,
    visible copy of the template: a guard that misses the first sheet checks the second instead."""

    def second(book):
        other = book.create_sheet("Mẫu")
        other.append(HEADER)
        other.append(ADMISSION)
        if hide_first:
            book.active.sheet_state = "hidden"
            book.active = 1

    return xlsx(first_rows, sheet=second)


def with_sheet_target(data: bytes, target: str) -> bytes:
    """The same file, its first sheet's relationship spelled `target` (openpyxl resolves it to the same
    member, xl/worksheets/sheet1.xml)."""
    rels = parts(data)["xl/_rels/workbook.xml.rels"]
    assert SHEET_REL in rels
    return rezip(data, {"xl/_rels/workbook.xml.rels": rels.replace(SHEET_REL, f'Target="{target}"'.encode())})


TARGETS = ["./worksheets/sheet1.xml", "../xl/worksheets/sheet1.xml", "worksheets/../worksheets/sheet1.xml"]


# ------------------------------------------------------------------------ the parts openpyxl reads


@pytest.mark.parametrize("target", [*TARGETS, "/xl/worksheets/sheet1.xml"])
def test_a_sheet_is_the_member_openpyxl_opens_however_its_relationship_spells_it(target):
    data = with_sheet_target(two_sheets([HEADER, ADMISSION]), target)
    summary = uploads.check_xlsx(data)
    book = load_workbook(io.BytesIO(data), read_only=True)
    assert [sheet.name for sheet in summary.sheets] == book.sheetnames == ["Sheet", "Mẫu"]
    assert summary.sheets[0].path == "xl/worksheets/sheet1.xml" and summary.sheets[0].rows == 2


@pytest.mark.parametrize("target", TARGETS)
def test_rows_of_a_sheet_named_by_a_relative_path_are_counted(target, world, no_openpyxl):
    rows = [HEADER] + [ADMISSION] * 5001
    data = with_sheet_target(two_sheets(rows), target)
    before = state()
    for refusals in (
        quota_importers.read_workbook(data).problems,
        parse_admissions_xlsx(data, user=world.staff).errors,
    ):
        assert len(refusals) == 1 and "Trang “Sheet” có dữ liệu đến dòng" in str(refusals[0]), refusals
    assert state() == before


@pytest.mark.parametrize("target", TARGETS)
def test_a_hidden_first_sheet_named_by_a_relative_path_is_refused(target, world, no_openpyxl):
    data = with_sheet_target(two_sheets([HEADER, ADMISSION], hide_first=True), target)
    errors = parse_admissions_xlsx(data, user=world.staff).errors
    assert errors == ["Trang tính đầu tiên “Sheet” đang bị ẩn: hãy bỏ ẩn, hoặc đưa trang số liệu lên đầu."]


def test_the_issues_220000_rows_behind_a_dot_slash_relationship_are_refused_by_both_importers(world, no_openpyxl):
    """The file of the review (benchmarks/uploads.py times it: 28 s and 1.2 GB before, under a second now)."""
    data = crafted("dot_slash_220k")
    assert len(data) < 5 * 1024 * 1024
    problems = quota_importers.read_workbook(data).problems
    assert [str(p) for p in problems] == [
        "Trang “Kết nạp” có dữ liệu đến dòng 2.001 (thẻ dòng 2.001), vượt giới hạn 2.000 dòng: chia thành nhiều tệp."
    ]
    assert parse_admissions_xlsx(data, user=world.staff).errors == [
        "Trang “Kết nạp” có dữ liệu đến dòng 5.001 (thẻ dòng 5.001), vượt giới hạn 5.000 dòng: chia thành nhiều tệp."
    ]


def test_the_workbook_part_is_the_one_content_types_names(no_openpyxl):
    """A decoy xl/workbook.xml names a clean sheet; [Content_Types].xml names xl/book.xml, whose first
    sheet is hidden: openpyxl reads xl/book.xml, so the guard does."""
    members = parts(two_sheets([HEADER, ADMISSION], hide_first=True))
    members["xl/book.xml"] = members["xl/workbook.xml"]
    members["xl/_rels/book.xml.rels"] = members["xl/_rels/workbook.xml.rels"]
    members["xl/workbook.xml"] = members["xl/workbook.xml"].replace(b'state="hidden"', b'state="visible"')
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(b"/xl/workbook.xml", b"/xl/book.xml")
    data = rebuilt(members)
    assert load_workbook(io.BytesIO(data)).worksheets[0].sheet_state == "hidden"  # what openpyxl would import
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_xlsx(data)
    assert "Trang tính đầu tiên “Sheet” đang bị ẩn" in refused.value.message


def test_a_workbook_under_another_name_is_read(world):
    members = parts(xlsx([HEADER, ADMISSION]))
    members["xl/book.xml"] = members.pop("xl/workbook.xml")
    members["xl/_rels/book.xml.rels"] = members.pop("xl/_rels/workbook.xml.rels")
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(b"/xl/workbook.xml", b"/xl/book.xml")
    summary = uploads.check_xlsx(rebuilt(members))
    assert summary.workbook == "xl/book.xml" and summary.sheets[0].path == "xl/worksheets/sheet1.xml"


def shared_strings_elsewhere(strings_xml: bytes, *, name: str = "xl/strings.bin") -> bytes:
    """An admissions workbook whose text is in shared strings stored in a part not named .xml."""
    members = parts(xlsx([HEADER]))
    members[name] = strings_xml
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>", f'<Override PartName="/{name}" ContentType="{SST_TYPE}"/></Types>'.encode()
    )
    members["xl/worksheets/sheet1.xml"] = (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    ).encode()
    return rebuilt(members)


def test_shared_strings_in_a_part_not_named_xml_are_found_and_scanned(no_openpyxl):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&b;</t></si></sst>'
    )
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_xlsx(shared_strings_elsewhere(laughs))
    assert refused.value.message == "Tệp bị từ chối: phần “xl/strings.bin” có khai báo DTD hoặc thực thể XML."
    plain = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>TT</t></si></sst>'
    assert uploads.check_xlsx(shared_strings_elsewhere(plain)).shared_strings == "xl/strings.bin"


def test_every_member_is_scanned_for_a_dtd_whatever_its_name(no_openpyxl):
    data = rezip(xlsx([HEADER]), {})
    members = parts(data)
    members["xl/media/notes.dat"] = b'<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>'
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_xlsx(rebuilt(members))
    assert "“xl/media/notes.dat” có khai báo DTD" in refused.value.message
    members["xl/media/notes.dat"] = b"\x89PNG\r\n\x1a\n" + bytes(range(256))  # an image: not XML, left alone
    uploads.check_xlsx(rebuilt(members))


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            lambda m: m.pop("xl/worksheets/sheet1.xml"),
            "Tệp Excel bị hỏng: trang “Sheet” (xl/_rels/workbook.xml.rels) trỏ tới phần “xl/worksheets/sheet1.xml” "
            "nhưng tệp không có phần này.",
        ),
        (
            lambda m: m.update({"xl/workbook.xml": m["xl/workbook.xml"].replace(b'r:id="rId1"', b'r:id="rId9"')}),
            "Tệp Excel bị hỏng: trang “Sheet” trỏ tới quan hệ “rId9” không có trong xl/_rels/workbook.xml.rels.",
        ),
        (
            lambda m: m.update({"xl/workbook.xml": m["xl/workbook.xml"].replace(b' r:id="rId1"', b"")}),
            "Tệp Excel bị hỏng: trang “Sheet” trong xl/workbook.xml không ghi phần chứa trang (thiếu r:id).",
        ),
        (
            lambda m: m.pop("xl/_rels/workbook.xml.rels"),
            "Tệp Excel bị hỏng: xl/workbook.xml trỏ tới phần “xl/_rels/workbook.xml.rels” nhưng tệp không có phần này.",
        ),
        (
            lambda m: m.update(
                {
                    "[Content_Types].xml": m["[Content_Types].xml"].replace(
                        b"</Types>", f'<Override PartName="/xl/sst.xml" ContentType="{SST_TYPE}"/></Types>'.encode()
                    )
                }
            ),
            "Tệp Excel bị hỏng: [Content_Types].xml trỏ tới phần “xl/sst.xml” nhưng tệp không có phần này.",
        ),
        (
            lambda m: m.update(
                {"[Content_Types].xml": m["[Content_Types].xml"].replace(WORKBOOK_TYPE.encode(), b"application/xml")}
            ),
            "Tệp không phải là tệp Excel .xlsx đọc được. Tệp nén không khai báo phần sổ tính (workbook) trong "
            "[Content_Types].xml.",
        ),
    ],
    ids=["sheet part missing", "unknown relationship", "no r:id", "no workbook relationships", "no sst", "no workbook"],
)
def test_a_missing_part_is_refused_saying_which(change, expected, no_openpyxl):
    """openpyxl skips a sheet whose part is missing (the next sheet would be imported) or crashes."""
    members = parts(two_sheets([HEADER, ADMISSION]))
    change(members)
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_xlsx(rebuilt(members))
    assert refused.value.message == expected


# ------------------------------------------------------------------------ what openpyxl would build


def sheet_with(extra: str, *, rows: str = "") -> bytes:
    xml = f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData>{extra}</worksheet>'
    return rezip(xlsx([HEADER]), {"xl/worksheets/sheet1.xml": xml.encode()})


@pytest.mark.parametrize(
    "data, expected",
    [
        (
            sheet_with('<mergeCells count="1"><mergeCell ref="A1:GR5000"/></mergeCells>'),
            "Tệp có hơn 125.000 ô có dữ liệu, kể cả các ô mà vùng ô gộp và liên kết phủ: hãy bỏ gộp ô.",
        ),
        (
            sheet_with('<mergeCells count="1"><mergeCell ref="A1:A1048576"/></mergeCells>'),
            "Trang “Sheet”: vùng ô gộp A1:A1048576 vượt giới hạn 5.000 dòng, 200 cột.",
        ),
        (
            sheet_with('<hyperlinks><hyperlink ref="A1:XFD1048576" location="A1"/></hyperlinks>'),
            "Trang “Sheet”: vùng liên kết A1:XFD1048576 vượt giới hạn 5.000 dòng, 200 cột.",
        ),
        (
            sheet_with("", rows='<row r="6e3"><c><v>1</v></c></row>'),
            "Trang “Sheet” có dữ liệu đến dòng 6.000 (thẻ dòng 6.000), vượt giới hạn 5.000 dòng: chia thành nhiều tệp.",
        ),
        (
            sheet_with("", rows="<row>" + "<x/>" * 201 + "</row>"),
            "Trang “Sheet” có dữ liệu đến cột thứ 201 (ô ?), vượt giới hạn 200 cột.",
        ),
        (
            sheet_with("", rows='<row><c r="B"><v>1</v></c></row>'),
            "Tệp Excel bị hỏng: trang “Sheet” có địa chỉ ô “B” không đọc được.",
        ),
    ],
    ids=["merged area", "merged column", "hyperlink area", "row number as a float", "cells not named c", "bad cell"],
)
def test_what_openpyxl_would_expand_is_counted(data, expected, world, no_openpyxl):
    """A merged range or a hyperlink's range becomes one openpyxl cell per cell it covers (a 2 KB file
    held a worker 35 s at 670 MB, or without end); a row number is read as openpyxl reads it."""
    errors = parse_admissions_xlsx(data, user=world.staff).errors
    assert errors == [expected]


@pytest.mark.parametrize(
    "rows, expected",
    [
        (
            '<row r="3"><c r="A3"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>',
            "ghi dòng 2 sau dòng 3",
        ),
        ('<row r="1"><c r="A1"><v>1</v></c><c r="A7"><v>2</v></c></row>', "ghi ô A7 sau thẻ dòng 1"),
        ('<row r="1"><c r="C1"><v>1</v></c><c r="B1"><v>2</v></c></row>', "ghi ô B1 sau ô C1"),
    ],
    ids=["rows backwards", "a cell of another row", "cells backwards"],
)
def test_cells_openpyxl_would_read_elsewhere_than_excel_shows_them_are_refused(rows, expected, no_openpyxl):
    """openpyxl's read-only reader drops a row written after a later one, files a cell under the <row>
    it sits in whatever its address, and drops a cell left of the one before: Excel shows them."""
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_xlsx(sheet_with("", rows=rows))
    assert f"Tệp Excel bị hỏng: trang “Sheet” {expected}, không theo thứ tự Excel ghi" in refused.value.message


def test_xml_outside_the_cells_is_bounded(no_openpyxl):
    """openpyxl builds a tree of objects from styles, comments, drawings, rich text: 100,001 elements
    of styles are refused."""
    members = parts(xlsx([HEADER]))
    members["xl/styles.xml"] = members["xl/styles.xml"].replace(b"</styleSheet>", b"<x/>" * 100_001 + b"</styleSheet>")
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_xlsx(rebuilt(members))
    assert "ngoài các ô, tệp có hơn 100.000 thẻ XML (đến phần “xl/styles.xml”)" in refused.value.message


def test_a_dimension_smaller_than_the_data_hides_no_rows(world):
    """openpyxl's read-only reader stops at the <dimension>: a file saying A1:G2 over four admissions
    would preview one."""
    data = xlsx(
        [HEADER]
        + [[n, "A1C", f"Nguyễn Văn {n}", "Nam", "01/01/2000", f"{n}-QĐ/HU", "11/02/2022"] for n in (1, 2, 3, 4)]
    )
    sheet = parts(data)["xl/worksheets/sheet1.xml"]
    data = rezip(
        data, {"xl/worksheets/sheet1.xml": sheet.replace(b'<dimension ref="A1:G5"', b'<dimension ref="A1:G2"')}
    )
    parsed = parse_admissions_xlsx(data, user=world.staff)
    assert parsed.errors == [] and [row["full_name"] for row in parsed.rows] == [
        f"Nguyễn Văn {n}" for n in (1, 2, 3, 4)
    ]


# ------------------------------------------------------------------------ merged cells in the data


def quota_with_merge(ref: str) -> bytes:
    book = load_workbook(io.BytesIO(_with_bien_son(5, 1, 2, 2, 0)))
    book.active.merge_cells(ref)
    return xlsx_bytes(book)


@pytest.mark.parametrize("ref", ["B6:C6", "A6:A7", "A6:G6", "D5:D6"])
def test_a_merged_range_among_a_bieus_figures_is_refused_with_its_address(ref, seeded):
    """B6:C6 hides Biển Động's total (the quarters make it up again), A6:A7 the next row's TT: both used
    to preview as valid."""
    preview = _preview(seeded, quota_with_merge(ref))
    assert not preview.is_clean
    assert f"Dòng {ref[1]}: Ô gộp {ref} nằm trong vùng số liệu: hãy bỏ gộp ô và ghi đủ số liệu vào từng ô" in [
        str(p) for p in preview.problems
    ]


def test_merged_titles_headers_headings_and_total_labels_still_import(seeded):
    """The header's "Chia ra theo quý" (D3:G3), a title across the table, a group heading across the
    table and a "Cộng" label across TT and name: none is among the figures."""
    book = load_workbook(io.BytesIO(seed_000_workbook([[("Biên Sơn", 5, 1, 2, 2, 0), ("Biển Động", 6, 1, 2, 2, 1)]])))
    sheet = book.active
    sheet.merge_cells("A1:G1")
    sheet.insert_rows(5)
    sheet["A5"] = "I. Đảng bộ xã"
    sheet.merge_cells("A5:G5")
    sheet["A8"], sheet["B8"] = "Cộng", None
    sheet.merge_cells("A8:B8")
    data = xlsx_bytes(book)
    assert {m.ref for m in uploads.check_xlsx(data).sheets[0].merged_ranges} == {"D3:G3", "A1:G1", "A5:G5", "A8:B8"}
    parsed = quota_importers.read_workbook(data)
    assert parsed.problems == []
    assert [(row.kind, row.name) for row in parsed.rows] == [
        ("data", "Biên Sơn"),
        ("data", "Biển Động"),
        ("subtotal", "Cộng"),
    ]


def admission_upload(client, data: bytes):
    return client.post(reverse("candidates:admission_import"), {"file": SimpleUploadedFile("ket-nap.xlsx", data)})


def test_a_merged_range_in_admission_rows_is_refused_and_a_title_merge_is_not(world, client):
    """I2:J2 merges Dân tộc and Tôn giáo: the religion typed under the merge is lost, and the row used to
    preview as valid."""
    header = [*HEADER[1:], "Dân tộc", "Tôn giáo"]
    row = [*ADMISSION[1:], "Kinh", "Phật giáo"]

    def merge_data(book):
        book.active.merge_cells("H3:I3")

    def merge_title(book):
        book.active.merge_cells("A1:I1")

    client.force_login(world.staff)
    before = state()
    response = admission_upload(client, xlsx([["Danh sách kết nạp"], header, row], sheet=merge_data))
    assert response.context["errors"] == [
        "Ô gộp H3:I3 nằm trong vùng số liệu (dưới dòng tiêu đề 2): hãy bỏ gộp ô và ghi đủ giá trị vào từng ô."
    ]
    assert state() == before
    parsed = parse_admissions_xlsx(xlsx([["Danh sách kết nạp"], header, row], sheet=merge_title), user=world.staff)
    assert parsed.errors == [] and parsed.rows[0]["religion"]


# ------------------------------------------------------------------------ Excel's error values


def test_an_error_value_in_an_admission_cell_is_refused_at_its_row_and_column(world):
    """openpyxl writes "#REF!" as an error value (t="e"), as Excel saves a formula that failed: read as
    text, it used to be imported as the deciding body."""
    header = [*HEADER[1:], "Cấp ủy quyết định"]
    data = xlsx([header, [*ADMISSION[1:], "#REF!"], [*ADMISSION[1:3], "Nam", "#DIV/0!", "2-QĐ/HU", "11/02/2022"]])
    assert b't="e"' in parts(data)["xl/worksheets/sheet1.xml"]
    assert parse_admissions_xlsx(data, user=world.staff).errors == [
        "Dòng 2, cột “Cấp ủy quyết định”: ô G2 có giá trị lỗi “#REF!” của Excel (công thức tính lỗi): hãy sửa công "
        "thức hoặc ghi giá trị.",
        "Dòng 3, cột “Ngày sinh”: ô D3 có giá trị lỗi “#DIV/0!” của Excel (công thức tính lỗi): hãy sửa công thức "
        "hoặc ghi giá trị.",
    ]


def test_an_error_value_in_a_bieu_is_refused_at_its_row_and_column(seeded):
    """A #REF! in the TT column used to pass (the row still has a name and figures); in a figure it was
    "not a number", now it says what it is."""
    book = load_workbook(io.BytesIO(_with_bien_son(5, 1, 2, 2, 0)))
    book.active["A5"] = "#REF!"
    book.active["E6"] = "#DIV/0!"
    preview = _preview(seeded, xlsx_bytes(book))
    problems = [str(p) for p in preview.problems]
    assert not preview.is_clean
    assert (
        "Dòng 5, cột A (TT): ô A5 có giá trị lỗi “#REF!” của Excel (công thức tính lỗi): hãy sửa công thức hoặc "
        "ghi giá trị" in problems
    )
    assert (
        "Dòng 6, cột E (Quý II): ô E6 có giá trị lỗi “#DIV/0!” của Excel (công thức tính lỗi): hãy sửa công thức "
        "hoặc ghi giá trị" in problems
    )


# ------------------------------------------------------------- values openpyxl cannot convert (issue 12)


def with_cell(cell_xml: str, *, where: str = "E2") -> bytes:
    """The admissions template with one data cell (Ngày sinh, E2) replaced by `cell_xml`: openpyxl's
    reader raises while it converts it, after the guard passed the file."""
    data = xlsx([HEADER, ADMISSION])
    sheet = parts(data)["xl/worksheets/sheet1.xml"].decode()
    original = f'<c r="{where}" t="inlineStr"><is><t>01/01/2000</t></is></c>'
    assert original in sheet
    return rezip(data, {"xl/worksheets/sheet1.xml": sheet.replace(original, cell_xml).encode()})


UNREADABLE_CELLS = {
    "number NaN": ('<c r="E2"><v>NaN</v></c>', "NaN"),
    "number abc": ('<c r="E2" t="n"><v>abc</v></c>', "abc"),
    "date not-a-date": ('<c r="E2" t="d"><v>not-a-date</v></c>', "not-a-date"),
    "shared string out of range": ('<c r="E2" t="s"><v>9999</v></c>', "9999"),
    "shared string not a number": ('<c r="E2" t="s"><v>x</v></c>', "x"),
    "boolean not a number": ('<c r="E2" t="b"><v>yes</v></c>', "yes"),
    "number past Excel's range": ('<c r="E2"><v>1e999</v></c>', "inf"),
}


@pytest.mark.parametrize("kind", UNREADABLE_CELLS)
def test_a_value_openpyxl_cannot_read_is_refused_at_its_cell_by_both_importers(kind, world, seeded, client):
    cell_xml, shown = UNREADABLE_CELLS[kind]
    data = with_cell(cell_xml)
    uploads.check_xlsx(data)  # the guard passes it: the refusal comes while the cells are read
    expected = (
        "Tệp không phải là tệp Excel .xlsx đọc được. "
        f"Ô E2 (trang “Sheet”) ghi giá trị “{shown}” không đọc được: hãy sửa ô bằng Excel rồi lưu lại."
    )
    before = state()
    assert [str(p) for p in quota_importers.read_workbook(data).problems] == [expected]
    assert parse_admissions_xlsx(data, user=world.staff).errors == [expected]

    client.force_login(seeded.staff)
    url = reverse("quotas:import", kwargs={"pk": seeded.luc_ngan.pk, "year": 2022})
    response = client.post(url, {"file": SimpleUploadedFile("bieu.xlsx", data)})
    assert response.status_code == 400 and expected in response.content.decode()
    assert "payload" not in response.context

    client.force_login(world.staff)
    response = client.post(reverse("candidates:admission_import"), {"file": SimpleUploadedFile("k.xlsx", data)})
    assert response.status_code == 200 and response.context["errors"] == [expected]
    assert "token" not in response.context
    assert state() == before


def test_a_cell_without_its_reference_is_named_by_where_openpyxl_put_it(world):
    data = with_cell('<c t="s"><v>x</v></c>')  # openpyxl: the column after D2
    assert parse_admissions_xlsx(data, user=world.staff).errors == [
        "Tệp không phải là tệp Excel .xlsx đọc được. "
        "Ô E2 (trang “Sheet”) ghi giá trị “x” không đọc được: hãy sửa ô bằng Excel rồi lưu lại."
    ]
