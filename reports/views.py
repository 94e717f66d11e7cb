"""Report pages: the progress dashboard, the quarterly report as PDF/.xlsx, and background jobs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organizations import selectors as org_selectors
from organizations.models import Organization
from organizations.shortcuts import visible_organization_or_404
from partytrack.db_routers import replica_reads
from partytrack.documents import in_official_language, pdf_response, xlsx_response
from partytrack.services import call_service

from . import exporters, selectors, services
from .charts import progress_chart
from .forms import PeriodForm
from .models import ReportJob

# Reports with more organization rows than this are built by `manage.py report_worker`, so a whole
# province (thousands of rows) never holds a web worker; a 60-row report renders in well under 2 s.
SYNC_MAX_ROWS = 300


def _job_or_404(request, pk: int) -> ReportJob:
    jobs = ReportJob.objects.restrict(request.user).select_related("organization")
    try:
        return jobs.get(pk=pk)
    except ReportJob.DoesNotExist as exc:
        raise Http404 from exc


def _bad_period(request, form: PeriodForm, organization: Organization | None = None) -> HttpResponse:
    return render(request, "reports/bad_period.html", {"form": form, "organization": organization}, status=400)


@login_required
@require_GET
def index(request):
    """The user's own (highest) organization, this year and quarter."""
    top = org_selectors.organization_top_for(user=request.user).first()
    if top is None:
        return render(request, "reports/no_organization.html")
    year, quarter = selectors.current_period()
    return redirect(f"{reverse('reports:dashboard', args=[top.pk])}?year={year}&quarter={quarter}")


@login_required
@require_GET
@replica_reads
def dashboard(request, pk: int):
    organization = visible_organization_or_404(request, pk)
    form = PeriodForm.from_query(request.GET)
    if not form.is_valid():
        return _bad_period(request, form, organization)
    year, quarter, _detail = form.period
    report = selectors.progress_report(organization=organization, year=year, quarter=quarter, structure=form.tree)
    query = form.query_string(detail=None)
    context = {
        "organization": organization,
        "report": report,
        "form": form,
        "query": query,
        "detail_query": form.query_string(detail=1),
        "breadcrumbs": org_selectors.organization_breadcrumbs(user=request.user, organization=organization),
        "chart": progress_chart(report.quarter_series),
        "previous": _shift(year, quarter, -1) + _structure_query(form),
        "next": _shift(year, quarter, +1) + _structure_query(form),
    }
    return render(request, "reports/dashboard.html", context)


def _structure_query(form: PeriodForm) -> str:
    return "" if form.tree == selectors.Structure.THEN else f"&structure={form.tree}"


def _shift(year: int, quarter: int, step: int) -> str:
    index = year * 4 + quarter - 1 + step
    year, quarter = divmod(index, 4)
    return f"year={year}&quarter={quarter + 1}"


def _export(request, pk: int, format: str):
    organization = visible_organization_or_404(request, pk)
    form = PeriodForm.from_query(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return _bad_period(request, form, organization)
    year, quarter, detail = form.period
    if request.method == "POST":
        job = call_service(
            form,
            lambda: services.report_job_request(
                organization=organization,
                year=year,
                quarter=quarter,
                detail=detail,
                structure=form.tree,
                format=format,
                by=request.user,
            ),
        )
        if job is None:
            return _bad_period(request, form, organization)
        return redirect("reports:job", pk=job.pk)
    rows = selectors.progress_row_count(organization=organization, detail=detail)
    if rows > SYNC_MAX_ROWS:
        recent = ReportJob.objects.filter(
            organization=organization,
            year=year,
            quarter=quarter,
            detail=detail,
            format=format,
            requested_by=request.user,
        )[:5]
        return render(
            request,
            "reports/background.html",
            {"organization": organization, "form": form, "format": format, "rows": rows, "recent": recent},
        )
    content, name = replica_reads(lambda: _build(organization, year, quarter, detail, format, form.tree))()
    return _file_response(content, name, format)


def _file_response(content: bytes, filename: str, format: str) -> HttpResponse:
    if format == ReportJob.Format.PDF:
        return pdf_response(content, filename)
    return xlsx_response(content, filename)


@in_official_language
def _build(
    organization: Organization, year: int, quarter: int, detail: bool, format: str, structure: str
) -> tuple[bytes, str]:
    report = selectors.progress_report(
        organization=organization, year=year, quarter=quarter, detail=detail, structure=structure
    )
    header = selectors.progress_header(organization=organization, year=year, quarter=quarter)
    if format == ReportJob.Format.PDF:
        return exporters.progress_pdf(report, header), exporters.filename(report, "pdf")
    return exporters.progress_xlsx(report, header), exporters.filename(report, "xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def progress_pdf(request, pk: int):
    return _export(request, pk, ReportJob.Format.PDF)


@login_required
@require_http_methods(["GET", "POST"])
def progress_xlsx(request, pk: int):
    return _export(request, pk, ReportJob.Format.XLSX)


@login_required
@require_GET
def job(request, pk: int):
    job = _job_or_404(request, pk)
    return render(request, "reports/job.html", {"job": job, "organization": job.organization})


@login_required
@require_GET
def job_status(request, pk: int):
    """The progress block alone, polled by htmx every two seconds until the job is finished."""
    job = _job_or_404(request, pk)
    return render(request, "reports/_job_status.html", {"job": job})


@login_required
@require_GET
def job_download(request, pk: int):
    job = _job_or_404(request, pk)
    if job.status != ReportJob.Status.DONE:
        messages.info(request, _("Báo cáo chưa lập xong."))
        return redirect("reports:job", pk=job.pk)
    content = bytes(ReportJob.objects.values_list("content", flat=True).get(pk=job.pk))
    return _file_response(content, job.filename, job.format)
