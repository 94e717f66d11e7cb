"""The rules of a quota row, and of the numbers typed or read into one: used by the services (which
refuse a save), the importers (which report a file's problems at their cells) and the grid forms.
No database access here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from partytrack.text import clean_text

from .selectors import FIELD_LABELS, FIELDS, Values

# No organization is given a million admissions a year (the whole country admits about 200,000); a
# larger number is a typing or file error, and would not fit the database's integer either.
MAX_QUOTA = 1_000_000
# Members and cells of one organization (a province has a few hundred thousand members).
MAX_COUNT = 100_000_000
# Larger than any figure of a biểu (and than the database's integers): a typing or file error.
MAX_NUMBER = 100_000_000


# ------------------------------------------------------------------------------------- numbers


@dataclass(frozen=True)
class Formula:
    """A formula cell of a file read: its text and the value saved or computed (None: none)."""

    text: str
    value: int | float | None


class NotANumber(ValueError):
    pass


_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


def parse_number(value) -> int | None:
    """A cell as a whole number: blank and dashes are None; "1.234" is 1234; "5,0" is 5; anything else
    raises NotANumber with a message saying why."""
    number = _parse_number(value)
    if number is not None and abs(number) > MAX_NUMBER:
        raise NotANumber(_("%(value)s quá lớn") % {"value": f"{number:,}".replace(",", ".")})
    return number


def _parse_number(value) -> int | None:
    if isinstance(value, Formula):
        if value.value is None:
            raise NotANumber(_("không tính được công thức “%(formula)s”; hãy ghi số") % {"formula": value.text})
        value = value.value
    if value is None:
        return None
    if isinstance(value, bool):
        raise NotANumber(_("“%(value)s” không phải là số") % {"value": value})
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise NotANumber(_("%(value)s không phải là số nguyên") % {"value": str(value).replace(".", ",")})
    return _parse_text_number(value)


def _parse_text_number(value) -> int | None:
    """A number typed as text: "1.234", "5,0", "—"; refused when it is not clearly one whole number."""
    text = clean_text(value).replace(" ", "")
    if text in {"", "-", "–", "—"}:
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if _THOUSANDS.fullmatch(text):
        return int(text.replace(".", ""))
    if re.fullmatch(r"-?\d+[.,]0{1,2}", text):  # "5,0", "5,00": a whole number with a decimal part
        return int(re.split(r"[.,]", text)[0])
    if re.fullmatch(r"-?\d{1,3},\d{3}", text):  # "1,000": a thousand written the English way, or 1?
        raise NotANumber(
            _("“%(value)s” không rõ là số nào: viết số nguyên không có dấu phẩy (ví dụ 1000 hoặc 1.000)")
            % {"value": text}
        )
    if re.fullmatch(r"-?\d+[.,]\d+", text):
        raise NotANumber(_("%(value)s không phải là số nguyên") % {"value": text})
    raise NotANumber(_("“%(value)s” không phải là số") % {"value": clean_text(value)})


def is_count(value) -> bool:
    """A figure of a term row (cells, members, the term quota): blank, or a whole number in range."""
    return value is None or (isinstance(value, int) and 0 <= value <= MAX_COUNT)


# ------------------------------------------------------------------------------------ yearly rows


def with_total(values: Values) -> Values:
    """A total left blank is the sum of its four quarters."""
    total, *quarters = values
    if total is None and all(q is not None for q in quarters):
        return (sum(quarters), *quarters)
    return tuple(values)


def check_values(values: Values) -> list[tuple[str, str]]:
    """The rules of one yearly quota: (field, message) for each broken one."""
    errors: list[tuple[str, str]] = []
    total, *quarters = values
    for name, value in zip(FIELDS, values, strict=True):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            errors.append((name, _("%(field)s phải là số nguyên.") % {"field": FIELD_LABELS[name]}))
        elif value is not None and value < 0:
            errors.append((name, _("%(field)s không được âm.") % {"field": FIELD_LABELS[name]}))
        elif value is not None and value > MAX_QUOTA:
            errors.append(
                (
                    name,
                    _("%(field)s quá lớn (%(value)s; tối đa %(max)s).")
                    % {"field": FIELD_LABELS[name], "value": value, "max": "1.000.000"},
                )
            )
    if errors:
        return errors
    given = [q is not None for q in quarters]
    if any(given) and not all(given):
        missing = ", ".join(FIELD_LABELS[f"q{i}"] for i, g in enumerate(given, 1) if not g)
        errors.append(("q1", _("Điền đủ bốn quý hoặc để trống cả bốn (thiếu %(missing)s).") % {"missing": missing}))
    elif total is None and all(given):
        errors.append(("total", _("Thiếu tổng số.")))
    elif all(given) and sum(quarters) != total:
        errors.append(
            (
                "total",
                _("Tổng các quý (%(parts)s = %(sum)s) khác tổng số (%(total)s).")
                % {"parts": " + ".join(str(q) for q in quarters), "sum": sum(quarters), "total": total},
            )
        )
    return errors


# -------------------------------------------------------------------------------------- term rows


def check_term_row(
    *,
    years: Mapping[int, int | None],
    term_total: int | None,
    cell_count: int | None,
    member_count: int | None,
    official_member_count: int | None,
) -> list[tuple[str, str]]:
    """How a term row's figures agree, once each is a valid number: (column, message) for each
    broken rule. The term quota is the sum of the years; members and official members are given
    together (with the cells, if any), the official ones no more than all."""
    problems: list[tuple[str, str]] = []
    year_sum = sum(v for v in years.values() if v is not None)
    if term_total is not None and term_total != year_sum:
        problems.append(
            (
                "term_total",
                _("chỉ tiêu nhiệm kỳ (%(term)s) khác tổng các năm (%(sum)s)") % {"term": term_total, "sum": year_sum},
            )
        )
    members, official = member_count, official_member_count
    if members is None and official is None and cell_count is not None:
        problems.append(
            (
                "member_count",
                _("có số chi bộ nhưng thiếu số đảng viên: điền cả tổng số đảng viên và số đảng viên chính thức"),
            )
        )
    elif (members is None) != (official is None):
        problems.append(
            (
                "member_count" if members is None else "official_member_count",
                _("điền cả tổng số đảng viên và số đảng viên chính thức, hoặc để trống cả hai"),
            )
        )
    elif members is not None and official > members:
        problems.append(
            (
                "official_member_count",
                _("số đảng viên chính thức (%(official)s) lớn hơn tổng số đảng viên (%(members)s)")
                % {"official": official, "members": members},
            )
        )
    return problems
