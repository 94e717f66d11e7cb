"""Things that need attention below an organization: cells that stopped admitting, cells that are too
small, organizations behind their cumulative quarterly target, candidates overdue at a step, awareness
certificates about to expire. Each alert says where to act. A fixed number of queries, whatever the
size of the subtree.

The cell thresholds (years without admitting, minimum members) are those the nearest plan in force
at or above each cell sets as sub-targets, else the defaults of AlertRules (3 years, 9 members); the
certificate warning period comes from AlertRules (3 months).

Candidates' personal data is shown only to users who may read it (secretaries of the cell, staff and
administrators above it, candidates.selectors' rule); a leader gets one alert per cell with a count.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.choices import Step
from candidates.labels import deadline_label
from candidates.models import Candidate, PipelineRules
from organizations.models import Organization, Scope
from partytrack.documents import roman_quarter, vietnamese_date
from partytrack.figures import interface_number
from partytrack.periods import add_months
from quotas.models import SubTarget
from quotas.plans import counted_plans
from reports import selectors

from .models import AlertRules
from .statistics import cell_facts, is_stalled, meets, plan_name, stalled_since

# Steps at which the awareness certificate still has to be valid (the cell's vote needs it).
CERTIFICATE_STEPS = (Step.AWARENESS_CLASS, Step.APPLICATION, Step.VERIFICATION, Step.REFERENCES)


class AlertKind:
    STALLED_CELL = "stalled_cell"
    SMALL_CELL = "small_cell"
    BEHIND_TARGET = "behind_target"
    OVERDUE_CANDIDATE = "overdue_candidate"
    CERTIFICATE_EXPIRING = "certificate_expiring"

    LABELS = {
        STALLED_CELL: _("Chi bộ nhiều năm liền không kết nạp được đảng viên"),
        SMALL_CELL: _("Chi bộ dưới số đảng viên tối thiểu"),
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


def organization_alerts(
    *, user, organization: Organization, today: datetime.date | None = None, kinds: set[str] | None = None
) -> list[Alert]:
    """Every alert of the organization's subtree, in AlertKind.ORDER then tree order."""
    today = today or timezone.localdate()
    kinds = set(AlertKind.ORDER) if kinds is None else kinds
    defaults = AlertRules.current()
    alerts: list[Alert] = []
    if kinds & {AlertKind.STALLED_CELL, AlertKind.SMALL_CELL}:
        alerts += _cell_alerts(organization, today, kinds, defaults)
    if AlertKind.BEHIND_TARGET in kinds:
        alerts += _behind_alerts(organization, today)
    if kinds & {AlertKind.OVERDUE_CANDIDATE, AlertKind.CERTIFICATE_EXPIRING}:
        alerts += _candidate_alerts(user, organization, today, kinds, defaults.certificate_expiry_months)
    order = {kind: index for index, kind in enumerate(AlertKind.ORDER)}
    return sorted(alerts, key=lambda a: order[a.kind])  # stable: tree order within a kind


@dataclass(frozen=True)
class Threshold:
    """A cell threshold and where it comes from: a plan's sub-target, or the default (AlertRules)."""

    value: Decimal
    comparison: str = SubTarget.Comparison.AT_LEAST
    plan: str = ""  # "Kế hoạch số 5-KH/HU"; empty for the default

    @property
    def source(self) -> str:
        return str(_("theo %(plan)s") % {"plan": self.plan}) if self.plan else str(_("(mặc định)"))

    @property
    def symbol(self) -> str:
        return SubTarget.SYMBOLS[self.comparison]

    @property
    def shown(self) -> str:
        """9, or 9,5 the Vietnamese way."""
        return f"{self.value.normalize():f}".replace(".", ",")

    @property
    def years(self) -> int:
        return int(self.value)


@dataclass(frozen=True)
class _Governing:
    lft: int
    rght: int
    threshold: Threshold


CELL_RULE_KINDS = (SubTarget.Kind.CELL_MIN_MEMBERS, SubTarget.Kind.STALLED_CELL_YEARS)


def _plan_thresholds(organization: Organization, year: int) -> dict[str, list[_Governing]]:
    """The cell thresholds set as sub-targets by plans in force for the year, of the organization, the
    committees above it and those below it: for each kind, one per issuing organization (its most
    recently issued plan that sets it, undated plans last), sorted by lft. One query."""
    in_tree = Q(plan__organization__tree_id=organization.tree_id)
    above = Q(plan__organization__lft__lte=organization.lft, plan__organization__rght__gte=organization.rght)
    below = Q(plan__organization__lft__gt=organization.lft, plan__organization__lft__lt=organization.rght)
    rows = (
        SubTarget.objects.filter(kind__in=CELL_RULE_KINDS, plan__in=counted_plans().covering(year))
        .filter(in_tree & (above | below))
        .order_by("plan__organization__lft", F("plan__issued_on").desc(nulls_last=True), "-plan__pk", "position", "pk")
        .values("kind", "comparison", "value", "plan__number", "plan__organization__lft", "plan__organization__rght")
    )
    governing: dict[str, list[_Governing]] = defaultdict(list)
    for row in rows:
        found = governing[row["kind"]]
        if found and found[-1].lft == row["plan__organization__lft"]:
            continue  # an earlier (more recent) plan of the same organization sets it
        threshold = Threshold(Decimal(row["value"]), row["comparison"], plan_name(row["plan__number"]))
        found.append(_Governing(row["plan__organization__lft"], row["plan__organization__rght"], threshold))
    return governing


def _nearest(governing: list[_Governing], cells: list[dict], default: Threshold) -> dict[int, Threshold]:
    """Each cell's threshold from the deepest organization at or above it that sets one, in one pass:
    cells and organizations both in lft order, the open organizations on a stack (they nest)."""
    chosen, stack, index = {}, [], 0
    for cell in cells:
        while index < len(governing) and governing[index].lft <= cell["lft"]:
            while stack and stack[-1].rght < governing[index].lft:
                stack.pop()
            stack.append(governing[index])
            index += 1
        while stack and stack[-1].rght < cell["lft"]:
            stack.pop()
        chosen[cell["id"]] = stack[-1].threshold if stack else default
    return chosen


def _cell_alerts(organization: Organization, today: datetime.date, kinds: set[str], defaults: AlertRules):
    cells = cell_facts(organization, today)
    governing = _plan_thresholds(organization, today.year)
    stalled_rule = _nearest(
        governing[SubTarget.Kind.STALLED_CELL_YEARS], cells, Threshold(Decimal(defaults.stalled_cell_years))
    )
    size_rule = _nearest(
        governing[SubTarget.Kind.CELL_MIN_MEMBERS], cells, Threshold(Decimal(defaults.min_cell_members))
    )
    alerts = []
    for cell in cells:
        figures_url = reverse("organizations:figures", args=[cell["id"]])
        rule = stalled_rule[cell["id"]]
        strictly = rule.comparison == SubTarget.Comparison.ABOVE
        if AlertKind.STALLED_CELL in kinds and is_stalled(cell, today=today, years=rule.years, strictly=strictly):
            since = stalled_since(cell)
            if cell["last_admission"] is not None and since == cell["last_admission"]:
                message = str(_("Lần kết nạp gần nhất: %(date)s")) % {"date": vietnamese_date(cell["last_admission"])}
            elif since is not None:
                message = str(_("Chưa ghi nhận đảng viên nào được kết nạp kể từ khi thành lập (%(date)s)")) % {
                    "date": vietnamese_date(since)
                }
            else:
                message = str(_("Chưa ghi nhận đảng viên nào được kết nạp"))
            if strictly:
                years = str(_("trên %(years)s năm")) % {"years": rule.years}
            else:
                years = str(_("từ %(years)s năm trở lên")) % {"years": rule.years}
            message += str(_("; mức theo dõi: %(years)s không kết nạp %(source)s")) % {
                "years": years,
                "source": rule.source,
            }
            alerts.append(
                Alert(
                    AlertKind.STALLED_CELL,
                    cell["id"],
                    _label(cell),
                    message,
                    f"{reverse('candidates:index')}?organization={cell['id']}",
                    str(_("Xem nguồn quần chúng")),
                    on=since,
                )
            )
        rule = size_rule[cell["id"]]
        if (
            AlertKind.SMALL_CELL in kinds
            and cell["members"] is not None
            and not meets(cell["members"], rule.comparison, rule.value)
        ):
            message = str(
                _("%(n)s đảng viên (tính đến ngày %(date)s); mức tối thiểu %(symbol)s %(min)s đảng viên %(source)s")
            ) % {
                "n": cell["members"],
                "date": vietnamese_date(cell["members_as_of"]),
                "symbol": rule.symbol,
                "min": rule.shown,
                "source": rule.source,
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
    """The roll-up's own status: the organization and every organization below, at every level, behind
    its cumulative quarterly target for the current quarter. Where no quota was allocated, a
    committee's own plan target counts (seed 003: Hàm Liêm sets itself ≥ 25 as 0 / 4 / 11 / 10)."""
    year, quarter = selectors.current_period(today)
    report = selectors.progress_report(organization=organization, year=year, quarter=quarter, detail=True, today=today)
    lines = list(report.lines())
    # The organization itself only against its own plan (against a quota from above, or the sum of
    # its children's, it is its parent's report that shows it, and its children's alerts say why).
    # Every other line is measured as the report measures it (quotas.plans.measured_against).
    if report.subject.quota is not None and report.subject.quota == selectors.own_plan_target(organization, year):
        lines.insert(0, report.subject)
    alerts = []
    for line in lines:
        if line.organization is None:
            continue
        if line.status != selectors.ProgressStatus.BEHIND:
            continue
        alerts.append(
            Alert(
                AlertKind.BEHIND_TARGET,
                line.organization.id,
                line.organization.label,
                str(_("Lũy kế %(admitted)s; chỉ tiêu đến hết quý %(quarter)s: %(target)s (chỉ tiêu năm %(total)s)"))
                % {
                    "admitted": interface_number(line.admitted_to_date),
                    "quarter": roman_quarter(quarter),
                    "target": interface_number(line.quota_to_date),
                    "total": interface_number(line.quota_total),
                },
                f"{reverse('reports:dashboard', args=[line.organization.id])}?year={year}&quarter={quarter}",
                str(_("Xem tiến độ")),
            )
        )
    return alerts


def _candidate_alerts(
    user, organization: Organization, today: datetime.date, kinds: set[str], expiry_months: int
) -> list[Alert]:
    rules = PipelineRules.current()
    in_subtree = Q(
        organization__tree_id=organization.tree_id,
        organization__lft__gte=organization.lft,
        organization__rght__lte=organization.rght,
    )
    # certificate_on + valid months falls within [today, today + expiry_months]
    earliest = add_months(today, -rules.certificate_valid_months)
    latest = add_months(add_months(today, expiry_months), -rules.certificate_valid_months)
    conditions = {
        AlertKind.OVERDUE_CANDIDATE: Q(next_deadline__lt=today),
        AlertKind.CERTIFICATE_EXPIRING: Q(
            step__in=CERTIFICATE_STEPS, certificate_on__gte=earliest, certificate_on__lte=latest
        ),
    }
    base = Candidate.objects.active().filter(in_subtree)
    readable = Candidate.objects.restriction(user)
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
                    "deadline": deadline_label(c.next_deadline_kind, rules),
                    "date": vietnamese_date(c.next_deadline),
                }
                on = c.next_deadline
            else:
                on = add_months(c.certificate_on, rules.certificate_valid_months)
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
