"""The quarterly progress report as PDF (WeasyPrint) and .xlsx (openpyxl), in the official layout of
partytrack.documents. They only format what reports.selectors returns."""

from __future__ import annotations

import io
from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Side
from openpyxl.utils import get_column_letter

from partytrack.documents import (
    OfficialHeader,
    render_pdf,
    roman_quarter,
    xlsx_font,
    xlsx_setup_sheet,
    xlsx_write_header,
    xlsx_write_signature,
)
from partytrack.spreadsheets import Formula, put

from .selectors import ProgressReport, ProgressRow, RowKind

COLUMNS = (
    "TT",
    "Tên đảng bộ, chi bộ",
    "Chỉ tiêu năm",
    "Chỉ tiêu đến hết quý",
    "Kết nạp trong quý",
    "Lũy kế",
    "Tỷ lệ % năm",
    "Tỷ lệ % đến hết quý",
)
WIDTHS = (7, 48, 12, 14, 12, 10, 11, 14)
ROMAN_GROUPS = {1: "I", 2: "II"}
ESTIMATE_NOTE = (
    "(*) Chỉ tiêu chưa chia theo quý: chỉ tiêu đến hết quý tính theo tiến độ đều (chỉ tiêu năm × số quý ÷ 4)."
)

Progress = Callable[[int], None] | None


def filename(report: ProgressReport, extension: str) -> str:
    detail = "-chi-tiet" if report.detail else ""
    return f"bao-cao-tien-do-{report.organization.code}-{report.year}-Q{report.quarter}{detail}.{extension}"


def _has_estimates(report: ProgressReport) -> bool:
    return any(line.quota_to_date_estimated for line in report.lines())


# ---------------------------------------------------------------------------------------------- PDF


def progress_pdf(report: ProgressReport, header: OfficialHeader, *, progress: Progress = None) -> bytes:
    if progress:
        progress(30)
    content = render_pdf(
        "reports/progress_pdf.html",
        {
            "header": header,
            "report": report,
            "roman_groups": ROMAN_GROUPS,
            "estimate_note": ESTIMATE_NOTE if _has_estimates(report) else "",
            "orientation": "landscape",
        },
    )
    if progress:
        progress(95)
    return content


# --------------------------------------------------------------------------------------------- xlsx

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _refs(column: str, rows: list[int]) -> str:
    """A1 references for SUM/COUNT: a range when the rows are contiguous, else a list."""
    if rows and rows == list(range(rows[0], rows[-1] + 1)):
        return f"{column}{rows[0]}:{column}{rows[-1]}"
    return ",".join(f"{column}{row}" for row in rows)


def _sum_formula(column: str, rows: list[int], *, none_when_empty: bool) -> Formula:
    refs = _refs(column, rows)
    if not rows:
        return Formula('="—"' if none_when_empty else "=0")
    if none_when_empty:  # a quota sum over rows that all have none is "—", as in the report
        return Formula(f'=IF(COUNT({refs})=0,"—",SUM({refs}))')
    return Formula(f"=SUM({refs})")


def progress_xlsx(report: ProgressReport, header: OfficialHeader, *, progress: Progress = None) -> bytes:
    """The same figures as the PDF: organization rows as values, "Cộng", "Tổng cộng" and every
    percentage as formulas."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Quý {roman_quarter(report.quarter)}-{report.year}"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    row = xlsx_write_header(sheet, header, columns=len(COLUMNS))
    head_row = row
    for column, title in enumerate(COLUMNS, start=1):
        cell = put(sheet, row, column, title)
        cell.font = xlsx_font(bold=True, size=12)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BOX
    xlsx_setup_sheet(sheet, landscape=True, repeat_rows=f"{head_row}:{head_row}")
    lines = _ProgressLines(sheet, report, progress, row=row + 1)
    total_parts: list[int] = []
    for group in report.groups:
        lines.group_heading(group)
        top_rows = []
        for line in group.rows:
            for nested in report.with_descendants(line):
                r = lines.organization(nested)
                if nested is line:
                    top_rows.append(r)
        total_parts.append(lines.sums(group.subtotal, top_rows))
    if report.other is not None:
        total_parts.append(lines.organization(report.other))
    lines.sums(report.total, total_parts)
    row = lines.row + 1
    if _has_estimates(report):
        put(sheet, row, 1, ESTIMATE_NOTE).font = xlsx_font(italic=True, size=11)
        row += 1
    for note in (report.draft_note, report.structure_note):
        if note:
            put(sheet, row, 1, note).font = xlsx_font(italic=True, size=11)
            row += 1
    xlsx_write_signature(sheet, header, columns=len(COLUMNS), row=row)
    sheet.freeze_panes = sheet.cell(row=head_row + 1, column=3)
    buffer = io.BytesIO()
    workbook.save(buffer)
    if progress:
        progress(95)
    return buffer.getvalue()


class _ProgressLines:
    """The lines of the progress workbook, written one below the other from `row`: organization and
    "Khác" lines as values, "Cộng" and "Tổng cộng" as sums of the lines they total."""

    def __init__(self, sheet, report: ProgressReport, progress: Progress, *, row: int):
        self.sheet, self.report, self.progress, self.row = sheet, report, progress, row
        self.written = 0

    def group_heading(self, group) -> None:
        sheet, r = self.sheet, self.row
        put(sheet, r, 1, ROMAN_GROUPS.get(group.group, "")).font = xlsx_font(bold=True, size=12)
        put(sheet, r, 2, group.label).font = xlsx_font(bold=True, italic=True, size=12)
        for column in range(1, len(COLUMNS) + 1):
            sheet.cell(row=r, column=column).border = BOX
        self.row += 1

    def organization(self, line: ProgressRow) -> int:
        """A line with its own figures; its row number."""
        r = self._label(line)
        figures = {
            3: line.quota_total if line.quota_total is not None else "—",
            4: line.quota_to_date if line.quota_to_date is not None else "—",
            5: line.admitted_in_quarter,
            6: line.admitted_to_date,
        }
        for column, value in figures.items():
            _number_cell(self.sheet, r, column, value, italic=column == 4 and line.quota_to_date_estimated)
        self._percentages(r, bold=False)
        return r

    def sums(self, line: ProgressRow, rows: list[int]) -> int:
        """A "Cộng" or "Tổng cộng" line summing `rows`; its row number."""
        r = self._label(line)
        for column, letter in ((3, "C"), (4, "D")):
            _number_cell(self.sheet, r, column, _sum_formula(letter, rows, none_when_empty=True), bold=True)
        for column, letter in ((5, "E"), (6, "F")):
            _number_cell(self.sheet, r, column, _sum_formula(letter, rows, none_when_empty=False), bold=True)
        self._percentages(r, bold=True)
        return r

    def _label(self, line: ProgressRow) -> int:
        r = self.row
        bold = line.kind in (RowKind.SUBTOTAL, RowKind.TOTAL)
        indent = "    " * line.depth
        for column, value in enumerate([line.number, indent + line.label], start=1):
            cell = put(self.sheet, r, column, value)
            cell.font = xlsx_font(bold=bold, size=12)
            cell.border = BOX
            cell.alignment = Alignment(horizontal="center" if column == 1 or bold else "left", vertical="center")
        self.row += 1
        self.written += 1
        if self.progress and self.written % 500 == 0:
            self.progress(20 + 70 * self.written // max(1, self.report.line_count))
        return r

    def _percentages(self, r: int, *, bold: bool) -> None:
        for column, base in ((7, "C"), (8, "D")):
            formula = Formula(f'=IF(AND(ISNUMBER({base}{r}),{base}{r}>0),ROUND(F{r}/{base}{r}*100,1),"—")')
            cell = put(self.sheet, r, column, formula)
            cell.number_format = "0.0"
            cell.font = xlsx_font(bold=bold, size=12)
            cell.border = BOX
            cell.alignment = Alignment(horizontal="right")


def _number_cell(sheet, row: int, column: int, value, *, bold: bool = False, italic: bool = False) -> None:
    cell = put(sheet, row, column, value)
    cell.number_format = "#,##0"
    cell.font = xlsx_font(bold=bold, italic=italic, size=12)
    cell.border = BOX
    cell.alignment = Alignment(horizontal="right")
