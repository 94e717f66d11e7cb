"""Admissions from an .xlsx file: read the sheet, turn each cell into a value, and say the row and
column of every problem. Writing is the service's job (candidates.services.admissions_import)."""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from organizations.models import Organization
from partytrack import uploads
from partytrack.text import clean_compact, clean_text, fold

from .choices import EducationLevel, Ethnicity, Gender, Occupation, PoliticalTheory, ProfessionalLevel, Religion

# field, header (Vietnamese, as printed in the template), required
COLUMNS: list[tuple[str, object, bool]] = [
    ("organization", gettext_lazy("Mã chi bộ"), True),
    ("full_name", gettext_lazy("Họ và tên"), True),
    ("gender", gettext_lazy("Giới tính"), True),
    ("birth_date", gettext_lazy("Ngày sinh"), True),
    ("citizen_id", gettext_lazy("Số căn cước"), False),
    ("decision_number", gettext_lazy("Số quyết định"), True),
    ("admitted_on", gettext_lazy("Ngày quyết định kết nạp"), True),
    ("deciding_body", gettext_lazy("Cấp ủy quyết định"), False),
    ("ethnicity", gettext_lazy("Dân tộc"), False),
    ("religion", gettext_lazy("Tôn giáo"), False),
    ("occupation", gettext_lazy("Nghề nghiệp"), False),
    ("education_level", gettext_lazy("Giáo dục phổ thông"), False),
    ("professional_level", gettext_lazy("Chuyên môn"), False),
    ("political_theory", gettext_lazy("Lý luận chính trị"), False),
    ("youth_union_member", gettext_lazy("Đoàn viên"), False),
    ("readmitted", gettext_lazy("Kết nạp lại"), False),
    ("village_head", gettext_lazy("Trưởng, phó thôn"), False),
    ("discharged_soldier", gettext_lazy("Quân nhân xuất ngũ"), False),
    ("militia", gettext_lazy("Dân quân tự vệ"), False),
    ("non_state_enterprise", gettext_lazy("Doanh nghiệp ngoài nhà nước"), False),
    ("age_consent", gettext_lazy("Cấp tỉnh đồng ý quá tuổi"), False),
]
CHOICES = {
    "gender": Gender,
    "ethnicity": Ethnicity,
    "religion": Religion,
    "occupation": Occupation,
    "education_level": EducationLevel,
    "professional_level": ProfessionalLevel,
    "political_theory": PoliticalTheory,
}
BOOLEANS = {
    "age_consent",
    "youth_union_member",
    "readmitted",
    "village_head",
    "discharged_soldier",
    "militia",
    "non_state_enterprise",
}
DATES = {"birth_date", "admitted_on"}
TRUE_WORDS = {"x", "co", "1", "true", "yes", "dung", "v"}
FALSE_WORDS = {"", "khong", "0", "false", "no", "-"}
# Common spellings besides the official names.
ALIASES = {"ethnicity": {"khmer": Ethnicity.KHMER, "hmong": Ethnicity.HMONG, "mong": Ethnicity.HMONG}}
MAX_ROWS = 5000
MAX_CELLS = MAX_ROWS * (len(COLUMNS) + 4)  # the template's columns, a TT, "Đã hủy" and a note or two
# Past this many, more messages help no one (and cost time): the file is refused with the first ones.
MAX_ERRORS = 200


def _key(text) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(str(text)))


def column_label(field_name: str | None) -> str | None:
    for name, label, _required in COLUMNS:
        if name == field_name:
            return str(label)
    return None


@dataclass
class ParsedFile:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _cell_error(row: int, field_name: str, message: str) -> str:
    return _("Dòng %(row)s, cột “%(column)s”: %(message)s") % {
        "row": row,
        "column": column_label(field_name),
        "message": message,
    }


def _parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("ngày “%(value)s” không đúng dạng ngày/tháng/năm (ví dụ 11/02/2022).") % {"value": text})


def _parse_choice(field_name: str, value):
    choices = CHOICES[field_name]
    wanted = _key(value)
    for member in choices:
        if wanted in (_key(member.label), _key(member.value)):
            return member.value
    alias = ALIASES.get(field_name, {}).get(wanted)
    if alias:
        return alias.value
    examples = ", ".join(str(member.label) for member in list(choices)[:6])
    raise ValueError(
        _("“%(value)s” không có trong danh mục (ví dụ: %(examples)s…).") % {"value": value, "examples": examples}
    )


def _parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    word = _key(value) if value is not None else ""
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(_("ghi “x” hoặc “có” nếu đúng, để trống nếu không (đang ghi “%(value)s”).") % {"value": value})


def _parse_citizen_id(value) -> str:
    if isinstance(value, bool):
        raise ValueError(_("số căn cước không hợp lệ."))
    if isinstance(value, int | float):
        # A number column drops the leading zero of the province code: put it back.
        digits = str(int(value))
        return digits.zfill(12) if len(digits) > 9 else digits.zfill(9)
    return clean_compact(value)


def _header_map(row) -> dict[int, str]:
    wanted = {_key(label): name for name, label, _required in COLUMNS}
    wanted.update({_key(name): name for name, _label, _required in COLUMNS})
    found = {}
    for index, cell in enumerate(row):
        if cell is not None and _key(cell) in wanted:
            found[index] = wanted[_key(cell)]
    return found


# The row-number column of a biểu ("TT", "STT", "Số TT"): nothing to import.
ROW_NUMBER_TITLES = {"tt", "stt", "sott"}


def _header_problems(cells, header: dict[int, str], line: int) -> list[str]:
    """A column named twice (which one holds the figures?) and a titled column this import does not
    read (its data would be lost without a word) are refused, naming the header row and columns."""
    labels = {name: str(label) for name, label, _required in COLUMNS}
    problems, first = [], {}
    for index, name in sorted(header.items()):
        if name in first:
            problems.append(
                _("Dòng %(line)s: cột %(first)s và cột %(second)s cùng là “%(label)s”: sửa hoặc xóa một cột.")
                % {
                    "line": line,
                    "first": get_column_letter(first[name] + 1),
                    "second": get_column_letter(index + 1),
                    "label": labels[name],
                }
            )
        first.setdefault(name, index)
    known = ", ".join(f"“{label}”" for label in labels.values())
    for index, cell in enumerate(cells):
        if index not in header and cell is not None and str(cell).strip() and _key(cell) not in ROW_NUMBER_TITLES:
            problems.append(
                _(
                    "Dòng %(line)s, cột %(column)s: không có cột “%(title)s” trong mẫu nhập; các cột đọc được: %(known)s."
                )
                % {"line": line, "column": get_column_letter(index + 1), "title": str(cell).strip(), "known": known}
            )
    return problems


def _merged_problems(ranges, header: dict[int, str], line: int) -> list[str]:
    """A merged range keeps a value in its top-left cell only: below the header row, in a column the
    import reads, it hides cells the user sees filled. Merged titles above the header stay."""
    read = {index + 1 for index in header}
    return [
        _(
            "Ô gộp %(range)s nằm trong vùng số liệu (dưới dòng tiêu đề %(line)s): hãy bỏ gộp ô và ghi đủ giá trị vào từng ô."
        )
        % {"range": merged.ref, "line": line}
        for merged in ranges
        if merged.max_row > line and any(merged.min_col <= column <= merged.max_col for column in read)
    ]


def parse_admissions_xlsx(content: bytes, *, user) -> ParsedFile:
    """Every row of the first sheet below the header row ("Họ và tên" ...). Organizations are looked up
    by code within the user's scope."""
    result = ParsedFile()
    try:
        # Size, zip bomb, structure, rows and columns, and formulas without a saved value: before openpyxl.
        summary = uploads.check_xlsx(content, formulas_need_values=True, max_cells=MAX_CELLS)
    except uploads.UploadRefused as exc:
        if exc.detail:  # not a workbook at all
            exc.message = (
                _("Không đọc được tệp: hãy chọn tệp Excel .xlsx (không phải .xls hay .csv).") + " " + exc.detail
            )
        result.errors.append(exc.message)
        return result
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception:  # openpyxl raises many kinds of errors for a file that is not .xlsx
        result.errors.append(_("Không đọc được tệp: hãy chọn tệp Excel .xlsx (không phải .xls hay .csv)."))
        return result
    try:
        return _parse_sheet(sheet, summary.sheets[0], user=user, result=result)
    finally:
        workbook.close()


def _parse_sheet(sheet, summary: uploads.SheetSummary, *, user, result: ParsedFile) -> ParsedFile:
    # A <dimension> smaller than the data (a file written by a program, not Excel) must not hide rows.
    sheet.reset_dimensions()
    rows = sheet.iter_rows()  # cells, not values: an error Excel saved (#DIV/0!) is told from text by its type
    header, header_row = _find_header(rows, summary, result)
    if header is None:
        return result
    raw_rows = _data_rows(rows, header, header_row, result)
    if raw_rows is None:
        return result

    codes = {clean_text(values.get("organization")).upper() for _number, values, _errors in raw_rows}
    organizations = {
        organization.code: organization
        for organization in Organization.objects.filter(code__in=codes).restrict(user, "view_people")
    }
    for number, values, errors in raw_rows:
        result.rows.append(
            _parse_row(number, values, errors, header=header, organizations=organizations, result=result)
        )
        if len(result.errors) >= MAX_ERRORS and number < raw_rows[-1][0]:
            result.errors.append(
                _("Đã dừng kiểm tra ở dòng %(row)s sau %(count)s lỗi: hãy sửa các lỗi trên rồi tải tệp lên lại.")
                % {"row": number, "count": len(result.errors)}
            )
            break
    return result


def _find_header(rows, summary: uploads.SheetSummary, result: ParsedFile) -> tuple[dict[int, str] | None, int]:
    """The header row ("Họ và tên" ...) in the first 20 rows, with the columns it maps, and its number;
    (None, 0) with the problems in `result` when there is none or it cannot be read."""
    header, header_row, header_cells = None, 0, ()
    for number, row in enumerate(rows, start=1):
        values = tuple(cell.value for cell in row)
        mapping = _header_map(values)
        if "full_name" in mapping.values():
            header, header_row, header_cells = mapping, number, values
            break
        if number >= 20:
            break
    if header is None:
        result.errors.append(_("Không tìm thấy dòng tiêu đề có cột “Họ và tên” trong 20 dòng đầu của trang tính."))
        return None, 0
    missing = [str(label) for name, label, required in COLUMNS if required and name not in header.values()]
    if missing:
        result.errors.append(_("Thiếu cột: %(columns)s.") % {"columns": ", ".join(missing)})
        return None, 0
    header_problems = _header_problems(header_cells, header, header_row)
    header_problems += _merged_problems(summary.merged_ranges, header, header_row)
    if header_problems:
        result.errors.extend(header_problems)
        return None, 0
    return header, header_row


def _data_rows(rows, header: dict[int, str], header_row: int, result: ParsedFile) -> list[tuple] | None:
    """The non-empty rows below the header: (number, values, columns holding an Excel error); None with
    the problem in `result` when there are none or too many."""
    raw_rows = []
    for number, row in enumerate(rows, start=header_row + 1):
        cells = {name: (row[index] if index < len(row) else None) for index, name in header.items()}
        values = {name: (cell.value if cell is not None else None) for name, cell in cells.items()}
        if all(value is None or clean_text(value) == "" for value in values.values()):
            continue
        errors = {name for name, cell in cells.items() if cell is not None and cell.data_type == "e"}
        raw_rows.append((number, values, errors))
        if len(raw_rows) > MAX_ROWS:
            result.errors.append(_("Tệp có quá %(max)s dòng: chia thành nhiều tệp.") % {"max": MAX_ROWS})
            return None
    if not raw_rows:
        result.errors.append(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
        return None
    return raw_rows


# A blank optional cell: the model's default applies.
_OMITTED = object()


def _parse_row(number: int, values: dict, errors: set, *, header, organizations, result: ParsedFile) -> dict:
    """One data row's values, parsed; each cell's problem is added to `result`."""
    parsed = {"row": number}
    for name, _label, required in COLUMNS:
        value = values.get(name)
        try:
            if name in errors:
                letter = get_column_letter(next(index for index, field in header.items() if field == name) + 1)
                raise ValueError(
                    _(
                        "ô %(cell)s có giá trị lỗi “%(error)s” của Excel (công thức tính lỗi): hãy sửa công thức "
                        "hoặc ghi giá trị."
                    )
                    % {"cell": f"{letter}{number}", "error": value}
                )
            cell = _parse_cell(name, value, required=required, organizations=organizations)
        except ValueError as exc:
            result.errors.append(_cell_error(number, name, str(exc)))
            continue
        if cell is not _OMITTED:
            parsed[name] = cell
    return parsed


def _parse_cell(name: str, value, *, required: bool, organizations: dict):
    blank = value is None or clean_text(value) == ""
    if name == "organization":
        code = clean_text(value).upper()
        if blank:
            raise ValueError(_("bắt buộc."))
        if code not in organizations:
            raise ValueError(_("không tìm thấy mã “%(code)s” trong phạm vi của bạn.") % {"code": code})
        return organizations[code]
    if blank and required:
        raise ValueError(_("bắt buộc."))
    if name in BOOLEANS:
        return _parse_bool(value)
    if blank:
        return _OMITTED
    if name in DATES:
        return _parse_date(value)
    if name in CHOICES:
        return _parse_choice(name, value)
    if name == "citizen_id":
        return _parse_citizen_id(value)
    return clean_text(value)


def rows_to_session(rows: list[dict]) -> list[dict]:
    """Parsed rows as JSON for the session between preview and confirm."""
    stored = []
    for row in rows:
        item = {}
        for name, value in row.items():
            if isinstance(value, Organization):
                item[name] = value.pk
            elif isinstance(value, datetime.date):
                item[name] = value.isoformat()
            else:
                item[name] = value
        stored.append(item)
    return stored


def rows_from_session(stored: list[dict], *, user) -> list[dict]:
    ids = {item["organization"] for item in stored}
    organizations = Organization.objects.filter(pk__in=ids).restrict(user, "view_people").in_bulk()
    rows = []
    for item in stored:
        row = dict(item)
        row["organization"] = organizations.get(item["organization"]) or Organization.objects.get(
            pk=item["organization"]
        )
        for name in DATES:
            if name in row:
                row[name] = datetime.date.fromisoformat(row[name])
        rows.append(row)
    return rows


__all__ = [
    "COLUMNS",
    "ParsedFile",
    "Q",
    "column_label",
    "parse_admissions_xlsx",
    "rows_from_session",
    "rows_to_session",
]
