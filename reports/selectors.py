"""Progress against quotas rolled up the organization tree: the rows of the dashboard, the quarterly
report (PDF, .xlsx) and the API, in two SQL queries whatever the size of the tree.

Rules (the lead's brief and issue 5):
- A row is a child of the reported organization that is still active (no closing date, or one not yet
  passed). Children that were dissolved or merged away get no row of their own; what their subtrees
  hold, plus anything recorded at the reported organization itself, is shown on one "Khác" line
  (only when it is not empty), so the total still sums the lines and equals the organization's own
  figures one level up.
- A row's admissions are the counted admissions of the child's whole subtree, as the tree is now
  (a moved cell counts under its new parent, a merged commune under the commune it joined).
- A row's quota is what the child's parent allocated to it in the parent's effective plan for the
  year (quotas.plans: the most recently issued plan covering the year; a draft never counts), plus
  what that plan allocated to organizations since merged into the child (communes Ba and Hai merged
  into Hai: Hai's row carries both allocations, so the parent's total stays what it allocated); where
  there is none, the sum of its own children's quotas, recursively, else the target of its own
  effective plan (seed 003); where there is none at all, "—" (quotas.plans.measured_against; the
  alerts read these same rows). A draft of the reported organization is named, not counted. A quota of an organization
  moved (or merged) away from the allocating organization's subtree counts nowhere: allocations
  follow the parent that made them.
- Quota to date is the cumulative quarterly target through the quarter; a quota with no quarterly
  split uses the straight-line pace floor(total × quarter / 4) and is marked estimated.
- Status, comparing admitted to date with quota to date: fewer → behind ("Chậm tiến độ"),
  equal → on track ("Đạt tiến độ"), more → ahead ("Vượt tiến độ"); no quota → "Chưa giao chỉ tiêu".
- Admissions in quarters after the reported one are not part of the report (shown as "—").
"""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.db.models import F, FilteredRelation, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations import structure as org_structure
from organizations.models import Organization, ReportGroup, Sector
from partytrack.documents import OfficialHeader, party_committee_of, roman_quarter, vietnamese_date
from partytrack.periods import LAST_YEAR, REPORTS_FIRST_YEAR
from partytrack.text import fold
from quotas.models import Plan, Quota
from quotas.plans import (
    DRAFT_NOT_COUNTED,
    measured_against,
    plan_draft,
    plan_draft_subquery,
    plan_effective,
    plan_effective_subquery,
    plan_targets,
)

from .models import QUARTERS, AdmissionTally, QuotaTally

ZERO4 = (0, 0, 0, 0)
MIN_YEAR, MAX_YEAR = REPORTS_FIRST_YEAR, LAST_YEAR


# ---------------------------------------------------------------- periods


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, 3 * quarter - 2, 1)
    last = datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, 3 * quarter + 1, 1)
    return first, last - datetime.timedelta(days=1)


def current_period(today: datetime.date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return today.year, quarter_of(today)


# ---------------------------------------------------------------- figures


class Structure:
    """Which tree a report of a past period follows (issue 14)."""

    THEN = "then"  # the tree at the end of the period (the default)
    NOW = "now"  # today's tree: each organization with the history of those merged into it

    LABELS = {THEN: _("Theo cơ cấu tại thời điểm báo cáo"), NOW: _("Theo cơ cấu hiện nay")}
    CHOICES = tuple(LABELS.items())


class ProgressStatus:
    AHEAD = "ahead"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NO_QUOTA = "no_quota"

    LABELS = {
        AHEAD: _("Vượt tiến độ"),
        ON_TRACK: _("Đạt tiến độ"),
        BEHIND: _("Chậm tiến độ"),
        NO_QUOTA: _("Chưa giao chỉ tiêu"),
    }


@dataclass(frozen=True)
class QuotaFigures:
    """One yearly quota: total, the quarterly split if any, and the cumulative targets."""

    total: int
    quarters: tuple[int, int, int, int] | None
    through: tuple[int, int, int, int]
    estimated: bool = False

    @classmethod
    def of(cls, total: int, quarters: Iterable[int | None] | None = None) -> QuotaFigures:
        split = tuple(quarters) if quarters is not None else (None,) * 4
        if any(q is None for q in split):
            through = tuple(total * n // 4 for n in QUARTERS)
            return cls(total=total, quarters=None, through=through, estimated=True)
        running, through = 0, []
        for q in split:
            running += q
            through.append(running)
        return cls(total=total, quarters=split, through=tuple(through), estimated=False)

    @classmethod
    def from_tally(cls, tally) -> QuotaFigures:
        quarters = (tally.q1, tally.q2, tally.q3, tally.q4)
        return cls(
            total=tally.total,
            quarters=None if tally.q1 is None else quarters,
            through=(tally.through_q1, tally.through_q2, tally.through_q3, tally.through_q4),
            estimated=tally.estimated,
        )

    @staticmethod
    def combine(items: Iterable[QuotaFigures | None]) -> QuotaFigures | None:
        """The sum of several quotas; None when none of them exists. The quarterly split survives
        only when every part has one; the cumulative targets always add up."""
        present = [item for item in items if item is not None]
        if not present:
            return None
        quarters = None
        if all(item.quarters is not None for item in present):
            quarters = tuple(sum(item.quarters[i] for item in present) for i in range(4))
        return QuotaFigures(
            total=sum(item.total for item in present),
            quarters=quarters,
            through=tuple(sum(item.through[i] for item in present) for i in range(4)),
            estimated=any(item.estimated for item in present),
        )


def _percent(part: int, whole: int | None) -> float | None:
    if not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


def _add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, int, int, int]:
    return tuple(x + y for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class OrganizationRef:
    id: int
    code: str
    name: str
    short_name: str
    has_children: bool
    group: int

    @property
    def label(self) -> str:
        """The name a biểu prints: communes by their short name ("Biên Sơn"), others in full."""
        return self.short_name or self.name


class RowKind:
    ORGANIZATION = "organization"
    OTHER = "other"
    SUBTOTAL = "subtotal"
    TOTAL = "total"


@dataclass(frozen=True)
class ProgressRow:
    kind: str
    label: str
    quarter: int
    quota: QuotaFigures | None
    admitted_by_quarter: tuple[int, int, int, int] = ZERO4
    organization: OrganizationRef | None = None
    number: str = ""
    depth: int = 0
    group: int | None = None

    # Quotas
    @property
    def quota_total(self) -> int | None:
        return self.quota.total if self.quota else None

    @property
    def quota_quarters(self) -> tuple[int | None, int | None, int | None, int | None]:
        if self.quota is None or self.quota.quarters is None:
            return (None, None, None, None)
        return self.quota.quarters

    @property
    def quota_to_date(self) -> int | None:
        return self.quota.through[self.quarter - 1] if self.quota else None

    @property
    def quota_to_date_estimated(self) -> bool:
        return bool(self.quota and self.quota.estimated and self.quarter < 4)

    # Admissions
    @property
    def admitted_quarters(self) -> tuple[int | None, int | None, int | None, int | None]:
        return tuple(n if q <= self.quarter else None for q, n in zip(QUARTERS, self.admitted_by_quarter, strict=True))

    @property
    def admitted_in_quarter(self) -> int:
        return self.admitted_by_quarter[self.quarter - 1]

    @property
    def admitted_to_date(self) -> int:
        return sum(self.admitted_by_quarter[: self.quarter])

    # Standing
    @property
    def percent_total(self) -> float | None:
        return _percent(self.admitted_to_date, self.quota_total)

    @property
    def percent_to_date(self) -> float | None:
        return _percent(self.admitted_to_date, self.quota_to_date)

    @property
    def status(self) -> str:
        if self.quota is None:
            return ProgressStatus.NO_QUOTA
        target = self.quota_to_date
        if self.admitted_to_date < target:
            return ProgressStatus.BEHIND
        if self.admitted_to_date > target:
            return ProgressStatus.AHEAD
        return ProgressStatus.ON_TRACK

    @property
    def status_label(self) -> str:
        return str(ProgressStatus.LABELS[self.status])

    @property
    def bar_percent(self) -> float:
        """How much of the year's quota is done, for progress bars (0–100)."""
        if not self.quota_total:
            return 100.0 if self.quota is not None and self.admitted_to_date else 0.0
        return min(100.0, 100.0 * self.admitted_to_date / self.quota_total)

    @property
    def bar_target(self) -> float | None:
        """Where the quota to date sits on the same bar."""
        if not self.quota_total:
            return None
        return min(100.0, 100.0 * self.quota_to_date / self.quota_total)


@dataclass(frozen=True)
class ProgressGroup:
    group: int
    label: str
    rows: list[ProgressRow]
    subtotal: ProgressRow
    # Deeper rows (detail reports), keyed by the row they sit under.
    children: dict[str, list[ProgressRow]] = field(default_factory=dict)


@dataclass(frozen=True)
class ProgressReport:
    organization: OrganizationRef
    year: int
    quarter: int
    detail: bool
    subject: ProgressRow  # the organization's own standing, as its parent's report shows it
    groups: list[ProgressGroup]
    other: ProgressRow | None
    total: ProgressRow
    nested: dict[int, list[ProgressRow]] = field(default_factory=dict)
    # The number of the organization's draft for the year, whose quotas are shown nowhere here.
    draft: str = ""
    # Which tree the report follows (Structure), the day of that tree, and whether the subtree's
    # structure changed within the period or after it (issue 14).
    structure: str = "now"
    structure_day: datetime.date | None = None
    changed_during: bool = False
    changed_after: bool = False
    existed: bool = True
    # The organization's last day when it closed within the period: the report stops there.
    closed_on: datetime.date | None = None

    @property
    def structure_label(self) -> str:
        return str(Structure.LABELS[self.structure])

    @property
    def structure_note(self) -> str:
        """What the report says about the tree it follows when the tree changed ("" when it did not)."""
        day = vietnamese_date(self.structure_day) if self.structure_day else ""
        if not self.existed:
            return str(_("Tổ chức chưa được thành lập hoặc đã thôi hoạt động vào ngày %(day)s.") % {"day": day})
        notes = []
        if self.closed_on:
            notes.append(
                str(
                    _("Tổ chức thôi hoạt động từ ngày %(next)s: số liệu tính đến hết ngày %(day)s.")
                    % {"next": vietnamese_date(self.closed_on + datetime.timedelta(days=1)), "day": day}
                )
            )
        if self.changed_during:
            notes.append(str(_("Trong kỳ báo cáo có thay đổi về tổ chức (hợp nhất, sáp nhập, chia tách, đổi tên).")))
        if self.changed_after and self.structure == Structure.THEN:
            notes.append(
                str(_("Số liệu theo cơ cấu tổ chức tại ngày %(day)s; cơ cấu đã thay đổi sau ngày này.") % {"day": day})
            )
        elif self.changed_after:
            notes.append(
                str(
                    _(
                        "Số liệu theo cơ cấu tổ chức hiện nay: mỗi tổ chức gồm cả số liệu của các tổ chức đã hợp nhất vào."
                    )
                )
            )
        return " ".join(notes)

    @property
    def draft_note(self) -> str:
        """ "Dự thảo năm 2027: dự thảo — chưa tính" when a draft exists, next to the quotas it leaves out."""
        return f"{self.draft}: {DRAFT_NOT_COUNTED}" if self.draft else ""

    @property
    def rows(self) -> list[ProgressRow]:
        """The direct children's rows, in print order (without subtotals)."""
        return [row for group in self.groups for row in group.rows]

    def with_descendants(self, row: ProgressRow) -> Iterator[ProgressRow]:
        yield row
        if row.organization is not None:
            for child in self.nested.get(row.organization.id, []):
                yield from self.with_descendants(child)

    def lines(self) -> Iterator[ProgressRow]:
        """Every printed line in order: each group's rows (and, in a detail report, everything below
        them), the group's "Cộng", the "Khác" line, "Tổng cộng"."""
        for group in self.groups:
            for row in group.rows:
                yield from self.with_descendants(row)
            yield group.subtotal
        if self.other is not None:
            yield self.other
        yield self.total

    @property
    def line_count(self) -> int:
        return sum(1 for _ in self.lines())

    @property
    def quarter_series(self) -> list[dict]:
        """Cumulative admissions and cumulative target per quarter of the year, through the
        reported quarter (the chart's data)."""
        row = self.subject
        series, running = [], 0
        for q in QUARTERS:
            running += row.admitted_by_quarter[q - 1]
            series.append(
                {
                    "quarter": q,
                    "target": row.quota.through[q - 1] if row.quota else None,
                    "admitted": running if q <= self.quarter else None,
                }
            )
        return series


# ---------------------------------------------------------------- queries


def allocations(
    receivers: Q, years: Iterable[int] | None = None, *, allocators: Q | None = None
) -> dict[tuple[int, int], QuotaFigures]:
    """What each receiving organization's current parent allocated to it, by (organization id, year),
    from that parent's effective plan, plus what the same plan allocated to organizations since merged
    into it (Organization.merged_into; a merged organization is a closed descendant of the one it
    joined, so the merge is credited to its ancestor that is a child of the allocating organization,
    which also follows a merge of a merge). One query.

    `receivers` filters Quota rows by their receiving organization; `allocators` filters them by the
    allocating organization (`plan__organization…`) for the quotas of merged organizations (None: the
    merged organizations' quotas are not looked for). A key may name an organization outside
    `receivers` when an allocator's merged organization lies elsewhere; callers ignore it.
    """
    values = ("credited", "year", "total", "q1", "q2", "q3", "q4")
    # The plan is looked up from the receiver's parent, so a quota of a plan by anyone else (a former
    # parent before a move) never matches.
    direct = Quota.objects.filter(receivers).filter(
        plan=plan_effective_subquery(OuterRef("organization__parent"), OuterRef("year"))
    )
    if years is not None:
        direct = direct.filter(year__in=sorted(set(years)))
    rows = direct.annotate(credited=F("organization_id")).values_list(*values)
    if allocators is not None:
        joined = Organization.objects.filter(
            tree_id=OuterRef("organization__tree_id"),
            lft__lt=OuterRef("organization__lft"),
            rght__gt=OuterRef("organization__rght"),
            parent_id=OuterRef("plan__organization_id"),
        ).values("pk")[:1]
        merged = (
            Quota.objects.filter(allocators)
            .filter(organization__merged_into__isnull=False)
            .exclude(organization__parent_id=F("plan__organization_id"))  # a direct allocation, above
            .filter(plan=plan_effective_subquery(OuterRef("plan__organization"), OuterRef("year")))
            .annotate(credited=Subquery(joined))
            .filter(credited__isnull=False)
        )
        if years is not None:
            merged = merged.filter(year__in=sorted(set(years)))
        rows = rows.union(merged.values_list(*values), all=True)
    parts: dict[tuple[int, int], list[QuotaFigures]] = defaultdict(list)
    for org_id, year, total, q1, q2, q3, q4 in rows:
        parts[(org_id, year)].append(QuotaFigures.of(total, (q1, q2, q3, q4)))
    return {key: figures[0] if len(figures) == 1 else QuotaFigures.combine(figures) for key, figures in parts.items()}


def inherited_allocations(
    organization: Organization, year: int, nodes: dict[int, dict]
) -> tuple[dict[tuple[int, int], QuotaFigures], set[int]]:
    """For a report in today's tree: what organizations that have since closed allocated, in their
    effective plans of the year, to organizations now in `organization`'s subtree that lie elsewhere
    than under them today (a district abolished in 2025 whose communes were merged into new ones: its
    2022 quotas go with each commune to the new one). While the allocator exists, its allocations stay
    with it (its own quota from above counts them), as for a move. Each such quota is credited to every row of the
    report (`nodes`: the organization, its children, and in a detail report every level) that holds
    the receiver today but not the closed allocator, so a quota allocated inside a row stays inside it.
    Quotas of a plan by an ancestor of the receiver are allocations() own. Returns the credits and the
    closed allocators they came from (whose own quotas are then counted through their former children
    only). One query."""
    quotas = (
        Quota.objects.filter(
            # From the few closed organizations' plans (a partial index), not through every quota.
            plan__in=Plan.objects.filter(organization__valid_to__isnull=False).values("pk"),
            year=year,
            organization__tree_id=organization.tree_id,
            organization__lft__gte=organization.lft,
            organization__lft__lte=organization.rght,
        )
        .filter(plan=plan_effective_subquery(OuterRef("plan__organization"), OuterRef("year")))
        .exclude(
            plan__organization__tree_id=F("organization__tree_id"),
            plan__organization__lft__lte=F("organization__lft"),
            plan__organization__rght__gte=F("organization__rght"),
        )
        .values_list(
            "organization_id", "organization__lft", "plan__organization_id", "plan__organization__tree_id",
            "plan__organization__lft", "total", "q1", "q2", "q3", "q4",
        )
    )  # fmt: skip
    children = sorted(
        (node for node in nodes.values() if node["parent_id"] == organization.pk), key=lambda node: node["lft"]
    )
    starts = [node["lft"] for node in children]
    parts: dict[tuple[int, int], list[QuotaFigures]] = defaultdict(list)
    allocators = set()
    for receiver_id, receiver_lft, allocator_id, tree_id, allocator_lft, total, *quarters in quotas:
        allocators.add(allocator_id)
        if receiver_id in nodes:  # every level is a row: the receiver and its ancestors up to the subject
            chain, node = [], nodes[receiver_id]
            while node is not None:
                chain.append(node)
                node = nodes.get(node["parent_id"]) if node["id"] != organization.pk else None
        else:  # the subject and the child holding the receiver
            index = bisect_right(starts, receiver_lft) - 1
            holder = children[index] if index >= 0 and receiver_lft <= children[index]["rght"] else None
            chain = [holder, nodes[organization.pk]] if holder else [nodes[organization.pk]]
        for node in chain:  # upwards: once a row holds the allocator, so do those above it
            if tree_id == organization.tree_id and node["lft"] <= allocator_lft <= node["rght"]:
                break
            parts[(node["id"], year)].append(QuotaFigures.of(total, quarters))
    return {key: QuotaFigures.combine(figures) for key, figures in parts.items()}, allocators


def own_plan_targets(where: Q, year: int) -> dict[int, QuotaFigures]:
    """Each organization's own target for the year from its effective plan (quotas.plans.plan_targets),
    for the organizations `where` selects (a Q on Plan.organization). One query."""
    return {
        organization_id: QuotaFigures.of(plan.target_for_year(year), plan.target_quarters)
        for (organization_id, _year), plan in plan_targets(where, [year]).items()
    }


def own_plan_target(organization: Organization, year: int) -> QuotaFigures | None:
    """The organization's own target for the year from its effective plan (seed 003: Hàm Liêm sets
    itself ≥ 25 with quarterly targets 0 / 4 / 11 / 10). It stands for the organization's quota when
    its parent allocated none, as a committee plans against its own target. One query."""
    return own_plan_targets(Q(organization=organization), year).get(organization.pk)


QUOTA_TALLY_FIELDS = (
    "total", "q1", "q2", "q3", "q4", "through_q1", "through_q2", "through_q3", "through_q4", "estimated",
)  # fmt: skip
NODE_FIELDS = (
    "id", "parent_id", "code", "name", "short_name", "kind", "sector", "position", "valid_to", "lft", "rght",
)  # fmt: skip


def _group_of(sector: str) -> int:
    return ReportGroup.RESIDENTIAL if sector == Sector.RESIDENTIAL else ReportGroup.INSTITUTIONS


def progress_report(
    *,
    organization: Organization,
    year: int,
    quarter: int,
    detail: bool = False,
    today: datetime.date | None = None,
    structure: str = Structure.THEN,
) -> ProgressReport:
    """The progress of each organization directly below `organization` (every level below it when
    `detail`), with group subtotals and the total, in the tree at the end of the period (THEN, the
    default; the tree of today when the period is not over) or in today's tree (NOW). A constant
    number of queries whatever the tree's size: whether the structure changed (one); when it did not
    change since the period, or for NOW, today's tree and its tallies (two or three, _progress_now); else the
    tree of that day, one query per level, with its organizations' own counts and quotas
    (_progress_then)."""
    if not (MIN_YEAR <= year <= MAX_YEAR) or quarter not in QUARTERS:
        raise ValueError(f"bad period {year}/{quarter}")
    if structure not in Structure.LABELS:
        raise ValueError(f"bad structure {structure}")
    today = today or timezone.localdate()
    day = min(quarter_bounds(year, quarter)[1], today)
    closed_on = organization.valid_to if organization.valid_to and organization.valid_to < today else None
    if closed_on is not None:
        # A closed organization has no place in today's tree: it reads as it was, up to its last day
        # when that falls within the period (and nothing after it counts).
        structure = Structure.THEN
        if datetime.date(year, 1, 1) <= closed_on < day:
            day = closed_on
        else:
            closed_on = None
    changes = org_structure.changes_around(organization, start=datetime.date(year, 1, 1), day=day)
    if structure == Structure.THEN and changes.after:
        changed = None if detail else org_structure.changed_since(day)
        if changed is None:
            report = _progress_then(organization=organization, year=year, quarter=quarter, detail=detail, day=day)
        else:
            report = _progress_then_changed(
                organization=organization, year=year, quarter=quarter, day=day, changed=changed
            )
    else:
        report = _progress_now(
            organization=organization,
            year=year,
            quarter=quarter,
            detail=detail,
            today=today,
            changed=changes.during or changes.after,
        )
    if closed_on is not None:
        report = _until(report, quarter_of(closed_on))
    return replace(
        report,
        structure=structure,
        structure_day=day,
        changed_during=changes.during,
        changed_after=changes.after,
        closed_on=closed_on,
    )


def _until(report: ProgressReport, last_quarter: int) -> ProgressReport:
    """The report with nothing counted after `last_quarter` (an organization closed within the year:
    what its organizations of that day admitted later was admitted elsewhere)."""

    def cut(row: ProgressRow | None) -> ProgressRow | None:
        if row is None:
            return None
        counts = tuple(c if q <= last_quarter else 0 for q, c in zip(QUARTERS, row.admitted_by_quarter, strict=True))
        return replace(row, admitted_by_quarter=counts)

    return replace(
        report,
        subject=cut(report.subject),
        groups=[
            replace(
                g,
                rows=[cut(r) for r in g.rows],
                subtotal=cut(g.subtotal),
                children={key: [cut(r) for r in rows] for key, rows in g.children.items()},
            )
            for g in report.groups
        ],
        other=cut(report.other),
        total=cut(report.total),
        nested={pk: [cut(r) for r in rows] for pk, rows in report.nested.items()},
    )


def _progress_now(
    *, organization: Organization, year: int, quarter: int, detail: bool, today: datetime.date, changed: bool = True
) -> ProgressReport:
    """The report in today's tree, from the tallies: two queries, the organizations with their
    tallies and the quotas their parents allocated to them, and when the structure `changed` since the
    year began, a third for what organizations since closed allocated to what lies in the subtree today
    (inherited_allocations; nothing can have closed otherwise)."""
    if detail:
        where = Q(tree_id=organization.tree_id, lft__gte=organization.lft, lft__lte=organization.rght)
    else:
        where = Q(pk=organization.pk) | Q(parent_id=organization.pk)
    # The tallies of the same year come along through two LEFT JOINs: one row per organization.
    tally_fields = [f"at__{name}" for name in ("sub_q1", "sub_q2", "sub_q3", "sub_q4")] + [
        f"qt__{name}" for name in QUOTA_TALLY_FIELDS
    ]
    rows = (
        Organization.objects.filter(where)
        .in_report_order()
        .annotate(
            at=FilteredRelation("admission_tallies", condition=Q(admission_tallies__year=year)),
            qt=FilteredRelation("quota_tallies", condition=Q(quota_tallies__year=year)),
        )
        .values(*NODE_FIELDS, *tally_fields)
    )
    # The reported organization's draft for the year (which does not count), in the same query: an
    # uncorrelated subquery, the same on every row.
    rows = rows.annotate(draft=plan_draft_subquery(organization.pk, year, "number"))
    nodes, admitted, derived, draft = {}, {}, {}, ""
    for row in rows:
        draft = row["draft"] or ""
        nodes[row["id"]] = row
        if row["at__sub_q1"] is not None:
            admitted[row["id"]] = (row["at__sub_q1"], row["at__sub_q2"], row["at__sub_q3"], row["at__sub_q4"])
        if row["qt__total"] is not None:
            derived[row["id"]] = QuotaFigures(
                total=row["qt__total"],
                quarters=None
                if row["qt__q1"] is None
                else (row["qt__q1"], row["qt__q2"], row["qt__q3"], row["qt__q4"]),
                through=(row["qt__through_q1"], row["qt__through_q2"], row["qt__through_q3"], row["qt__through_q4"]),
                estimated=row["qt__estimated"],
            )
    if detail:  # a whole subtree: by range rather than a list of thousands of ids
        receivers = Q(
            organization__tree_id=organization.tree_id,
            organization__lft__gte=organization.lft,
            organization__lft__lte=organization.rght,
        )
        allocators = Q(
            plan__organization__tree_id=organization.tree_id,
            plan__organization__lft__gte=organization.lft,
            plan__organization__lft__lte=organization.rght,
        )
    else:
        receivers = Q(organization_id__in=list(nodes))
        allocators = Q(plan__organization_id=organization.pk)
    if organization.parent_id is not None:  # the organization's own row, as its parent allocated it
        allocators |= Q(plan__organization_id=organization.parent_id)
    allocated = allocations(receivers, [year], allocators=allocators)
    inherited, reallocated = inherited_allocations(organization, year, nodes) if changed else ({}, set())
    for key, figures in inherited.items():
        allocated[key] = QuotaFigures.combine([allocated.get(key), figures])
    own_target = None
    if (organization.pk, year) not in allocated and organization.pk not in derived:
        own_target = own_plan_target(organization, year)
    return _assemble(
        organization=organization,
        year=year,
        quarter=quarter,
        detail=detail,
        today=today,
        nodes=nodes,
        allocated=allocated,
        derived=derived,
        admitted=admitted,
        own_target=own_target,
        reallocated=reallocated,
        draft=draft,
    )


def _progress_then(*, organization: Organization, year: int, quarter: int, detail: bool, day: datetime.date):
    """The report in the tree of `day`: the organizations as they were then (parents, names, kinds),
    each counting the admissions recorded in its subtree of that day and measured against what its
    parent of that day allocated to it (else the sum of its children's, else its own plan's target),
    as the tallies do for today's tree. Queries: one per level of the tree, then the own counts, the
    quotas, the own targets and the draft, one each."""
    subtree = org_structure.subtree_as_of(organization, day)
    if not subtree:  # not founded yet, or closed by then: an empty report that says so
        node = {name: getattr(organization, name) for name in NODE_FIELDS}
        node["lft"], node["rght"] = 0, 1
        report = _assemble(
            organization=organization,
            year=year,
            quarter=quarter,
            detail=detail,
            today=day,
            nodes={organization.pk: node},
            allocated={},
            derived={},
            admitted={},
        )
        return replace(report, existed=False)
    admitted, allocated, derived, sizes = _figures_then(subtree, subject_id=organization.pk, year=year)
    nodes = {node.id: _node_row(node, sizes[node.id]) for node in subtree}
    if not detail:  # the organization and its children: the deeper levels only fed the sums
        nodes = {pk: n for pk, n in nodes.items() if pk == organization.pk or n["parent_id"] == organization.pk}
    return _assemble_then(organization, year, quarter, day, nodes, allocated, derived, admitted, detail=detail)


def _progress_then_changed(*, organization: Organization, year: int, quarter: int, day: datetime.date, changed):
    """The report (the organization and its children) in the tree of `day`, reading that tree only
    where it differs from today's: below the organizations that changed since (`changed`,
    organizations.structure.changed_since). Every other organization has the same organizations below
    it on both days, so it is measured by today's tallies; a changed one sums its children of that day
    as _figures_then does. The cost follows the changes, not the tree's size: one query per level of
    changed organizations, then the tallies, own counts, quotas, targets and draft, one each."""
    top = org_structure.as_of(organization, day)
    if top is None:
        return _progress_then(organization=organization, year=year, quarter=quarter, detail=False, day=day)
    order, children = [top], defaultdict(list)
    level = [top.id]
    while level:
        found = org_structure.children_of_many(level, day)
        for node in found:
            children[node.parent_id].append(node)
        order.extend(found)
        level = [node.id for node in found if node.id in changed]
    ids = [node.id for node in order]
    unchanged = [pk for pk in ids if pk not in changed and pk != top.id]
    admitted: dict[int, tuple[int, int, int, int]] = {
        pk: tuple(counts)
        for pk, *counts in AdmissionTally.objects.filter(organization_id__in=unchanged, year=year).values_list(
            "organization_id", "sub_q1", "sub_q2", "sub_q3", "sub_q4"
        )
    }
    derived = {
        row["organization_id"]: QuotaFigures.from_tally(SimpleNamespace(**row))
        for row in QuotaTally.objects.filter(organization_id__in=unchanged, year=year).values(
            "organization_id", *QUOTA_TALLY_FIELDS
        )
    }
    sizes = {
        pk: (rght - lft - 1) // 2
        for pk, lft, rght in Organization.objects.filter(pk__in=unchanged).values_list("pk", "lft", "rght")
    }
    recomputed = [node for node in order if node.id in changed or node.id == top.id]
    own = {
        pk: tuple(counts)
        for pk, *counts in AdmissionTally.objects.filter(
            organization_id__in=[node.id for node in recomputed], year=year
        ).values_list("organization_id", "own_q1", "own_q2", "own_q3", "own_q4")
    }
    parent_of = {node.id: node.parent_id for node in order}
    allocated = _allocated_then(ids, parent_of, year)
    targets = own_plan_targets(Q(organization_id__in=[node.id for node in recomputed]), year)
    for node in reversed(recomputed):  # children before their parents
        counts, parts, size = own.get(node.id, ZERO4), [], 0
        for child in children[node.id]:
            counts = _add(counts, admitted.get(child.id, ZERO4))
            measured = measured_against(allocated=allocated.get((child.id, year)), derived=derived.get(child.id))
            if measured is not None:
                parts.append(measured)
            size += sizes.get(child.id, 0) + 1
        admitted[node.id], sizes[node.id] = counts, size
        if parts:
            derived[node.id] = QuotaFigures.combine(parts)
        elif node.id in targets:
            derived[node.id] = targets[node.id]
    nodes = {node.id: _node_row(node, sizes.get(node.id, 0)) for node in [top, *children[top.id]]}
    return _assemble_then(organization, year, quarter, day, nodes, allocated, derived, admitted, detail=False)


def _allocated_then(ids: list[int], parent_of: dict[int, int | None], year: int) -> dict:
    """What each of these organizations' parent of a day (`parent_of`) allocated to it for the year, in
    that parent's effective plan. One query."""
    quotas = Quota.objects.filter(organization_id__in=ids, year=year).filter(
        plan=plan_effective_subquery(OuterRef("plan__organization"), year)
    )
    return {
        (pk, year): QuotaFigures.of(total, quarters)
        for pk, allocator, total, *quarters in quotas.values_list(
            "organization_id", "plan__organization_id", "total", "q1", "q2", "q3", "q4"
        )
        if parent_of.get(pk) == allocator  # allocated by its parent of that day
    }


def _assemble_then(organization, year, quarter, day, nodes, allocated, derived, admitted, *, detail):
    """A report in the tree of `day` from its figures, with the organization's draft for the year."""
    draft = plan_draft(organization=organization, year=year)
    return _assemble(
        organization=organization,
        year=year,
        quarter=quarter,
        detail=detail,
        today=day,
        nodes=nodes,
        allocated=allocated,
        derived=derived,
        admitted=admitted,
        draft=draft.number if draft else "",
    )


def _node_row(node: org_structure.Node, descendants: int) -> dict:
    """A node of the tree of a day as the report's query reads today's (NODE_FIELDS)."""
    return {
        "id": node.id,
        "parent_id": node.parent_id,
        "code": node.code,
        "name": node.name,
        "short_name": node.short_name,
        "kind": node.kind,
        "sector": node.sector,
        "position": node.position,
        "valid_to": None,  # every organization of the tree of that day was active on it
        "lft": 0,
        "rght": 2 * descendants + 1,
    }


def _figures_then(subtree: list[org_structure.Node], *, subject_id: int, year: int):
    """(admitted, allocated, derived, descendants) for the organizations of a tree of a day (parents
    before children): admissions summed up that tree from each one's own counts, the quotas each one's
    parent of that day allocated, the derived quotas as QuotaTally defines them. Three queries."""
    ids = [node.id for node in subtree]
    parent_of = {node.id: node.parent_id for node in subtree}
    own = {
        pk: tuple(counts)
        for pk, *counts in AdmissionTally.objects.filter(organization_id__in=ids, year=year).values_list(
            "organization_id", "own_q1", "own_q2", "own_q3", "own_q4"
        )
    }
    allocated = _allocated_then(ids, parent_of, year)
    targets = own_plan_targets(Q(organization_id__in=ids), year)
    admitted: dict[int, tuple[int, int, int, int]] = {}
    derived: dict[int, QuotaFigures] = {}
    parts: dict[int, list[QuotaFigures]] = defaultdict(list)
    sizes: dict[int, int] = defaultdict(int)
    for node in reversed(subtree):  # children before their parents
        admitted[node.id] = _add(admitted.get(node.id, ZERO4), own.get(node.id, ZERO4))
        if parts[node.id]:
            derived[node.id] = QuotaFigures.combine(parts[node.id])
        elif node.id in targets:
            derived[node.id] = targets[node.id]
        if node.id == subject_id or node.parent_id is None:
            continue
        admitted[node.parent_id] = _add(admitted.get(node.parent_id, ZERO4), admitted[node.id])
        measured = measured_against(allocated=allocated.get((node.id, year)), derived=derived.get(node.id))
        if measured is not None:
            parts[node.parent_id].append(measured)
        sizes[node.parent_id] += sizes[node.id] + 1
    return admitted, allocated, derived, sizes


class _ReportTree:
    """The organizations of a report as a tree of rows (the nodes as the report's query read them),
    with the quotas and admissions each is measured by: what _assemble builds the report from."""

    def __init__(self, *, subject_id, year, quarter, today, nodes, allocated, derived, admitted, reallocated=()):
        self.year, self.quarter, self.today, self.nodes = year, quarter, today, nodes
        self.allocated, self.derived, self.admitted = allocated, derived, admitted
        self.reallocated = frozenset(reallocated)
        # Siblings stay in the query's report order (group, position, name).
        self.children_of: dict[int, list[dict]] = defaultdict(list)
        for node in nodes.values():
            if node["parent_id"] in nodes and node["id"] != subject_id:
                self.children_of[node["parent_id"]].append(node)
        self.nested: dict[int, list[ProgressRow]] = {}

    def quota_of(self, node_id: int) -> QuotaFigures | None:
        return measured_against(allocated=self.allocated.get((node_id, self.year)), derived=self.derived.get(node_id))

    @staticmethod
    def ref(node: dict) -> OrganizationRef:
        return OrganizationRef(
            id=node["id"],
            code=node["code"],
            name=node["name"],
            short_name=node["short_name"],
            has_children=node["rght"] - node["lft"] > 1,
            group=_group_of(node["sector"]),
        )

    def active(self, node: dict) -> bool:
        return node["valid_to"] is None or node["valid_to"] >= self.today

    def row(self, node: dict, number: str, depth: int) -> ProgressRow:
        return ProgressRow(
            kind=RowKind.ORGANIZATION,
            label=self.ref(node).label,
            quarter=self.quarter,
            quota=self.quota_of(node["id"]),
            admitted_by_quarter=self.admitted.get(node["id"], ZERO4),
            organization=self.ref(node),
            number=number,
            depth=depth,
            group=_group_of(node["sector"]),
        )

    def other_line(self, parent_id: int, depth: int) -> ProgressRow | None:
        """Closed children, and anything recorded at the parent itself, on one line. A node without
        children has no such line: it is reported by its own row."""
        if not self.children_of[parent_id]:
            return None
        closed = [child for child in self.children_of[parent_id] if not self.active(child)]
        counts = self._own_of(parent_id)
        # What was allocated to them, not what their children's quotas add up to (those children may
        # be counted elsewhere today), nor that of a closed allocator whose quotas went with its former
        # children (inherited_allocations()).
        quota = QuotaFigures.combine(
            self.allocated.get((child["id"], self.year)) for child in closed if child["id"] not in self.reallocated
        )
        closed_counts = ZERO4
        for child in closed:
            closed_counts = _add(closed_counts, self.admitted.get(child["id"], ZERO4))
        if quota is None and not any(counts) and not any(closed_counts):
            return None
        if closed:
            label = _("Khác (tổ chức đã giải thể, hợp nhất)")
        else:
            label = _("Khác (ghi nhận trực tiếp tại %(name)s)") % {"name": self.ref(self.nodes[parent_id]).label}
        return ProgressRow(
            kind=RowKind.OTHER,
            label=str(label),
            quarter=self.quarter,
            quota=quota,
            admitted_by_quarter=_add(counts, closed_counts),
            depth=depth,
        )

    def _own_of(self, node_id: int) -> tuple[int, int, int, int]:
        # What a node holds itself: its subtree less its children's subtrees.
        counts = self.admitted.get(node_id, ZERO4)
        for child in self.children_of[node_id]:
            counts = tuple(c - a for c, a in zip(counts, self.admitted.get(child["id"], ZERO4), strict=True))
        return counts

    def descend(self, node: dict, number: str, depth: int) -> None:
        rows = []
        for index, child in enumerate((c for c in self.children_of[node["id"]] if self.active(c)), start=1):
            rows.append(self.row(child, f"{number}.{index}", depth + 1))
            self.descend(child, f"{number}.{index}", depth + 1)
        extra = self.other_line(node["id"], depth + 1)
        if extra is not None:
            rows.append(extra)
        if rows:
            self.nested[node["id"]] = rows


def _assemble(
    *,
    organization,
    year,
    quarter,
    detail,
    today,
    nodes,
    allocated,
    derived,
    admitted,
    own_target=None,
    draft="",
    reallocated=(),
):
    tree = _ReportTree(
        subject_id=organization.pk,
        year=year,
        quarter=quarter,
        today=today,
        nodes=nodes,
        allocated=allocated,
        derived=derived,
        admitted=admitted,
        reallocated=reallocated,
    )
    subject_node = nodes[organization.pk]
    by_group: dict[int, list[ProgressRow]] = defaultdict(list)
    kinds: dict[int, set[str]] = defaultdict(set)
    for child in tree.children_of[organization.pk]:
        if not tree.active(child):
            continue
        group = _group_of(child["sector"])
        kinds[group].add(child["kind"])
        number = str(len(by_group[group]) + 1)
        by_group[group].append(tree.row(child, number, 0))
        if detail:
            tree.descend(child, number, 0)

    groups = []
    for group in sorted(by_group):
        rows = by_group[group]
        groups.append(
            ProgressGroup(
                group=group,
                label=ReportGroup.label_under(group, organization.kind, kinds[group]),
                rows=rows,
                subtotal=_sum_row(rows, kind=RowKind.SUBTOTAL, label=str(_("Cộng")), quarter=quarter, group=group),
            )
        )
    other = tree.other_line(organization.pk, 0)
    top_rows = [row for g in groups for row in g.rows] + ([other] if other else [])
    total = _sum_row(top_rows, kind=RowKind.TOTAL, label=str(_("Tổng cộng")), quarter=quarter)
    subject_quota = allocated.get((organization.pk, year))
    if subject_quota is None:
        # Without an allocation of its own an organization is measured by what its rows add up to (as
        # its QuotaTally is), which in today's structure includes the quotas inherited from closed
        # organizations; else by its tally or its own plan's target.
        subject_quota = total.quota or tree.quota_of(organization.pk) or own_target
    return ProgressReport(
        organization=tree.ref(subject_node),
        year=year,
        quarter=quarter,
        detail=detail,
        subject=ProgressRow(
            kind=RowKind.ORGANIZATION,
            label=tree.ref(subject_node).label,
            quarter=quarter,
            quota=subject_quota,
            admitted_by_quarter=admitted.get(organization.pk, ZERO4),
            organization=tree.ref(subject_node),
        ),
        groups=groups,
        other=other,
        total=total,
        nested=tree.nested,
        draft=draft,
    )


def _sum_row(rows: list[ProgressRow], *, kind: str, label: str, quarter: int, group: int | None = None):
    counts = ZERO4
    for row in rows:
        counts = _add(counts, row.admitted_by_quarter)
    return ProgressRow(
        kind=kind,
        label=label,
        quarter=quarter,
        quota=QuotaFigures.combine(row.quota for row in rows),
        admitted_by_quarter=counts,
        group=group,
    )


def progress_row_count(*, organization: Organization, detail: bool) -> int:
    """How many organization rows a report will have, to choose between rendering it now and in the
    background: every descendant for a detail report (no query), else the children (one count)."""
    if detail:
        return (organization.rght - organization.lft - 1) // 2
    return Organization.objects.filter(parent_id=organization.pk).count()


def progress_header(
    *, organization: Organization, year: int, quarter: int, today: datetime.date | None = None
) -> OfficialHeader:
    """The official header and signature block of the quarterly report: issued by the organization,
    quotas as in its effective plan for the year (number, date, signer, "Nơi nhận") when it has one."""
    today = today or timezone.localdate()
    plan = plan_effective(organization=organization, year=year)
    last_day = quarter_bounds(year, quarter)[1]
    # The bodies as they were named at the end of the quarter (a 2022 report is Huyện ủy Lục Ngạn's,
    # of Đảng bộ tỉnh Bắc Giang).
    names = org_structure.names_on(organization, min(last_day, today))
    superior = party_committee_of(names.parent_name) if names.parent_name else ""
    basis = f"(Số liệu tính đến hết ngày {vietnamese_date(last_day)}"
    if plan is not None:
        # "72-KH/HU" is a number; a plan recorded without one carries its title instead.
        named = fold(plan.number).startswith("ke hoach")
        basis += f"; chỉ tiêu theo {plan.number}" if named else f"; chỉ tiêu theo Kế hoạch số {plan.number}"
        if plan.issued_on:
            basis += f" ngày {vietnamese_date(plan.issued_on)}"
        if plan.issuing_body:
            basis += f" của {plan.issuing_body}"
    basis += ")"
    if plan is not None and plan.recipient_lines:
        recipients = list(plan.recipient_lines)  # the plan's own "Nơi nhận", one a line
    else:
        recipients = [f"{names.parent_name} (báo cáo)"] if names.parent_name else []
        recipients += ["Các tổ chức đảng trực thuộc", "Lưu Văn phòng"]
    return OfficialHeader(
        issuing_body=names.name.upper(),
        superior_body=superior,
        title=f"BÁO CÁO TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU KẾT NẠP ĐẢNG VIÊN — QUÝ {roman_quarter(quarter)} NĂM {year}",
        attached_to=basis,
        place=(plan.place if plan and plan.place else "") or names.short_name or names.name,
        issued_on=today,
        signer_title=(plan.signer_title if plan else "") or "BÍ THƯ",
        signer_name=plan.signer_name if plan else "",
        recipients=tuple(recipients),
    )
