"""Reading a filled "biểu" (.xlsx): the yearly layout of seed 000 (Tổng số, Quý I–IV) and the term
layout of seed 004 (cells, members, official members, term quota, Năm 2021 … 2025).

Rows are matched to the allocating organization's children by code or by name, ignoring case and
kind prefixes ("Đảng bộ xã", "Chi bộ", told apart with the diacritics the file has) and, when only
one organization fits, diacritics; an unknown or ambiguous name is reported, never guessed. "Cộng"
and "Tổng cộng" rows are checked against the rows above them, never imported. Nothing here queries
the database: the caller passes the candidate organizations and the current values in.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.read_only import ReadOnlyCell
from openpyxl.utils import get_column_letter, range_boundaries

from partytrack import uploads
from partytrack.text import clean_text, fold, spelling_key

from .rules import Formula, NotANumber, check_term_row, check_values, parse_number, with_total
from .selectors import FIELD_LABELS, Values, display_name
from .services import QuotaInput, TermInput

MAX_ROWS = 2000
MAX_COLUMNS = 40
MAX_CELLS = MAX_ROWS * MAX_COLUMNS  # what openpyxl is let read (partytrack.uploads), a biểu has far fewer
# Formulas are computed for files saved without results (openpyxl writes none). A formula that refers
# to formulas nested deeper than this, or once all the file's formulas have read this many cells, is
# "not computable" and reported at its cell: a hostile file cannot exhaust the stack or the CPU.
MAX_FORMULA_DEPTH = 20
MAX_FORMULA_CELLS = 200_000

# Kind words that open an organization's name in one file and not in another, written with their
# diacritics: "Phượng Sơn" must keep "Phượng", which only folds to the same letters as "phường".
KIND_PREFIXES = (
    "đảng bộ xã",
    "đảng bộ phường",
    "đảng bộ thị trấn",
    "đảng bộ thị xã",
    "đảng bộ đặc khu",
    "đảng bộ cơ sở",
    "đảng bộ",
    "đảng ủy xã",
    "đảng ủy phường",
    "đảng ủy thị trấn",
    "đảng ủy đặc khu",
    "đảng ủy cơ sở",
    "đảng ủy",
    "chi bộ cơ sở",
    "chi bộ",
    "xã",
    "thị trấn",
    "phường",
    "đặc khu",
)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")
_QUARTER = re.compile(r"\bquy (iv|iii|ii|i|[1-4])\b")
_YEAR = re.compile(r"\bnam (\d{4})\b")
_SUBTOTAL = re.compile(r"^cong(\s+\d+(\s.*)?)?$")
_TOTAL = re.compile(r"^tong cong\b")
_NUMBER_IN_TEXT = re.compile(r"\d[\d.]*")
QUARTER_KEYS = {"i": "q1", "ii": "q2", "iii": "q3", "iv": "q4", "1": "q1", "2": "q2", "3": "q3", "4": "q4"}

COLUMN_LABELS = {
    "number": "TT",
    "name": "Tên đảng bộ, chi bộ",
    "code": "Mã tổ chức",
    **FIELD_LABELS,
    "cell_count": "Số chi bộ trực thuộc",
    "member_count": "Tổng số đảng viên",
    "official_member_count": "Đảng viên chính thức",
    "term_total": "Chỉ tiêu kết nạp trong nhiệm kỳ",
}
YEARLY_NUMBERS = ("total", "q1", "q2", "q3", "q4")
TERM_FIGURES = ("cell_count", "member_count", "official_member_count", "term_total")


_NOT_WORD = re.compile(r"[\W_]+")
# Tone marks (huyền, sắc, ngã, hỏi, nặng): old and new spelling put them on different letters
# ("Toà" / "Tòa", "uỷ" / "ủy"), so a key keeps them but moves them to the end of the word.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _has_diacritics(text: str) -> bool:
    return any(unicodedata.combining(ch) or ch in "đĐ" for ch in unicodedata.normalize("NFD", text))


def _accented(text: str) -> str:
    """Lower case, words only, diacritics kept (tone marks moved to the end of each word):
    "Đảng bộ xã  Phượng Sơn" and "đảng bộ xã phượng sơn" give the same key, "Phường Sơn" another."""
    words = []
    for word in _NOT_WORD.split(spelling_key(text)):
        if word:
            letters = unicodedata.normalize("NFD", word)
            words.append(
                "".join(ch for ch in letters if ch not in _TONES) + "".join(ch for ch in letters if ch in _TONES)
            )
    return " ".join(words)


def _folded(text: str) -> str:
    return _NOT_ALNUM.sub(" ", fold(text)).strip()


_ACCENTED_PREFIXES = sorted({_accented(p) for p in KIND_PREFIXES}, key=len, reverse=True)
_FOLDED_PREFIXES = sorted({_folded(p) for p in KIND_PREFIXES}, key=len, reverse=True)


def _without_prefix(key: str, prefixes: Sequence[str]) -> str:
    for prefix in prefixes:
        if key.startswith(prefix + " "):
            return key[len(prefix) + 1 :]
    return key


def _readings(key: str, prefixes: Sequence[str]) -> set[str]:
    """Every way to read a key: as it is, and without each kind prefix it may start with."""
    return {key} | {key[len(p) + 1 :] for p in prefixes if key.startswith(p + " ")}


@dataclass(frozen=True)
class NameKeys:
    """How a name is compared, from the strictest key to the loosest."""

    exact: str  # the whole name, case, spacing and punctuation aside
    accented: str  # without its kind prefix, diacritics kept ("" when the text has none)
    folded: frozenset[str]  # without diacritics: the fallback, used only when it finds one organization
    loose: frozenset[str]  # every diacritics-free reading: only to suggest names, never to match


def name_keys(text: str) -> NameKeys:
    """ "Đảng bộ xã Phượng Sơn", "Xã Phượng Sơn" -> "phượng sơn" (folded "phuong son"); "Phường Sơn"
    -> "sơn", since with its diacritics "Phường" is the kind word. Text without diacritics cannot tell
    "phuong" (phường) from "phuong" (Phượng), so it is read both ways."""
    exact = _accented(text)
    loose = frozenset(_readings(_folded(text), _FOLDED_PREFIXES))
    if _has_diacritics(text):
        accented = _without_prefix(exact, _ACCENTED_PREFIXES)
        return NameKeys(exact, accented, frozenset({_folded(accented)}), loose)
    return NameKeys(exact, "", loose, loose)


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: str  # a column key ("q1") or ""
    message: str
    letter: str = ""

    def __str__(self) -> str:
        where = []
        if self.line:
            where.append(_("Dòng %(line)s") % {"line": self.line})
        if self.letter:
            label = COLUMN_LABELS.get(self.column, self.column)
            if self.column.startswith("y") and self.column[1:].isdigit():
                label = _("Năm %(year)s") % {"year": self.column[1:]}
            where.append(_("cột %(letter)s (%(label)s)") % {"letter": self.letter, "label": label})
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class SheetRow:
    line: int
    kind: str  # "data", "subtotal", "total"
    name: str
    code: str
    numbers: dict[str, int | None]
    text_total: int | None = None  # "Tổng cộng: 220 đảng viên." written as text
    bad: set[str] = field(default_factory=set)  # columns whose cell is not a number (already reported)


@dataclass
class ParsedSheet:
    layout: str  # "year" or "term"
    columns: dict[str, int] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)
    rows: list[SheetRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    header_line: int | None = None  # the first table's header row

    @property
    def number_keys(self) -> list[str]:
        if self.layout == "term":
            return [k for k in TERM_FIGURES if k in self.columns] + [f"y{year}" for year in self.years]
        return [k for k in YEARLY_NUMBERS if k in self.columns]

    def letter(self, key: str) -> str:
        return get_column_letter(self.columns[key]) if key in self.columns else ""

    def problem(self, line: int | None, key: str, message: str) -> Problem:
        problem = Problem(line=line, column=key, message=message, letter=self.letter(key))
        self.problems.append(problem)
        return problem

    @property
    def data_rows(self) -> list[SheetRow]:
        return [row for row in self.rows if row.kind == "data"]


# ------------------------------------------------------------------------------------ cells


def _read_cells(data: bytes, *, data_only: bool):
    """Every cell of the first worksheet as openpyxl's read-only reader gives it, its dimension reset: a
    <dimension> smaller than the data (a file written by a program, not Excel) must not hide rows."""
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        for row in sheet.iter_rows():
            yield from (cell for cell in row if isinstance(cell, ReadOnlyCell))
    finally:
        workbook.close()


class _Cells:
    """Cell values of the first sheet: the value Excel saved, or else the result of a simple formula
    (SUM of ranges, + and - of cells and numbers), as files written by openpyxl have no saved results.

    The sheet is read once for its saved values and, only when it has formulas without one, once more for
    the formulas, each time by openpyxl's read-only reader (the other sheets are never parsed). A merged
    range keeps its value in its top-left cell only, as Excel shows it."""

    def __init__(self, data: bytes, sheet: uploads.SheetSummary):
        self.values, self.errors = {}, {}
        for cell in _read_cells(data, data_only=True):
            if cell.value is not None:
                self.values[(cell.row, cell.column)] = cell.value
            if cell.data_type == "e":  # a formula's error saved by Excel (#DIV/0!, #REF!…)
                self.errors[(cell.row, cell.column)] = cell.value
        self.formulas = {}
        if sheet.formulas_without_values:
            for cell in _read_cells(data, data_only=False):
                if cell.data_type == "f" and isinstance(cell.value, str):
                    self.formulas[(cell.row, cell.column)] = cell.value
        for merged in sheet.merged_ranges:  # the guard bounds the cells they cover
            for row in range(merged.min_row, merged.max_row + 1):
                for column in range(merged.min_col, merged.max_col + 1):
                    if (row, column) != (merged.min_row, merged.min_col):
                        self.values.pop((row, column), None)
                        self.formulas.pop((row, column), None)
        self.max_row = max((row for row, _column in self.values.keys() | self.formulas.keys()), default=0)
        self.max_column = max((column for _row, column in self.values.keys() | self.formulas.keys()), default=0)
        self._evaluating: set[tuple[int, int]] = set()
        self._results: dict[tuple[int, int], int | float | None] = {}
        self._cells_read = 0

    def saved(self, row: int, column: int):
        """The value the file saved, without computing a formula (labels, names, TT)."""
        return self.values.get((row, column))

    def raw(self, row: int, column: int):
        value = self.saved(row, column)
        if value is None:
            formula = self.formulas.get((row, column))
            if formula is not None and formula.startswith("="):
                key = (row, column)
                if key not in self._results:
                    self._results[key] = self._evaluate(row, column, formula)
                return Formula(formula, self._results[key])
        return value

    def _number(self, row: int, column: int, *, in_sum: bool = False) -> float:
        value = self.raw(row, column)
        if isinstance(value, Formula):
            value = value.value
            if value is None:
                raise ValueError
        if value is None or value == "":
            return 0
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, int | float):
            return value
        try:
            return parse_number(value) or 0
        except NotANumber:
            if in_sum:
                return 0  # like Excel, SUM skips text (the text cell is reported on its own row)
            raise ValueError from None

    def _evaluate(self, row: int, column: int, formula: str) -> int | float | None:
        if (row, column) in self._evaluating or len(self._evaluating) >= MAX_FORMULA_DEPTH:
            return None  # a circular reference, or formulas nested too deep
        self._evaluating.add((row, column))
        try:
            return self._expression(formula[1:].replace(" ", "").upper())
        except (ValueError, KeyError):
            return None
        finally:
            self._evaluating.discard((row, column))

    def _expression(self, text: str) -> float:
        total = 0
        for sign, term in re.findall(r"([+-]?)([^+-]+)", text):
            value = self._term(term)
            total += -value if sign == "-" else value
        return total

    def _term(self, term: str) -> float:
        match = re.fullmatch(r"SUM\((.*)\)", term)
        if match:
            return sum(self._range(part, in_sum=True) for part in match.group(1).split(",") if part)
        if re.fullmatch(r"\d+(\.\d+)?", term):
            return float(term) if "." in term else int(term)
        return self._range(term)

    def _range(self, reference: str, *, in_sum: bool = False) -> float:
        reference = reference.replace("$", "")
        if not re.fullmatch(r"[A-Z]{1,3}\d+(:[A-Z]{1,3}\d+)?", reference):
            raise ValueError(reference)
        min_col, min_row, max_col, max_row = range_boundaries(reference)
        size = (max_row - min_row + 1) * (max_col - min_col + 1)
        self._cells_read += size
        if size > MAX_ROWS * MAX_COLUMNS or self._cells_read > MAX_FORMULA_CELLS:
            raise ValueError(reference)
        cells = ((r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1))
        return sum(self._number(r, c, in_sum=in_sum) for r, c in cells)


def _text(value) -> str:
    if value is None or isinstance(value, Formula):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(value)


# ----------------------------------------------------------------------------------- reading


def _classify(label: str) -> str | None:
    if not label:
        return None
    quarters = _QUARTER.findall(label)
    if quarters:
        return QUARTER_KEYS[quarters[-1]]
    years = _YEAR.findall(label)
    if years:
        return f"y{years[-1]}"
    if "nhiem ky" in label:
        return "term_total"
    if "so chi bo" in label:
        return "cell_count"
    if "chinh thuc" in label:
        return "official_member_count"
    if "tong so dang vien" in label and "ket nap" not in label:
        return "member_count"
    if "tong so" in label or label in {"tong", "chi tieu", "chi tieu ket nap"}:
        return "total"
    if label in {"tt", "stt", "so tt", "so thu tu", "thu tu"}:
        return "number"
    if label.startswith("ten") or " ten " in f" {label} ":
        return "name"
    if label in {"ma", "ma to chuc", "ma don vi"}:
        return "code"
    return None


_TT_LABELS = frozenset({"tt", "stt", "so tt"})


def _labels(cells: _Cells, row: int, last_col: int) -> list[str]:
    """The folded text of each cell of a row (index 0 is column A)."""
    return [_NOT_ALNUM.sub(" ", fold(_text(cells.saved(row, c)))).strip() for c in range(1, last_col + 1)]


def _header_columns(labels: Sequence[str]) -> tuple[int, int] | None:
    """(TT column, name column) when a row is a table header: a "TT" cell and a "Tên …" cell."""
    tt_col = next((c for c, label in enumerate(labels, 1) if label in _TT_LABELS), None)
    name_col = next((c for c, label in enumerate(labels, 1) if label.startswith("ten")), None)
    return (tt_col, name_col) if tt_col and name_col else None


def _find_header(cells: _Cells, last_row: int, last_col: int) -> int | None:
    for row in range(1, min(last_row, 40) + 1):
        if _header_columns(_labels(cells, row, last_col)):
            return row
    return None


def _read_header(
    cells: _Cells, header: int, last_row: int, last_col: int
) -> tuple[dict[str, int], int, list[tuple[str, int, int]]]:
    """The columns a header band names, and the first row after the band. The band is the "TT" row and
    the rows under it until the first row that has a TT or a name ("Chia ra theo quý" / "Quý I")."""
    tt_col, name_col = _header_columns(_labels(cells, header, last_col))
    labels: dict[int, list[str]] = {c: [] for c in range(1, last_col + 1)}
    row = header
    while row <= last_row:
        if row > header and (_text(cells.saved(row, tt_col)) or _text(cells.saved(row, name_col))):
            break
        for column, text in enumerate(_labels(cells, row, last_col), 1):
            if text:
                labels[column].append(text)
        row += 1
    columns: dict[str, int] = {}
    repeated: list[tuple[str, int, int]] = []
    for column, parts in labels.items():
        key = _classify(" ".join(parts))
        if key and key in columns:
            repeated.append((key, columns[key], column))
        elif key:
            columns[key] = column
    columns["number"], columns["name"] = tt_col, name_col
    return columns, row, repeated


def _report_repeated(parsed: ParsedSheet, line: int, repeated: list[tuple[str, int, int]]) -> None:
    for key, first, second in repeated:
        parsed.problem(
            line,
            key,
            _("cột %(first)s và cột %(second)s cùng có tiêu đề “%(label)s”: sửa hoặc xóa một cột")
            % {"first": get_column_letter(first), "second": get_column_letter(second), "label": _column_label(key)},
        )


def _column_label(key: str) -> str:
    if key.startswith("y") and key[1:].isdigit():
        return _("Năm %(year)s") % {"year": key[1:]}
    return COLUMN_LABELS.get(key, key)


def _columns_differ(first: Mapping[str, int], other: Mapping[str, int]) -> str:
    """ "“Tổng số”: cột C ở bảng đầu, cột G ở bảng này; …" for each column placed differently."""
    parts = []
    for key in sorted(set(first) | set(other), key=lambda k: (first.get(k) or other.get(k) or 0, k)):
        if first.get(key) != other.get(key):
            here = get_column_letter(other[key]) if key in other else _("không có")
            there = get_column_letter(first[key]) if key in first else _("không có")
            parts.append(
                _("“%(label)s”: cột %(first)s ở bảng đầu, cột %(here)s ở bảng này")
                % {"label": _column_label(key), "first": there, "here": here}
            )
    return "; ".join(parts)


def read_workbook(data: bytes) -> ParsedSheet:
    """Parse the first sheet of an .xlsx biểu. Problems are collected, never raised.

    A sheet may hold several tables one after the other, each with its title block, its header rows
    and its "Cộng" (seed 000: communes, then agencies), and a "Tổng cộng" at the end. A header that
    repeats is skipped when it names the same columns as the first, and refused otherwise. Text-only
    lines just above a repeated header (the next table's "BIỂU TỔNG HỢP", subject, "-----") are its
    title, not data; anywhere else text in a number column is reported."""
    parsed = ParsedSheet(layout="year")
    opened = _open(data, parsed)
    if opened is None:
        return parsed
    cells, sheet_summary = opened
    last_row, last_col = min(cells.max_row, MAX_ROWS), min(cells.max_column, MAX_COLUMNS)
    first_data = _read_first_header(parsed, cells, last_row, last_col)
    if first_data is None:
        return parsed
    body = _Body(first=first_data, last=first_data - 1, bands=[(parsed.header_line, first_data - 1)])
    reader = _SheetReader(parsed, cells, last_col=last_col, body=body)
    reader.read(last_row)
    parsed.problems.extend(reader.pending)
    for band_top, band_bottom in reader.body.bands:
        for line in range(band_top, band_bottom + 1):
            _report_errors(parsed, cells, line, [("", column) for column in range(1, last_col + 1)])
    _check_merged(parsed, cells, reader.body, sheet_summary.merged_ranges)
    _check_sums(parsed)
    return parsed


def _open(data: bytes, parsed: ParsedSheet):
    """The sheet's cells and its summary (partytrack.uploads), or None with the problem in `parsed`."""
    try:
        # Size, zip bomb, structure, rows and cells: before openpyxl reads it.
        summary = uploads.check_xlsx(data, max_rows=MAX_ROWS, max_cells=MAX_CELLS)
    except uploads.UploadRefused as exc:
        parsed.problems.append(Problem(None, "", exc.message))
        return None
    try:
        cells = _Cells(data, summary.sheets[0])
    except Exception:  # openpyxl raises many kinds of errors for a well-formed file it cannot read
        parsed.problems.append(Problem(None, "", _("Tệp không phải là tệp Excel .xlsx đọc được.")))
        return None
    if cells.max_row > MAX_ROWS:
        parsed.problems.append(Problem(None, "", _("Tệp có quá nhiều dòng (tối đa %(max)s).") % {"max": MAX_ROWS}))
        return None
    return cells, summary.sheets[0]


def _read_first_header(parsed: ParsedSheet, cells: _Cells, last_row: int, last_col: int) -> int | None:
    """Find the first table's header, read its columns and the layout into `parsed`; the first line
    below the header band, or None (the problem in `parsed`) when the figures cannot be located."""
    header = _find_header(cells, last_row, last_col)
    if header is None:
        parsed.problems.append(
            Problem(None, "", _("Không tìm thấy dòng tiêu đề bảng (có cột “TT” và cột “Tên đảng bộ, chi bộ”)."))
        )
        return None
    parsed.columns, first_data, repeated = _read_header(cells, header, last_row, last_col)
    parsed.header_line = header
    if repeated:
        _report_repeated(parsed, header, repeated)
        return None  # which of the two columns holds the figures is the user's to say
    parsed.years = sorted(int(key[1:]) for key in parsed.columns if key.startswith("y") and key[1:].isdigit())
    if parsed.years:
        parsed.layout = "term"
    elif "total" not in parsed.columns:
        parsed.problems.append(
            Problem(header, "", _("Không tìm thấy cột “Tổng số” (biểu năm) hoặc các cột “Năm …” (biểu nhiệm kỳ)."))
        )
        return None
    return first_data


class _SheetReader:
    """The lines below the first header, read one by one into `parsed.rows`."""

    def __init__(self, parsed: ParsedSheet, cells: _Cells, *, last_col: int, body: _Body):
        self.parsed, self.cells, self.last_col, self.body = parsed, cells, last_col, body
        # Problems of text-only lines, held back until it is known whether a header follows them.
        self.pending: list[Problem] = []

    def read(self, last_row: int) -> None:
        skip_to = self.body.first
        for line in range(self.body.first, last_row + 1):
            self.body.last = line
            if line < skip_to:
                continue  # the header band of a repeated header
            if _header_columns(_labels(self.cells, line, self.last_col)):
                skip_to = self._repeated_header(line, last_row)
                if skip_to is None:
                    break
            elif self._line(line):
                break  # the signature and "Nơi nhận" follow the "Tổng cộng"

    def _add(self, row: SheetRow) -> None:
        self.parsed.problems.extend(self.pending)
        self.pending.clear()
        self.parsed.rows.append(row)

    def _repeated_header(self, line: int, last_row: int) -> int | None:
        """The first line after a repeated header's band, or None when the reading stops there."""
        parsed = self.parsed
        columns, skip_to, repeated = _read_header(self.cells, line, last_row, self.last_col)
        self.body.bands.append((line, skip_to - 1))
        self.pending.clear()  # the lines above were this table's title
        if repeated:
            _report_repeated(parsed, line, repeated)
            return None
        if columns != parsed.columns:
            parsed.problem(
                line,
                "",
                _(
                    "tiêu đề bảng này có các cột khác với bảng ở dòng %(first)s (%(columns)s): hãy để các cột "
                    "của mọi bảng theo cùng thứ tự"
                )
                % {"first": parsed.header_line, "columns": _columns_differ(parsed.columns, columns)},
            )
            return None  # the rows below would be read in the wrong columns
        return skip_to

    def _identity(self, line: int) -> tuple[str, str, str] | None:
        """The line's TT, name and code, or None when an Excel error hides which organization it is for."""
        parsed, cells = self.parsed, self.cells
        label_columns = [(key, parsed.columns[key]) for key in ("number", "name", "code") if key in parsed.columns]
        if _report_errors(parsed, cells, line, label_columns):
            return None
        number_text = _text(cells.saved(line, parsed.columns["number"]))
        name = _text(cells.saved(line, parsed.columns["name"]))
        if not name and number_text and not number_text.isdigit():
            # "Tổng cộng" written across the TT and name columns (seed 004) sits in the TT cell.
            name, number_text = number_text, ""
        code = _text(cells.saved(line, parsed.columns["code"])) if "code" in parsed.columns else ""
        return number_text, name, code

    def _numbers(self, line: int) -> tuple[dict[str, int | None], set[str]]:
        """The line's figures, and the columns whose cell is not a number (reported)."""
        parsed = self.parsed
        numbers: dict[str, int | None] = {}
        bad: set[str] = set()
        for key in parsed.number_keys:
            numbers[key] = None
            if _report_errors(parsed, self.cells, line, [(key, parsed.columns[key])]):
                bad.add(key)
                continue
            try:
                numbers[key] = parse_number(self.cells.raw(line, parsed.columns[key]))
            except NotANumber as exc:
                bad.add(key)
                parsed.problem(line, key, str(exc))
        return numbers, bad

    def _line(self, line: int) -> bool:
        """Read one line below a header; True at the "Tổng cộng", which ends the reading."""
        parsed = self.parsed
        labels = self._identity(line)
        if labels is None:
            return False  # which organization the row is for is not known
        number_text, name, code = labels
        folded = _NOT_ALNUM.sub(" ", fold(name)).strip()
        reported = len(parsed.problems)
        numbers, bad = self._numbers(line)
        if any(value is not None for value in numbers.values()):
            self.body.with_numbers.add(line)
        has_numbers = bool(bad) or any(value is not None for value in numbers.values())
        if _TOTAL.match(folded):
            found = [] if has_numbers else _NUMBER_IN_TEXT.findall(name)
            text_total = int(found[0].replace(".", "")) if found else None
            self._add(SheetRow(line, "total", name, "", numbers, text_total=text_total, bad=bad))
            return True
        if not number_text and _SUBTOTAL.match(folded):
            self._add(SheetRow(line, "subtotal", name, "", numbers, bad=bad))
        elif bad and not number_text and all(value is None for value in numbers.values()):
            # Only text and no TT: the next table's title if a header follows, else reported (below).
            if not name and not code:
                parsed.problem(line, "name", _("có số liệu nhưng thiếu tên tổ chức"))
            self.pending.extend(parsed.problems[reported:])
            del parsed.problems[reported:]
        elif not name and not code:
            if has_numbers:
                parsed.problem(line, "name", _("có số liệu nhưng thiếu tên tổ chức"))
        elif number_text or has_numbers:  # else a group heading ("Đảng bộ xã, phường, thị trấn")
            self._add(SheetRow(line, "data", name, code, numbers, bad=bad))
            self.body.data.add(line)
        return False


@dataclass
class _Body:
    """Where a biểu's figures are: the lines below the first header, the header bands (the first and
    each repeated one), the data lines and the lines with figures."""

    first: int
    last: int
    bands: list[tuple[int, int]]
    data: set[int] = field(default_factory=set)
    with_numbers: set[int] = field(default_factory=set)

    def lines(self, top: int, bottom: int) -> list[int]:
        """The body's lines from top to bottom that are not in a header band."""
        return [
            line
            for line in range(max(top, self.first), min(bottom, self.last) + 1)
            if not any(band_top <= line <= band_bottom for band_top, band_bottom in self.bands)
        ]


def _check_merged(parsed: ParsedSheet, cells: _Cells, body: _Body, ranges) -> None:
    """A merged range keeps a value in its top-left cell only: inside the figures it hides cells the
    user sees filled, so it is refused. Merged titles, headers, group headings and the "Cộng" / "Tổng
    cộng" label (seed 004 merges "Tổng cộng" across TT and name) stay."""
    number_columns = {parsed.columns[key] for key in parsed.number_keys}
    for merged in ranges:
        lines = body.lines(merged.min_row, merged.max_row)
        if not lines:
            continue
        covers_numbers = any(merged.min_col <= column <= merged.max_col for column in number_columns)
        corner = cells.saved(merged.min_row, merged.min_col)
        if (
            any(line in body.data for line in lines)
            or (covers_numbers and any(line in body.with_numbers for line in lines))
            or isinstance(corner, int | float)
            or _text(corner).isdigit()  # a row's TT spread over the row
        ):
            parsed.problem(
                lines[0],
                "",
                _("Ô gộp %(range)s nằm trong vùng số liệu: hãy bỏ gộp ô và ghi đủ số liệu vào từng ô")
                % {"range": merged.ref},
            )


def _report_errors(parsed: ParsedSheet, cells: _Cells, line: int, columns: list[tuple[str, int]]) -> bool:
    """An error Excel saved for a formula (#DIV/0!, #REF!, #N/A…) in a cell the import reads is reported
    at its row and column; True if there was one."""
    found = False
    for key, column in columns:
        error = cells.errors.get((line, column))
        if error is not None:
            found = True
            letter = get_column_letter(column)
            parsed.problems.append(
                Problem(
                    line,
                    key,
                    _(
                        "ô %(cell)s có giá trị lỗi “%(error)s” của Excel (công thức tính lỗi): hãy sửa công thức hoặc ghi giá trị"
                    )
                    % {"cell": f"{letter}{line}", "error": error},
                    letter=letter if key else "",
                )
            )
    return found


def _check_sums(parsed: ParsedSheet) -> None:
    """Each "Cộng" row against the data rows since the previous one, "Tổng cộng" against them all."""
    block: list[SheetRow] = []
    everything: list[SheetRow] = []
    for row in parsed.rows:
        if row.kind == "data":
            block.append(row)
            everything.append(row)
            continue
        rows = block if row.kind == "subtotal" else everything
        label = _("“Cộng”") if row.kind == "subtotal" else _("“Tổng cộng”")
        for key in row.bad:
            if any(key in r.bad for r in rows):
                # The total's formula only repeats a cell above that is not a whole number ("2,5"
                # makes the SUM 162,5): that cell is reported; the user did not type this one.
                parsed.problems = [p for p in parsed.problems if (p.line, p.column) != (row.line, key)]
        written = dict(row.numbers)
        if row.text_total is not None:
            first = "total" if parsed.layout == "year" else "term_total"
            written[first] = row.text_total
        for key, value in written.items():
            if value is None or any(key in r.bad for r in rows):
                continue  # a cell above is not a number: reported already
            expected = sum(_row_number(parsed, r, key) for r in rows)
            if key == "term_total" and parsed.layout == "term":
                expected = sum(_term_total(parsed, r) for r in rows)
            if value != expected:
                parsed.problem(
                    row.line,
                    key,
                    _("dòng %(label)s ghi %(value)s nhưng tổng các dòng trên là %(expected)s")
                    % {"label": label, "value": value, "expected": expected},
                )
        if row.kind == "subtotal":
            block = []


def _row_number(parsed: ParsedSheet, row: SheetRow, key: str) -> int:
    """A data row's figure as it will be imported: a yearly total left blank is the sum of its four
    quarters (as _check_yearly_row reads it)."""
    value = row.numbers.get(key)
    if value is None and key == "total" and parsed.layout == "year":
        quarters = [row.numbers.get(f"q{q}") for q in (1, 2, 3, 4)]
        if all(q is not None for q in quarters):
            return sum(quarters)
    return value or 0


def _term_total(parsed: ParsedSheet, row: SheetRow) -> int:
    if row.numbers.get("term_total") is not None:
        return row.numbers["term_total"]
    return sum(row.numbers.get(f"y{year}") or 0 for year in parsed.years)


# ---------------------------------------------------------------------------------- matching


@dataclass
class MatchedRow:
    line: int
    organization: object
    numbers: dict[str, int | None]
    bad: set[str] = field(default_factory=set)

    @property
    def values(self) -> Values:
        return tuple(self.numbers.get(key) for key in YEARLY_NUMBERS)  # type: ignore[return-value]


class NameIndex:
    """The allocating organization's children by code and by each key of their name and short name."""

    def __init__(self, candidates: Iterable):
        self.candidates = list(candidates)
        self.by_code = {c.code.upper(): c for c in self.candidates}
        self._tables: dict[str, dict[str, dict[int, object]]] = {
            k: {} for k in ("exact", "accented", "folded", "loose")
        }
        for candidate in self.candidates:
            for text in filter(None, (candidate.name, candidate.short_name)):
                keys = name_keys(text)
                self._add("exact", [keys.exact], candidate)
                self._add("accented", [keys.accented] if keys.accented else [], candidate)
                self._add("folded", keys.folded, candidate)
                self._add("loose", keys.loose, candidate)

    def _add(self, table: str, keys: Iterable[str], candidate) -> None:
        for key in keys:
            self._tables[table].setdefault(key, {})[candidate.pk] = candidate

    def _find(self, table: str, keys: Iterable[str]) -> list:
        found: dict[int, object] = {}
        for key in keys:
            found.update(self._tables[table].get(key, {}))
        order = {c.pk: index for index, c in enumerate(self.candidates)}
        return sorted(found.values(), key=lambda c: order[c.pk])

    def find(self, text: str) -> list:
        """The organizations a name means: the whole name; else without its kind prefix, with
        diacritics; else without diacritics. The first comparison that finds any decides, so a name
        is matched only when it means exactly one organization."""
        keys = name_keys(text)
        for table, wanted in (
            ("exact", [keys.exact]),
            ("accented", [keys.accented] if keys.accented else []),
            ("folded", keys.folded),
        ):
            found = self._find(table, wanted)
            if found:
                return found
        return []

    def near(self, text: str) -> list:
        """Names that read the same once every kind word and diacritic is dropped: suggestions for an
        unknown name ("Sơn" -> "Phượng Sơn"), never a match."""
        return self._find("loose", name_keys(text).loose)


def _names(organizations: Sequence) -> str:
    return ", ".join(f"{o.name} – {o.code}" for o in organizations)


def match_rows(parsed: ParsedSheet, candidates: Sequence, parent_name: str) -> list[MatchedRow]:
    """Each data row's organization among `candidates` (the allocating organization's children). A row
    whose name is unknown or means more than one of them is reported, never guessed."""
    index = NameIndex(candidates)
    matched: list[MatchedRow] = []
    seen: dict[int, int] = {}
    for row in parsed.data_rows:
        organization = None
        by_its_name = index.find(row.name) if row.name else []
        if row.code:
            organization = index.by_code.get(row.code.upper())
            if organization is None:
                parsed.problem(
                    row.line,
                    "code",
                    _("mã “%(code)s” không phải của tổ chức nào trực thuộc %(parent)s")
                    % {"code": row.code, "parent": parent_name},
                )
                continue
            if row.name and by_its_name and organization not in by_its_name:
                parsed.problem(
                    row.line,
                    "name",
                    _("tên “%(name)s” không khớp với mã %(code)s (%(org)s)")
                    % {"name": row.name, "code": row.code, "org": organization.name},
                )
                continue
        elif _CODE.match(row.name) and row.name.upper() in index.by_code:
            organization = index.by_code[row.name.upper()]
        elif len(by_its_name) == 1:
            organization = by_its_name[0]
        elif len(by_its_name) > 1:
            parsed.problem(
                row.line,
                "name",
                _("tên “%(name)s” trùng với nhiều tổ chức (%(names)s): ghi mã tổ chức để phân biệt")
                % {"name": row.name, "names": _names(by_its_name)},
            )
            continue
        else:
            message = _("không tìm thấy tổ chức “%(name)s” trực thuộc %(parent)s") % {
                "name": row.name,
                "parent": parent_name,
            }
            near = index.near(row.name)
            if near:
                message += _(" (tên gần giống: %(names)s; ghi đúng tên hoặc mã tổ chức)") % {"names": _names(near)}
            parsed.problem(row.line, "name", message)
            continue
        if organization.pk in seen:
            parsed.problem(
                row.line,
                "name",
                _("“%(name)s” đã có ở dòng %(line)s")
                % {"name": display_name(organization), "line": seen[organization.pk]},
            )
            continue
        seen[organization.pk] = row.line
        matched.append(MatchedRow(row.line, organization, row.numbers, row.bad))
    return matched


# ----------------------------------------------------------------------------------- preview


@dataclass
class PreviewRow:
    line: int
    organization: object
    old: tuple
    new: tuple
    status: str  # "new", "changed", "same", "cleared"

    @property
    def name(self) -> str:
        return display_name(self.organization)


@dataclass
class ImportPreview:
    parsed: ParsedSheet
    rows: list[PreviewRow] = field(default_factory=list)
    quota_inputs: list[QuotaInput] = field(default_factory=list)
    term_inputs: list[TermInput] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return sorted(self.parsed.problems, key=lambda p: (p.line or 0, p.letter))

    @property
    def is_clean(self) -> bool:
        return not self.parsed.problems

    @property
    def layout(self) -> str:
        return self.parsed.layout

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def changes(self) -> int:
        return sum(1 for row in self.rows if row.status != "same")


def _status(old: tuple, new: tuple) -> str:
    if old == new:
        return "same"
    if all(v is None for v in new):
        return "cleared"
    if all(v is None for v in old):
        return "new"
    return "changed"


def _check_yearly_row(parsed: ParsedSheet, row: MatchedRow) -> bool:
    """The quota rules, reported at the row and column at fault."""
    values = with_total(row.values)
    if values[0] != row.values[0]:
        row.numbers["total"] = values[0]
    problems = check_values(values)
    for key, message in problems:
        parsed.problem(row.line, key, message)
    return not problems


def build_preview(
    parsed: ParsedSheet,
    *,
    candidates: Sequence,
    parent_name: str,
    current: Mapping,
    plan_years: Sequence[int] | None = None,
    current_figures: Mapping[int, tuple] | None = None,
) -> ImportPreview:
    """Match, check and compare the file with the saved state.

    `current` maps organization id -> Values (yearly layout) or (organization id, year) -> Values
    (term layout); `current_figures` maps organization id -> (cells, members, official members)."""
    preview = ImportPreview(parsed=parsed)
    if parsed.problems and not parsed.rows:
        return preview
    matched = match_rows(parsed, candidates, parent_name)
    if parsed.layout == "term":
        outside = [year for year in parsed.years if plan_years is not None and year not in plan_years]
        for year in outside:
            parsed.problem(
                parsed.header_line,
                f"y{year}",
                _("năm %(year)s nằm ngoài thời kỳ của kế hoạch (%(start)s–%(end)s)")
                % {"year": year, "start": min(plan_years), "end": max(plan_years)},
            )
        for row in matched:
            ok = not row.bad
            for key, value in row.numbers.items():
                if value is not None and value < 0:
                    parsed.problem(row.line, key, _("không được âm"))
                    ok = False
            years = {year: row.numbers.get(f"y{year}") for year in parsed.years}
            term_total = row.numbers.get("term_total")
            members, official = row.numbers.get("member_count"), row.numbers.get("official_member_count")
            if not ok:
                continue
            problems = check_term_row(
                years=years,
                term_total=term_total,
                cell_count=row.numbers.get("cell_count"),
                member_count=members,
                official_member_count=official,
            )
            for key, message in problems:
                parsed.problem(row.line, key, message)
            if problems:
                continue
            old = tuple(current.get((row.organization.pk, year), (None,))[0] for year in parsed.years)
            new = tuple(years[year] for year in parsed.years)
            figures_new = tuple(row.numbers.get(k) for k in ("cell_count", "member_count", "official_member_count"))
            figures_old = (current_figures or {}).get(row.organization.pk, (None, None, None))
            status = _status(old, new)
            if status == "same" and members is not None and figures_new != tuple(figures_old):
                status = "changed"
            preview.rows.append(
                PreviewRow(row.line, row.organization, old + tuple(figures_old), new + figures_new, status)
            )
            preview.term_inputs.append(
                TermInput(
                    organization_id=row.organization.pk,
                    years=years,
                    term_total=term_total,
                    cell_count=row.numbers.get("cell_count"),
                    member_count=members,
                    official_member_count=official,
                )
            )
        return preview
    for row in matched:
        if row.bad or not _check_yearly_row(parsed, row):
            continue
        old = tuple(current.get(row.organization.pk, (None,) * 5))
        new = row.values
        preview.rows.append(PreviewRow(row.line, row.organization, old, new, _status(old, new)))
        preview.quota_inputs.append(QuotaInput(row.organization.pk, *new))
    return preview
