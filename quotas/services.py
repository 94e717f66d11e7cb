"""Every write to plans and quotas: create, edit and replace a plan, save an allocation (grid, file
import, API), save a term table. Each write is one transaction, checks the user's scope before and
after, refuses bad input as a whole with the row named, and sends signals.quotas_changed."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Organization, Scope
from organizations.services import membership_figure_record
from partytrack import locks, versions
from partytrack.periods import FIRST_YEAR, LAST_YEAR
from partytrack.text import clean_lines, clean_text, fold

from . import plans, rules, selectors, signals
from .models import Plan, Quota, SubTarget
from .selectors import Values

PLAN_FIELDS = (
    "number",
    "issued_on",
    "issuing_body",
    "title",
    "start_year",
    "end_year",
    "target",
    "target_is_minimum",
    "target_per_year",
    "target_q1",
    "target_q2",
    "target_q3",
    "target_q4",
    "status",
    "place",
    "signer_title",
    "signer_name",
    "recipients",
    "note",
)


@dataclass(frozen=True)
class QuotaInput:
    """One organization's yearly quota as typed or read: all None clears it."""

    organization_id: int
    total: int | None = None
    q1: int | None = None
    q2: int | None = None
    q3: int | None = None
    q4: int | None = None

    @property
    def values(self) -> Values:
        return (self.total, self.q1, self.q2, self.q3, self.q4)


@dataclass(frozen=True)
class TermInput:
    """One row of a term biểu (seed 004): yearly quotas, and optionally the organization's figures.

    `term_total`, when given, is checked against the sum of the years (it is never stored)."""

    organization_id: int
    years: Mapping[int, int | None]
    term_total: int | None = None
    cell_count: int | None = None
    member_count: int | None = None
    official_member_count: int | None = None


@dataclass
class AllocationResult:
    plan: Plan
    created: int = 0
    updated: int = 0
    deleted: int = 0
    figures: int = 0
    plan_created: bool = False

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


@dataclass
class AllocationConflict(Exception):
    """Someone saved the same allocation after the user loaded it; nothing was written."""

    plan: Plan | None
    token: str
    values: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return _("Người khác đã lưu biểu này sau khi bạn mở nó.")


def row_key(organization_id: int) -> str:
    """The key a row's errors are filed under in the ValidationError a save raises."""
    return f"row:{organization_id}"


# ------------------------------------------------------------------------------------- helpers


def _ensure_can_allocate(by, organization: Organization) -> None:
    """Staff and administrators of the organization (or above it) allocate its quotas."""
    if by is None:
        return
    Scope.forget(by)
    if not Organization.objects.parents_for(by).filter(pk=organization.pk).exists():
        raise PermissionDenied


def default_issuing_body(organization: Organization) -> str:
    """ "Huyện ủy Lục Ngạn" -> "Ban Thường vụ Huyện ủy"."""
    lowered = organization.name.lower()
    for committee in ("Tỉnh ủy", "Thành ủy", "Huyện ủy", "Thị ủy", "Quận ủy", "Đảng ủy"):
        if lowered.startswith(committee.lower()) or lowered.startswith(committee.lower().replace("ủy", "uỷ")):
            return f"Ban Thường vụ {committee}"
    return organization.name


def still_below(child: Organization, organization: Organization) -> bool:
    """Whether `child` is still below `organization` (a row of its biểu it may change): false for an
    organization that received a quota and has since been moved to another subtree."""
    return child.tree_id == organization.tree_id and organization.lft < child.lft < organization.rght


def _label(organization: Organization) -> str:
    return selectors.display_name(organization)


def _write_quotas(*, plan: Plan, cells: Mapping[tuple[int, int], Values], by, result: AllocationResult) -> None:
    """Create, change or remove (history keeps it) one quota per (organization, year) cell."""
    existing = {
        (q.organization_id, q.year): q
        for q in Quota.objects.filter(plan=plan, year__in={year for _org, year in cells})
        if (q.organization_id, q.year) in cells
    }
    for (org_id, year), values in sorted(cells.items()):
        quota = existing.get((org_id, year))
        if values[0] is None:
            if quota is not None:
                quota._history_user = by
                quota.delete()
                result.deleted += 1
            continue
        if quota is not None and selectors.quota_values(quota) == values:
            continue
        if quota is None:
            quota = Quota(plan=plan, organization_id=org_id, year=year)
            result.created += 1
        else:
            result.updated += 1
        quota.total, quota.q1, quota.q2, quota.q3, quota.q4 = values
        quota._history_user = by
        quota.save()


def _resolve_plan(organization: Organization, year: int, plan: Plan | None) -> Plan | None:
    if plan is None:
        return plans.plan_working(organization=organization, year=year)
    plan = Plan.objects.select_related("organization").get(pk=plan.pk)
    if plan.organization_id != organization.pk:
        raise ValidationError(
            {
                "plan": _("Kế hoạch %(number)s không phải của %(org)s.")
                % {"number": plan.number, "org": organization.name}
            }
        )
    ensure_current(plan)
    if year not in plan.years:
        raise ValidationError(
            {"year": _("Kế hoạch %(number)s không áp dụng cho năm %(year)s.") % {"number": plan.number, "year": year}}
        )
    return plan


def ensure_current(plan: Plan) -> None:
    """Refuse writes to a replaced plan: its quotas are history."""
    if not Plan.objects.filter(pk=plan.pk).current().exists():
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _(
                    "Kế hoạch %(number)s đã được thay thế: chỉ tiêu của nó được giữ làm lịch sử, không sửa được."
                )
                % {"number": plan.number}
            }
        )


def _check_year(year: int) -> None:
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError({"year": _("Năm không hợp lệ: %(year)s.") % {"year": year}})


# ---------------------------------------------------------------------------------- allocations


def check_existed_in(organization: Organization, year: int) -> None:
    """An organization allocates only for a year it existed in (Tỉnh ủy Bắc Ninh, founded on 1/7/2025,
    has no 2022 allocation to make, nor to the organizations that were Bắc Giang's then)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if (organization.valid_from and organization.valid_from > last) or (
        organization.valid_to and organization.valid_to < first
    ):
        raise ValidationError(
            _("“%(name)s” không hoạt động trong năm %(year)s: không giao chỉ tiêu cho năm này.")
            % {"name": organization.name, "year": year}
        )


@transaction.atomic
def allocation_save(
    *,
    organization: Organization,
    year: int,
    rows: Sequence[QuotaInput],
    by,
    plan: Plan | None = None,
    seen_token: str | None = None,
) -> AllocationResult:
    """Save what `organization` allocates to its children for `year`, all rows or none.

    Without `plan` the plan being worked on is used (plans.plan_working: the draft being prepared,
    else the effective plan), and a draft plan titled after the year is created when there is none
    (it does not count until it is issued). `seen_token` is the state the user loaded (selectors.allocation_state): if
    someone saved in between, AllocationConflict is raised and nothing is written."""
    _check_year(year)
    organization = Organization.objects.get(pk=organization.pk)
    locks.allocation(organization.pk)
    _ensure_can_allocate(by, organization)
    check_existed_in(organization, year)
    plan = _resolve_plan(organization, year, plan)
    if seen_token is not None:
        token, values = selectors.allocation_state(plan=plan, year=year)
        if token != seen_token:
            raise AllocationConflict(plan=plan, token=token, values=values)

    allowed = {
        child.pk: child for child in selectors.allocation_children(organization=organization, plan=plan, year=year)
    }
    saved = (
        {quota.organization_id: selectors.quota_values(quota) for quota in Quota.objects.filter(plan=plan, year=year)}
        if plan is not None
        else {}
    )
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    cells: dict[tuple[int, int], Values] = {}
    for row in rows:
        key = row_key(row.organization_id)
        child = allowed.get(row.organization_id)
        if child is None:
            name = Organization.objects.filter(pk=row.organization_id).values_list("name", flat=True).first()
            errors.setdefault(key, []).append(
                _("%(name)s không trực thuộc %(parent)s (chỉ giao chỉ tiêu cho tổ chức cấp dưới trực tiếp).")
                % {"name": name or f"#{row.organization_id}", "parent": organization.name}
            )
            continue
        if row.organization_id in seen:
            errors.setdefault(key, []).append(_("%(name)s xuất hiện hai lần.") % {"name": _label(child)})
            continue
        seen.add(row.organization_id)
        if not still_below(child, organization):
            # Moved out of the subtree since: its old quota stays in the biểu as history, unchanged.
            if tuple(row.values) != saved.get(child.pk, selectors.EMPTY):
                errors.setdefault(key, []).append(
                    _("%(name)s đã chuyển ra ngoài %(parent)s: chỉ tiêu đã giao chỉ còn để xem, không sửa được.")
                    % {"name": _label(child), "parent": organization.name}
                )
            continue
        for _field, message in rules.check_values(row.values):
            errors.setdefault(key, []).append(f"{_label(child)}: {message}")
        cells[(row.organization_id, year)] = row.values
    if errors:
        raise ValidationError(errors)

    result = AllocationResult(plan=plan)
    if plan is None:
        plan = _draft_plan(organization=organization, year=year, by=by)
        result = AllocationResult(plan=plan, plan_created=True)
    _write_quotas(plan=plan, cells=cells, by=by, result=result)
    _ensure_can_allocate(by, organization)
    if result.changed or result.plan_created:
        signals.quotas_changed.send(sender=Plan, plan_ids={plan.pk})
    return result


@transaction.atomic
def quota_save(
    *,
    organization: Organization,
    year: int,
    total: int,
    q1: int | None = None,
    q2: int | None = None,
    q3: int | None = None,
    q4: int | None = None,
    plan: Plan | None = None,
    by,
    expected_version: versions.Expected = None,
) -> Quota:
    """One organization's quota from its parent (the API). Without `plan` it goes to the plan the
    parent works on for the year (plans.plan_working), created as a draft when there is none. With `expected_version` (the
    API's If-Match) the quota is changed only if it is still at a version the caller read
    (versions.StaleVersion otherwise), checked under the allocation's lock and the row's."""
    organization = Organization.objects.get(pk=organization.pk)
    if organization.parent_id is None:
        raise ValidationError(
            {"organization": _("%(name)s không có cấp trên giao chỉ tiêu.") % {"name": organization.name}}
        )
    parent = Organization.objects.get(pk=organization.parent_id)
    if plan is not None and plan.organization_id != parent.pk:
        raise ValidationError(
            {
                "plan": _("Kế hoạch %(number)s không phải của %(parent)s, cấp trên trực tiếp của %(name)s.")
                % {"number": plan.number, "parent": parent.name, "name": organization.name}
            }
        )
    if expected_version is not None:
        locks.allocation(parent.pk)
        _ensure_can_allocate(by, parent)
        target = plan or plans.plan_working(organization=parent, year=year)
        current = Quota.objects.select_for_update().filter(plan=target, organization=organization, year=year).first()
        versions.check(current, expected_version)
    result = allocation_save(
        organization=parent,
        year=year,
        rows=[QuotaInput(organization.pk, total, q1, q2, q3, q4)],
        plan=plan,
        by=by,
    )
    return Quota.objects.select_related("plan", "organization").get(
        plan=result.plan, organization=organization, year=year
    )


@transaction.atomic
def term_save(
    *,
    plan: Plan,
    rows: Sequence[TermInput],
    by,
    seen_token: str | None = None,
) -> AllocationResult:
    """Save a term table (seed 004): yearly quotas for every year of the plan, and the organizations'
    figures (cells, members, official members) as of the plan's date. All rows or none.

    A year whose total changes loses its quarterly split (the split no longer adds up)."""
    plan = Plan.objects.select_related("organization").get(pk=plan.pk)
    organization = plan.organization
    locks.allocation(organization.pk)
    _ensure_can_allocate(by, organization)
    ensure_current(plan)
    if seen_token is not None:
        token, values = selectors.allocation_state(plan=plan)
        if token != seen_token:
            raise AllocationConflict(plan=plan, token=token, values=values)
    table = selectors.term_table(plan=plan)
    allowed = {row.organization.pk: row for row in table.rows}
    existing = {(q.organization_id, q.year): q for q in Quota.objects.filter(plan=plan)}
    errors: dict[str, list[str]] = {}
    cells: dict[tuple[int, int], Values] = {}
    figures: list[tuple[Organization, TermInput]] = []
    seen: set[int] = set()
    for row in rows:
        current = allowed.get(row.organization_id)
        row_errors = _term_row_errors(row, current, plan=plan, seen=seen)
        if row_errors:
            errors.setdefault(row_key(row.organization_id), []).extend(row_errors)
        elif still_below(current.organization, organization):  # a row moved out stays as history, unchanged
            for year, total in row.years.items():
                quota = existing.get((row.organization_id, year))
                if quota is not None and quota.total == total:
                    cells[(row.organization_id, year)] = selectors.quota_values(quota)  # keeps its quarters
                else:
                    cells[(row.organization_id, year)] = (total, None, None, None, None)
            if row.member_count is not None:
                figures.append((current.organization, row))
    if errors:
        raise ValidationError(errors)

    result = AllocationResult(plan=plan)
    _write_quotas(plan=plan, cells=cells, by=by, result=result)
    result.figures += _record_term_figures(figures, as_of=selectors.figures_date(plan), by=by)
    _ensure_can_allocate(by, organization)
    if result.changed:
        signals.quotas_changed.send(sender=Plan, plan_ids={plan.pk})
    return result


def _record_term_figures(figures: list[tuple[Organization, TermInput]], *, as_of, by) -> int:
    """Record the typed membership figures of a term table that differ from those saved as of its
    date; how many were recorded."""
    recorded = 0
    for child, row in figures:
        figure = child.membership_figures.filter(as_of=as_of).first()
        if figure and (figure.cell_count, figure.member_count, figure.official_member_count) == (
            row.cell_count,
            row.member_count,
            row.official_member_count,
        ):
            continue
        membership_figure_record(
            organization=child,
            as_of=as_of,
            member_count=row.member_count,
            official_member_count=row.official_member_count,
            cell_count=row.cell_count,
            by=by,
        )
        recorded += 1
    return recorded


def _term_row_errors(row: TermInput, current, *, plan: Plan, seen: set[int]) -> list[str]:
    """What is wrong with one row of a term table (`current`: the organization's row of the saved
    table, None if it is not a child); a row's organization is added to `seen`."""
    organization = plan.organization
    if current is None:
        return [
            _("Tổ chức #%(id)s không trực thuộc %(parent)s.") % {"id": row.organization_id, "parent": organization.name}
        ]
    name = _label(current.organization)
    if row.organization_id in seen:
        return [_("%(name)s xuất hiện hai lần.") % {"name": name}]
    seen.add(row.organization_id)
    if not still_below(current.organization, organization):
        # Moved out of the subtree since: its row stays as history, unchanged.
        figure = current.figure
        shown = (figure.cell_count, figure.member_count, figure.official_member_count) if figure else (None,) * 3
        typed = (row.cell_count, row.member_count, row.official_member_count)
        if any(current.years.get(y) != total for y, total in row.years.items()) or typed not in {shown, (None,) * 3}:
            return [
                _("%(name)s đã chuyển ra ngoài %(parent)s: chỉ tiêu đã giao chỉ còn để xem, không sửa được.")
                % {"name": name, "parent": organization.name}
            ]
        return []
    outside = sorted(set(row.years) - set(plan.years))
    if outside:
        return [
            _("%(name)s: năm %(years)s nằm ngoài thời kỳ của kế hoạch (%(start)s–%(end)s).")
            % {"name": name, "years": ", ".join(map(str, outside)), "start": plan.start_year, "end": plan.end_year}
        ]
    errors = [
        f"{name}, năm {year}: {message}"
        for year, total in row.years.items()
        for _field, message in rules.check_values((total, None, None, None, None))
    ]
    numbers = (row.term_total, row.cell_count, row.member_count, row.official_member_count)
    errors += [
        _("%(name)s: số không hợp lệ (%(value)s).") % {"name": name, "value": value}
        for value in numbers
        if not rules.is_count(value)
    ]
    if errors:
        return errors
    problems = rules.check_term_row(
        years=row.years,
        term_total=row.term_total,
        cell_count=row.cell_count,
        member_count=row.member_count,
        official_member_count=row.official_member_count,
    )
    return [_("%(name)s: %(problem)s.") % {"name": name, "problem": problem} for _column, problem in problems]


# ---------------------------------------------------------------------------------------- plans


def _check_plan(plan: Plan) -> None:
    for year_field in ("start_year", "end_year"):
        value = getattr(plan, year_field)
        if value is None or not FIRST_YEAR <= value <= LAST_YEAR:
            raise ValidationError({year_field: _("Năm không hợp lệ.")})
    if plan.end_year < plan.start_year:
        raise ValidationError({"end_year": _("Năm kết thúc phải từ năm bắt đầu trở đi.")})
    if plan.status == Plan.Status.ISSUED and plan.issued_on is not None and plan.issued_on > timezone.localdate():
        raise ValidationError(
            {
                "issued_on": _("Kế hoạch đã ban hành không thể có ngày ban hành sau hôm nay (%(day)s).")
                % {"day": f"{plan.issued_on:%d/%m/%Y}"}
            }
        )
    # Plan numbers compared as one identity: "72-KH/HU", "72-kh/hu" and "72-KH/\u200bHU" are one number.
    others = Plan.objects.filter(organization_id=plan.organization_id).exclude(pk=plan.pk)
    if fold(plan.number) in {fold(number) for number in others.values_list("number", flat=True)}:
        raise ValidationError(
            {
                "number": _("%(org)s đã có kế hoạch số %(number)s.")
                % {"org": plan.organization.name, "number": plan.number}
            }
        )
    plan.full_clean(exclude=["organization", "replaces"], validate_unique=False, validate_constraints=False)
    if plan.pk and Quota.objects.filter(plan=plan).exclude(year__gte=plan.start_year, year__lte=plan.end_year).exists():
        raise ValidationError(
            {"start_year": _("Kế hoạch đã giao chỉ tiêu cho năm nằm ngoài thời kỳ mới: sửa các chỉ tiêu đó trước.")}
        )


# Plan texts of several lines; the others are one line.
_PLAN_LINES = frozenset({"recipients", "note"})


def _strip(fields: dict) -> dict:
    """The plan's texts as they will be stored, so the checks compare what is stored."""
    return {
        name: (clean_lines if name in _PLAN_LINES else clean_text)(value) if isinstance(value, str) else value
        for name, value in fields.items()
    }


@transaction.atomic
def plan_create(*, organization: Organization, by, replaces: Plan | None = None, **fields) -> Plan:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"plan_create() got unknown fields {sorted(unknown)}")
    organization = Organization.objects.get(pk=organization.pk)
    locks.allocation(organization.pk)
    _ensure_can_allocate(by, organization)
    fields = _strip(fields)
    fields.setdefault("issuing_body", default_issuing_body(organization))
    plan = Plan(organization=organization, replaces=replaces, **fields)
    _check_plan(plan)
    plan._history_user = by
    plan.save()
    _ensure_can_allocate(by, organization)
    signals.quotas_changed.send(sender=Plan, plan_ids={plan.pk})
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, by, **changes) -> Plan:
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"plan_update() cannot change {sorted(unknown)}")
    plan = Plan.objects.select_related("organization").get(pk=plan.pk)
    locks.allocation(plan.organization_id)
    _ensure_can_allocate(by, plan.organization)
    for name, value in _strip(changes).items():
        setattr(plan, name, value)
    _check_plan(plan)
    plan._history_user = by
    plan.save()
    _ensure_can_allocate(by, plan.organization)
    signals.quotas_changed.send(sender=Plan, plan_ids={plan.pk})
    return plan


@transaction.atomic
def plan_replace(*, plan: Plan, by, copy_quotas: bool = True, **fields) -> Plan:
    """Issue a plan that replaces `plan` (seed 003: "Kế hoạch này thay thế Kế hoạch số 70-KH/ĐU").
    The old plan and its quotas stay as history; the new one starts from a copy of its quotas."""
    old = Plan.objects.select_related("organization").get(pk=plan.pk)
    locks.allocation(old.organization_id)
    _ensure_can_allocate(by, old.organization)
    ensure_current(old)
    new = plan_create(organization=old.organization, by=by, replaces=old, **fields)
    if copy_quotas:
        cells = {
            (q.organization_id, q.year): selectors.quota_values(q)
            for q in Quota.objects.filter(plan=old, year__gte=new.start_year, year__lte=new.end_year)
        }
        _write_quotas(plan=new, cells=cells, by=by, result=AllocationResult(plan=new))
    signals.quotas_changed.send(sender=Plan, plan_ids={old.pk, new.pk})
    return new


def _draft_plan(*, organization: Organization, year: int, by) -> Plan:
    """The plan a quota goes to when none was named and none exists: a draft titled after the year."""
    number = _("Dự thảo năm %(year)s") % {"year": year}
    taken = set(Plan.objects.filter(organization=organization).values_list("number", flat=True))
    candidate, suffix = number, 2
    while candidate in taken:
        candidate, suffix = f"{number} ({suffix})", suffix + 1
    plan = Plan(
        organization=organization,
        number=candidate,
        title=_("Kết nạp đảng viên năm %(year)s") % {"year": year},
        start_year=year,
        end_year=year,
        status=Plan.Status.DRAFT,
        issuing_body=default_issuing_body(organization),
        place=organization.short_name,
    )
    plan._history_user = by
    plan.save()
    return plan


@dataclass(frozen=True)
class SubTargetInput:
    kind: str
    value: object
    comparison: str = SubTarget.Comparison.AT_LEAST
    description: str = ""


@transaction.atomic
def sub_targets_save(*, plan: Plan, rows: Sequence[SubTargetInput], by) -> list[SubTarget]:
    """Replace the plan's sub-targets with `rows` (removed ones stay in the history table)."""
    plan = Plan.objects.select_related("organization").get(pk=plan.pk)
    _ensure_can_allocate(by, plan.organization)
    built = []
    errors = []
    for position, row in enumerate(rows, 1):
        target = SubTarget(
            plan=plan,
            kind=row.kind,
            comparison=row.comparison,
            value=row.value,
            description=clean_text(row.description),
            position=position,
        )
        try:
            target.full_clean(exclude=["plan"])
        except ValidationError as exc:
            errors.extend(f"{_('Chỉ tiêu phụ')} {position}: {message}" for message in exc.messages)
        built.append(target)
    if errors:
        raise ValidationError(errors)
    for old in plan.sub_targets.all():
        old._history_user = by
        old.delete()
    for target in built:
        target._history_user = by
        target.save()
    signals.quotas_changed.send(sender=Plan, plan_ids={plan.pk})
    return built
