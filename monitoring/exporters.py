"""The biểu "Đảng viên mới kết nạp" as PDF and .xlsx, and the alert list as .xlsx: they only format
what monitoring.statistics and monitoring.alerts return."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Side
from openpyxl.utils import get_column_letter

from partytrack.documents import (
    OfficialHeader,
    render_pdf,
    vietnamese_date,
    xlsx_font,
    xlsx_setup_sheet,
    xlsx_write_header,
    xlsx_write_signature,
)
from partytrack.spreadsheets import Formula, put

from .alerts import Alert
from .statistics import AdmissionStatistics

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
STAT_COLUMNS = ("TT", "Chỉ tiêu thống kê", "Kỳ này", "Cùng kỳ năm trước", "%")
STAT_WIDTHS = (7, 55, 14, 18, 10)


def statistics_filename(stats: AdmissionStatistics, extension: str) -> str:
    period = stats.period
    return f"bieu-dang-vien-moi-{stats.organization.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{extension}"


def statistics_pdf(stats: AdmissionStatistics, header: OfficialHeader) -> bytes:
    return render_pdf(
        "monitoring/statistics/statistics_pdf.html",
        {"header": header, "stats": stats, "orientation": "portrait"},
    )


def _cell(sheet, row, column, value, *, bold=False, italic=False, align="left", number_format=None):
    cell = put(sheet, row, column, value)
    cell.font = xlsx_font(bold=bold, italic=italic, size=12)
    cell.border = BOX
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=column == 2)
    if number_format:
        cell.number_format = number_format
    return cell


def statistics_xlsx(stats: AdmissionStatistics, header: OfficialHeader) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Đảng viên mới kết nạp"
    for index, width in enumerate(STAT_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    row = xlsx_write_header(sheet, header, columns=len(STAT_COLUMNS))
    head_row = row
    for column, title in enumerate(STAT_COLUMNS, start=1):
        _cell(sheet, row, column, title, bold=True, align="center")
    xlsx_setup_sheet(sheet, landscape=False, repeat_rows=f"{head_row}:{head_row}")
    row += 1
    for line in stats.rows:
        bold = line.level == 0 or line.heading
        _cell(sheet, row, 1, line.number, bold=bold, align="center")
        _cell(sheet, row, 2, ("    " if line.level == 2 else "") + line.label, bold=bold, italic=line.heading)
        if line.heading:
            for column in (3, 4, 5):
                _cell(sheet, row, column, None)
        else:
            fmt = "0.0" if line.decimals else "#,##0"
            _cell(sheet, row, 3, line.current if line.current is not None else "—", bold=bold, align="right",
                  number_format=fmt)  # fmt: skip
            _cell(sheet, row, 4, line.previous if line.previous is not None else "—", bold=bold, align="right",
                  number_format=fmt)  # fmt: skip
            if line.decimals:
                _cell(sheet, row, 5, line.percent if line.percent is not None else "—", align="right")
            else:
                formula = Formula(
                    f'=IF(AND(ISNUMBER(C{row}),ISNUMBER(D{row}),D{row}>0),ROUND(C{row}/D{row}*100,1),"—")'
                )
                _cell(sheet, row, 5, formula, bold=bold, align="right", number_format="0.0")
        row += 1
    for note in (stats.widened_note, stats.withheld_note, stats.suppressed_note):
        if note:
            put(sheet, row, 1, note).font = xlsx_font(italic=True, size=12)
            row += 1
    row += 1
    xlsx_write_signature(sheet, header, columns=len(STAT_COLUMNS), row=row)
    sheet.freeze_panes = sheet.cell(row=head_row + 1, column=3)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ALERT_COLUMNS = ("TT", "Loại cảnh báo", "Tổ chức", "Quần chúng", "Nội dung", "Ngày", "Việc cần làm")
ALERT_WIDTHS = (6, 40, 32, 26, 60, 12, 26)


def alerts_xlsx(alerts: list[Alert], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Cảnh báo"
    for index, width in enumerate(ALERT_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    put(sheet, 1, 1, title).font = xlsx_font(bold=True, size=14)
    for column, name in enumerate(ALERT_COLUMNS, start=1):
        _cell(sheet, 3, column, name, bold=True, align="center")
    for index, alert in enumerate(alerts, start=1):
        r = 3 + index
        values = (
            index, alert.kind_label, alert.organization, alert.person, alert.message,
            vietnamese_date(alert.on), alert.action,
        )  # fmt: skip
        for column, value in enumerate(values, start=1):
            _cell(sheet, r, column, value, align="center" if column == 1 else "left")
    xlsx_setup_sheet(sheet, landscape=True, repeat_rows="3:3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
