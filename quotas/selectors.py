"""Reads of plans and quotas: the allocation a committee made for a year (grouped like the seeds'
biểu), the term table of seed 004, the history of changes, all through the user's scope."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.models import MembershipFigure, Organization, ReportGroup
from partytrack import versions
from partytrack.figures import interface_number, signed_number

from .models import Plan, Quota
from .plans import plan_effective, plans_of_year

FIELDS = ("total", "q1", "q2", "q3", "q4")
QUARTERS = ("q1", "q2", "q3", "q4")
EMPTY = (None, None, None, None, None)

# (total, q1, q2, q3, q4); all None when an organization has no quota.
Values = tuple[int | None, int | None, int | None, int | None, int | None]


def quota_values(quota: Quota | None) -> Values:
    if quota is None:
        return EMPTY
    return (quota.total, quota.q1, quota.q2, quota.q3, quota.q4)


def display_name(organization: Organization) -> str:
    """The name a biểu prints: communes by their short name ("Biên Sơn"), others in full."""
    return organization.short_name or organization.name


def report_order(organization: Organization) -> tuple:
    return (int(organization.report_group), organization.position, organization.name)


# ---------------------------------------------------------------------------------------- plans


def plans_visible(*, user) -> QuerySet[Plan]:
    return Plan.objects.restrict(user)


def plan_get_visible(*, user, pk: int) -> Plan:
    """Plan.DoesNotExist (a 404) when the issuing organization is outside the user's scope."""
    return plans_visible(user=user).select_related("organization", "replaces").get(pk=pk)


def plans_of(*, organization: Organization) -> list[Plan]:
    """Every plan the organization issued, current and replaced, newest first."""
    return list(
        Plan.objects.filter(organization=organization)
        .select_related("replaces", "replaced_by")
        .order_by("-end_year", "-start_year", F("issued_on").desc(nulls_last=True), "-pk")
    )


def plan_year_totals(*, plan: Plan) -> dict[int, int]:
    """Sum of the quotas a plan allocated, by year."""
    return dict(plan.quotas.values("year").annotate(allocated=Sum("total")).values_list("year", "allocated"))


def can_allocate(*, user, organization: Organization) -> bool:
    """Staff and administrators allocate for their own organization and everything below it."""
    return Organization.objects.parents_for(user).filter(pk=organization.pk).exists()


def allocating_organizations(*, user, limit: int = 200) -> list[Organization]:
    """The organizations a user can open an allocation for from the index: the highest ones they see,
    their direct children that have children of their own, and those that issued plans."""
    from organizations.selectors import organization_top_for

    tops = list(organization_top_for(user=user))
    visible = Organization.objects.visible_to(user)
    children = list(visible.filter(parent__in=tops).filter(children__isnull=False).distinct()[:limit])
    with_plans = list(visible.filter(plans__isnull=False).distinct()[:limit])
    return sorted({*tops, *children, *with_plans}, key=lambda o: (o.tree_id, o.lft))


# --------------------------------------------------------------------------------- allocation


@dataclass
class Sums:
    total: int = 0
    quarters: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    # rows counted in `total`, and those of them that split their total into quarters
    rows: int = 0
    rows_with_quarters: int = 0

    def add(self, values: Values) -> None:
        if values[0] is None:
            return
        self.rows += 1
        self.total += values[0]
        if values[1] is not None:
            self.rows_with_quarters += 1
            for index in range(4):
                self.quarters[index] += values[index + 1] or 0

    @property
    def has_quarters(self) -> bool:
        """Quarter sums mean something only when every counted row splits its total (as in
        QuotaFigures.combine): 5 split 1/2/2/0 and 4 unsplit do not make quarters of 9."""
        return 0 < self.rows_with_quarters == self.rows

    @property
    def values(self) -> Values:
        if not self.has_quarters:
            return (self.total, None, None, None, None)
        return (self.total, *self.quarters)


@dataclass
class AllocationRow:
    number: int
    organization: Organization
    values: Values
    quota: Quota | None = None

    @property
    def name(self) -> str:
        return display_name(self.organization)

    @property
    def total(self) -> int | None:
        return self.values[0]

    @property
    def quarters(self) -> tuple[int | None, ...]:
        return self.values[1:]


@dataclass
class AllocationGroup:
    group: ReportGroup
    rows: list[AllocationRow]
    sums: Sums
    parent_kind: str = ""  # the allocating organization's kind: a commune's blocks are cells

    @property
    def label(self) -> str:
        return ReportGroup.label_under(self.group, self.parent_kind)


@dataclass
class Allocation:
    """One allocating organization's quotas for one year under one plan, as its biểu prints them."""

    organization: Organization
    year: int
    plan: Plan | None
    groups: list[AllocationGroup]
    sums: Sums
    token: str
    # What the level above set for this organization: its own quota, and the plan's overall target.
    own_quota: Quota | None = None
    warnings: list[str] = field(default_factory=list)
    # The plan that counts in reports, alerts and the API (plans.plan_effective), and the draft being
    # prepared for the year (plans.plan_draft), which does not count; `plan` is one of them or history.
    effective: Plan | None = None
    draft: Plan | None = None

    @property
    def rows(self) -> list[AllocationRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def target(self) -> int | None:
        return self.plan.target_for_year(self.year) if self.plan else None

    @property
    def is_current(self) -> bool:
        return self.plan is None or self.plan.is_current

    @property
    def is_draft(self) -> bool:
        return self.plan is not None and self.plan.status == Plan.Status.DRAFT

    def values_by_organization(self) -> dict[int, Values]:
        return {row.organization.pk: row.values for row in self.rows}


def allocation_token(plan_id: int | None, quotas: Iterable[Quota]) -> str:
    """The version of a grid's saved state (partytrack.versions, the same versions as the API's
    ETags): two users who loaded the same state hold the same token, and any save in between, in
    the grid, a file import or the API, changes it."""
    return versions.rows_version(["quotas", plan_id], quotas)


def _children_for(organization: Organization, first_year: int, last_year: int, quota_org_ids: set[int]):
    start, end = datetime.date(first_year, 1, 1), datetime.date(last_year, 12, 31)
    active = (
        Q(parent=organization)
        & (Q(valid_from__isnull=True) | Q(valid_from__lte=end))
        & (Q(valid_to__isnull=True) | Q(valid_to__gte=start))
    )
    # Organizations that received a quota stay in the biểu even after a merge moved them elsewhere.
    children = Organization.objects.filter(active | Q(pk__in=quota_org_ids))
    return sorted(children, key=report_order)


def allocation_children(*, organization: Organization, plan: Plan | None, year: int) -> list[Organization]:
    """Who can receive a quota in this allocation: the organization's direct children active during
    the year, and anyone who already holds a quota in it."""
    quota_org_ids = set()
    if plan is not None:
        quota_org_ids = set(Quota.objects.filter(plan=plan, year=year).values_list("organization_id", flat=True))
    return _children_for(organization, year, year, quota_org_ids)


def own_quota(*, organization: Organization, year: int) -> Quota | None:
    """The quota the organization itself received from its parent's effective plan."""
    if organization.parent_id is None:
        return None
    plan = plan_effective(organization=organization.parent_id, year=year)
    if plan is None:
        return None
    return Quota.objects.filter(plan=plan, organization=organization, year=year).first()


def _group_rows(
    children: Sequence[Organization], values_of, parent_kind: str = ""
) -> tuple[list[AllocationGroup], Sums]:
    groups: list[AllocationGroup] = []
    total = Sums()
    for child in children:
        group_key = child.report_group
        if not groups or groups[-1].group != group_key:
            groups.append(AllocationGroup(group=ReportGroup(group_key), rows=[], sums=Sums(), parent_kind=parent_kind))
        group = groups[-1]
        values, quota = values_of(child)
        group.rows.append(AllocationRow(number=len(group.rows) + 1, organization=child, values=values, quota=quota))
        group.sums.add(values)
        total.add(values)
    return groups, total


def allocation_warnings(
    *, sums: Sums, plan: Plan | None, year: int, own: Quota | None, organization: Organization
) -> list[str]:
    """Differences between what was allocated and what the level above set: shown, not refused
    (seed 000 allocates 220 against a target of 200). Figures in the interface language (12.560 in
    Vietnamese, 12,560 in English)."""
    warnings = []
    if sums.rows == 0:
        return warnings
    target = plan.target_for_year(year) if plan else None
    if target is not None and sums.total != target:
        sign = "≥ " if plan.target_is_minimum else ""
        warnings.append(
            _(
                "Tổng giao cho cấp dưới là %(sum)s, chỉ tiêu chung của kế hoạch là %(sign)s%(target)s: chênh lệch %(diff)s."
            )
            % {
                "sum": interface_number(sums.total),
                "sign": sign,
                "target": interface_number(target),
                "diff": signed_number(sums.total - target),
            }
        )
    if plan is not None and plan.has_target_quarters and sums.has_quarters:
        for index, (allocated, planned) in enumerate(zip(sums.quarters, plan.target_quarters, strict=True), 1):
            if allocated != planned:
                warnings.append(
                    _("Quý %(q)s: giao cho cấp dưới %(sum)s, kế hoạch đặt %(target)s: chênh lệch %(diff)s.")
                    % {
                        "q": ["I", "II", "III", "IV"][index - 1],
                        "sum": interface_number(allocated),
                        "target": interface_number(planned),
                        "diff": signed_number(allocated - planned),
                    }
                )
    if own is not None and sums.total != own.total:
        warnings.append(
            _("Tổng giao cho cấp dưới là %(sum)s, cấp trên giao cho %(name)s %(own)s: chênh lệch %(diff)s.")
            % {
                "sum": interface_number(sums.total),
                "name": organization.name,
                "own": interface_number(own.total),
                "diff": signed_number(sums.total - own.total),
            }
        )
    return warnings


def allocation_for(*, organization: Organization, year: int, plan: Plan | None = None) -> Allocation:
    """The allocation of `organization` for `year`: under `plan` when given (a replaced plan is read
    as history), else under the plan being worked on (plans.plan_working: a draft being prepared,
    else the effective plan). Seven queries whatever the number of children."""
    effective, draft = plans_of_year(organization=organization, year=year)
    if plan is None:
        plan = draft or effective
    quotas = list(Quota.objects.filter(plan=plan, year=year)) if plan else []
    by_org = {quota.organization_id: quota for quota in quotas}
    children = _children_for(organization, year, year, set(by_org))
    groups, sums = _group_rows(
        children, lambda child: (quota_values(by_org.get(child.pk)), by_org.get(child.pk)), organization.kind
    )
    own = own_quota(organization=organization, year=year)
    return Allocation(
        organization=organization,
        year=year,
        plan=plan,
        groups=groups,
        sums=sums,
        token=allocation_token(plan.pk if plan else None, quotas),
        own_quota=own,
        warnings=allocation_warnings(sums=sums, plan=plan, year=year, own=own, organization=organization),
        effective=effective,
        draft=draft,
    )


def allocation_state(*, plan: Plan | None, year: int | None = None) -> tuple[str, dict[int, Values]]:
    """The saved state of a plan's quotas for one year (or every year when `year` is None): its
    token and the values by organization (by (organization, year) for a whole term)."""
    if plan is None:
        return allocation_token(None, []), {}
    quotas = Quota.objects.filter(plan=plan)
    if year is not None:
        quotas = quotas.filter(year=year)
    quotas = list(quotas)
    if year is not None:
        return allocation_token(plan.pk, quotas), {q.organization_id: quota_values(q) for q in quotas}
    return allocation_token(plan.pk, quotas), {(q.organization_id, q.year): quota_values(q) for q in quotas}


# ---------------------------------------------------------------------------------------- term


@dataclass
class TermRow:
    number: int
    organization: Organization
    years: dict[int, int | None]
    figure: MembershipFigure | None = None

    @property
    def name(self) -> str:
        return display_name(self.organization)

    @property
    def term_total(self) -> int:
        """The term quota is the sum of the yearly quotas: derived, never stored twice."""
        return sum(value for value in self.years.values() if value is not None)


@dataclass
class TermTable:
    """Seed 004's "Biểu phân bố chỉ tiêu": each organization's size, its term quota and the years, in
    report order and numbered 1, 2, … straight through (the seed has no groups and no "Cộng")."""

    plan: Plan
    rows: list[TermRow]
    token: str
    figures_as_of: datetime.date

    @property
    def years(self) -> list[int]:
        return list(self.plan.years)

    def totals(self) -> dict:
        def total(values):
            present = [v for v in values if v is not None]
            return sum(present) if present else None

        rows = self.rows
        return {
            "cell_count": total(r.figure.cell_count if r.figure else None for r in rows),
            "member_count": total(r.figure.member_count if r.figure else None for r in rows),
            "official_member_count": total(r.figure.official_member_count if r.figure else None for r in rows),
            "term_total": sum(r.term_total for r in rows),
            "years": {year: total(r.years.get(year) for r in rows) for year in self.years},
        }


def figures_date(plan: Plan) -> datetime.date:
    """The date a term biểu's "Thực trạng" figures are recorded at: the plan's date."""
    return plan.issued_on or datetime.date(plan.start_year, 1, 1)


def term_table(*, plan: Plan) -> TermTable:
    quotas = list(Quota.objects.filter(plan=plan))
    by_cell = {(q.organization_id, q.year): q.total for q in quotas}
    quota_org_ids = {q.organization_id for q in quotas}
    children = _children_for(plan.organization, plan.start_year, plan.end_year, quota_org_ids)
    as_of = figures_date(plan)
    figures: dict[int, MembershipFigure] = {}
    for figure in MembershipFigure.objects.filter(organization__in=children, as_of__lte=as_of).order_by("as_of"):
        figures[figure.organization_id] = figure  # the latest on or before the plan's date
    rows = [
        TermRow(
            number=number,
            organization=child,
            years={year: by_cell.get((child.pk, year)) for year in plan.years},
            figure=figures.get(child.pk),
        )
        for number, child in enumerate(children, 1)
    ]
    return TermTable(plan=plan, rows=rows, token=allocation_token(plan.pk, quotas), figures_as_of=as_of)


# ------------------------------------------------------------------------------------- history


@dataclass
class HistoryEntry:
    when: datetime.datetime
    user: object
    organization: Organization | None
    year: int
    kind: str  # "+", "~", "-"
    changes: list[tuple[str, int | None, int | None]]  # (field label, old, new)
    plan_id: int | None = None

    @property
    def who(self) -> str:
        if self.user is None:
            return _("Hệ thống (nhập dữ liệu)")
        full = self.user.get_full_name() if hasattr(self.user, "get_full_name") else ""
        return f"{full} ({self.user.get_username()})" if full else self.user.get_username()


FIELD_LABELS = {"total": "Tổng số", "q1": "Quý I", "q2": "Quý II", "q3": "Quý III", "q4": "Quý IV"}
# The same columns as the history pages name them, in the interface language.
HISTORY_LABELS = {
    "total": gettext_lazy("Tổng số"),
    "q1": gettext_lazy("Quý I"),
    "q2": gettext_lazy("Quý II"),
    "q3": gettext_lazy("Quý III"),
    "q4": gettext_lazy("Quý IV"),
}


def quota_history(*, plan: Plan, year: int | None = None, limit: int = 500) -> list[HistoryEntry]:
    """Every change to a plan's quotas, newest first: who, when, old and new values. Reads the
    history table once and compares each record with the one before it."""
    records = Quota.history.filter(plan_id=plan.pk)
    if year is not None:
        records = records.filter(year=year)
    records = list(records.select_related("history_user").order_by("history_date", "history_id"))
    organizations = Organization.objects.in_bulk({r.organization_id for r in records})
    previous: dict[int, Values] = {}
    entries = []
    for record in records:
        new = EMPTY if record.history_type == "-" else quota_values(record)
        old = previous.get(record.id, EMPTY)
        previous[record.id] = new
        changes = [(HISTORY_LABELS[name], o, n) for name, o, n in zip(FIELDS, old, new, strict=True) if o != n]
        if record.history_type == "-":
            changes = [(HISTORY_LABELS[name], o, None) for name, o in zip(FIELDS, old, strict=True) if o is not None]
        if not changes:
            continue
        entries.append(
            HistoryEntry(
                when=record.history_date,
                user=record.history_user,
                organization=organizations.get(record.organization_id),
                year=record.year,
                kind=record.history_type,
                changes=changes,
                plan_id=plan.pk,
            )
        )
    entries.reverse()
    return entries[:limit]


def last_changes_by_organization(*, plan: Plan, year: int, organization_ids: Iterable[int]) -> dict[int, HistoryEntry]:
    """The latest change per organization (who and when), for the conflict page."""
    wanted = set(organization_ids)
    latest: dict[int, HistoryEntry] = {}
    for entry in quota_history(plan=plan, year=year, limit=10_000):
        if entry.organization and entry.organization.pk in wanted and entry.organization.pk not in latest:
            latest[entry.organization.pk] = entry
    return latest


# ------------------------------------------------------------------------------- edit conflicts


@dataclass
class GridMerge:
    """A refused save merged with what was saved meanwhile: the cells to show by organization, the
    columns both sides changed differently, and every change the other side made (for the page)."""

    cells: dict[int, list[str]]
    conflicts: dict[int, set[str]]
    changes: list[dict]


def allocation_merge(
    *, allocation: Allocation, base: dict[int, Values], typed: dict[int, list[str]], mine: dict[int, Values]
) -> GridMerge:
    """Three-way merge of a grid save refused because someone saved first: `base` is what the user
    loaded, `allocation` what is saved now, `typed`/`mine` what the user sent (text and values). Keep
    every value the user changed; take theirs where the user changed nothing; mark the cells both
    changed to different values."""
    theirs_all = allocation.values_by_organization()
    cells: dict[int, list[str]] = {}
    conflicts: dict[int, set[str]] = {}
    changes: list[dict] = []
    latest = (
        last_changes_by_organization(
            plan=allocation.plan, year=allocation.year, organization_ids=theirs_all.keys() | base.keys()
        )
        if allocation.plan
        else {}
    )
    for row in allocation.rows:
        org_id = row.organization.pk
        before = tuple(base.get(org_id, EMPTY))
        theirs = tuple(theirs_all.get(org_id, EMPTY))
        shown = typed.get(org_id, ["" if v is None else str(v) for v in theirs])
        mine_values = tuple(mine.get(org_id, before))
        row_cells = []
        for index, column in enumerate(FIELDS):
            changed_by_them = theirs[index] != before[index]
            changed_by_me = mine_values[index] != before[index]
            if changed_by_them and not changed_by_me:
                row_cells.append("" if theirs[index] is None else str(theirs[index]))
            else:
                row_cells.append(shown[index])
                if changed_by_them and changed_by_me and mine_values[index] != theirs[index]:
                    conflicts.setdefault(org_id, set()).add(column)
            if changed_by_them:
                entry = latest.get(org_id)
                changes.append(
                    {
                        "organization": row.organization,
                        "field": FIELD_LABELS[column],
                        "before": before[index],
                        "theirs": theirs[index],
                        "mine": mine_values[index],
                        "clash": column in conflicts.get(org_id, ()),
                        "who": entry.who if entry else "",
                        "when": entry.when if entry else None,
                    }
                )
        cells[org_id] = row_cells
    return GridMerge(cells=cells, conflicts=conflicts, changes=changes)


# ------------------------------------------------------------------------------------- API reads


def quotas_visible(*, user) -> QuerySet[Quota]:
    """Quotas whose receiving organization the user may see (their own quota from above included)."""
    return Quota.objects.restrict(user).select_related("plan", "organization")
