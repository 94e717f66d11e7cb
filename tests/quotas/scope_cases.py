"""Every quotas URL in the scope matrix: pages, exports and the API."""

from quotas.models import Plan, Quota
from tests.scope.cases import MANAGE, READ_ALL, Case, org_pk

# District A's own allocation: the secretary (at cell A1C) sees nothing above the cell.
ABOVE_CELL = {**READ_ALL, "secretary": 404}
YEAR = 2026


def org_year(inside: str = "cell_a", outside: str = "cell_b"):
    return lambda w: (
        {"pk": getattr(w, inside).pk, "year": YEAR},
        {"pk": getattr(w, outside).pk, "year": YEAR},
    )


def _plan(organization, start: int = YEAR, end: int = YEAR) -> Plan:
    plan, _created = Plan.objects.get_or_create(
        organization=organization,
        number=f"1-KH/{organization.code}",
        defaults={"title": "Kết nạp đảng viên", "start_year": start, "end_year": end},
    )
    return plan


def plan_pk(inside: str = "cell_a", outside: str = "cell_b"):
    return lambda w: ({"plan_pk": _plan(getattr(w, inside)).pk}, {"plan_pk": _plan(getattr(w, outside)).pk})


def _quota(plan_org, organization) -> Quota:
    quota, _created = Quota.objects.get_or_create(
        plan=_plan(plan_org), organization=organization, year=YEAR, defaults={"total": 2}
    )
    return quota


def quota_pk(w):
    return {"pk": _quota(w.commune_a, w.cell_a).pk}, {"pk": _quota(w.commune_b, w.cell_b).pk}


CASES = [
    Case("quotas:index", None, outside=False),
    Case("quotas:allocation", org_year()),
    Case("quotas:allocation", org_year("district_a", "district_b"), expect=ABOVE_CELL),
    Case("quotas:history", org_year()),
    Case("quotas:allocation_pdf", org_year()),
    Case("quotas:allocation_xlsx", org_year()),
    Case("quotas:import", org_year(), expect=MANAGE),
    Case("quotas:import", org_year("district_a", "district_b"), expect=MANAGE),
    Case("quotas:plans", org_pk()),
    Case("quotas:plan_create", org_pk(), expect=MANAGE),
    Case("quotas:plan_detail", plan_pk()),
    Case("quotas:plan_edit", plan_pk(), expect=MANAGE),
    Case("quotas:plan_replace", plan_pk(), expect=MANAGE),
    Case("quotas:term", plan_pk()),
    Case("quotas:term_xlsx", plan_pk()),
    Case("quotas:term_pdf", plan_pk()),
    Case("quota-list", None, outside=False, api=True),
    Case("quota-detail", quota_pk, api=True),
]
