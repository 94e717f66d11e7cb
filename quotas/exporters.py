"""The allocation as an official biểu: .xlsx (openpyxl) and PDF (WeasyPrint), in the layout of seed
000 (yearly, with quarters) and seed 004 (term, with the organizations' figures and the years).
Only formats what quotas.selectors returns."""

from __future__ import annotations

import datetime
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Side
from openpyxl.utils import get_column_letter

from organizations import structure
from partytrack import documents
from partytrack.documents import OfficialHeader
from partytrack.spreadsheets import Formula, put

from .models import Plan
from .selectors import Allocation, TermTable

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
_OFFICIAL_NUMBER = re.compile(r"^\d+\s*-")


def _attached_line(plan: Plan | None) -> str:
    """ "(kèm theo Kế hoạch số 72-KH/HU ngày 11/02/2022 của Ban Thường vụ Huyện ủy)"."""
    if plan is None:
        return ""
    by = f" của {plan.issuing_body}" if plan.issuing_body else ""
    if plan.status == Plan.Status.DRAFT:
        return f"(kèm theo dự thảo Kế hoạch {plan.title[:1].lower()}{plan.title[1:]}{by})"
    on = f" ngày {documents.vietnamese_date(plan.issued_on)}" if plan.issued_on else ""
    if _OFFICIAL_NUMBER.match(plan.number):
        return f"(kèm theo Kế hoạch số {plan.number}{on}{by})"
    return f"(kèm theo {plan.number}{on}{by})"


def _document_day(plan: Plan | None) -> datetime.date | None:
    """The day a plan's documents speak of: its issue date, else the first day of its first year."""
    if plan is None:
        return None
    return plan.issued_on or datetime.date(plan.start_year, 1, 1)


def official_header(*, organization, plan: Plan | None, title: str, subject: str) -> OfficialHeader:
    """The bodies are named as on the plan's date (a plan of 11/02/2022 is Huyện ủy Lục Ngạn's, of
    Đảng bộ tỉnh Bắc Giang, whatever they are called today)."""
    names = structure.names_on(organization, _document_day(plan))
    superior, issuing = documents.header_bodies(names.name, names.parent_name)
    official_number = plan is not None and bool(_OFFICIAL_NUMBER.match(plan.number))
    return OfficialHeader(
        superior_body=superior,
        issuing_body=issuing,
        title=title,
        subject=subject,
        number=plan.number if official_number else "",
        place=(plan.place if plan else "") or names.short_name or names.name,
        issued_on=plan.issued_on if plan else None,
        attached_to=_attached_line(plan),
        signer_title=plan.signer_title if plan else "",
        signer_name=plan.signer_name if plan else "",
    )


def allocation_header(allocation: Allocation) -> OfficialHeader:
    return official_header(
        organization=allocation.organization,
        plan=allocation.plan,
        title="BIỂU TỔNG HỢP",
        subject=f"Giao chỉ tiêu kết nạp đảng viên năm {allocation.year}",
    )


def term_header(table: TermTable) -> OfficialHeader:
    """The subject is the plan's own wording (seed 004: "… giai đoạn 2020 – 2025", the party term,
    while its quotas run 2021–2025): the years of the table do not say which term it is."""
    plan = table.plan
    return official_header(
        organization=plan.organization,
        plan=plan,
        title="BIỂU PHÂN BỐ CHỈ TIÊU PHÁT TRIỂN ĐẢNG VIÊN",
        subject=plan.title,
    )


# -------------------------------------------------------------------------------------- xlsx


def _cell(sheet, row: int, column: int, value=None, *, bold=False, italic=False, align=CENTER, border=True):
    cell = put(sheet, row, column, value)
    cell.font = documents.xlsx_font(bold=bold, italic=italic, size=12)
    cell.alignment = align
    if border:
        cell.border = BORDER
    return cell


def _header_cell(sheet, top: int, left: int, bottom: int, right: int, text: str) -> None:
    for row in range(top, bottom + 1):
        for column in range(left, right + 1):
            _cell(sheet, row, column, bold=True)
    put(sheet, top, left, text)
    if bottom > top or right > left:
        sheet.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)


def _sum(column: int, first: int, last: int) -> Formula:
    letter = get_column_letter(column)
    return Formula(f"=SUM({letter}{first}:{letter}{last})")


def _plus(column: int, rows: list[int]) -> Formula:
    letter = get_column_letter(column)
    return Formula("=" + "+".join(f"{letter}{row}" for row in rows) if rows else "=0")


def _finish(sheet, header: OfficialHeader, *, columns: int, row: int, hidden_code_column: int) -> None:
    letter = get_column_letter(hidden_code_column)
    sheet.column_dimensions[letter].hidden = True  # codes let a re-import match rows exactly
    documents.xlsx_write_signature(sheet, header, columns=columns, row=row)


def allocation_workbook(allocation: Allocation) -> Workbook:
    """Seed 000's biểu: TT | Tên | Tổng số đảng viên kết nạp | Chia ra theo quý (I–IV), a "Cộng" per
    group and "Tổng cộng" as live SUM formulas."""
    header = allocation_header(allocation)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Giao chỉ tiêu {allocation.year}"
    columns = 7
    row = documents.xlsx_write_header(sheet, header, columns=columns)
    top = row
    _header_cell(sheet, top, 1, top + 1, 1, "TT")
    _header_cell(sheet, top, 2, top + 1, 2, "Tên đảng bộ, chi bộ")
    _header_cell(sheet, top, 3, top + 1, 3, "Tổng số đảng viên kết nạp")
    _header_cell(sheet, top, 4, top, 7, "Chia ra theo quý")
    for quarter in range(1, 5):
        _header_cell(sheet, top + 1, 3 + quarter, top + 1, 3 + quarter, f"Quý {documents.roman_quarter(quarter)}")
    _header_cell(sheet, top, 8, top + 1, 8, "Mã tổ chức")
    row = top + 2
    subtotal_rows = []
    for group in allocation.groups:
        _cell(sheet, row, 1)
        _cell(sheet, row, 2, group.label, bold=True, italic=True, align=LEFT)
        for column in range(3, 9):
            _cell(sheet, row, column)
        row += 1
        first = row
        for line in group.rows:
            _cell(sheet, row, 1, line.number)
            _cell(sheet, row, 2, line.name, align=LEFT)
            for offset, value in enumerate(line.values):
                _cell(sheet, row, 3 + offset, value, align=RIGHT)
            _cell(sheet, row, 8, line.organization.code, align=LEFT)
            row += 1
        last = row - 1
        _cell(sheet, row, 1)
        _cell(sheet, row, 2, "Cộng", bold=True)
        for column in range(3, 8):
            quarters_used = column == 3 or group.sums.has_quarters
            _cell(sheet, row, column, _sum(column, first, last) if quarters_used else None, bold=True, align=RIGHT)
        _cell(sheet, row, 8)
        subtotal_rows.append(row)
        row += 1
    _cell(sheet, row, 1)
    _cell(sheet, row, 2, "Tổng cộng", bold=True)
    for column in range(3, 8):
        used = column == 3 or allocation.sums.has_quarters
        _cell(sheet, row, column, _plus(column, subtotal_rows) if used else None, bold=True, align=RIGHT)
    _cell(sheet, row, 8)
    for letter, width in zip("ABCDEFGH", (6, 46, 14, 9, 9, 9, 9, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    documents.xlsx_setup_sheet(sheet, landscape=True, repeat_rows=f"{top}:{top + 1}")
    _finish(sheet, header, columns=columns, row=row + 1, hidden_code_column=8)
    return workbook


def term_workbook(table: TermTable) -> Workbook:
    """Seed 004's biểu: TT | Tên TCCS Đảng | Số chi bộ trực thuộc | Tổng số đảng viên | Đảng viên chính
    thức | Chỉ tiêu kết nạp trong nhiệm kỳ | Năm … (one column a year), rows numbered 1, 2, … straight
    through and one "Tổng cộng" row; the term quota and the total are live SUM formulas."""
    header = term_header(table)
    years = table.years
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Nhiệm kỳ {table.plan.start_year}-{table.plan.end_year}"
    last_year_col = 6 + len(years)
    code_col = last_year_col + 1
    row = documents.xlsx_write_header(sheet, header, columns=last_year_col)
    top = row
    _header_cell(sheet, top, 1, top + 2, 1, "Số TT")
    _header_cell(sheet, top, 2, top + 2, 2, "Tên TCCS Đảng")
    _header_cell(sheet, top, 3, top, last_year_col, "Phân bố chỉ tiêu")
    _header_cell(sheet, top + 1, 3, top + 1, 6, "Thực trạng và chỉ tiêu chung")
    _header_cell(sheet, top + 1, 7, top + 1, last_year_col, "Chỉ tiêu trong năm")
    for offset, label in enumerate(
        ("Số chi bộ trực thuộc", "Tổng số đảng viên", "Đảng viên chính thức", "Chỉ tiêu kết nạp trong nhiệm kỳ")
    ):
        _header_cell(sheet, top + 2, 3 + offset, top + 2, 3 + offset, label)
    for offset, year in enumerate(years):
        _header_cell(sheet, top + 2, 7 + offset, top + 2, 7 + offset, f"Năm {year}")
    _header_cell(sheet, top, code_col, top + 2, code_col, "Mã tổ chức")
    row = top + 3
    first_year_letter, last_year_letter = get_column_letter(7), get_column_letter(last_year_col)
    first = row
    for line in table.rows:
        figure = line.figure
        _cell(sheet, row, 1, line.number)
        _cell(sheet, row, 2, line.name, align=LEFT)
        _cell(sheet, row, 3, figure.cell_count if figure else None, align=RIGHT)
        _cell(sheet, row, 4, figure.member_count if figure else None, align=RIGHT)
        _cell(sheet, row, 5, figure.official_member_count if figure else None, align=RIGHT)
        _cell(sheet, row, 6, Formula(f"=SUM({first_year_letter}{row}:{last_year_letter}{row})"), align=RIGHT)
        for offset, year in enumerate(years):
            _cell(sheet, row, 7 + offset, line.years.get(year), align=RIGHT)
        _cell(sheet, row, code_col, line.organization.code, align=LEFT)
        row += 1
    last = row - 1
    # "Tổng cộng" across the TT and name columns, as seed 004 prints it.
    _cell(sheet, row, 1, "Tổng cộng", bold=True)
    _cell(sheet, row, 2, bold=True)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    for column in range(3, last_year_col + 1):
        _cell(sheet, row, column, _sum(column, first, last) if table.rows else None, bold=True, align=RIGHT)
    _cell(sheet, row, code_col)
    widths = [6, 34, 11, 11, 11, 13] + [9] * len(years) + [14]
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    documents.xlsx_setup_sheet(sheet, landscape=True, repeat_rows=f"{top}:{top + 2}")
    _finish(sheet, header, columns=last_year_col, row=row + 1, hidden_code_column=code_col)
    return workbook


# --------------------------------------------------------------------------------------- PDF


def allocation_pdf(allocation: Allocation) -> bytes:
    return documents.render_pdf(
        "quotas/allocation_pdf.html",
        {"header": allocation_header(allocation), "allocation": allocation, "orientation": "landscape"},
    )


def term_pdf(table: TermTable) -> bytes:
    return documents.render_pdf(
        "quotas/term_pdf.html",
        {
            "header": term_header(table),
            "table": table,
            "totals": table.totals(),
            "orientation": "landscape",
        },
    )


def allocation_filename(allocation: Allocation, extension: str) -> str:
    code = allocation.organization.code
    return f"giao-chi-tieu-{code}-{allocation.year}.{extension}"


def term_filename(table: TermTable, extension: str) -> str:
    plan = table.plan
    return f"phan-bo-chi-tieu-{plan.organization.code}-{plan.start_year}-{plan.end_year}.{extension}"
