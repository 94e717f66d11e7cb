"""Every reports URL in the scope matrix: readable by every role inside its subtree, 404 outside."""

from quotas.models import Plan
from reports.models import ReportJob
from tests.scope.cases import READ_ALL, Case, org_pk

# The commune is above the secretary's cell: outside the secretary's scope.
ABOVE_CELL = {**READ_ALL, "secretary": 404}
REDIRECT = {role: 302 for role in READ_ALL}
PERIOD = "year=2026&quarter=2"


def job_pk(status: str = ReportJob.Status.DONE):
    """A finished report job for the secretary's cell (inside) and for district B's cell (outside)."""

    def build(w):
        jobs = [
            ReportJob.objects.create(
                organization=org,
                year=2026,
                quarter=2,
                format=ReportJob.Format.PDF,
                status=status,
                progress=100,
                filename="bao-cao.pdf",
                content=b"%PDF-1.7 test",
            )
            for org in (w.cell_a, w.cell_b)
        ]
        return {"pk": jobs[0].pk}, {"pk": jobs[1].pk}

    return build


CASES = [
    Case("reports:index", None, expect=REDIRECT, outside=False),
    Case("reports:dashboard", org_pk()),
    Case("reports:dashboard", org_pk("commune_a", "commune_b"), expect=ABOVE_CELL, query=PERIOD),
    Case("reports:progress-pdf", org_pk(), query=PERIOD),
    Case("reports:progress-xlsx", org_pk("commune_a", "commune_b"), expect=ABOVE_CELL, query=PERIOD),
    Case("reports:job", job_pk(ReportJob.Status.QUEUED)),
    Case("reports:job-status", job_pk(ReportJob.Status.RUNNING)),
    Case("reports:job-download", job_pk()),
    Case("organization-progress", org_pk("commune_a", "commune_b"), expect=ABOVE_CELL, query=PERIOD, api=True),
]

# Issue 6: statistics, alerts, periodic reporting.
STATS_PERIOD = "kind=quarter&year=2026&number=1"
CASES += [
    Case("reports:statistics", org_pk(), query=STATS_PERIOD),
    Case("reports:statistics", org_pk("commune_a", "commune_b"), expect=ABOVE_CELL, query="kind=year&year=2025"),
    Case("reports:statistics-pdf", org_pk(), query=STATS_PERIOD),
    Case("reports:statistics-xlsx", org_pk("commune_a", "commune_b"), expect=ABOVE_CELL, query=STATS_PERIOD),
    Case("reports:alerts", org_pk("district_a", "district_b"), expect=ABOVE_CELL),
    Case("reports:alerts", org_pk(), query="kind=overdue_candidate"),
    Case("reports:alerts-xlsx", org_pk("commune_a", "commune_b"), expect=ABOVE_CELL),
    Case("reports:alerts-section", org_pk()),
    Case("reports:completeness", org_pk("commune_a", "commune_b"), expect=ABOVE_CELL, query="kind=quarter&year=2026"),
    Case("reports:submit", org_pk(), expect=REDIRECT),
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
    Case("reports:deadlines", org_pk()),
    Case("reports:deadlines", org_pk("district_a", "district_b"), expect=ABOVE_CELL, query="year=2026"),
    Case("reports:deadline-set", plan_pk(), expect=REDIRECT),
    Case("reports:deadline-set", plan_pk("commune_a", "commune_b"), expect={**REDIRECT, "secretary": 404}),
]
