"""Reporting deadlines per plan: the page where committee staff set the day of the month after the
period by which periodic reports are due (ReportingDeadline), with the history of changes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organizations import selectors as org_selectors
from organizations.models import Organization
from organizations.shortcuts import visible_organization_or_404
from partytrack.services import call_service
from quotas.models import Plan

from . import submissions
from .forms import MONTHS_AFTER_CHOICES, DeadlineYearForm, ReportingDeadlineForm


def _page(request, organization: Organization, *, year: int, bound: tuple[int, ReportingDeadlineForm] | None = None,
          status: int = 200) -> HttpResponse:  # fmt: skip
    can_manage = org_selectors.organization_can_manage(user=request.user, organization=organization)
    rows = []
    for plan, setting in submissions.deadline_overview(organization=organization):
        if bound is not None and bound[0] == plan.pk:
            form = bound[1]
        else:
            initial = {"day": setting.day, "months_after": setting.months_after} if setting else None
            form = ReportingDeadlineForm(initial=initial or {"day": submissions.DEFAULT_DAY, "months_after": 1},
                                         auto_id=f"id_%s_{plan.pk}")  # fmt: skip
        rows.append({"plan": plan, "setting": setting, "form": form})
    applies = submissions.deadline_setting(organization=organization, year=year)
    day, months_after = (applies.day, applies.months_after) if applies else submissions.default_rule()
    example = submissions.period_of("month", year, 1)
    return render(
        request,
        "monitoring/submissions/deadlines.html",
        {
            "organization": organization,
            "year": year,
            "rows": rows,
            "can_manage": can_manage,
            "applies": applies,
            "day": day,
            "months_after": months_after,
            "example": example,
            "example_deadline": submissions.deadline_for(example, day=day, months_after=months_after),
            "history": submissions.deadline_history(organization=organization),
            "breadcrumbs": org_selectors.organization_breadcrumbs(user=request.user, organization=organization),
        },
        status=status,
    )


@login_required
@require_GET
def deadlines(request, pk: int):
    organization = visible_organization_or_404(request, pk)
    form = DeadlineYearForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "monitoring/statistics/bad_input.html",
            {"form": form, "organization": organization},
            status=400,
        )
    return _page(request, organization, year=form.year_value)


@login_required
@require_http_methods(["GET", "POST"])
def deadline_set(request, plan_pk: int):
    visible = Plan.objects.restrict(request.user).select_related("organization")
    plan = get_object_or_404(visible, pk=plan_pk)
    url = reverse("monitoring:deadlines", args=[plan.organization_id])
    if request.method == "GET":  # the form lives on the deadlines page
        return redirect(url)
    form = ReportingDeadlineForm(request.POST, auto_id=f"id_%s_{plan.pk}")
    if form.is_valid():
        data = form.cleaned_data
        saved = call_service(
            form,
            lambda: submissions.reporting_deadline_set(
                plan=plan, day=data["day"], months_after=data["months_after"], by=request.user
            ),
        )
        if saved is not None:
            month = dict(MONTHS_AFTER_CHOICES)[saved.months_after]
            messages.success(
                request,
                _("Đã đặt hạn gửi báo cáo theo kế hoạch %(plan)s: ngày %(day)s của %(month)s.")
                % {"plan": plan.number, "day": saved.day, "month": month},
            )
            return redirect(url)
    return _page(request, plan.organization, year=timezone.localdate().year, bound=(plan.pk, form), status=400)
