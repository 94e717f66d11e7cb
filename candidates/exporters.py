"""The .xlsx template for importing admissions: the columns the importer reads and, on a second
sheet, the allowed values and the user's organization codes."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from partytrack.spreadsheets import put

from .importers import BOOLEANS, CHOICES, COLUMNS, DATES

HEADER_FONT = Font(name="Times New Roman", bold=True, size=12)
BODY_FONT = Font(name="Times New Roman", size=12)


def admission_template(*, organizations) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Kết nạp"
    for index, (name, label, _required) in enumerate(COLUMNS, start=1):
        cell = put(sheet, 1, index, str(label))
        cell.font = HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 28 if name in ("full_name", "deciding_body") else 16
        for row in range(2, 502):
            if name in DATES:
                sheet.cell(row=row, column=index).number_format = "DD/MM/YYYY"
            elif name in ("citizen_id", "organization", "decision_number"):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet("Hướng dẫn")
    lines = [
        ("Cách điền", ""),
        ("Mỗi dòng một người được kết nạp; dòng 1 là tiêu đề, không sửa.", ""),
        ("Bắt buộc", ", ".join(str(label) for name, label, required in COLUMNS if required)),
        ("Ngày", "ngày/tháng/năm, ví dụ 11/02/2022"),
        (
            "Cột có/không",
            "ghi “x” hoặc “có” nếu đúng, để trống nếu không: "
            + ", ".join(str(label) for name, label, _r in COLUMNS if name in BOOLEANS),
        ),
        ("Số căn cước", "12 chữ số, định dạng văn bản để giữ số 0 đầu"),
        ("", ""),
    ]
    for name, choices in CHOICES.items():
        label = next(str(lbl) for n, lbl, _r in COLUMNS if n == name)
        lines.append((label, "; ".join(str(member.label) for member in choices)))
    lines.append(("", ""))
    lines.append(("Mã chi bộ trong phạm vi của bạn", ""))
    for organization in organizations:
        lines.append((organization.code, organization.name))
    for row, (left, right) in enumerate(lines, start=1):
        put(guide, row, 1, left).font = HEADER_FONT if not right or row <= 1 else BODY_FONT
        put(guide, row, 2, right).font = BODY_FONT
    guide.column_dimensions["A"].width = 34
    guide.column_dimensions["B"].width = 110
    return workbook


def admissions_workbook(*, admissions) -> Workbook:
    """Admissions as rows in the import template's columns (the file can be imported elsewhere);
    cancelled admissions are marked in a last column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Kết nạp"
    headers = [str(label) for _name, label, _required in COLUMNS] + ["Đã hủy"]
    for index, header in enumerate(headers, start=1):
        cell = put(sheet, 1, index, header)
        cell.font = HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[get_column_letter(index)].width = 16
    for row, admission in enumerate(admissions, start=2):
        for index, (name, _label, _required) in enumerate(COLUMNS, start=1):
            if name == "organization":
                value = admission.organization.code
            elif name in CHOICES:
                value = getattr(admission, f"get_{name}_display")() if getattr(admission, name) else ""
            elif name in BOOLEANS:
                value = "x" if getattr(admission, name) else ""
            else:
                value = getattr(admission, name)
            cell = put(sheet, row, index, value)
            cell.font = BODY_FONT
            if name in DATES:
                cell.number_format = "DD/MM/YYYY"
            elif name in ("citizen_id", "decision_number"):
                cell.number_format = "@"
        cell = put(sheet, row, len(COLUMNS) + 1, "x" if admission.cancelled_at else "")
        cell.font = BODY_FONT
    sheet.freeze_panes = "A2"
    return workbook
