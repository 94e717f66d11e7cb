"""The one way an exporter writes a cell of an .xlsx file (openpyxl): what comes from data is a value,
never a formula.

openpyxl makes a formula of every string that starts with "=" and an error value of "#N/A" and its kin;
Excel and LibreOffice make a formula of a text starting with "=", "+", "-" or "@" (after a tab, a line
break or spaces too) as soon as the cell is edited. A name, code, decision number or note typed by a user
must stay text, or a link such as ``=HYPERLINK("http://…?"&B13, "Bấm vào")`` carries other rows out of the
file. ``put`` writes every str as a string cell (data_type "s") and marks the ones that could be taken
for a formula ``quotePrefix``, as Excel itself stores a text typed after an apostrophe: shown as typed,
edited as text. The formulas an exporter builds itself (SUM of its own rows, percentages) are
``Formula`` objects, checked to hold only cell references, numbers, operators and a few functions, so no
text from data can ride in one. tests/test_spreadsheets.py checks that no exporter writes a cell another way.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

# What an exporter's own formulas use (quotas, reports): nothing that reaches outside the sheet.
FUNCTIONS = frozenset({"SUM", "IF", "COUNT", "AND", "ISNUMBER", "ROUND"})
LITERALS = frozenset({'"—"', '""'})  # the report's "no quota" dash
_TOKENS = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<function>[A-Z]+)\(
    | (?P<reference>\$?[A-Z]{1,3}\$?[0-9]+(?::\$?[A-Z]{1,3}\$?[0-9]+)?)
    | (?P<number>[0-9]+(?:\.[0-9]+)?)
    | (?P<string>"[^"]*")
    | (?P<operator><=|>=|<>|[-+*/^=<>(),])
    """,
    re.VERBOSE,
)
# A text Excel would take for a formula (or an error value) when the cell is edited. Full-width signs
# are included: an input method may type them and some spreadsheet programs read them as the ASCII ones.
_LOOKS_LIKE_A_FORMULA = re.compile(r"^[\s\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]")
NUMBERS = (bool, int, float, Decimal, datetime.date, datetime.time, datetime.timedelta)


class Formula:
    """A formula the exporter built from cell references: ``Formula("=SUM(C5:C9)")``. Anything else
    (another function, a sheet or file reference, text) raises ValueError: user data never goes here."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        if not is_exporter_formula(text):
            raise ValueError(f"not a formula an exporter builds: {text!r}")
        self.text = text

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Formula) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def is_exporter_formula(text: str) -> bool:
    """Whether `text` is a formula of cell references, numbers, operators, FUNCTIONS and LITERALS only."""
    if not isinstance(text, str) or not text.startswith("=") or len(text) > 8000:
        return False
    position = 1
    while position < len(text):
        match = _TOKENS.match(text, position)
        if match is None:
            return False
        kind = match.lastgroup
        if kind == "function" and match.group("function") not in FUNCTIONS:
            return False
        if kind == "string" and match.group("string") not in LITERALS:
            return False
        position = match.end()
    return len(text) > 1


def looks_like_a_formula(text: str) -> bool:
    return bool(_LOOKS_LIKE_A_FORMULA.match(text)) or text.strip() in ERROR_CODES


def put(sheet, row: int, column: int, value=None):
    """Write `value` into the cell at (row, column) and return the cell (to style it).

    None leaves the cell's value as it is (a cell only styled); a number, date or bool is written as
    such (a negative number stays a number); a ``Formula`` as a formula; anything else as text."""
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return cell
    if isinstance(value, Formula):
        cell.value = value.text
    elif isinstance(value, NUMBERS):
        cell.value = value
    else:
        # Characters XML 1.0 cannot hold (control characters) would make openpyxl refuse the whole file.
        text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        cell.value = text
        cell.data_type = "s"  # openpyxl made "=…" a formula and "#N/A" an error: it is text
        if looks_like_a_formula(text):
            cell.quotePrefix = True
    return cell


__all__ = ["FUNCTIONS", "Formula", "is_exporter_formula", "looks_like_a_formula", "put"]
