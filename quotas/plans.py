"""Which plan counts: the one definition of an organization's effective plan for a year, as a Python
read (the grid, the API, the importers, the PDF header) and as a subquery (the roll-up), and how a
draft that does not count is named wherever its figures are shown or left out.

A draft never counts. The effective plan of (organization, year) is the most recently issued plan
covering the year that no issued plan has replaced (a replacement still in draft does not take
the old plan's place until it is issued). Undated plans come after dated ones, then the latest entered.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization

from .models import Plan, PlanQuerySet

# Said the same way on the grid, the dashboard, the PDF, the .xlsx and in the API.
DRAFT_NOT_COUNTED = _("dự thảo — chưa tính")

ORDER = (F("issued_on").desc(nulls_last=True), "-pk")


def draft_note(plan: Plan | None) -> str:
    """The note for a draft's figures ("dự thảo — chưa tính"), else empty."""
    return str(DRAFT_NOT_COUNTED) if plan is not None and plan.status == Plan.Status.DRAFT else ""


def counted_plans() -> PlanQuerySet:
    """Plans whose quotas and targets count: issued, and not replaced by an issued plan."""
    replaced = Plan.objects.filter(replaces=OuterRef("pk"), status=Plan.Status.ISSUED)
    return Plan.objects.filter(status=Plan.Status.ISSUED).exclude(Exists(replaced))


def _org_id(organization: Organization | int) -> int:
    return organization if isinstance(organization, int) else organization.pk


def plan_effective(*, organization: Organization | int, year: int) -> Plan | None:
    """The plan that counts for an organization and year (None: "Chưa giao chỉ tiêu")."""
    return counted_plans().filter(organization_id=_org_id(organization)).covering(year).order_by(*ORDER).first()


def plan_effective_subquery(organization_ref, year_ref) -> Subquery:
    """plan_effective as a subquery: the pk of the effective plan of `organization_ref` for `year_ref`
    (OuterRef or values), for filtering quotas in one query."""
    plans = (
        counted_plans()
        .filter(organization=organization_ref, start_year__lte=year_ref, end_year__gte=year_ref)
        .order_by(*ORDER)
        .values("pk")[:1]
    )
    return Subquery(plans)


def _drafts(organization_ref, year_ref) -> PlanQuerySet:
    return Plan.objects.filter(
        organization=organization_ref, status=Plan.Status.DRAFT, start_year__lte=year_ref, end_year__gte=year_ref
    ).current()


def plan_draft(*, organization: Organization | int, year: int) -> Plan | None:
    """The draft being prepared for the year, which does not count until it is issued: the latest
    current draft covering the year."""
    return _drafts(_org_id(organization), year).order_by(*ORDER).first()


def plan_draft_subquery(organization_ref, year_ref, field: str = "pk") -> Subquery:
    """plan_draft as a subquery (its `field`), for reading every organization's draft in one query."""
    return Subquery(_drafts(organization_ref, year_ref).order_by(*ORDER).values(field)[:1])


def plans_of_year(*, organization: Organization | int, year: int) -> tuple[Plan | None, Plan | None]:
    """(plan_effective, plan_draft) of the organization for the year, in one query."""
    org_id = _org_id(organization)
    candidates = Plan.objects.filter(
        Q(pk__in=counted_plans().filter(organization_id=org_id).covering(year))
        | Q(pk__in=_drafts(org_id, year).values("pk"))
    ).order_by(*ORDER)
    effective = draft = None
    for plan in candidates:
        if plan.status == Plan.Status.DRAFT:
            draft = draft or plan
        else:
            effective = effective or plan
    return effective, draft


def plan_working(*, organization: Organization | int, year: int) -> Plan | None:
    """The plan the grid shows and a grid save, a file import or an API write goes to when none is
    named: the draft being prepared when there is one, else the effective plan. The page, the command
    and the API say when it is a draft (DRAFT_NOT_COUNTED) and which plan counts."""
    effective, draft = plans_of_year(organization=organization, year=year)
    return draft or effective


def plan_targets(where: Q, years=None) -> dict[tuple[int, int], Plan]:
    """The effective plan of each organization `where` selects (a Q on Plan.organization) for each of
    `years` (None: every year a plan covers), by (organization id, year), when that plan sets an
    overall target for the year: the target an organization measures itself against when its parent
    allocated it nothing. One query."""
    plans = counted_plans().filter(where)
    if years is not None:
        years = set(years)
        if not years:
            return {}
        plans = plans.filter(start_year__lte=max(years), end_year__gte=min(years))
    found: dict[tuple[int, int], Plan] = {}
    for plan in plans.order_by(*ORDER):
        for year in plan.years:
            if years is None or year in years:
                found.setdefault((plan.organization_id, year), plan)
    return {key: plan for key, plan in found.items() if plan.target_for_year(key[1]) is not None}


def measured_against(*, allocated, derived):
    """The quota an organization is measured against: what its parent's effective plan allocated to
    it, else what it is measured against without one (its QuotaTally: the sum of its children's
    measured quotas, else its own effective plan's target). None: "Chưa giao chỉ tiêu"."""
    return allocated if allocated is not None else derived
