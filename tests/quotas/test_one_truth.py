"""Issue 13 item 1: one effective plan and one measured quota. In each of the issue's three situations,
the grid, the dashboard, the PDF, the .xlsx, the API and the alerts agree on one allocation, and
wherever a draft's figures are shown or left out they say "dự thảo — chưa tính"."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from monitoring.alerts import AlertKind, organization_alerts
from quotas import plans, services
from quotas.models import Plan
from quotas.services import QuotaInput
from reports.selectors import progress_report
from tests.quotas.conftest import seed_000_workbook
from tests.quotas.test_import_export import _seed_rows
from tests.reports.factories import admit, plan
from tests.reports.test_pages import pdf_text

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR, QUARTER = 2026, 4
TODAY = D(2026, 12, 2)  # quarter IV: the quota to date is the year's
PERIOD = f"year={YEAR}&quarter={QUARTER}"
NOTE = "dự thảo — chưa tính"


@pytest.fixture
def web(client, world):
    client.force_login(world.staff)  # staff of district A: allocates for A and everything below it
    return client


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _number(text):
    if text in (None, "", "—"):
        return None
    return int(str(text).replace(".", ""))


def measured(client, w, organization, child) -> dict[str, int | None]:
    """The yearly quota `child` is measured against on each surface of `organization`'s report."""
    found = {}
    dashboard = client.get(reverse("reports:dashboard", args=[organization.pk]) + "?" + PERIOD)
    assert dashboard.status_code == 200
    [row] = [r for r in dashboard.context["report"].rows if r.organization.id == child.pk]
    found["dashboard"] = row.quota_total
    label = row.label

    pdf = client.get(reverse("reports:progress-pdf", args=[organization.pk]) + "?" + PERIOD)
    flat = " ".join("\n".join(pdf_text(pdf.content)).split())
    match = re.search(rf"\d+ {re.escape(label)} (\S+)", flat)
    found["pdf"] = _number(match.group(1))

    xlsx = client.get(reverse("reports:progress-xlsx", args=[organization.pk]) + "?" + PERIOD)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    [r] = [r for r in range(1, sheet.max_row + 1) if str(sheet.cell(r, 2).value or "").strip() == label]
    found["xlsx"] = _number(sheet.cell(r, 3).value)

    payload = (
        _api(w.staff)
        .get(reverse("organization-progress", args=[organization.pk]), {"year": YEAR, "quarter": QUARTER})
        .json()
    )
    [api_row] = [r for r in payload["rows"] if r["organization"]["id"] == child.pk]
    found["api"] = api_row["quota_total"]

    behind = [
        a
        for a in organization_alerts(user=w.superuser, organization=organization, today=TODAY)
        if a.kind == AlertKind.BEHIND_TARGET and a.organization_id == child.pk
    ]
    found["alerts"] = _number(re.search(r"chỉ tiêu năm (\S+)\)", behind[0].message).group(1)) if behind else None
    return found


def texts(client, organization) -> dict[str, str]:
    """What the dashboard, the PDF and the .xlsx say in words, to look for the draft's note."""
    dashboard = client.get(reverse("reports:dashboard", args=[organization.pk]) + "?" + PERIOD)
    pdf = client.get(reverse("reports:progress-pdf", args=[organization.pk]) + "?" + PERIOD)
    xlsx = client.get(reverse("reports:progress-xlsx", args=[organization.pk]) + "?" + PERIOD)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    return {
        "dashboard": dashboard.content.decode(),
        "pdf": " ".join("\n".join(pdf_text(pdf.content)).split()),
        "xlsx": " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None),
    }


def grid(client, organization, plan_pk=None):
    url = reverse("quotas:allocation", args=[organization.pk, YEAR])
    response = client.get(url + (f"?plan={plan_pk}" if plan_pk else ""))
    assert response.status_code == 200
    return response


def grid_value(response, child) -> int | None:
    [row] = [r for r in response.context["allocation"].rows if r.organization.pk == child.pk]
    return row.total


def counted_on_grid(response, child) -> int | None:
    """The quota the grid page names as counted: that of the plan it says reports count."""
    effective = response.context["allocation"].effective
    if effective is None:
        return None
    quota = effective.quotas.filter(organization=child, year=YEAR).first()
    return quota.total if quota else None


# ---------------------------------------------------------------- 1. a grid save without a plan


def test_a_grid_save_without_a_plan_is_a_draft_every_surface_leaves_out_and_says_so(web, world):
    w = world
    admit(w.cell_a, "2026-05-01")
    response = web.post(
        reverse("quotas:allocation", args=[w.district_a.pk, YEAR]),
        {"base": grid(web, w.district_a).context["base"], f"total-{w.commune_a.pk}": "12"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = Plan.objects.get(organization=w.district_a, start_year=YEAR)
    assert draft.status == Plan.Status.DRAFT
    assert plans.plan_effective(organization=w.district_a, year=YEAR) is None

    page = grid(web, w.district_a)
    assert grid_value(page, w.commune_a) == 12  # the grid shows what was typed…
    html = page.content.decode()
    assert NOTE in html and "Chưa giao chỉ tiêu" in html  # …labelled as not counted
    assert reverse("quotas:plan_edit", args=[draft.pk]) in html  # and offers to issue it
    assert counted_on_grid(page, w.commune_a) is None

    assert measured(web, w, w.district_a, w.commune_a) == dict.fromkeys(
        ("dashboard", "pdf", "xlsx", "api", "alerts"), None
    )
    for surface, text in texts(web, w.district_a).items():
        assert f"{draft.number}: {NOTE}" in text, surface
    payload = (
        _api(w.staff)
        .get(reverse("organization-progress", args=[w.district_a.pk]), {"year": YEAR, "quarter": QUARTER})
        .json()
    )
    assert payload["draft"] == {"plan_number": draft.number, "note": f"{draft.number}: {NOTE}"}
    [quota] = _api(w.staff).get("/api/v1/quotas/", {"organization": w.commune_a.pk, "year": YEAR}).json()["results"]
    assert (quota["total"], quota["counted"], quota["note"]) == (12, False, NOTE)

    # Issued through the plan's own edit (the grid's button): now it counts, everywhere.
    services.plan_update(plan=draft, by=w.staff, status=Plan.Status.ISSUED, issued_on=D(2026, 2, 1))
    assert counted_on_grid(grid(web, w.district_a), w.commune_a) == 12
    assert measured(web, w, w.district_a, w.commune_a) == dict.fromkeys(
        ("dashboard", "pdf", "xlsx", "api", "alerts"), 12
    )
    assert all(NOTE not in text for text in texts(web, w.district_a).values())


def test_the_api_and_the_importer_write_a_draft_that_says_it_does_not_count(world):
    w = world
    api = _api(w.staff)
    response = api.post("/api/v1/quotas/", {"organization": w.commune_a.pk, "year": YEAR, "total": 12}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["counted"], response.json()["note"]) == (False, NOTE)
    # Without a plan named, the next write goes to the same draft (the plan being worked on).
    result = services.allocation_save(
        organization=w.district_a, year=YEAR, rows=[QuotaInput(w.school_a.pk, 3)], by=w.staff
    )
    assert result.plan.pk == response.json()["plan"] and not result.plan_created


# ---------------------------------------------------------------- 2. an issued plan and a later draft


def test_an_issued_plan_and_a_later_draft_the_page_says_which_counts(web, world):
    w = world
    issued = plan(w.district_a, "72-KH/HU", {w.commune_a: 7}, year=YEAR, issued_on="2026-01-15")
    draft = plan(
        w.district_a, "Dự thảo điều chỉnh", {w.commune_a: 12}, year=YEAR, issued_on="2026-03-01", status="draft"
    )
    admit(w.cell_a, "2026-05-01")

    page = grid(web, w.district_a)  # the grid edits the draft being prepared…
    assert page.context["allocation"].plan == draft and grid_value(page, w.commune_a) == 12
    html = page.content.decode()
    assert NOTE in html and "Báo cáo đang tính theo kế hoạch" in html and issued.number in html
    assert reverse("quotas:plan_edit", args=[draft.pk]) in html
    assert counted_on_grid(page, w.commune_a) == 7  # …and names the issued plan, which counts
    chosen = grid(web, w.district_a, issued.pk)  # the issued plan, opened by name, notes the draft
    assert grid_value(chosen, w.commune_a) == 7 and NOTE in chosen.content.decode()

    assert measured(web, w, w.district_a, w.commune_a) == dict.fromkeys(
        ("dashboard", "pdf", "xlsx", "api", "alerts"), 7
    )
    for surface, text in texts(web, w.district_a).items():
        assert f"{draft.number}: {NOTE}" in text, surface
    results = _api(w.staff).get("/api/v1/quotas/", {"organization": w.commune_a.pk, "year": YEAR}).json()["results"]
    assert sorted((q["total"], q["counted"], q["note"]) for q in results) == [(7, True, ""), (12, False, NOTE)]


# ---------------------------------------------------------------- 3. a commune's own target


def test_a_commune_measured_against_its_own_target_in_the_report_and_the_alerts(web, world):
    """Nobody allocated commune A1 a quota; its own issued plan sets ≥ 15. The district's report, its
    files, the API and the alerts all measure A1 against 15, and so does the province's report of
    the district (its sum of children)."""
    w = world
    services.plan_create(
        organization=w.commune_a,
        by=None,
        number="75-KH/ĐU",
        title="Kết nạp 2026",
        start_year=YEAR,
        end_year=YEAR,
        target=15,
        issued_on=D(2026, 1, 10),
        status=Plan.Status.ISSUED,
    )
    admit(w.cell_a, "2026-05-01")
    assert measured(web, w, w.district_a, w.commune_a) == dict.fromkeys(
        ("dashboard", "pdf", "xlsx", "api", "alerts"), 15
    )
    admin = APIClient()
    admin.force_authenticate(w.superuser)
    province = admin.get(reverse("organization-progress", args=[w.province.pk]), {"year": YEAR, "quarter": 4}).json()
    [district] = [r for r in province["rows"] if r["organization"]["id"] == w.district_a.pk]
    assert district["quota_total"] == 15
    # A draft of the commune's own plan sets nothing that counts.
    draft = plan(w.commune_a, "Dự thảo 76", {}, year=YEAR, issued_on="2026-06-01", status="draft")
    services.plan_update(plan=draft, by=None, target=40)
    assert measured(web, w, w.district_a, w.commune_a) == dict.fromkeys(
        ("dashboard", "pdf", "xlsx", "api", "alerts"), 15
    )


# ---------------------------------------------------------------- the importer, and a draft replacement


def test_import_quotas_into_a_year_without_a_plan_says_the_draft_does_not_count(seeded, tmp_path):
    """A clerk imports a biểu for a year with no plan: the command says the draft it wrote does not
    count, and the report agrees (no quota, the draft named)."""
    path = tmp_path / "bieu.xlsx"
    path.write_bytes(seed_000_workbook(_seed_rows()))
    out = io.StringIO()
    call_command("import_quotas", str(path), "--org", "BG-LN", "--year", "2027", stdout=out)
    draft = Plan.objects.get(organization=seeded.luc_ngan, start_year=2027)
    assert draft.status == Plan.Status.DRAFT and draft.quotas.count() > 0
    assert f"Kế hoạch {draft.number}: {NOTE}." in out.getvalue()
    report = progress_report(organization=seeded.luc_ngan, year=2027, quarter=4)
    assert all(row.quota is None for row in report.rows)
    assert report.draft_note == f"{draft.number}: {NOTE}"


def test_a_replacement_still_in_draft_leaves_the_issued_plan_counting(world):
    w = world
    issued = plan(w.district_a, "72-KH/HU", {w.commune_a: 7}, year=YEAR, issued_on="2026-01-15")
    replacement = services.plan_replace(
        plan=issued,
        by=None,
        number="80-KH/HU",
        title="Điều chỉnh",
        start_year=YEAR,
        end_year=YEAR,
        status=Plan.Status.DRAFT,
    )
    assert plans.plan_effective(organization=w.district_a, year=YEAR) == issued
    assert plans.plan_working(organization=w.district_a, year=YEAR) == replacement

    [row] = [r for r in progress_report(organization=w.district_a, year=YEAR, quarter=4).rows if r.quota]
    assert row.quota_total == 7
    services.plan_update(plan=replacement, by=None, status=Plan.Status.ISSUED, issued_on=D(2026, 3, 1))
    assert plans.plan_effective(organization=w.district_a, year=YEAR) == replacement
