"""Things that need attention below an organization: cells that stopped admitting, cells that are too
small, organizations behind their cumulative quarterly target, candidates overdue at a step, awareness
certificates about to expire. Each alert says where to act. A fixed number of queries, whatever the
size of the subtree.

Candidates' personal data is shown only to users who may read it (secretaries of the cell, staff and
administrators above it, candidates.selectors' rule); a leader gets one alert per cell with a count.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.choices import Step
from candidates.models import Candidate, PipelineRules
from organizations.models import CANDIDATE_ROLES, Organization, Scope
from partytrack.documents import vietnamese_date

from . import selectors
from .statistics import _cell_facts, _shift_year

STALLED_YEARS = 3
MIN_CELL_MEMBERS = 9
EXPIRY_MONTHS = 3
# Steps at which the awareness certificate still has to be valid (the cell's vote needs it).
CERTIFICATE_STEPS = (Step.AWARENESS_CLASS, Step.APPLICATION, Step.VERIFICATION, Step.REFERENCES)


class AlertKind:
    STALLED_CELL = "stalled_cell"
    SMALL_CELL = "small_cell"
    BEHIND_TARGET = "behind_target"
    OVERDUE_CANDIDATE = "overdue_candidate"
    CERTIFICATE_EXPIRING = "certificate_expiring"

    LABELS = {
        STALLED_CELL: _("Chi bộ 3 năm liền không kết nạp được đảng viên"),
        SMALL_CELL: _("Chi bộ dưới 9 đảng viên"),
        BEHIND_TARGET: _("Chậm tiến độ chỉ tiêu kết nạp"),
        OVERDUE_CANDIDATE: _("Quần chúng quá hạn ở một bước"),
        CERTIFICATE_EXPIRING: _("Chứng nhận lớp bồi dưỡng sắp hết hạn"),
    }
    ORDER = (BEHIND_TARGET, OVERDUE_CANDIDATE, CERTIFICATE_EXPIRING, STALLED_CELL, SMALL_CELL)


@dataclass(frozen=True)
class Alert:
    kind: str
    organization_id: int
    organization: str
    message: str
    url: str
    action: str
    person: str = ""  # a candidate's name, only for users who may read it
    on: datetime.date | None = None  # the date that makes it an alert

    @property
    def kind_label(self) -> str:
        return str(AlertKind.LABELS[self.kind])


def _label(row: dict) -> str:
    return row.get("short_name") or row["name"]


def _months_later(day: datetime.date, months: int) -> datetime.date:
    import calendar

    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def organization_alerts(
    *, user, organization: Organization, today: datetime.date | None = None, kinds: set[str] | None = None
) -> list[Alert]:
    """Every alert of the organization's subtree, in AlertKind.ORDER then tree order."""
    today = today or timezone.localdate()
    kinds = set(AlertKind.ORDER) if kinds is None else kinds
    alerts: list[Alert] = []
    if kinds & {AlertKind.STALLED_CELL, AlertKind.SMALL_CELL}:
        alerts += _cell_alerts(organization, today, kinds)
    if AlertKind.BEHIND_TARGET in kinds:
        alerts += _behind_alerts(organization, today)
    if kinds & {AlertKind.OVERDUE_CANDIDATE, AlertKind.CERTIFICATE_EXPIRING}:
        alerts += _candidate_alerts(user, organization, today, kinds)
    order = {kind: index for index, kind in enumerate(AlertKind.ORDER)}
    return sorted(alerts, key=lambda a: order[a.kind])  # stable: tree order within a kind


def _cell_alerts(organization: Organization, today: datetime.date, kinds: set[str]) -> list[Alert]:
    limit = _shift_year(today, -STALLED_YEARS)
    alerts = []
    for cell in _cell_facts(organization, today):
        figures_url = reverse("organizations:figures", args=[cell["id"]])
        if AlertKind.STALLED_CELL in kinds and (cell["last_admission"] is None or cell["last_admission"] <= limit):
            if cell["last_admission"] is None:
                message = str(_("Chưa ghi nhận đảng viên nào được kết nạp"))
            else:
                message = str(_("Lần kết nạp gần nhất: %(date)s")) % {"date": vietnamese_date(cell["last_admission"])}
            alerts.append(
                Alert(
                    AlertKind.STALLED_CELL,
                    cell["id"],
                    _label(cell),
                    message,
                    f"{reverse('candidates:index')}?organization={cell['id']}",
                    str(_("Xem nguồn quần chúng")),
                    on=cell["last_admission"],
                )
            )
        if AlertKind.SMALL_CELL in kinds and cell["members"] is not None and cell["members"] < MIN_CELL_MEMBERS:
            message = str(_("%(n)s đảng viên (tính đến ngày %(date)s)")) % {
                "n": cell["members"],
                "date": vietnamese_date(cell["members_as_of"]),
            }
            alerts.append(
                Alert(
                    AlertKind.SMALL_CELL,
                    cell["id"],
                    _label(cell),
                    message,
                    figures_url,
                    str(_("Cập nhật số đảng viên")),
                    on=cell["members_as_of"],
                )
            )
    return alerts


def _behind_alerts(organization: Organization, today: datetime.date) -> list[Alert]:
    """The roll-up's own status: every organization below, at every level, behind its cumulative
    quarterly target for the current quarter."""
    year, quarter = selectors.current_period(today)
    report = selectors.progress_report(organization=organization, year=year, quarter=quarter, detail=True, today=today)
    alerts = []
    for line in report.lines():
        if line.organization is None or line.status != selectors.ProgressStatus.BEHIND:
            continue
        alerts.append(
            Alert(
                AlertKind.BEHIND_TARGET,
                line.organization.id,
                line.organization.label,
                str(_("Lũy kế %(admitted)s / chỉ tiêu đến hết quý %(target)s (chỉ tiêu năm %(total)s)"))
                % {"admitted": line.admitted_to_date, "target": line.quota_to_date, "total": line.quota_total},
                f"{reverse('reports:dashboard', args=[line.organization.id])}?year={year}&quarter={quarter}",
                str(_("Xem tiến độ")),
            )
        )
    return alerts


def _candidate_alerts(user, organization: Organization, today: datetime.date, kinds: set[str]) -> list[Alert]:
    rules = PipelineRules.current()
    in_subtree = Q(
        organization__tree_id=organization.tree_id,
        organization__lft__gte=organization.lft,
        organization__rght__lte=organization.rght,
    )
    # certificate_on + valid months falls within [today, today + 3 months]
    earliest = _months_later(today, -rules.certificate_valid_months)
    latest = _months_later(_months_later(today, EXPIRY_MONTHS), -rules.certificate_valid_months)
    conditions = {
        AlertKind.OVERDUE_CANDIDATE: Q(next_deadline__lt=today),
        AlertKind.CERTIFICATE_EXPIRING: Q(
            step__in=CERTIFICATE_STEPS, certificate_on__gte=earliest, certificate_on__lte=latest
        ),
    }
    base = Candidate.objects.active().filter(in_subtree)
    readable = Scope.of(user).q(roles=CANDIDATE_ROLES, prefix="organization__")
    alerts = []
    for kind in (AlertKind.OVERDUE_CANDIDATE, AlertKind.CERTIFICATE_EXPIRING):
        if kind not in kinds:
            continue
        people = (
            base.filter(conditions[kind])
            .filter(readable)
            .select_related("organization")
            .order_by("organization__lft", "full_name")
        )
        seen: set[int] = set()
        for c in people:
            seen.add(c.pk)
            if kind == AlertKind.OVERDUE_CANDIDATE:
                message = str(_("%(step)s: %(deadline)s, hạn %(date)s")) % {
                    "step": c.get_step_display(),
                    "deadline": c.get_next_deadline_kind_display(),
                    "date": vietnamese_date(c.next_deadline),
                }
                on = c.next_deadline
            else:
                on = _months_later(c.certificate_on, rules.certificate_valid_months)
                message = str(_("Chứng nhận cấp ngày %(issued)s, hết hạn ngày %(date)s")) % {
                    "issued": vietnamese_date(c.certificate_on),
                    "date": vietnamese_date(on),
                }
            alerts.append(
                Alert(
                    kind,
                    c.organization_id,
                    c.organization.short_name or c.organization.name,
                    message,
                    reverse("candidates:detail", args=[c.pk]),
                    str(_("Mở hồ sơ")),
                    person=c.full_name,
                    on=on,
                )
            )
        # What the user may not read personally: one alert per cell, with a count.
        if Scope.of(user).is_superuser:
            continue
        hidden = (
            base.filter(conditions[kind])
            .exclude(readable)
            .values("organization_id", "organization__name", "organization__short_name", "organization__lft")
            .annotate(n=Count("pk"))
            .order_by("organization__lft")
        )
        for row in hidden:
            alerts.append(
                Alert(
                    kind,
                    row["organization_id"],
                    row["organization__short_name"] or row["organization__name"],
                    str(_("%(n)s quần chúng")) % {"n": row["n"]},
                    f"{reverse('reports:dashboard', args=[row['organization_id']])}",
                    str(_("Đề nghị chi bộ xử lý")),
                )
            )
    return alerts


def alert_counts(alerts: list[Alert]) -> list[tuple[str, str, int]]:
    counts: dict[str, int] = defaultdict(int)
    for alert in alerts:
        counts[alert.kind] += 1
    return [(kind, str(AlertKind.LABELS[kind]), counts[kind]) for kind in AlertKind.ORDER]
