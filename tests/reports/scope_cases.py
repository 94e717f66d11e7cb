"""Every reports URL in the scope matrix: readable by every role inside its subtree, 404 outside."""

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
