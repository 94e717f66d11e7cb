"""Biểu "Đảng viên mới kết nạp" (statistics on new admissions) and the measurement of a plan's
sub-targets, for any organization and period.

Same roll-up rule as the progress report: an organization's figures are the counted admissions of its
whole subtree as the tree is now. The whole biểu (this period and the same period a year earlier) is
one aggregate query: conditional counts over the subtree's admissions, the age at admission computed
in SQL with date parts that SQLite and PostgreSQL both understand.
"""

from __future__ import annotations

import calendar
import datetime
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from candidates.choices import (
    EducationLevel,
    Ethnicity,
    Gender,
    Occupation,
    PoliticalTheory,
    ProfessionalLevel,
    Religion,
)
from candidates.models import Admission
from organizations import structure
from organizations.models import CELL_KINDS, Kind, MembershipFigure, Organization
from partytrack.documents import OfficialHeader, party_committee_of, roman_quarter, vietnamese_date
from partytrack.text import fold
from quotas.models import Plan, SubTarget
from quotas.plans import counted_plans
from reports.selectors import MAX_YEAR, MIN_YEAR

# ---------------------------------------------------------------- periods


class PeriodKind:
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"  # 6 tháng đầu năm
    NINE = "nine"  # 9 tháng
    YEAR = "year"
    CUSTOM = "custom"

    LABELS = {
        MONTH: _("Tháng"),
        QUARTER: _("Quý"),
        HALF: _("6 tháng"),
        NINE: _("9 tháng"),
        YEAR: _("Năm"),
        CUSTOM: _("Từ ngày … đến ngày …"),
    }


def _shift_year(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29/02 becomes 28/02 in a year without it."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date
    year: int
    number: int = 1  # month 1–12, quarter 1–4; 1 otherwise

    @classmethod
    def of(cls, kind: str, year: int, number: int = 1) -> Period:
        if not (MIN_YEAR <= year <= MAX_YEAR):
            raise ValueError(f"bad year {year}")
        if kind == PeriodKind.MONTH:
            if not 1 <= number <= 12:
                raise ValueError(f"bad month {number}")
            last = calendar.monthrange(year, number)[1]
            return cls(kind, datetime.date(year, number, 1), datetime.date(year, number, last), year, number)
        if kind == PeriodKind.QUARTER:
            if not 1 <= number <= 4:
                raise ValueError(f"bad quarter {number}")
            end_month = 3 * number
            last = calendar.monthrange(year, end_month)[1]
            return cls(kind, datetime.date(year, end_month - 2, 1), datetime.date(year, end_month, last), year, number)
        ends = {PeriodKind.HALF: (6, 30), PeriodKind.NINE: (9, 30), PeriodKind.YEAR: (12, 31)}
        if kind in ends:
            month, day = ends[kind]
            return cls(kind, datetime.date(year, 1, 1), datetime.date(year, month, day), year, 1)
        raise ValueError(f"bad period kind {kind!r}")

    @classmethod
    def custom(cls, start: datetime.date, end: datetime.date) -> Period:
        if end < start:
            raise ValueError("end before start")
        return cls(PeriodKind.CUSTOM, start, end, end.year, 1)

    @property
    def is_whole_months(self) -> bool:
        """From the 1st of a month to the last day of a month."""
        return self.start.day == 1 and self.end.day == calendar.monthrange(self.end.year, self.end.month)[1]

    def whole_months(self) -> Period:
        """A custom period widened to whole calendar months: start on the 1st of its month, end on the
        last day of its month (other kinds are whole months already)."""
        if self.kind != PeriodKind.CUSTOM:
            return self
        last = calendar.monthrange(self.end.year, self.end.month)[1]
        return Period.custom(self.start.replace(day=1), self.end.replace(day=last))

    def year_before(self) -> Period:
        """The same period a year earlier ("cùng kỳ năm trước"): the whole month, quarter… of the year
        before (February 2024 has its 29th); a custom period moves its dates back by a year, a custom
        period of whole months to the same whole months (to 29/02 after 28/02/2025)."""
        if self.kind != PeriodKind.CUSTOM and self.year - 1 >= MIN_YEAR:
            return Period.of(self.kind, self.year - 1, self.number)
        start, end = _shift_year(self.start, -1), _shift_year(self.end, -1)
        if self.kind == PeriodKind.CUSTOM and self.is_whole_months:
            end = end.replace(day=calendar.monthrange(end.year, end.month)[1])
        return Period(self.kind, start, end, self.year - 1, self.number)

    @property
    def label(self) -> str:
        """ "Quý IV năm 2026" in the active language: the page in the interface language, the biểu
        (rendered in Vietnamese, partytrack.documents.in_official_language) in Vietnamese."""
        year = str(self.year)  # a year is never written with a thousands separator
        if self.kind == PeriodKind.MONTH:
            return gettext("Tháng %(month)s năm %(year)s") % {"month": f"{self.number:02d}", "year": year}
        if self.kind == PeriodKind.QUARTER:
            return gettext("Quý %(quarter)s năm %(year)s") % {"quarter": roman_quarter(self.number), "year": year}
        if self.kind == PeriodKind.HALF:
            return gettext("6 tháng đầu năm %(year)s") % {"year": year}
        if self.kind == PeriodKind.NINE:
            return gettext("9 tháng năm %(year)s") % {"year": year}
        if self.kind == PeriodKind.YEAR:
            return gettext("Năm %(year)s") % {"year": year}
        return gettext("Từ ngày %(start)s đến ngày %(end)s") % {
            "start": vietnamese_date(self.start),
            "end": vietnamese_date(self.end),
        }

    def query_string(self) -> str:
        if self.kind == PeriodKind.CUSTOM:
            return f"kind=custom&start={self.start.isoformat()}&end={self.end.isoformat()}"
        return f"kind={self.kind}&year={self.year}&number={self.number}"


# ---------------------------------------------------------------- the biểu

# Labels are lazy: the page shows them in the interface language, the biểu (rendered in Vietnamese,
# partytrack.documents.in_official_language) in Vietnamese.
AGE_BANDS = (
    ("age_18_30", _("Từ 18 đến 30 tuổi"), 0, 30),
    ("age_31_40", _("Từ 31 đến 40 tuổi"), 31, 40),
    ("age_41_50", _("Từ 41 đến 50 tuổi"), 41, 50),
    ("age_51", _("Từ 51 tuổi trở lên"), 51, None),
)


@dataclass(frozen=True)
class StatisticLine:
    key: str
    label: str
    # None for a heading ("Chia theo nghề nghiệp")
    condition: Q | None
    level: int = 1  # 0: the total, 1: "trong đó", 2: a breakdown item


def _lines() -> list[StatisticLine | tuple[str, str]]:
    """The rows of the biểu in print order; (key, heading) tuples are section headings. Labels are
    lazy translations, shown in the language active when they are rendered."""
    rows: list = [
        StatisticLine("total", _("Tổng số đảng viên mới kết nạp"), Q(), 0),
        ("in_which", _("Trong đó:")),
        StatisticLine("readmitted", _("Kết nạp lại"), Q(readmitted=True)),
        StatisticLine("women", _("Nữ"), Q(gender=Gender.FEMALE)),
        StatisticLine("minorities", _("Dân tộc thiểu số"), ~Q(ethnicity=Ethnicity.KINH)),
        StatisticLine("religion", _("Có đạo (tôn giáo)"), ~Q(religion=Religion.NONE)),
        StatisticLine("youth_union", _("Đoàn viên thanh niên"), Q(youth_union_member=True)),
        StatisticLine("village_head", _("Trưởng, phó thôn, tổ dân phố"), Q(village_head=True)),
        StatisticLine("discharged_soldier", _("Quân nhân xuất ngũ"), Q(discharged_soldier=True)),
        StatisticLine("militia", _("Dân quân tự vệ"), Q(militia=True)),
        StatisticLine("non_state", _("Làm việc trong doanh nghiệp ngoài nhà nước"), Q(non_state_enterprise=True)),
        ("occupation", _("Chia theo nghề nghiệp:")),
    ]
    rows += [StatisticLine(f"occ_{value}", label, Q(occupation=value), 2) for value, label in Occupation.choices]
    rows.append(("age", _("Chia theo tuổi đời (tại ngày kết nạp):")))
    for key, label, low, high in AGE_BANDS:
        cond = Q(age__gte=low) if high is None else Q(age__lte=high) if low == 0 else Q(age__gte=low, age__lte=high)
        rows.append(StatisticLine(key, label, cond, 2))
    rows.append(StatisticLine("average_age", _("Tuổi đời bình quân"), None, 2))
    rows.append(("education", _("Trình độ giáo dục phổ thông:")))
    rows += [StatisticLine(f"edu_{v}", lab, Q(education_level=v), 2) for v, lab in EducationLevel.choices]
    rows.append(("professional", _("Trình độ chuyên môn:")))
    rows += [StatisticLine(f"pro_{v}", lab, Q(professional_level=v), 2) for v, lab in ProfessionalLevel.choices]
    rows.append(("theory", _("Trình độ lý luận chính trị:")))
    rows += [StatisticLine(f"pol_{v}", lab, Q(political_theory=v), 2) for v, lab in PoliticalTheory.choices]
    return rows


def _one_decimal(value: Decimal | float | None) -> float | None:
    if value is None:
        return None
    return float(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class StatisticRow:
    key: str
    label: str
    level: int
    number: str = ""
    current: float | int | None = None
    previous: float | int | None = None
    heading: bool = False
    decimals: int = 0

    @property
    def current_hidden(self) -> bool:
        """Suppressed ("< 5"): the figure is a marker, not a number."""
        return isinstance(self.current, str)

    @property
    def previous_hidden(self) -> bool:
        return isinstance(self.previous, str)

    @property
    def percent(self) -> float | None:
        """This period as a percentage of the same period a year earlier ("—" when that was 0, or when
        either figure is suppressed)."""
        if self.heading or not self.previous or self.current is None or self.current_hidden or self.previous_hidden:
            return None
        return _one_decimal(Decimal(str(self.current)) * 100 / Decimal(str(self.previous)))


@dataclass(frozen=True)
class AdmissionStatistics:
    organization: Organization
    period: Period
    previous: Period
    rows: list[StatisticRow]
    # Columns (this period, the year before) whose breakdown is withheld: too few people to show their
    # attributes to a reader who may not see the people (min_people of admission_statistics).
    withheld: tuple[bool, bool] = (False, False)
    min_people: int | None = None
    # The period asked for, when it was widened to whole months (custom periods, same readers).
    requested: Period | None = None

    def row(self, key: str) -> StatisticRow:
        return next(row for row in self.rows if row.key == key)

    @property
    def people_shown(self) -> int:
        """How many people's attributes the breakdowns shown are computed from."""
        totals = (self.row("total").current, self.row("total").previous)
        return sum(total for total, hidden in zip(totals, self.withheld, strict=True) if not hidden)

    @property
    def widened_note(self) -> str:
        """Why the period shown is not the one asked for, in the active language ("" when it is)."""
        if self.requested is None or self.requested == self.period:
            return ""
        return gettext(
            "Khoảng thời gian được mở rộng thành trọn tháng để bảo vệ thông tin cá nhân: từ %(start)s đến %(end)s."
        ) % {"start": vietnamese_date(self.period.start), "end": vietnamese_date(self.period.end)}

    @property
    def suppressed_note(self) -> str:
        """What "< 5" means, when a figure is suppressed ("" otherwise)."""
        if not any(row.current_hidden or row.previous_hidden for row in self.rows):
            return ""
        return gettext(
            "“< %(count)s”: từ 1 đến %(last)s người, không ghi số để không lộ thông tin cá nhân; “≥ %(count)s”: ẩn "
            "kèm theo, để số bị ẩn không tính ngược được từ tổng số."
        ) % {"count": self.min_people, "last": self.min_people - 1}

    @property
    def withheld_note(self) -> str:
        """Why a column shows only its total, in the active language ("" when nothing is withheld)."""
        current, previous = self.withheld
        if current and previous:
            columns = gettext("Kỳ này và cùng kỳ năm trước")
        elif current or previous:
            columns = gettext("Kỳ này") if current else gettext("Cùng kỳ năm trước")
        else:
            return ""
        return gettext(
            "%(columns)s: dưới %(count)s đảng viên mới kết nạp nên chỉ ghi tổng số, không chia theo giới tính, dân "
            "tộc, tôn giáo, tuổi, trình độ…, để không lộ thông tin cá nhân của từng người."
        ) % {"columns": columns, "count": self.min_people}


def _age_expression():
    """Whole years between birth and admission: year difference, less one before the birthday."""
    birthday_not_reached = Case(
        When(
            Q(admitted_month__lt=ExtractMonth("birth_date"))
            | Q(admitted_month=ExtractMonth("birth_date"), admitted_day__lt=ExtractDay("birth_date")),
            then=Value(1),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    return ExtractYear("admitted_on") - ExtractYear("birth_date") - birthday_not_reached


def subtree_admissions(organization: Organization):
    return Admission.objects.counted().within(organization)


def _breakdowns(lines) -> list[list[str]]:
    """The keys of each breakdown whose categories the suppression rule protects together: each
    "trong đó" line alone (against the total, its complement is implied), and each section's items
    (occupation, age bands, education…). The average age is no count."""
    groups: list[list[str]] = []
    section: list[str] | None = None
    for line in lines:
        if isinstance(line, tuple):
            section = None if line[0] == "in_which" else []
            if section is not None:
                groups.append(section)
        elif line.key == "total" or line.condition is None:
            continue
        elif section is None:
            groups.append([line.key])
        else:
            section.append(line.key)
    return groups


def _suppressed(counts: dict[str, int], total: int, min_people: int) -> dict[str, str]:
    """Small-cell suppression of one breakdown: each category of 1 to min_people − 1 people is
    "< 5"; the people in no category shown (the rest of the total: the complement of a "trong đó"
    line, the unrecorded) are a hidden cell already. Where a single cell is hidden and it is a small
    one, it could be recovered from the total: the smallest other non-empty category is hidden too
    (complementary suppression), as "≥ 5" when it is that large, so nothing printed is untrue."""
    hidden = {key for key, count in counts.items() if 0 < count < min_people}
    rest = total - sum(counts.values())
    if len(hidden) + (rest > 0) == 1 and (hidden or rest < min_people):
        others = sorted((count, index, key) for index, (key, count) in enumerate(counts.items())
                        if count > 0 and key not in hidden)  # fmt: skip
        if others:
            hidden.add(others[0][2])
    return {key: f"< {min_people}" if counts[key] < min_people else f"≥ {min_people}" for key in hidden}


def admission_statistics(
    *, organization: Organization, period: Period, min_people: int | None = None
) -> AdmissionStatistics:
    """Every row of the biểu for this period and the same period a year earlier: one query. The one
    place that prepares the figures the page, the PDF and the .xlsx show.

    `min_people` is for a reader who may not see the people (a leader), and applies the usual
    statistical-disclosure controls:
    - a custom period is widened to whole calendar months (`requested` keeps the one asked for), so
      two periods differ by a month at the least: 01–09/01 and 01–10/01 give the same answer;
    - a column counting fewer people (but some) shows its total only, every breakdown row "—", since
      a breakdown of one or two people is their ethnicity, religion, age and education; each column
      is judged on its own; the average age is thus shown only for min_people people or more;
    - in the other columns each breakdown is suppressed as in `_suppressed` ("< 5", and a second
      cell where one alone would be recovered from the total).

    Residual risk (additive statistics cannot be protected completely): differences remain possible
    between periods a month or more apart (a quarter less its first two months is its third month,
    unsuppressed), between an organization and the sum of its children, and between the total and a
    category (all 7 women says each one is a woman). These need several reads; every breakdown shown
    is logged (personal-data access log) with its period, for the administrator to see such series."""
    requested = None
    if min_people is not None and period.kind == PeriodKind.CUSTOM:
        requested, period = period, period.whole_months()
    previous = period.year_before()
    in_current = Q(admitted_on__gte=period.start, admitted_on__lte=period.end)
    in_previous = Q(admitted_on__gte=previous.start, admitted_on__lte=previous.end)
    lines = _lines()
    figures = (
        subtree_admissions(organization)
        .filter(in_current | in_previous)
        .annotate(admitted_month=ExtractMonth("admitted_on"), admitted_day=ExtractDay("admitted_on"))
        .annotate(age=_age_expression())
        .aggregate(**_aggregates(lines, in_current=in_current, in_previous=in_previous))
    )
    withheld = tuple(
        min_people is not None and 0 < figures[f"total__{suffix}"] < min_people for suffix in ("cur", "prev")
    )
    markers = _markers(figures, lines, withheld=withheld, min_people=min_people)

    def shown(key: str, suffix: str, value):
        hidden = withheld[0] if suffix == "cur" else withheld[1]
        if hidden and key != "total":
            return None
        return markers[suffix].get(key, value)

    rows = _rows(lines, figures, shown)
    return AdmissionStatistics(
        organization=organization,
        period=period,
        previous=previous,
        rows=rows,
        withheld=withheld,
        min_people=min_people,
        requested=requested,
    )


def _aggregates(lines, *, in_current: Q, in_previous: Q) -> dict:
    """The counts of every counted line in both periods, and the age sums for the averages."""
    aggregates = {}
    for line in lines:
        if isinstance(line, tuple) or line.condition is None:
            continue
        aggregates[f"{line.key}__cur"] = Count("pk", filter=in_current & line.condition)
        aggregates[f"{line.key}__prev"] = Count("pk", filter=in_previous & line.condition)
    aggregates["age_sum__cur"] = Sum("age", filter=in_current)
    aggregates["age_sum__prev"] = Sum("age", filter=in_previous)
    return aggregates


def _markers(figures: dict, lines, *, withheld: tuple[bool, bool], min_people: int | None) -> dict[str, dict]:
    """Per period ("cur", "prev"), the breakdown cells to print as "< n" / "≥ n" instead of their count."""
    markers = {"cur": {}, "prev": {}}
    if min_people is None:
        return markers
    for suffix, hidden in zip(("cur", "prev"), withheld, strict=True):
        total = figures[f"total__{suffix}"]
        if hidden or not total:
            continue
        for keys in _breakdowns(lines):
            counts = {key: figures[f"{key}__{suffix}"] for key in keys}
            markers[suffix].update(_suppressed(counts, total, min_people))
    return markers


def _average_age(figures: dict, suffix: str) -> float | None:
    count = figures[f"total__{suffix}"]
    return _one_decimal(Decimal(figures[f"age_sum__{suffix}"]) / count) if count else None


def _rows(lines, figures: dict, shown) -> list[StatisticRow]:
    """The biểu's rows in order: headings numbered I, II, … and the lines under each 1, 2, …"""
    rows, top, sub = [], 0, 0
    for line in lines:
        if isinstance(line, tuple):
            key, heading = line
            if key != "in_which":
                top += 1
                sub = 0
            rows.append(StatisticRow(key=key, label=heading, level=1, heading=True, number=_roman(top)))
            continue
        if line.key == "total":
            number = ""
        else:
            sub += 1
            number = str(sub)
        if line.key == "average_age":
            current, before = _average_age(figures, "cur"), _average_age(figures, "prev")
        else:
            current, before = figures[f"{line.key}__cur"], figures[f"{line.key}__prev"]
        rows.append(
            StatisticRow(
                line.key,
                line.label,
                line.level,
                number,
                shown(line.key, "cur", current),
                shown(line.key, "prev", before),
                decimals=1 if line.key == "average_age" else 0,
            )
        )
    return rows


def _roman(n: int) -> str:
    return ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII"][n] if n < 9 else str(n)


def statistics_header(*, organization: Organization, period: Period, today: datetime.date | None = None):
    today = today or timezone.localdate()
    names = structure.names_on(organization, min(period.end, today))  # the bodies as named then
    recipients = ([f"{names.parent_name} (báo cáo)"] if names.parent_name else []) + ["Lưu Văn phòng"]
    return OfficialHeader(
        issuing_body=names.name.upper(),
        superior_body=party_committee_of(names.parent_name) if names.parent_name else "",
        title="BIỂU THỐNG KÊ ĐẢNG VIÊN MỚI KẾT NẠP",
        subject=period.label,
        attached_to=(
            f"(Số liệu từ ngày {vietnamese_date(period.start)} đến ngày {vietnamese_date(period.end)}; "
            f"cùng kỳ năm trước: từ ngày {vietnamese_date(period.year_before().start)} "
            f"đến ngày {vietnamese_date(period.year_before().end)})"
        ),
        place=names.short_name or names.name,
        issued_on=today,
        signer_title="BÍ THƯ",
        recipients=tuple(recipients),
    )


# ---------------------------------------------------------------- sub-targets


def meets(value, comparison: str, target) -> bool:
    """Whether a measured value satisfies a sub-target's comparison."""
    value, target = Decimal(str(value)), Decimal(str(target))
    return {
        SubTarget.Comparison.AT_LEAST: value >= target,
        SubTarget.Comparison.ABOVE: value > target,
        SubTarget.Comparison.AT_MOST: value <= target,
        SubTarget.Comparison.EXACTLY: value == target,
    }[comparison]


def plan_name(number: str) -> str:
    """ "Kế hoạch số 72-KH/HU"; a plan recorded under its title ("Kế hoạch bổ sung …") keeps it."""
    return number if fold(number).startswith("ke hoach") else f"Kế hoạch số {number}"


@dataclass(frozen=True)
class SubTargetResult:
    sub_target: SubTarget
    organization_id: int
    label: str
    measured: float | int | None  # None: the data needed is not recorded, or the target does not apply
    detail: str
    is_own: bool = False  # the organization itself rather than one of its children

    @property
    def met(self) -> bool | None:
        if self.measured is None:
            return None
        return meets(self.measured, self.sub_target.comparison, self.sub_target.value)


class _StalledResult(SubTargetResult):
    """Cells to follow up: met when no cell of the unit has gone that many years without admitting."""

    @property
    def met(self) -> bool | None:
        return self.measured == 0


@dataclass(frozen=True)
class _PerCommuneResult(SubTargetResult):
    """A minimum per commune measured for a unit above communes: `measured` communes of `communes`
    meet it; met when all of them do."""

    communes: int = 0

    @property
    def met(self) -> bool | None:
        return None if not self.communes else self.measured == self.communes


@dataclass(frozen=True)
class SubTargetSection:
    """The sub-targets of one plan in force for the organization, measured for it and each child."""

    plan: Plan
    is_own: bool  # issued by the organization itself; else by a committee above it
    results: list[tuple[SubTarget, list[SubTargetResult]]]

    @property
    def title(self) -> str:
        text = f"{plan_name(self.plan.number)} của {self.plan.organization.name}"
        return text if self.is_own else f"{text} (cấp trên)"


@dataclass(frozen=True)
class SubTargetReport:
    year: int
    # Every plan in force for the organization in the year (its own and those above it), own first.
    plans: list[Plan]
    sections: list[SubTargetSection]

    @property
    def results(self) -> list[tuple[SubTarget, list[SubTargetResult]]]:
        """Every measured sub-target, section after section."""
        return [item for section in self.sections for item in section.results]


def plans_in_force(*, organization: Organization, year: int):
    """Current issued plans covering the year of the organization and of every committee above it:
    nearest committee first, then the most recently issued (undated plans last on every database)."""
    return (
        counted_plans()
        .covering(year)
        .filter(
            organization__tree_id=organization.tree_id,
            organization__lft__lte=organization.lft,
            organization__rght__gte=organization.rght,
        )
        .select_related("organization")
        .order_by("-organization__level", F("issued_on").desc(nulls_last=True), "-pk")
    )


def cell_facts(organization: Organization, today: datetime.date) -> list[dict]:
    """Active cells of the subtree with their latest member count and the last counted admission of
    their own subtree (one query)."""
    latest = MembershipFigure.objects.filter(organization=OuterRef("pk")).order_by("-as_of")
    # Over the cell's subtree: a cell merged into it (moved under it, organization_merge) brings its
    # admissions along, as in every roll-up.
    last_admission = (
        Admission.objects.filter(
            organization__tree_id=OuterRef("tree_id"),
            organization__lft__gte=OuterRef("lft"),
            organization__lft__lt=OuterRef("rght"),
            cancelled_at__isnull=True,
        )
        .order_by("-admitted_on")
        .values("admitted_on")[:1]
    )
    return list(
        Organization.objects.within(organization)
        .filter(kind__in=CELL_KINDS)
        .active(today)
        .annotate(
            members=Subquery(latest.values("member_count")[:1]),
            members_as_of=Subquery(latest.values("as_of")[:1]),
            last_admission=Subquery(last_admission),
        )
        .values("id", "code", "name", "short_name", "lft", "rght", "parent_id", "valid_from", "members",
                "members_as_of", "last_admission")
        .order_by("lft")
    )  # fmt: skip


def stalled_since(cell: dict) -> datetime.date | None:
    """The date a cell's years without admitting count from: its last admission, or its founding
    when that is later (a new cell has not been failing for longer than it has existed)."""
    dates = [day for day in (cell["last_admission"], cell["valid_from"]) if day is not None]
    return max(dates) if dates else None


def is_stalled(cell: dict, *, today: datetime.date, years: int, strictly: bool = False) -> bool:
    """No admission for `years` years or more (more than `years` when `strictly`), counted from
    stalled_since; a cell with neither an admission nor a founding date on record is stalled."""
    since = stalled_since(cell)
    if since is None:
        return True
    limit = _shift_year(today, -years)
    return since < limit if strictly else since <= limit


class _Counts:
    """Admission counts by organization lft, summed over any lft range by bisection."""

    NAMES = ("n", "youth", "owners", "village")

    def __init__(self, rows: list[dict]):
        rows = sorted(rows, key=lambda row: row["organization__lft"])
        self.lfts = [row["organization__lft"] for row in rows]
        self.prefix = {name: [0] for name in self.NAMES}
        for row in rows:
            for name in self.NAMES:
                self.prefix[name].append(self.prefix[name][-1] + row[name])

    def within(self, lft: int, rght: int) -> dict[str, int]:
        first, last = bisect_left(self.lfts, lft), bisect_right(self.lfts, rght)
        return {name: self.prefix[name][last] - self.prefix[name][first] for name in self.NAMES}


def sub_target_report(
    *, organization: Organization, year: int, today: datetime.date | None = None, min_people: int | None = None
):
    """The sub-targets of every plan in force for the organization (its own plans' and those of the
    committees above it), each measured for the organization and each active child. At most six
    queries (plans, sub-targets, children, admissions by organization, cells, communes) whatever the
    tree's size. `min_people` as in admission_statistics: a unit that admitted fewer people in the
    year shows no share or count of a personal attribute (Youth Union, occupation, village head)."""
    today = today or timezone.localdate()
    plans = list(plans_in_force(organization=organization, year=year).prefetch_related("sub_targets"))
    measured = [plan for plan in plans if plan.sub_targets.all()]
    if not measured:
        return SubTargetReport(year=year, plans=plans, sections=[])
    kinds = {st.kind for plan in measured for st in plan.sub_targets.all()}
    children = list(
        Organization.objects.filter(parent_id=organization.pk).active(today).in_report_order()
        .values("id", "name", "short_name", "kind", "lft", "rght", "sector")
    )  # fmt: skip
    units = [
        {"id": organization.pk, "label": organization.name, "kind": organization.kind, "lft": organization.lft,
         "rght": organization.rght}
    ]  # fmt: skip
    units += [
        {"id": c["id"], "label": c["short_name"] or c["name"], "kind": c["kind"], "lft": c["lft"], "rght": c["rght"]}
        for c in children
    ]
    counts = _Counts(
        list(
            subtree_admissions(organization)
            .filter(admitted_on__year=year)
            .values("organization__lft")
            .annotate(
                n=Count("pk"),
                youth=Count("pk", filter=Q(youth_union_member=True)),
                owners=Count("pk", filter=Q(occupation=Occupation.BUSINESS_OWNER)),
                village=Count("pk", filter=Q(village_head=True)),
            )
        )
    )
    cells = (
        cell_facts(organization, today)
        if kinds & {SubTarget.Kind.CELL_MIN_MEMBERS, SubTarget.Kind.STALLED_CELL_YEARS}
        else []
    )
    communes = _communes(organization, today) if SubTarget.Kind.MIN_PER_UNIT in kinds else []

    def cells_of(unit) -> list[dict]:
        return [c for c in cells if unit["lft"] <= c["lft"] and c["rght"] <= unit["rght"]]

    def communes_of(unit) -> list[dict]:
        return [c for c in communes if unit["lft"] <= c["lft"] and c["rght"] <= unit["rght"]]

    sections = []
    for plan in measured:
        results = []
        for st in plan.sub_targets.all():
            rows = []
            for index, unit in enumerate(units):
                if (
                    st.kind in PERSONAL_SUB_TARGETS
                    and min_people
                    and 0 < counts.within(unit["lft"], unit["rght"])["n"] < min_people
                ):
                    rows.append(_withheld(st, unit, index == 0, min_people))
                    continue
                rows.append(_measure(st, unit, index == 0, counts, cells_of, communes_of, year, today))
            results.append((st, rows))
        sections.append(SubTargetSection(plan=plan, is_own=plan.organization_id == organization.pk, results=results))
    return SubTargetReport(year=year, plans=plans, sections=sections)


def _communes(organization: Organization, today: datetime.date) -> list[dict]:
    """Active commune-level organizations (xã, phường, đặc khu) of the subtree, outermost only."""
    found = []
    rows = (
        Organization.objects.within(organization)
        .filter(kind=Kind.COMMUNE)
        .active(today)
        .order_by("lft")
        .values("id", "name", "short_name", "lft", "rght")
    )
    for row in rows:
        if not found or row["lft"] > found[-1]["rght"]:
            found.append(row)
    return found


# Sub-targets measured on the new members' personal attributes.
PERSONAL_SUB_TARGETS = frozenset(
    {SubTarget.Kind.YOUTH_UNION_SHARE, SubTarget.Kind.PRIVATE_BUSINESS_OWNERS, SubTarget.Kind.VILLAGE_HEAD_SHARE}
)


def _withheld(st, unit, is_own, min_people: int) -> SubTargetResult:
    detail = gettext(
        "Dưới %(count)s đảng viên mới kết nạp trong năm: không hiển thị, để không lộ thông tin cá nhân của từng người"
    ) % {"count": min_people}
    return SubTargetResult(st, unit["id"], unit["label"], None, detail, is_own)


def _measure(st, unit, is_own, counts, cells_of, communes_of, year, today) -> SubTargetResult:
    c = counts.within(unit["lft"], unit["rght"])
    measured, detail = None, "Chưa có số liệu để đo"
    if st.kind == SubTarget.Kind.YOUTH_UNION_SHARE:
        if c["n"]:
            measured = _one_decimal(Decimal(c["youth"]) * 100 / c["n"])
            detail = f"{c['youth']}/{c['n']} đảng viên mới là đoàn viên"
        else:
            detail = "Chưa kết nạp đảng viên nào trong năm"
    elif st.kind == SubTarget.Kind.PRIVATE_BUSINESS_OWNERS:
        measured, detail = c["owners"], f"{c['owners']} chủ doanh nghiệp tư nhân được kết nạp"
    elif st.kind == SubTarget.Kind.MIN_PER_UNIT:
        return _measure_per_commune(st, unit, is_own, counts, communes_of(unit), year)
    elif st.kind == SubTarget.Kind.CELL_MIN_MEMBERS:
        known = [cell for cell in cells_of(unit) if cell["members"] is not None]
        if known:
            smallest = min(known, key=lambda cell: cell["members"])
            below = sum(1 for cell in known if not meets(cell["members"], st.comparison, st.value))
            measured = smallest["members"]
            detail = (
                f"Chi bộ ít nhất: {smallest['short_name'] or smallest['name']} ({smallest['members']}); "
                f"{below}/{len(known)} chi bộ dưới mức"
            )
    elif st.kind == SubTarget.Kind.STALLED_CELL_YEARS:
        years = int(st.value)
        mine = cells_of(unit)
        strictly = st.comparison == SubTarget.Comparison.ABOVE
        stalled = [cell for cell in mine if is_stalled(cell, today=today, years=years, strictly=strictly)]
        # Measured as the number of stalled cells: the target is that none remains.
        detail = f"{len(stalled)}/{len(mine)} chi bộ không kết nạp được đảng viên từ {years} năm trở lên"
        return _StalledResult(st, unit["id"], unit["label"], len(stalled), detail, is_own)
    elif st.kind == SubTarget.Kind.VILLAGE_HEAD_SHARE:
        detail = f"{c['village']} trưởng, phó thôn được kết nạp; chưa có tổng số trưởng thôn để tính tỷ lệ"
    return SubTargetResult(st, unit["id"], unit["label"], measured, detail, is_own)


def _measure_per_commune(st, unit, is_own, counts, communes, year) -> SubTargetResult:
    """A minimum per commune and year (seed 001: ≥ 3) is measured on each commune-level organization:
    a commune against itself, a unit above communes by how many of its communes meet it; it does not
    apply to schools, agencies or cells."""
    if unit["kind"] == Kind.COMMUNE:
        n = counts.within(unit["lft"], unit["rght"])["n"]
        return SubTargetResult(st, unit["id"], unit["label"], n, f"{n} đảng viên được kết nạp trong năm {year}", is_own)
    if not communes:
        detail = "Không áp dụng: không phải đảng bộ xã, phường, đặc khu"
        return SubTargetResult(st, unit["id"], unit["label"], None, detail, is_own)
    short = []
    for commune in communes:
        n = counts.within(commune["lft"], commune["rght"])["n"]
        if not meets(n, st.comparison, st.value):
            short.append(f"{commune['short_name'] or commune['name']} ({n})")
    meeting = len(communes) - len(short)
    detail = f"{meeting}/{len(communes)} đảng bộ xã, phường, đặc khu đạt"
    if short:
        detail += f"; chưa đạt: {', '.join(short)}"
    return _PerCommuneResult(st, unit["id"], unit["label"], meeting, detail, is_own, communes=len(communes))
