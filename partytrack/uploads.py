"""The guard every .xlsx upload passes before openpyxl parses anything (quota biểu, admissions).

An .xlsx file is a zip of XML parts. Everything here is decided from the zip's directory and from a
streaming read of the XML (pyexpat, constant memory), never by building a workbook:

- size: the file itself (settings.XLSX_UPLOAD_LIMITS["max_bytes"], 5 MB);
- zip bomb: the sum of the sizes the directory declares (50 MB) and each member's compression ratio,
  before anything is decompressed. Python's zipfile never inflates a member past its declared size (a
  member that lies ends in a CRC error), so the declared sizes bound the work openpyxl can be made to do;
- structure: a zip with ``[Content_Types].xml`` and ``xl/workbook.xml`` (a .xls, .ods, .docx, PDF, CSV
  or random bytes is named as such), no password, no DTD or entity in the XML;
- size of the sheets: every sheet's ``<dimension>`` and then each ``<row>``/``<c>`` while reading: at
  most 5,000 rows and 200 columns a sheet, 250,000 cells and 2,000 merged ranges in the workbook;
- hidden sheets: the importers read the first sheet, so a hidden first sheet is refused (the user would
  not see what is imported); other sheets, hidden or not, are never read by the importers;
- formulas: the quota importer evaluates simple SUM/+/- formulas itself and reports the others at their
  row and column; importers that only read saved values pass ``formulas_need_values=True`` and a formula
  without a saved result (a file written by a program, not saved by Excel) is refused at its cell;
- merged cells: allowed (the quota importer reads the merged "Tổng cộng" of seed 004; in the admissions
  importer a merged range keeps its value in the top-left cell and the other cells are blank).

Each refusal is an ``UploadRefused`` whose message is Vietnamese and names what is wrong and where.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pyexpat import ExpatError, ParserCreate

from django.conf import settings
from django.utils.translation import gettext as _

from partytrack.documents import format_number

DEFAULT_LIMITS = {
    "max_bytes": 5 * 1024 * 1024,
    "max_uncompressed": 50 * 1024 * 1024,
    "max_rows": 5000,
    "max_columns": 200,
    "max_cells": 250_000,
    "max_merged": 2000,
    "max_members": 1000,
    "max_ratio": 200,  # Excel's sheets compress 5–40 times; a bomb of zeros about 1,000 times
}
RATIO_FROM = 1024 * 1024  # small parts may compress well: the ratio is checked above 1 MB
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


class UploadRefused(ValueError):
    """The file is refused; `message` says why, in Vietnamese. For a file that is not a workbook at all,
    `detail` says what it is instead (PDF, .xls, CSV…)."""

    def __init__(self, message: str, *, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail


def _not_xlsx(what: str) -> UploadRefused:
    return UploadRefused(_("Tệp không phải là tệp Excel .xlsx đọc được.") + " " + what, detail=what)


@dataclass
class SheetSummary:
    name: str
    path: str
    hidden: bool = False
    rows: int = 0
    columns: int = 0
    cells: int = 0
    formulas: int = 0
    merged: int = 0


@dataclass
class XlsxSummary:
    """What the guard saw (for tests and logs)."""

    size: int
    uncompressed: int
    sheets: list[SheetSummary] = field(default_factory=list)


def limits() -> dict:
    return {**DEFAULT_LIMITS, **getattr(settings, "XLSX_UPLOAD_LIMITS", {})}


def _mb(size: int) -> str:
    """Megabytes the Vietnamese way: 5, 2,1, 2.048."""
    value = round(size / (1024 * 1024), 1)
    return format_number(value, 0 if value >= 10 or value == int(value) else 1)


def _n(number: int) -> str:
    return format_number(number)


def column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def check_upload_size(upload) -> None:
    """For forms: the uploaded file's size, before it is read into memory."""
    maximum = limits()["max_bytes"]
    if upload.size > maximum:
        raise UploadRefused(
            _("Tệp nặng %(size)s MB, vượt giới hạn %(max)s MB.") % {"size": _mb(upload.size), "max": _mb(maximum)}
        )


def _what_it_is(data: bytes) -> str:
    head = data[:8]
    if head.startswith(b"%PDF"):
        return _("Đây là tệp PDF.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _("Đây là tệp Excel cũ .xls: hãy mở bằng Excel và lưu lại dạng .xlsx.")
    try:
        text = data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return _("Nội dung không phải là bảng tính.")
    if "," in text or ";" in text or "\t" in text:
        return _("Đây là tệp văn bản (CSV): hãy mở bằng Excel và lưu lại dạng .xlsx.")
    return _("Đây là tệp văn bản.")


def check_xlsx(data: bytes, *, formulas_need_values: bool = False) -> XlsxSummary:
    """Refuse (UploadRefused) anything that is not a reasonably sized .xlsx workbook; see the module doc."""
    limit = limits()
    if not data:
        raise UploadRefused(_("Tệp rỗng (0 byte): hãy chọn lại tệp Excel .xlsx."))
    if len(data) > limit["max_bytes"]:
        raise UploadRefused(
            _("Tệp nặng %(size)s MB, vượt giới hạn %(max)s MB.")
            % {"size": _mb(len(data)), "max": _mb(limit["max_bytes"])}
        )
    if not data.startswith(b"PK\x03\x04"):
        raise _not_xlsx(_what_it_is(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception:  # zipfile raises many kinds of errors for a damaged directory
        raise _not_xlsx(_("Tệp nén bị hỏng.")) from None
    with archive:
        return _check_archive(archive, members, limit, len(data), formulas_need_values)


def _check_archive(archive, members, limit, size, formulas_need_values) -> XlsxSummary:
    if len(members) > limit["max_members"]:
        raise UploadRefused(
            _("Tệp nén có %(count)s phần, quá nhiều cho một tệp Excel (tối đa %(max)s).")
            % {"count": _n(len(members)), "max": _n(limit["max_members"])}
        )
    total = 0
    for info in members:
        if info.flag_bits & 0x1:
            raise UploadRefused(_("Tệp được đặt mật khẩu: hãy bỏ mật khẩu rồi tải lên lại."))
        total += info.file_size
        if info.file_size > RATIO_FROM and info.file_size > limit["max_ratio"] * max(info.compress_size, 1):
            raise UploadRefused(
                _(
                    "Tệp bị từ chối: phần “%(name)s” khai báo %(size)s MB khi giải nén từ %(compressed)s MB "
                    "(tỉ lệ nén %(ratio)s:1, tối đa %(max)s:1), dấu hiệu của tệp nén độc hại."
                )
                % {
                    "name": info.filename,
                    "size": _mb(info.file_size),
                    "compressed": _mb(info.compress_size),
                    "ratio": _n(info.file_size // max(info.compress_size, 1)),
                    "max": _n(limit["max_ratio"]),
                }
            )
    if total > limit["max_uncompressed"]:
        raise UploadRefused(
            _("Tệp bị từ chối: giải nén ra %(size)s MB, vượt giới hạn %(max)s MB.")
            % {"size": _mb(total), "max": _mb(limit["max_uncompressed"])}
        )
    names = {info.filename for info in members}
    missing = [part for part in REQUIRED_PARTS if part not in names]
    if missing:
        if "word/document.xml" in names:
            what = _("Đây là tệp Word .docx.")
        elif "content.xml" in names and "mimetype" in names:
            what = _("Đây là tệp OpenDocument: hãy mở bằng Excel và lưu lại dạng .xlsx.")
        else:
            what = _("Tệp nén không có phần %(part)s của tệp Excel.") % {"part": missing[0]}
        raise _not_xlsx(what)

    summary = XlsxSummary(size=size, uncompressed=total)
    summary.sheets = _sheets(archive, names)
    if not summary.sheets:
        raise UploadRefused(_("Tệp Excel không có trang tính nào."))
    first = summary.sheets[0]
    if first.hidden:
        raise UploadRefused(
            _("Trang tính đầu tiên “%(sheet)s” đang bị ẩn: hãy bỏ ẩn, hoặc đưa trang số liệu lên đầu.")
            % {"sheet": first.name}
        )
    cells = merged = 0
    for index, sheet in enumerate(summary.sheets):
        _scan_sheet(archive, sheet, limit, formulas_need_values=formulas_need_values and index == 0)
        cells += sheet.cells
        merged += sheet.merged
        if cells > limit["max_cells"]:
            raise UploadRefused(
                _("Tệp có hơn %(max)s ô có dữ liệu: chia thành nhiều tệp.") % {"max": _n(limit["max_cells"])}
            )
        if merged > limit["max_merged"]:
            raise UploadRefused(_("Tệp có hơn %(max)s vùng ô gộp: hãy bỏ gộp ô.") % {"max": _n(limit["max_merged"])})
    if "xl/sharedStrings.xml" in names:
        _scan_shared_strings(archive, limit)
    # Every other XML part must be well formed too (openpyxl's parser errors are not the importers' to catch).
    scanned = {sheet.path for sheet in summary.sheets} | {"xl/sharedStrings.xml"}
    for name in sorted(names - scanned):
        if name.endswith((".xml", ".rels", ".vml")):
            _parse(archive, name, _parser(name))
    return summary


# ------------------------------------------------------------------------------- streaming XML


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _parser(what: str):
    """An expat parser that refuses DTDs and entities (no "billion laughs") and reports local names."""
    parser = ParserCreate(namespace_separator="}")
    parser.buffer_text = True

    def refuse(*_args):
        raise UploadRefused(_("Tệp bị từ chối: phần “%(part)s” có khai báo DTD hoặc thực thể XML.") % {"part": what})

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def _parse(archive, name: str, parser) -> None:
    try:
        with archive.open(name) as stream:
            parser.ParseFile(stream)
    except UploadRefused:
        raise
    except ExpatError:
        raise UploadRefused(_("Tệp Excel bị hỏng: phần “%(part)s” không đọc được.") % {"part": name}) from None
    except Exception:  # zipfile and zlib raise many kinds of errors for a damaged member (bad CRC, bad data…)
        raise UploadRefused(_("Tệp Excel bị hỏng: không giải nén được phần “%(part)s”.") % {"part": name}) from None


def _sheets(archive, names: set[str]) -> list[SheetSummary]:
    """The worksheets in the workbook's order (the order openpyxl's `worksheets` has), with their state."""
    rels: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        parser = _parser("xl/_rels/workbook.xml.rels")

        def relationship(name, attrs):
            if _local(name) == "Relationship":
                attrs = {_local(k): v for k, v in attrs.items()}
                if attrs.get("Type", "").endswith("/worksheet"):
                    target = attrs.get("Target", "")
                    target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                    rels[attrs.get("Id", "")] = target

        parser.StartElementHandler = relationship
        _parse(archive, "xl/_rels/workbook.xml.rels", parser)

    sheets: list[SheetSummary] = []
    parser = _parser("xl/workbook.xml")

    def sheet(name, attrs):
        if _local(name) == "sheet":
            attrs = {_local(k): v for k, v in attrs.items()}
            path = rels.get(attrs.get("id", ""))
            if path in names:
                sheets.append(
                    SheetSummary(
                        name=attrs.get("name", ""),
                        path=path,
                        hidden=attrs.get("state", "visible") in {"hidden", "veryHidden"},
                    )
                )

    parser.StartElementHandler = sheet
    _parse(archive, "xl/workbook.xml", parser)
    return sheets


def _scan_sheet(archive, sheet: SheetSummary, limit: dict, *, formulas_need_values: bool) -> None:
    max_rows, max_columns = limit["max_rows"], limit["max_columns"]
    parser = _parser(sheet.path)
    state = {"row": 0, "column": 0, "cell": "", "formula": False, "value": False, "in_f": False, "in_v": False}
    state["text"] = ""

    def too_many_rows(row: int, where: str):
        raise UploadRefused(
            _(
                "Trang “%(sheet)s” có dữ liệu đến dòng %(row)s (%(where)s), vượt giới hạn %(max)s dòng: chia thành nhiều tệp."
            )
            % {"sheet": sheet.name, "row": _n(row), "where": where, "max": _n(max_rows)}
        )

    def too_many_columns(column: int, cell: str):
        raise UploadRefused(
            _("Trang “%(sheet)s” có dữ liệu đến cột thứ %(column)s (ô %(cell)s), vượt giới hạn %(max)s cột.")
            % {"sheet": sheet.name, "column": _n(column), "cell": cell, "max": _n(max_columns)}
        )

    def start(name, attrs):
        name = _local(name)
        if name == "c":
            reference = attrs.get("r", "")
            match = _CELL.match(reference)
            if match:
                state["column"] = column_number(match.group(1))
                row = int(match.group(2))
                if row > max_rows:
                    too_many_rows(row, _("ô %(cell)s") % {"cell": reference.upper()})
            else:
                state["column"] += 1
                reference = ""
            if state["column"] > max_columns:
                too_many_columns(state["column"], reference or "?")
            state.update(cell=reference, formula=False, value=False)
            sheet.cells += 1
            sheet.columns = max(sheet.columns, state["column"])
        elif name == "row":
            row = attrs.get("r")
            state["row"] = int(row) if row and row.isdigit() else state["row"] + 1
            state["column"] = 0
            if state["row"] > max_rows:
                too_many_rows(state["row"], _("thẻ dòng %(row)s") % {"row": _n(state["row"])})
            sheet.rows = max(sheet.rows, state["row"])
        elif name == "f":
            state.update(formula=True, in_f=True, text="")
            sheet.formulas += 1
        elif name == "v":
            state["in_v"] = True  # openpyxl writes an empty <v/> after a formula: only text is a saved value
        elif name == "mergeCell":
            sheet.merged += 1
            if sheet.merged > limit["max_merged"]:
                raise UploadRefused(
                    _("Trang “%(sheet)s” có hơn %(max)s vùng ô gộp: hãy bỏ gộp ô.")
                    % {"sheet": sheet.name, "max": _n(limit["max_merged"])}
                )
        elif name == "dimension":
            bounds = attrs.get("ref", "").split(":")[-1]
            match = _CELL.match(bounds)
            if match:
                if int(match.group(2)) > max_rows:
                    too_many_rows(int(match.group(2)), _("vùng dữ liệu %(ref)s") % {"ref": attrs.get("ref")})
                if column_number(match.group(1)) > max_columns:
                    too_many_columns(column_number(match.group(1)), bounds)

    def text(data):
        if state["in_f"] and len(state["text"]) < 200:
            state["text"] += data[:200]
        elif state["in_v"] and data.strip():
            state["value"] = True

    def end(name):
        name = _local(name)
        if name == "f":
            state["in_f"] = False
        elif name == "v":
            state["in_v"] = False
        elif name == "c" and formulas_need_values and state["formula"] and not state["value"]:
            match = _CELL.match(state["cell"])
            row, letters = (match.group(2), match.group(1).upper()) if match else ("?", "?")
            formula = f" “={state['text']}”" if state["text"] else ""
            raise UploadRefused(
                _(
                    "Dòng %(row)s, cột %(column)s (ô %(cell)s, trang “%(sheet)s”): ô có công thức%(formula)s "
                    "nhưng không có giá trị đã tính. Hãy ghi giá trị, hoặc mở tệp bằng Excel và lưu lại."
                )
                % {
                    "row": row,
                    "column": letters,
                    "cell": state["cell"].upper(),
                    "sheet": sheet.name,
                    "formula": formula,
                }
            )

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    _parse(archive, sheet.path, parser)


def _scan_shared_strings(archive, limit: dict) -> None:
    parser = _parser("xl/sharedStrings.xml")
    count = [0]

    def start(name, _attrs):
        if _local(name) == "si":
            count[0] += 1
            if count[0] > limit["max_cells"]:
                raise UploadRefused(
                    _("Tệp có hơn %(max)s chuỗi văn bản: chia thành nhiều tệp.") % {"max": _n(limit["max_cells"])}
                )

    parser.StartElementHandler = start
    _parse(archive, "xl/sharedStrings.xml", parser)
