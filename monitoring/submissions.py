"""Periodic reporting: an organization "submits" its report for a month, quarter, 6 months or year to
the level above (service), and the level above sees which children submitted on time, late or not at
all (selector: a completeness table like DHIS2's reporting-rate summary).

The deadline is day 15 of the month after the period by default; a plan can set another day and month
(ReportingDeadline). The plan that applies to a child's report is the one in force for its parent.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization, Scope
from quotas.models import Plan

from .models import ReportingDeadline, ReportSubmission
from .statistics import Period, plans_in_force

Kind = ReportSubmission.Kind
PERIODS_PER_YEAR = {Kind.MONTH: 12, Kind.QUARTER: 4, Kind.HALF: 1, Kind.YEAR: 1}
DEFAULT_DAY, DEFAULT_MONTHS_AFTER = 15, 1


def period_of(kind: str, year: int, number: int) -> Period:
    if kind not in PERIODS_PER_YEAR or not 1 <= number <= PERIODS_PER_YEAR[kind]:
        raise ValueError(f"bad period {kind} {number}")
    return Period.of(kind, year, number)


def deadline_for(period: Period, *, day: int = DEFAULT_DAY, months_after: int = DEFAULT_MONTHS_AFTER):
    index = period.end.month - 1 + months_after
    year, month = period.end.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def deadline_setting(*, organization: Organization, year: int) -> ReportingDeadline | None:
    """The deadline set for reports sent to `organization`: that of the nearest plan in force (its own,
    else its superiors') that sets one, the most recently issued first, undated plans last. One query."""
    return (
        ReportingDeadline.objects.filter(plan__in=plans_in_force(organization=organization, year=year))
        .select_related("plan", "plan__organization")
        .order_by("-plan__organization__level", F("plan__issued_on").desc(nulls_last=True), "-plan__pk")
        .first()
    )


def default_rule() -> tuple[int, int]:
    return DEFAULT_DAY, DEFAULT_MONTHS_AFTER


# ---------------------------------------------------------------- service


@transaction.atomic
def report_submit(
    *,
    organization: Organization,
    kind: str,
    year: int,
    number: int,
    note: str = "",
    by,
    now: datetime.datetime | None = None,
) -> ReportSubmission:
    """Record that `organization` sent its report for the period to the level above. Once per period."""
    now = now or timezone.now()
    if not Organization.objects.filter(pk=organization.pk).restrict(by, "view_people").exists():
        raise PermissionDenied
    if organization.parent_id is None:
        raise ValidationError(_("Tổ chức này không có cấp trên để gửi báo cáo."))
    try:
        period = period_of(kind, year, number)
    except ValueError as exc:
        if kind not in PERIODS_PER_YEAR:
            raise ValidationError(_("Kỳ báo cáo không hợp lệ: chọn tháng, quý, 6 tháng hoặc năm.")) from exc
        if PERIODS_PER_YEAR[kind] == 1:
            raise ValidationError(
                _("Kỳ báo cáo không hợp lệ: báo cáo %(kind)s chỉ có một kỳ mỗi năm (số 1), không có số %(number)s.")
                % {"kind": str(Kind(kind).label).lower(), "number": number}
            ) from exc
        raise ValidationError(
            _("Kỳ báo cáo không hợp lệ: %(kind)s số %(number)s; chỉ từ 1 đến %(max)s.")
            % {"kind": Kind(kind).label, "number": number, "max": PERIODS_PER_YEAR[kind]}
        ) from exc
    if period.start > timezone.localtime(now).date():
        raise ValidationError(_("Kỳ báo cáo này chưa bắt đầu."))
    if (
        ReportSubmission.objects.select_for_update()
        .filter(organization=organization, kind=kind, year=year, number=number)
        .exists()
    ):
        raise ValidationError(_("Báo cáo %(period)s đã được gửi.") % {"period": period.label})
    submission = ReportSubmission(
        organization=organization, kind=kind, year=year, number=number, submitted_at=now, submitted_by=by, note=note
    )
    submission._history_user = by
    submission.full_clean()
    submission.save()
    return submission


@transaction.atomic
def reporting_deadline_set(*, plan: Plan, day: int, months_after: int = DEFAULT_MONTHS_AFTER, by) -> ReportingDeadline:
    """Set when the periodic reports under a plan are due: day `day` of the `months_after`-th month
    after the period. Staff and administrators of the plan's organization (or above it) only; a
    replaced plan is refused; a bad value is refused and nothing is written; every change is kept in
    the history (an unchanged value writes nothing)."""
    plan = Plan.objects.select_for_update().select_related("organization").get(pk=plan.pk)
    if by is not None:
        Scope.forget(by)
        if not Organization.objects.parents_for(by).filter(pk=plan.organization_id).exists():
            raise PermissionDenied
    if not plan.is_current:
        raise ValidationError(_("Kế hoạch %(number)s đã được thay thế: đặt hạn cho kế hoạch thay thế nó.")
                              % {"number": plan.number})  # fmt: skip
    setting = ReportingDeadline.objects.filter(plan=plan).first() or ReportingDeadline(plan=plan)
    if setting.pk is not None and (setting.day, setting.months_after) == (day, months_after):
        return setting
    setting.day, setting.months_after = day, months_after
    setting.full_clean()
    setting._history_user = by
    setting.save()
    return setting


def deadline_overview(*, organization: Organization) -> list[tuple[Plan, ReportingDeadline | None]]:
    """The organization's current plans (latest first, undated last) with their deadline setting, if
    any. Two queries."""
    plans = list(
        Plan.objects.current()
        .filter(organization=organization)
        .select_related("organization")
        .order_by("-end_year", F("issued_on").desc(nulls_last=True), "-pk")
    )
    settings = {s.plan_id: s for s in ReportingDeadline.objects.filter(plan__in=[p.pk for p in plans])}
    return [(p, settings.get(p.pk)) for p in plans]


def deadline_history(*, organization: Organization, limit: int = 20) -> list:
    """The latest changes of the deadlines of the organization's plans (who, when, what). One query."""
    return list(
        ReportingDeadline.history.filter(plan__organization=organization)
        .select_related("history_user", "plan")
        .order_by("-history_date", "-history_id")[:limit]
    )


# ---------------------------------------------------------------- selector


class CellStatus:
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    PENDING = "pending"  # not submitted, deadline not passed

    LABELS = {
        ON_TIME: _("Đúng hạn"),
        LATE: _("Muộn"),
        MISSING: _("Chưa gửi (quá hạn)"),
        PENDING: _("Chưa đến hạn"),
    }


@dataclass(frozen=True)
class CompletenessCell:
    period: Period
    deadline: datetime.date
    status: str
    submitted_on: datetime.date | None = None

    @property
    def label(self) -> str:
        return str(CellStatus.LABELS[self.status])


@dataclass(frozen=True)
class CompletenessRow:
    organization_id: int
    label: str
    cells: list[CompletenessCell]

    def count(self, status: str) -> int:
        return sum(1 for cell in self.cells if cell.status == status)


@dataclass(frozen=True)
class Completeness:
    organization: Organization
    kind: str
    year: int
    periods: list[Period]
    deadlines: list[datetime.date]
    rows: list[CompletenessRow]
    deadline: ReportingDeadline | None = None  # the plan's setting that applies; None: the default

    def column(self, index: int) -> dict[str, int]:
        counts = {status: 0 for status in CellStatus.LABELS}
        for row in self.rows:
            counts[row.cells[index].status] += 1
        return counts

    @property
    def due(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell.status != CellStatus.PENDING)

    @property
    def submitted(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell.status in (CellStatus.ON_TIME, CellStatus.LATE))

    @property
    def on_time(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell.status == CellStatus.ON_TIME)

    @property
    def reporting_rate(self) -> float | None:
        return round(100 * self.submitted / self.due, 1) if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.due, 1) if self.due else None


def completeness(
    *, organization: Organization, kind: str, year: int, today: datetime.date | None = None
) -> Completeness:
    """Children (active today) × periods of the year: on time, late, missing or not yet due. Three
    queries: deadline setting, children, submissions."""
    today = today or timezone.localdate()
    setting = deadline_setting(organization=organization, year=year)
    day, months_after = (setting.day, setting.months_after) if setting else (DEFAULT_DAY, DEFAULT_MONTHS_AFTER)
    periods = [period_of(kind, year, n) for n in range(1, PERIODS_PER_YEAR[kind] + 1)]
    deadlines = [deadline_for(p, day=day, months_after=months_after) for p in periods]
    children = list(
        Organization.objects.filter(parent_id=organization.pk)
        .active(today)
        .in_report_order()
        .values("id", "name", "short_name")
    )
    sent = {
        (s["organization_id"], s["number"]): timezone.localtime(s["submitted_at"]).date()
        for s in ReportSubmission.objects.filter(organization__parent_id=organization.pk, kind=kind, year=year).values(
            "organization_id", "number", "submitted_at"
        )
    }
    rows = []
    for child in children:
        cells = []
        for period, deadline in zip(periods, deadlines, strict=True):
            on = sent.get((child["id"], period.number))
            if on is not None:
                status = CellStatus.ON_TIME if on <= deadline else CellStatus.LATE
            else:
                status = CellStatus.MISSING if today > deadline else CellStatus.PENDING
            cells.append(CompletenessCell(period, deadline, status, on))
        rows.append(CompletenessRow(child["id"], child["short_name"] or child["name"], cells))
    return Completeness(organization, kind, year, periods, deadlines, rows, setting)


def submissions_of(*, organization: Organization, year: int) -> list[ReportSubmission]:
    return list(ReportSubmission.objects.filter(organization=organization, year=year).order_by("kind", "number"))
