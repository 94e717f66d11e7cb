"""Pages of issue 6: the biểu "Đảng viên mới kết nạp" (page, PDF, .xlsx) with the plan's sub-targets,
alerts (dashboard section, list, .xlsx) and periodic reporting (submit, completeness table)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from candidates import selectors as candidate_selectors
from candidates.models import PersonalDataAccess, PrivacyRules
from candidates.views import personal_data_read
from organizations import selectors as org_selectors
from organizations.models import Organization
from organizations.shortcuts import visible_organization_or_404
from partytrack.documents import in_official_language, pdf_response, xlsx_response
from partytrack.services import call_service
from partytrack.text import fold

from . import alerts as alert_selectors
from . import exporters, statistics, submissions
from .forms import AlertFilterForm, CompletenessForm, StatisticsPeriodForm, SubmitForm

DASHBOARD_ALERTS = 10


def _bad(request, form, organization) -> HttpResponse:
    return render(
        request, "monitoring/statistics/bad_input.html", {"form": form, "organization": organization}, status=400
    )


# ---------------------------------------------------------------- the biểu


def _min_people(request, organization) -> int | None:
    """For a reader who may not see the people of the subtree (a leader): the smallest population
    whose figures are broken down by personal attributes (PrivacyRules); None for the others."""
    if candidate_selectors.can_read_people_in(user=request.user, organization=organization):
        return None
    return PrivacyRules.current().statistics_min_people


def _admission_statistics(request, organization, period, min_people: int | None):
    """The biểu as this reader may see it; a breakdown shown is a read of personal data, logged."""
    stats = statistics.admission_statistics(organization=organization, period=period, min_people=min_people)
    personal_data_read(
        request,
        kind=PersonalDataAccess.Kind.STATISTICS,
        people=stats.people_shown,
        organization=organization,
        filters=stats.period.label,
    )
    return stats


@login_required
@require_GET
def statistics_page(request, pk: int):
    organization = visible_organization_or_404(request, pk)
    form = StatisticsPeriodForm.from_query(request.GET)
    if not form.is_valid():
        return _bad(request, form, organization)
    min_people = _min_people(request, organization)
    stats = _admission_statistics(request, organization, form.period, min_people)
    targets = statistics.sub_target_report(organization=organization, year=stats.period.year, min_people=min_people)
    return render(
        request,
        "monitoring/statistics/page.html",
        {
            "organization": organization,
            "form": form,
            "stats": stats,
            "targets": targets,
            "query": stats.period.query_string(),
            "breadcrumbs": org_selectors.organization_breadcrumbs(user=request.user, organization=organization),
        },
    )


@in_official_language
def _statistics_export(request, pk: int, format: str):
    organization = visible_organization_or_404(request, pk)
    form = StatisticsPeriodForm.from_query(request.GET)
    if not form.is_valid():
        return _bad(request, form, organization)
    stats = _admission_statistics(request, organization, form.period, _min_people(request, organization))
    # The period the figures are for: a leader's custom period is widened to whole months.
    header = statistics.statistics_header(organization=organization, period=stats.period)
    if format == "pdf":
        return pdf_response(exporters.statistics_pdf(stats, header), exporters.statistics_filename(stats, "pdf"))
    return xlsx_response(exporters.statistics_xlsx(stats, header), exporters.statistics_filename(stats, "xlsx"))


@login_required
@require_GET
def statistics_pdf(request, pk: int):
    return _statistics_export(request, pk, "pdf")


@login_required
@require_GET
def statistics_xlsx(request, pk: int):
    return _statistics_export(request, pk, "xlsx")


# ---------------------------------------------------------------- alerts


def _alerts(request, organization):
    form = AlertFilterForm(request.GET or None)
    kinds, text = None, ""
    if form.is_bound and form.is_valid():
        kinds, text = form.kinds, form.cleaned_data.get("q", "")
    found = alert_selectors.organization_alerts(user=request.user, organization=organization, kinds=kinds)
    if text:
        needle = fold(text)
        found = [alert for alert in found if needle in fold(alert.organization)]
    return form, found


@login_required
@require_GET
def alerts_page(request, pk: int):
    organization = visible_organization_or_404(request, pk)
    form, found = _alerts(request, organization)
    if form.is_bound and not form.is_valid():
        return _bad(request, form, organization)
    return render(
        request,
        "monitoring/alerts/list.html",
        {
            "organization": organization,
            "form": form,
            "alerts": found,
            "counts": alert_selectors.alert_counts(found),
            "query": request.GET.urlencode(),
            "breadcrumbs": org_selectors.organization_breadcrumbs(user=request.user, organization=organization),
        },
    )


@login_required
@require_GET
@in_official_language
def alerts_xlsx(request, pk: int):
    organization = visible_organization_or_404(request, pk)
    form, found = _alerts(request, organization)
    if form.is_bound and not form.is_valid():
        return _bad(request, form, organization)
    title = f"Cảnh báo — {organization.name} — ngày {timezone.localdate():%d/%m/%Y}"
    named = [alert for alert in found if alert.person]
    if named:  # candidates' full names leave the system: recorded in the personal-data access log
        filters = []
        for name, value in form.cleaned_data.items() if form.is_bound else ():
            if value:
                shown = dict(form.fields[name].choices).get(value, value) if name == "kind" else value
                filters.append(f"{form.fields[name].label}: {shown}")
        personal_data_read(
            request,
            kind=PersonalDataAccess.Kind.ALERTS_XLSX,
            people=len(named),
            organization=organization,
            filters="; ".join(filters),
        )
    return xlsx_response(exporters.alerts_xlsx(found, title=title), f"canh-bao-{organization.code}.xlsx")


@login_required
@require_GET
def alerts_section(request, pk: int):
    """The dashboard's alert block, loaded by htmx after the page so the dashboard stays fast."""
    organization = visible_organization_or_404(request, pk)
    found = alert_selectors.organization_alerts(user=request.user, organization=organization)
    return render(
        request,
        "monitoring/alerts/_section.html",
        {
            "organization": organization,
            "alerts": found[:DASHBOARD_ALERTS],
            "more": max(0, len(found) - DASHBOARD_ALERTS),
            "counts": alert_selectors.alert_counts(found),
        },
    )


# ---------------------------------------------------------------- periodic reporting


@login_required
@require_GET
def completeness_page(request, pk: int):
    organization = visible_organization_or_404(request, pk)
    form = CompletenessForm(request.GET)
    if not form.is_valid():
        return _bad(request, form, organization)
    kind, year = form.values()
    table = submissions.completeness(organization=organization, kind=kind, year=year)
    can_submit = organization.parent_id is not None and (
        request.user.is_superuser
        or Organization.objects.filter(pk=organization.pk).restrict(request.user, "view_people").exists()
    )
    return render(
        request,
        "monitoring/submissions/completeness.html",
        {
            "organization": organization,
            "form": form,
            "table": table,
            "kind": kind,
            "year": year,
            "own": submissions.submissions_of(organization=organization, year=year),
            "can_submit": can_submit,
            "submit_form": SubmitForm(initial={"kind": kind, "year": year}),
            "breadcrumbs": org_selectors.organization_breadcrumbs(user=request.user, organization=organization),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, pk: int):
    organization = visible_organization_or_404(request, pk)
    if request.method == "GET":  # the form lives on the completeness page
        return redirect("monitoring:completeness", pk=organization.pk)
    form = SubmitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            lambda: submissions.report_submit(
                organization=organization,
                kind=data["kind"],
                year=data["year"],
                number=data["number"],
                note=data["note"],
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("Đã gửi báo cáo lên cấp trên."))
            url = reverse("monitoring:completeness", args=[organization.pk])
            return redirect(f"{url}?kind={data['kind']}&year={data['year']}")
    return _bad(request, form, organization)
