"""The guard every .xlsx upload passes before openpyxl parses it (quota biểu, admissions).

An .xlsx file is a zip of XML parts. The guard finds the parts openpyxl (3.1) will read exactly as openpyxl
finds them, and bounds what openpyxl will do with them, from the zip's directory and a streaming read of
each part (pyexpat, constant memory), never by building a workbook:

- size: the file itself (settings.XLSX_UPLOAD_LIMITS["max_bytes"], 5 MB);
- zip bomb: the sum of the sizes the directory declares (50 MB) and each member's compression ratio,
  before anything is decompressed. Python's zipfile never inflates a member past its declared size (a
  member that lies ends in a CRC error), so the declared sizes bound the work openpyxl can be made to do;
- structure: ``[Content_Types].xml`` names the workbook part and the shared-strings part (any names:
  "xl/wb.xml", "xl/strings.bin"), the workbook's relationships name each sheet's part. These small parts
  are read with openpyxl's own packaging code (``Manifest``, ``WorkbookPackage``, ``get_dependents``)
  once scanned, so "./worksheets/sheet1.xml", "/xl/worksheets/sheet1.xml" or "../xl/worksheets/sheet1.xml"
  is the member openpyxl opens. A declared part that is missing, a sheet without its relationship: refused,
  naming them (openpyxl would crash, or skip the sheet and import the next one);
- every member is scanned, whatever its name: no DTD or entity anywhere, and XML that is well formed (a
  member that is not XML at all, an image, is left alone: openpyxl cannot parse it either);
- size of the sheets, counted as openpyxl counts them: every ``<row>`` and each element in it (openpyxl
  takes any child of a row for a cell), a sheet's ``<dimension>``, and the cells merged ranges and
  hyperlinks cover (openpyxl makes a cell object for each of them): at most 5,000 rows and 200 columns a
  sheet, 150,000 cells (an importer may ask for less), 2,000 merged ranges and 60,000 shared strings in
  the workbook; on the first sheet, rows and cells in Excel's order (openpyxl's read-only reader, which
  both importers use, drops or moves the others);
- the rest of the XML (styles, comments, drawings, workbook…), which openpyxl builds into trees of objects:
  at most ``max_elements`` elements in the whole file, 10,000 in each part read to find the others;
- hidden sheets: the importers read openpyxl's first worksheet, so a hidden first sheet is refused (the
  user would not see what is imported); other sheets, hidden or not, are never read by the importers;
- formulas: the quota importer evaluates simple SUM/+/- formulas itself and reports the others at their
  row and column; importers that only read saved values pass ``formulas_need_values=True`` and a formula
  without a saved result (a file written by a program, not saved by Excel) is refused at its cell;
- merged cells: the first sheet's ranges are in ``SheetSummary.merged_ranges``; each importer refuses
  those inside its data area, where only the top-left cell keeps a value (it knows where its data is),
  and keeps the title and header merges and seed 004's merged "Tổng cộng".

Each refusal is an ``UploadRefused`` whose message is Vietnamese and names what is wrong and where.
"""

from __future__ import annotations

import io
import math
import re
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pyexpat import ExpatError, ParserCreate
from xml.etree.ElementTree import fromstring

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.packaging.manifest import Manifest
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.packaging.workbook import WorkbookPackage
from openpyxl.reader.excel import _find_workbook_part
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter, range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_CORE, ARC_CUSTOM, ARC_STYLE, SHARED_STRINGS

from partytrack.documents import format_number

DEFAULT_LIMITS = {
    "max_bytes": 5 * 1024 * 1024,
    "max_uncompressed": 50 * 1024 * 1024,
    "max_rows": 5000,
    "max_columns": 200,
    "max_cells": 150_000,  # 5,000 admissions of the template's 23 columns are 115,000
    "max_merged": 2000,
    "max_strings": 60_000,  # openpyxl reads every shared string (about 30 µs each); 5,000 admissions need 20,000
    "max_members": 1000,
    "max_ratio": 200,  # Excel's sheets compress 5–40 times; a bomb of zeros about 1,000 times
    "max_elements": 100_000,  # XML elements outside the cells: styles, comments, drawings, rich text runs…
}
RATIO_FROM = 1024 * 1024  # small parts may compress well: the ratio is checked above 1 MB
# The parts read to find the others (content types, workbook, relationships) are parsed whole, by
# openpyxl's own code: each is small in any real workbook.
MAX_STRUCTURE_ELEMENTS = 10_000
XML_NAMES = (".xml", ".rels", ".vml")
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# Relationships openpyxl follows from the workbook and from a worksheet when it loads them (the sheets
# themselves are checked one by one, naming the sheet).
FOLLOWED = ("/comments", "/drawing", "/table", "/pivotTable", "/externalLink")
# Elements of a sheet that are the cells themselves, bounded by the row, column and cell limits.
CELL_PARTS = frozenset({"row", "c", "v", "f", "is", "t"})
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]+)$")


class UploadRefused(ValueError):
    """The file is refused; `message` says why, in Vietnamese. For a file that is not a workbook at all,
    `detail` says what it is instead (PDF, .xls, CSV…)."""

    def __init__(self, message: str, *, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail


def _not_xlsx(what: str) -> UploadRefused:
    return UploadRefused(_("Tệp không phải là tệp Excel .xlsx đọc được.") + " " + what, detail=what)


def _damaged(part: str) -> UploadRefused:
    return UploadRefused(_("Tệp Excel bị hỏng: phần “%(part)s” không đọc được.") % {"part": part})


def _missing(where: str, part: str) -> UploadRefused:
    return UploadRefused(
        _("Tệp Excel bị hỏng: %(where)s trỏ tới phần “%(part)s” nhưng tệp không có phần này.")
        % {"where": where, "part": part}
    )


@dataclass(frozen=True)
class MergedRange:
    ref: str  # "B12:C12", as the file writes it
    min_col: int
    min_row: int
    max_col: int
    max_row: int

    def covers(self, row: int, column: int) -> bool:
        return self.min_row <= row <= self.max_row and self.min_col <= column <= self.max_col


@dataclass
class SheetSummary:
    name: str
    path: str
    hidden: bool = False
    rows: int = 0
    columns: int = 0
    cells: int = 0
    formulas: int = 0
    formulas_without_values: int = 0  # counted on the first sheet only
    merged: int = 0
    covered: int = 0  # cells that merged ranges and hyperlinks cover (openpyxl makes each one)
    merged_ranges: list[MergedRange] = field(default_factory=list)


@dataclass
class XlsxSummary:
    """What the guard saw (for the importers, tests and logs)."""

    size: int
    uncompressed: int
    workbook: str = ""  # the workbook part, as [Content_Types].xml names it
    shared_strings: str = ""
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


def check_xlsx(data: bytes, *, formulas_need_values: bool = False, **tighter: int) -> XlsxSummary:
    """Refuse (UploadRefused) anything that is not a reasonably sized .xlsx workbook; see the module doc.
    An importer that reads less passes tighter limits (`max_rows=2000`): what it will not read, openpyxl
    should not be made to load."""
    limit = limits()
    for key, value in tighter.items():
        if key not in limit:
            raise TypeError(f"unknown upload limit {key!r}")
        limit[key] = min(limit[key], value)
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
    total = _check_members(members, limit)
    names = {info.filename for info in members}
    _check_is_xlsx_package(names)
    package = _Package(archive, names, limit)
    summary = XlsxSummary(size=size, uncompressed=total)
    package.find_parts(summary)
    _check_first_sheet(summary)
    _scan_sheets(package, summary, limit, formulas_need_values)
    if summary.shared_strings:
        package.scan_shared_strings(summary.shared_strings)
    package.scan_the_rest()
    return summary


def _check_members(members, limit) -> int:
    """Refuse too many parts, encrypted parts, zip bombs; return the declared uncompressed size."""
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
    return total


def _check_is_xlsx_package(names: set[str]) -> None:
    if ARC_CONTENT_TYPES not in names:
        if "content.xml" in names and "mimetype" in names:
            raise _not_xlsx(_("Đây là tệp OpenDocument: hãy mở bằng Excel và lưu lại dạng .xlsx."))
        raise _not_xlsx(_("Tệp nén không có phần %(part)s của tệp Excel.") % {"part": ARC_CONTENT_TYPES})


def _check_first_sheet(summary: XlsxSummary) -> None:
    if not summary.sheets:
        raise UploadRefused(_("Tệp Excel không có trang tính nào."))
    first = summary.sheets[0]
    if first.hidden:
        raise UploadRefused(
            _("Trang tính đầu tiên “%(sheet)s” đang bị ẩn: hãy bỏ ẩn, hoặc đưa trang số liệu lên đầu.")
            % {"sheet": first.name}
        )


def _scan_sheets(package, summary: XlsxSummary, limit, formulas_need_values) -> None:
    """Scan every sheet, refusing as soon as the running cell or merged-range count passes its limit."""
    cells = 0
    merged = 0
    for index, sheet in enumerate(summary.sheets):
        package.scan_sheet(sheet, formulas_need_values=formulas_need_values and index == 0, first=index == 0)
        cells += sheet.cells + sheet.covered
        merged += sheet.merged
        if cells > limit["max_cells"]:
            raise UploadRefused(
                _("Tệp có hơn %(max)s ô có dữ liệu: chia thành nhiều tệp.") % {"max": _n(limit["max_cells"])}
                if not sheet.covered
                else _("Tệp có hơn %(max)s ô có dữ liệu, kể cả các ô mà vùng ô gộp và liên kết phủ: hãy bỏ gộp ô.")
                % {"max": _n(limit["max_cells"])}
            )
        if merged > limit["max_merged"]:
            raise UploadRefused(_("Tệp có hơn %(max)s vùng ô gộp: hãy bỏ gộp ô.") % {"max": _n(limit["max_merged"])})


# ------------------------------------------------------------------------------- streaming XML


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _parser(what: str):
    """An expat parser that refuses DTDs and entities (no "billion laughs") and reports qualified names
    as "namespace}local"."""
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
        raise _damaged(name) from None
    except Exception:  # zipfile and zlib raise many kinds of errors for a damaged member (bad CRC, bad data…)
        raise UploadRefused(_("Tệp Excel bị hỏng: không giải nén được phần “%(part)s”.") % {"part": name}) from None


def _row_number(text: str) -> int:
    """A <row r="…"> the way openpyxl reads it (int, else a float that is a whole number)."""
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():
            raise
        return int(number)


class _Package:
    """The zip's members, scanned once each; `elements` counts what openpyxl will build trees of."""

    def __init__(self, archive, names: set[str], limit: dict):
        self.archive, self.names, self.limit = archive, names, limit
        self.scanned: set[str] = set()
        self.followed: set[str] = set()  # parts openpyxl reads through a relationship (comments, drawings…)
        self.elements = 0

    # ---------------------------------------------------------------------- parts and their names

    def _count(self, part: str, count: int = 1) -> None:
        self.elements += count
        if self.elements > self.limit["max_elements"]:
            raise UploadRefused(
                _(
                    "Tệp bị từ chối: ngoài các ô, tệp có hơn %(max)s thẻ XML (đến phần “%(part)s”), quá nhiều cho "
                    "một tệp Excel: hãy mở bằng Excel, xóa định dạng, chú thích, hình vẽ thừa rồi lưu lại."
                )
                % {"max": _n(self.limit["max_elements"]), "part": part}
            )

    def scan_part(self, name: str, *, read_by_openpyxl: bool = False, structure: bool = False) -> None:
        """Stream one member through expat: no DTD, well formed if it is XML, its elements counted."""
        if name in self.scanned:
            return
        self.scanned.add(name)
        parser = _parser(name)
        elements = [0]

        def start(_name, _attrs):
            elements[0] += 1
            self._count(name)
            if structure and elements[0] > MAX_STRUCTURE_ELEMENTS:
                raise UploadRefused(
                    _("Tệp bị từ chối: phần “%(part)s” có hơn %(max)s thẻ XML, quá nhiều cho một tệp Excel.")
                    % {"part": name, "max": _n(MAX_STRUCTURE_ELEMENTS)}
                )

        parser.StartElementHandler = start
        try:
            with self.archive.open(name) as stream:
                parser.ParseFile(stream)
        except UploadRefused:
            raise
        except ExpatError:
            if read_by_openpyxl or elements[0] or name.lower().endswith(XML_NAMES):
                raise _damaged(name) from None
            # Not XML at all (an image, a printer's settings): neither openpyxl nor Excel parses it as XML.
        except Exception:  # a damaged member (bad CRC, bad data…)
            raise UploadRefused(_("Tệp Excel bị hỏng: không giải nén được phần “%(part)s”.") % {"part": name}) from None

    def _tree(self, name: str, kind):
        """A structural part read by openpyxl's own class `kind`, once scanned."""
        self.scan_part(name, read_by_openpyxl=True, structure=True)
        try:
            return kind.from_tree(fromstring(self.archive.read(name)))
        except Exception:  # openpyxl's descriptors raise TypeError, ValueError… for values they refuse
            raise _damaged(name) from None

    def _relationships(self, rels_path: str):
        self.scan_part(rels_path, read_by_openpyxl=True, structure=True)
        try:
            return get_dependents(self.archive, rels_path)
        except Exception:
            raise _damaged(rels_path) from None

    def find_parts(self, summary: XlsxSummary) -> None:
        """The workbook, shared strings and worksheets, found the way openpyxl.reader.excel finds them."""
        names = self.names
        manifest = self._tree(ARC_CONTENT_TYPES, Manifest)
        try:
            workbook_part = _find_workbook_part(manifest)
        except OSError:
            if "word/document.xml" in names:
                raise _not_xlsx(_("Đây là tệp Word .docx.")) from None
            raise _not_xlsx(
                _("Tệp nén không khai báo phần sổ tính (workbook) trong %(part)s.") % {"part": ARC_CONTENT_TYPES}
            ) from None
        summary.workbook = workbook = workbook_part.PartName[1:]
        if workbook not in names:
            raise _missing(ARC_CONTENT_TYPES, workbook)
        strings = manifest.find(SHARED_STRINGS)
        if strings is not None:
            summary.shared_strings = strings.PartName[1:]
            if summary.shared_strings not in names:
                raise _missing(ARC_CONTENT_TYPES, summary.shared_strings)
        book = self._tree(workbook, WorkbookPackage)
        if book.sheets:
            self._find_sheets(book, workbook, summary)

    def _find_sheets(self, book, workbook: str, summary: XlsxSummary) -> None:
        """The workbook's sheets through its relationships; worksheets (not chartsheets) go to the summary."""
        names = self.names
        rels_path = get_rels_path(workbook)
        if rels_path not in names:
            raise _missing(workbook, rels_path)
        relationships = self._relationships(rels_path)
        by_id = relationships.to_dict()
        self._check_targets(rels_path, relationships)
        for child in book.sheets:
            if not child.id:
                raise UploadRefused(
                    _("Tệp Excel bị hỏng: trang “%(sheet)s” trong %(part)s không ghi phần chứa trang (thiếu r:id).")
                    % {"sheet": child.name, "part": workbook}
                )
            rel = by_id.get(child.id)
            if rel is None:
                raise UploadRefused(
                    _("Tệp Excel bị hỏng: trang “%(sheet)s” trỏ tới quan hệ “%(id)s” không có trong %(rels)s.")
                    % {"sheet": child.name, "id": child.id, "rels": rels_path}
                )
            where = _("trang “%(sheet)s” (%(rels)s)") % {"sheet": child.name, "rels": rels_path}
            if rel.target not in names:
                raise _missing(where, rel.target)
            sheet_rels = get_rels_path(rel.target)
            if sheet_rels in names:
                self._check_targets(sheet_rels, self._relationships(sheet_rels))
            if "chartsheet" in rel.Type:
                continue  # not in openpyxl's `worksheets`: scanned with the other parts
            hidden = child.state in {"hidden", "veryHidden"}
            summary.sheets.append(SheetSummary(name=child.name, path=rel.target, hidden=hidden))

    def _check_targets(self, rels_path: str, relationships) -> None:
        for rel in relationships:
            if rel.TargetMode != "External" and rel.Type.endswith(FOLLOWED):
                if rel.target not in self.names:
                    raise _missing(rels_path, rel.target)
                self.followed.add(rel.target)

    def scan_the_rest(self) -> None:
        for name in sorted(self.names - self.scanned):
            self.scan_part(name, read_by_openpyxl=name in self.followed or name in (ARC_STYLE, ARC_CORE, ARC_CUSTOM))

    # ---------------------------------------------------------------------------------- sheets

    def scan_sheet(self, sheet: SheetSummary, *, formulas_need_values: bool, first: bool) -> None:
        _SheetScan(self, sheet, formulas_need_values=formulas_need_values, first=first).run()

    def scan_shared_strings(self, name: str) -> None:
        if name in self.scanned:
            return
        self.scanned.add(name)
        parser = _parser(name)
        count = [0]
        limit = self.limit

        def start(qualified, _attrs):
            local = _local(qualified)
            if local == "si":
                count[0] += 1
                if count[0] > limit["max_strings"]:
                    raise UploadRefused(
                        _("Tệp có hơn %(max)s chuỗi văn bản: chia thành nhiều tệp.") % {"max": _n(limit["max_strings"])}
                    )
            elif local != "t":
                self._count(name)  # rich text runs and their fonts

        parser.StartElementHandler = start
        _parse(self.archive, name, parser)


class _SheetScan:
    """One worksheet, streamed: rows, cells, merged ranges and hyperlinks against the limits."""

    def __init__(self, package: _Package, sheet: SheetSummary, *, formulas_need_values: bool, first: bool):
        self.package, self.sheet, self.limit = package, sheet, package.limit
        self.formulas_need_values, self.first = formulas_need_values, first
        self.stack: list[str] = []
        self.row = 0
        self.column = 0
        self.cell = ""
        self.formula = self.value = self.in_f = self.in_v = False
        self.text = ""

    def run(self) -> None:
        package, name = self.package, self.sheet.path
        package.scanned.add(name)
        parser = _parser(name)
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        if self.first:  # the sheet the importers read: formulas and their saved values
            parser.CharacterDataHandler = self.characters
        _parse(package.archive, name, parser)

    # ------------------------------------------------------------------------------- refusals

    def too_many_rows(self, row: int, where: str):
        raise UploadRefused(
            _(
                "Trang “%(sheet)s” có dữ liệu đến dòng %(row)s (%(where)s), vượt giới hạn %(max)s dòng: chia thành nhiều tệp."
            )
            % {"sheet": self.sheet.name, "row": _n(row), "where": where, "max": _n(self.limit["max_rows"])}
        )

    def too_many_columns(self, column: int, cell: str):
        raise UploadRefused(
            _("Trang “%(sheet)s” có dữ liệu đến cột thứ %(column)s (ô %(cell)s), vượt giới hạn %(max)s cột.")
            % {"sheet": self.sheet.name, "column": _n(column), "cell": cell, "max": _n(self.limit["max_columns"])}
        )

    def unreadable(self, what: str, value: str):
        raise UploadRefused(
            _("Tệp Excel bị hỏng: trang “%(sheet)s” có %(what)s “%(value)s” không đọc được.")
            % {"sheet": self.sheet.name, "what": what, "value": value[:40]}
        )

    def out_of_order(self, what: str, after: str):
        raise UploadRefused(
            _(
                "Tệp Excel bị hỏng: trang “%(sheet)s” ghi %(what)s sau %(after)s, không theo thứ tự Excel ghi: hãy mở "
                "tệp bằng Excel và lưu lại."
            )
            % {"sheet": self.sheet.name, "what": what, "after": after}
        )

    def area(self, ref: str, what: str) -> tuple[int, int, int, int]:
        """The bounds of a merged range or a hyperlink's range (whole rows or columns reach the limits),
        refused past the limits: openpyxl makes a cell for each cell the range covers."""
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            self.unreadable(what, ref)
        max_rows, max_columns = self.limit["max_rows"], self.limit["max_columns"]
        min_col, min_row = min_col or 1, min_row or 1
        max_col = max_col if max_col is not None else max_columns + 1
        max_row = max_row if max_row is not None else max_rows + 1
        if max_row > max_rows or max_col > max_columns:
            raise UploadRefused(
                _("Trang “%(sheet)s”: %(what)s %(ref)s vượt giới hạn %(rows)s dòng, %(columns)s cột.")
                % {"sheet": self.sheet.name, "what": what, "ref": ref, "rows": _n(max_rows), "columns": _n(max_columns)}
            )
        return min_col, min_row, max_col, max_row

    # ---------------------------------------------------------------------------------- events

    def start(self, qualified: str, attrs: dict) -> None:
        name = qualified[qualified.rfind("}") + 1 :]
        stack = self.stack
        parent = stack[-1] if stack else ""
        stack.append(name)
        if parent == "row":  # openpyxl takes every child of a row for a cell
            self.start_cell(attrs)
        elif parent == "c" or parent == "is":
            self.start_in_cell(name)
        elif name == "row":
            self.start_row(attrs)
        elif name == "mergeCell":
            self.start_merge_cell(attrs)
        elif name == "hyperlink":
            self.start_hyperlink(attrs)
        elif name == "dimension":
            self.start_dimension(attrs)
        else:
            self.package._count(self.sheet.path)  # columns, formats, validations…

    def start_in_cell(self, name: str) -> None:
        if name == "v":
            self.in_v = True  # openpyxl writes an empty <v/> after a formula: only text is a saved value
        elif name == "f":
            self.formula = self.in_f = True
            self.text = ""
            self.sheet.formulas += 1
        elif name not in CELL_PARTS:
            self.package._count(self.sheet.path)  # rich text runs

    def start_merge_cell(self, attrs: dict) -> None:
        sheet, limit = self.sheet, self.limit
        sheet.merged += 1
        if sheet.merged > limit["max_merged"]:
            raise UploadRefused(
                _("Trang “%(sheet)s” có hơn %(max)s vùng ô gộp: hãy bỏ gộp ô.")
                % {"sheet": sheet.name, "max": _n(limit["max_merged"])}
            )
        ref = attrs.get("ref", "")
        bounds = self.area(ref, _("vùng ô gộp"))
        sheet.covered += (bounds[2] - bounds[0] + 1) * (bounds[3] - bounds[1] + 1) - 1
        if self.first:
            sheet.merged_ranges.append(MergedRange(ref.replace("$", "").upper(), *bounds))

    def start_hyperlink(self, attrs: dict) -> None:
        """openpyxl gives each cell of the link's range its own copy of it."""
        sheet = self.sheet
        bounds = self.area(attrs.get("ref", ""), _("vùng liên kết"))
        sheet.covered += (bounds[2] - bounds[0] + 1) * (bounds[3] - bounds[1] + 1)
        self.package._count(sheet.path)

    def start_dimension(self, attrs: dict) -> None:
        sheet, limit = self.sheet, self.limit
        bounds = attrs.get("ref", "").split(":")[-1]
        match = _CELL.match(bounds)
        if match:
            if int(match.group(2)) > limit["max_rows"]:
                self.too_many_rows(int(match.group(2)), _("vùng dữ liệu %(ref)s") % {"ref": attrs.get("ref")})
            if column_number(match.group(1)) > limit["max_columns"]:
                self.too_many_columns(column_number(match.group(1)), bounds)
        self.package._count(sheet.path)

    def start_row(self, attrs: dict) -> None:
        row, previous = attrs.get("r"), self.row
        if row is not None:
            try:
                self.row = _row_number(row)
            except ValueError:
                self.unreadable(_("số dòng"), row)
        else:
            self.row += 1
        if self.first and self.row <= previous:  # openpyxl's reader would drop the row; Excel never writes it
            self.out_of_order(_("dòng %(row)s") % {"row": _n(self.row)}, _("dòng %(row)s") % {"row": _n(previous)})
        self.column = 0
        if self.row > self.limit["max_rows"]:
            self.too_many_rows(self.row, _("thẻ dòng %(row)s") % {"row": _n(self.row)})
        if self.row > self.sheet.rows:
            self.sheet.rows = self.row
        self.package._count(self.sheet.path)  # a row without cells still costs openpyxl an object

    def start_cell(self, attrs: dict) -> None:
        sheet, limit = self.sheet, self.limit
        reference = attrs.get("r")
        if reference:  # openpyxl: `if coordinate:`, else the next column
            previous = self.column
            try:
                row, self.column = coordinate_to_tuple(reference)
            except (ValueError, TypeError):
                self.unreadable(_("địa chỉ ô"), reference)
            if row > limit["max_rows"]:
                self.too_many_rows(row, _("ô %(cell)s") % {"cell": reference.upper()})
            sheet.rows = max(sheet.rows, row)
            # openpyxl's read-only reader files a cell under its <row> and drops one left of the one before.
            if self.first and (row != self.row or self.column <= previous):
                where = _("ô %(cell)s") % {"cell": reference.upper()}
                before = _("thẻ dòng %(row)s") % {"row": _n(self.row)}
                if row == self.row:
                    before = _("ô %(cell)s") % {"cell": f"{get_column_letter(previous)}{row}"} if previous else before
                self.out_of_order(where, before)
        else:
            self.column += 1
            reference = ""
        if self.column > limit["max_columns"]:
            self.too_many_columns(self.column, reference or "?")
        self.cell = reference
        self.formula = self.value = False
        sheet.cells += 1
        sheet.columns = max(sheet.columns, self.column)

    def characters(self, data: str) -> None:
        if self.in_f and len(self.text) < 200:
            self.text += data[:200]
        elif self.in_v and data.strip():
            self.value = True

    def end(self, _qualified: str) -> None:
        name = self.stack.pop()
        if name == "v":
            self.in_v = False
        elif name == "f":
            self.in_f = False
        elif self.formula and not self.value and self.first and self.stack and self.stack[-1] == "row":
            self.sheet.formulas_without_values += 1
            if self.formulas_need_values:
                self.formula_without_value()

    def formula_without_value(self):
        if not self.cell:  # a cell without its reference: where openpyxl puts it
            self.cell = f"{get_column_letter(self.column)}{self.row}" if 0 < self.column <= 18278 else "?"
        match = _CELL.match(self.cell)
        row, letters = (match.group(2), match.group(1).upper()) if match else ("?", "?")
        formula = f" “={self.text}”" if self.text else ""
        raise UploadRefused(
            _(
                "Dòng %(row)s, cột %(column)s (ô %(cell)s, trang “%(sheet)s”): ô có công thức%(formula)s "
                "nhưng không có giá trị đã tính. Hãy ghi giá trị, hoặc mở tệp bằng Excel và lưu lại."
            )
            % {"row": row, "column": letters, "cell": self.cell.upper(), "sheet": self.sheet.name, "formula": formula}
        )


# ------------------------------------------------------------------------------ reading the cells


def first_sheet_rows(data: bytes, *, data_only: bool = True) -> Iterator[tuple]:
    """The rows of the first worksheet as openpyxl's read-only reader gives them (cells, `<dimension>`
    reset: one smaller than the data, in a file written by a program, must not hide rows), for a file
    `check_xlsx` passed. The guard bounds what openpyxl reads, not every value it converts: a number cell
    holding "abc", a date cell holding "not-a-date", a shared-string index past the table make openpyxl
    raise while it iterates, and a number past Excel's range (1e999) reads as infinity. Each is an
    UploadRefused naming the cell where it is known, the same refusal for every importer."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
        sheet = workbook.worksheets[0]
    except Exception:  # openpyxl raises many kinds of errors for a well-formed file it cannot read
        raise UploadRefused(_("Tệp không phải là tệp Excel .xlsx đọc được.")) from None
    try:
        sheet.reset_dimensions()
        rows = sheet.iter_rows()
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:  # ValueError, IndexError, KeyError, TypeError… from openpyxl's conversions
                raise _unreadable_cell(sheet.title, sys.exc_info()[2]) from None
            for cell in row:
                value = getattr(cell, "value", None)
                if isinstance(value, float) and not math.isfinite(value):
                    raise _unreadable_value(sheet.title, cell.coordinate, str(value))
            yield row
    finally:
        workbook.close()


def _unreadable_value(sheet: str, cell: str, value: str) -> UploadRefused:
    return UploadRefused(
        _("Tệp không phải là tệp Excel .xlsx đọc được.")
        + " "
        + _("Ô %(cell)s (trang “%(sheet)s”) ghi giá trị “%(value)s” không đọc được: hãy sửa ô bằng Excel rồi lưu lại.")
        % {"cell": cell, "sheet": sheet, "value": value[:40]}
    )


def _unreadable_cell(sheet: str, traceback) -> UploadRefused:
    """The cell openpyxl's parser was converting when it raised, read from its frames (WorkSheetParser
    .parse_cell: the cell's `coordinate` or its row and column counters, and the raw `value`)."""
    cell = value = None
    while traceback is not None:
        frame = traceback.tb_frame
        parser = frame.f_locals.get("self")
        if isinstance(parser, WorkSheetParser) and frame.f_code.co_name == "parse_cell":
            coordinate, raw = frame.f_locals.get("coordinate"), frame.f_locals.get("value")
            if coordinate and _CELL.match(str(coordinate)):
                cell = str(coordinate).upper()
            elif 0 < parser.col_counter <= 18278 and parser.row_counter > 0:
                cell = f"{get_column_letter(parser.col_counter)}{parser.row_counter}"
            value = raw if isinstance(raw, str) else None
        traceback = traceback.tb_next
    if cell is None:
        return UploadRefused(_("Tệp không phải là tệp Excel .xlsx đọc được.") + " " + _("Có ô không đọc được."))
    return _unreadable_value(sheet, cell, value or "")


__all__ = [
    "MergedRange",
    "SheetSummary",
    "UploadRefused",
    "XlsxSummary",
    "check_upload_size",
    "check_xlsx",
    "first_sheet_rows",
]
