"""Every monitoring URL in the scope matrix: readable by every role inside its subtree, 404 outside."""

from quotas.models import Plan
from tests.reports.scope_cases import ABOVE_CELL, REDIRECT
from tests.scope.cases import Case, org_pk

CASES: list[Case] = []

# Issue 6: statistics, alerts, periodic reporting.
STATS_PERIOD = "kind=quarter&year=2026&number=1"
CASES += [
    Case("monitoring:statistics", org_pk(), query=STATS_PERIOD),
    Case("monitoring:statistics", org_pk("commune_a", "commune_b"), expect=ABOVE_CELL, query="kind=year&year=2025"),
    Case("monitoring:statistics-pdf", org_pk(), query=STATS_PERIOD),
    Case("monitoring:statistics-xlsx", org_pk("commune_a", "commune_b"), expect=ABOVE_CELL, query=STATS_PERIOD),
    Case("monitoring:alerts", org_pk("district_a", "district_b"), expect=ABOVE_CELL),
    Case("monitoring:alerts", org_pk(), query="kind=overdue_candidate"),
    Case("monitoring:alerts-xlsx", org_pk("commune_a", "commune_b"), expect=ABOVE_CELL),
    Case("monitoring:alerts-section", org_pk()),
    Case(
        "monitoring:completeness", org_pk("commune_a", "commune_b"), expect=ABOVE_CELL, query="kind=quarter&year=2026"
    ),
    Case("monitoring:submit", org_pk(), expect=REDIRECT),
]


def plan_pk(inside: str = "cell_a", outside: str = "cell_b"):
    """A current 2026 plan of the inside organization and one of the outside organization."""

    def build(w):
        plans = [
            Plan.objects.get_or_create(
                organization=org,
                number=f"9-KH/{org.code}",
                defaults={"title": "Kế hoạch kết nạp đảng viên năm 2026", "start_year": 2026, "end_year": 2026},
            )[0]
            for org in (getattr(w, inside), getattr(w, outside))
        ]
        return {"plan_pk": plans[0].pk}, {"plan_pk": plans[1].pk}

    return build


# Reporting deadlines per plan: readable by every role in scope; the form posts to deadline-set, whose
# GET sends back to the page (writes are tested in test_deadlines.py: staff and admins only).
CASES += [
    Case("monitoring:deadlines", org_pk()),
    Case("monitoring:deadlines", org_pk("district_a", "district_b"), expect=ABOVE_CELL, query="year=2026"),
    Case("monitoring:deadline-set", plan_pk(), expect=REDIRECT),
    Case("monitoring:deadline-set", plan_pk("commune_a", "commune_b"), expect={**REDIRECT, "secretary": 404}),
]
