"""Quota pages: plans, the allocation grid, its history, the biểu as PDF and .xlsx, file import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from organizations.models import Organization
from organizations.selectors import organization_breadcrumbs
from organizations.shortcuts import visible_organization_or_404
from partytrack import documents, previews
from partytrack.periods import LAST_YEAR, QUOTA_PAGES_FIRST_YEAR
from partytrack.service_views import service_form

from . import exporters, forms, importers, selectors, services
from .models import Plan
from .plans import DRAFT_NOT_COUNTED, plan_working
from .selectors import FIELDS

MIN_YEAR, MAX_YEAR = QUOTA_PAGES_FIRST_YEAR, LAST_YEAR


# ---------------------------------------------------------------------------------------- access


def _allocatable_or_404(request, pk: int) -> Organization:
    organization = visible_organization_or_404(request, pk)
    if not selectors.can_allocate(user=request.user, organization=organization):
        raise Http404
    return organization


def _plan_or_404(request, plan_pk: int) -> Plan:
    try:
        return selectors.plan_get_visible(user=request.user, pk=plan_pk)
    except Plan.DoesNotExist as exc:
        raise Http404 from exc


def _editable_plan_or_404(request, plan_pk: int) -> Plan:
    plan = _plan_or_404(request, plan_pk)
    if not selectors.can_allocate(user=request.user, organization=plan.organization):
        raise Http404
    return plan


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404


def _whole_number(text) -> bool:
    return str(text).isascii() and str(text).isdigit()


def _requested_plan(request, organization: Organization, year: int) -> Plan | None:
    """?plan=<id> opens one plan's allocation (a replaced one as history); else the effective plan."""
    plan_id = request.GET.get("plan") or request.POST.get("plan")
    if not plan_id:
        return None
    if not _whole_number(plan_id):  # ASCII only: "²".isdigit() is true and int("²") fails
        raise Http404
    plan = Plan.objects.filter(pk=int(plan_id), organization=organization).select_related("organization").first()
    if plan is None or year not in plan.years:
        raise Http404
    return plan


def _crumbs(request, organization: Organization) -> list[Organization]:
    return organization_breadcrumbs(user=request.user, organization=organization)


# ---------------------------------------------------------------------------------------- index


@login_required
def index(request):
    if request.GET.get("org") and request.GET.get("year"):
        org, year = request.GET["org"], request.GET["year"]
        if _whole_number(org) and _whole_number(year):
            return redirect("quotas:allocation", pk=int(org), year=int(year))
    organizations = selectors.allocating_organizations(user=request.user)
    plans = {}
    for plan in Plan.objects.filter(organization__in=organizations).select_related("replaced_by"):
        plans.setdefault(plan.organization_id, []).append(plan)
    entries = [
        {
            "organization": organization,
            "plans": sorted(plans.get(organization.pk, []), key=lambda p: (-p.end_year, -p.start_year, -p.pk)),
        }
        for organization in organizations
    ]
    return render(
        request,
        "quotas/index.html",
        {"entries": entries, "organizations": organizations, "this_year": timezone.localdate().year},
    )


# ------------------------------------------------------------------------------------ allocation


def _cumulative(values: list[int], whole: int | None) -> list[dict]:
    """Cumulative quarterly targets and their share of the year (seed 003: 0 / 4 / 15 / 25 = 0 / 16 /
    60 / 100 %), derived from the quarters, never stored."""
    running, result = 0, []
    for index, value in enumerate(values, 1):
        running += value or 0
        percent = (running * 100 / whole) if whole else None
        result.append({"quarter": documents.roman_quarter(index), "value": running, "percent": percent})
    return result


def _grid_rows(allocation, *, typed=None, errors=None, conflicts=None, merged=None):
    """Rows for the template: what to show in each cell (typed text after a refused save, the saved
    value otherwise) and the messages for the row."""
    typed, errors, conflicts, merged = typed or {}, errors or {}, conflicts or {}, merged or {}
    groups = []
    for group in allocation.groups:
        rows = []
        for row in group.rows:
            org_id = row.organization.pk
            # Moved to another subtree since it got its quota: shown as history, not editable.
            locked = not services.still_below(row.organization, allocation.organization)
            if org_id in merged:
                cells = merged[org_id]
            elif org_id in typed:
                cells = typed[org_id]
            else:
                cells = ["" if v is None else str(v) for v in row.values]
            rows.append(
                {
                    "row": row,
                    "cells": [
                        {
                            "name": forms.field_name(column, org_id),
                            "value": cells[index],
                            "label": selectors.FIELD_LABELS[column],
                            "conflict": column in conflicts.get(org_id, ()),
                            "col": index,
                        }
                        for index, column in enumerate(FIELDS)
                    ],
                    "errors": errors.get(org_id, []),
                    "locked": locked,
                }
            )
        groups.append({"group": group, "rows": rows})
    return groups


def _allocation_context(request, organization, year, allocation, **grid) -> dict:
    plans_for_year = list(
        Plan.objects.filter(organization=organization).covering(year).select_related("replaced_by").order_by("-pk")
    )
    plan = allocation.plan
    can_edit = selectors.can_allocate(user=request.user, organization=organization) and allocation.is_current
    own = allocation.own_quota
    return {
        "organization": organization,
        "breadcrumbs": _crumbs(request, organization),
        "year": year,
        "allocation": allocation,
        "plan": plan,
        "plans_for_year": plans_for_year,
        "groups": _grid_rows(allocation, **grid),
        "can_edit": can_edit,
        "can_manage": selectors.can_allocate(user=request.user, organization=organization),
        "base": forms.sign_base(
            plan_id=plan.pk if plan else None, token=allocation.token, values=allocation.values_by_organization()
        ),
        "target": allocation.target,
        "own_quota": own,
        "plan_cumulative": _cumulative(list(plan.target_quarters), plan.target)
        if plan and plan.has_target_quarters
        else None,
        "allocated_cumulative": _cumulative(allocation.sums.quarters, allocation.sums.total)
        if allocation.sums.has_quarters
        else None,
        "own_cumulative": _cumulative(list(own.quarters), own.total) if own and own.has_quarters else None,
        "plan_param": request.GET.get("plan", "") if _whole_number(request.GET.get("plan", "")) else "",
        "draft_label": DRAFT_NOT_COUNTED,
        "previous_year": year - 1,
        "next_year": year + 1,
    }


@login_required
@require_http_methods(["GET", "POST"])
def allocation(request, pk: int, year: int):
    """ "Giao chỉ tiêu năm …": one row per child, typed like a spreadsheet, saved all at once."""
    _check_year(year)
    organization = visible_organization_or_404(request, pk)
    plan = _requested_plan(request, organization, year)
    if request.method == "POST":
        if not selectors.can_allocate(user=request.user, organization=organization):
            raise Http404
        return _allocation_save(request, organization, year, plan)
    current = selectors.allocation_for(organization=organization, year=year, plan=plan)
    try:
        services.check_existed_in(organization, year)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    return render(request, "quotas/allocation.html", _allocation_context(request, organization, year, current))


def _allocation_save(request, organization, year, plan):
    try:
        base = forms.read_base(request.POST.get("base", ""))
    except (signing.BadSignature, KeyError, ValueError):
        return HttpResponseBadRequest(_("Biểu gửi lên không hợp lệ; hãy mở lại trang."))
    loaded = selectors.allocation_for(organization=organization, year=year, plan=plan)
    children = [row.organization for row in loaded.rows]
    ids = [child.pk for child in children]
    names = {child.pk: selectors.display_name(child) for child in children}
    grid = forms.parse_grid(request.POST, ids, names)
    if grid.errors:
        messages.error(request, _("Chưa lưu: có ô không phải là số. Sửa các dòng được đánh dấu rồi lưu lại."))
        context = _allocation_context(request, organization, year, loaded, typed=grid.typed, errors=grid.errors)
        return render(request, "quotas/allocation.html", context, status=400)
    try:
        result = services.allocation_save(
            organization=organization,
            year=year,
            rows=grid.rows,
            plan=plan,
            seen_token=base["token"],
            by=request.user,
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except services.AllocationConflict as conflict:
        return _conflict(request, organization, year, base, grid, conflict)
    except ValidationError as exc:
        errors = {}
        general = []
        for key, messages_ in exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]:
            if key.startswith("row:"):
                errors[int(key[4:])] = messages_
            else:
                general.extend(messages_)
        for message in general:
            messages.error(request, message)
        if errors:
            messages.error(
                request, _("Chưa lưu: sửa các dòng được đánh dấu rồi lưu lại. Không có thay đổi nào được ghi.")
            )
        context = _allocation_context(request, organization, year, loaded, typed=grid.typed, errors=errors)
        return render(request, "quotas/allocation.html", context, status=400)
    if result.plan_created:
        messages.info(
            request,
            _("Đã tạo kế hoạch dự thảo “%(number)s” cho năm %(year)s.") % {"number": result.plan.number, "year": year},
        )
    messages.success(
        request,
        _("Đã lưu: %(created)s chỉ tiêu mới, %(updated)s sửa, %(deleted)s xóa.")
        % {"created": result.created, "updated": result.updated, "deleted": result.deleted},
    )
    url = reverse("quotas:allocation", kwargs={"pk": organization.pk, "year": year})
    return redirect(f"{url}?plan={result.plan.pk}" if plan is not None else url)


def _conflict(request, organization, year, base, grid, conflict):
    """Someone saved first. Show what they changed; keep every value the user typed; take theirs where
    the user changed nothing; mark the cells both changed. Nothing was written."""
    current = selectors.allocation_for(organization=organization, year=year, plan=conflict.plan)
    mine = {row.organization_id: row.values for row in grid.rows}
    merge = selectors.allocation_merge(allocation=current, base=base["values"], typed=grid.typed, mine=mine)
    merged, conflicts, changes = merge.cells, merge.conflicts, merge.changes
    context = _allocation_context(request, organization, year, current, merged=merged, conflicts=conflicts)
    context.update({"conflict": True, "conflict_changes": changes})
    return render(request, "quotas/allocation.html", context, status=409)


@login_required
def allocation_history(request, pk: int, year: int):
    _check_year(year)
    organization = visible_organization_or_404(request, pk)
    plan = _requested_plan(request, organization, year) or plan_working(organization=organization, year=year)
    entries = selectors.quota_history(plan=plan, year=year) if plan else []
    return render(
        request,
        "quotas/history.html",
        {
            "organization": organization,
            "breadcrumbs": _crumbs(request, organization),
            "year": year,
            "plan": plan,
            "entries": entries,
        },
    )


@login_required
@documents.in_official_language
def allocation_pdf(request, pk: int, year: int):
    _check_year(year)
    organization = visible_organization_or_404(request, pk)
    current = selectors.allocation_for(
        organization=organization, year=year, plan=_requested_plan(request, organization, year)
    )
    return documents.pdf_response(exporters.allocation_pdf(current), exporters.allocation_filename(current, "pdf"))


@login_required
@documents.in_official_language
def allocation_xlsx(request, pk: int, year: int):
    _check_year(year)
    organization = visible_organization_or_404(request, pk)
    current = selectors.allocation_for(
        organization=organization, year=year, plan=_requested_plan(request, organization, year)
    )
    return documents.xlsx_response(
        exporters.allocation_workbook(current), exporters.allocation_filename(current, "xlsx")
    )


# ---------------------------------------------------------------------------------------- import

IMPORT_PREVIEW = "quotas.import"  # partytrack.previews: the preview kept between upload and confirmation


def import_preview_page(organization, year) -> str:
    """The page a preview belongs to: it is confirmed there only."""
    return f"{organization.pk}/{year}"


def _preview_for(organization, year, plan, data: bytes):
    """Read the file and compare it with what is saved, for the allocation (yearly layout) or the
    plan's term table (term layout)."""
    parsed = importers.read_workbook(data)
    effective = plan or plan_working(organization=organization, year=year)
    if parsed.layout == "term":
        if effective is None:
            parsed.problems.append(
                importers.Problem(None, "", _("Biểu nhiệm kỳ cần một kế hoạch nhiệm kỳ: hãy tạo kế hoạch trước."))
            )
            return importers.ImportPreview(parsed=parsed), effective, None
        table = selectors.term_table(plan=effective)
        current = {
            (row.organization.pk, y): (v, None, None, None, None) for row in table.rows for y, v in row.years.items()
        }
        figures = {
            row.organization.pk: (row.figure.cell_count, row.figure.member_count, row.figure.official_member_count)
            for row in table.rows
            if row.figure and row.figure.as_of == table.figures_as_of
        }
        preview = importers.build_preview(
            parsed,
            candidates=[row.organization for row in table.rows],
            parent_name=organization.name,
            current=current,
            plan_years=list(effective.years),
            current_figures=figures,
        )
        return preview, effective, table.token
    current = selectors.allocation_for(organization=organization, year=year, plan=effective)
    preview = importers.build_preview(
        parsed,
        candidates=[row.organization for row in current.rows],
        parent_name=organization.name,
        current=current.values_by_organization(),
    )
    return preview, effective, current.token


def _apply_import(*, organization, year, plan, layout, payload_rows, token, by):
    if layout == "term":
        rows = [
            services.TermInput(
                organization_id=row["organization_id"],
                years={int(y): v for y, v in row["years"].items()},
                term_total=row["term_total"],
                cell_count=row["cell_count"],
                member_count=row["member_count"],
                official_member_count=row["official_member_count"],
            )
            for row in payload_rows
        ]
        return services.term_save(plan=plan, rows=rows, by=by, seen_token=token)
    rows = [services.QuotaInput(*row) for row in payload_rows]
    return services.allocation_save(organization=organization, year=year, rows=rows, plan=plan, seen_token=token, by=by)


def _preview_keep(request, organization, year, preview, plan, token) -> str:
    """Keep the clean preview's rows (partytrack.previews); the token the page confirms it with."""
    if preview.layout == "term":
        rows = [
            {
                "organization_id": row.organization_id,
                "years": {str(y): v for y, v in row.years.items()},
                "term_total": row.term_total,
                "cell_count": row.cell_count,
                "member_count": row.member_count,
                "official_member_count": row.official_member_count,
            }
            for row in preview.term_inputs
        ]
    else:
        rows = [[row.organization_id, *row.values] for row in preview.quota_inputs]
    return previews.preview_store(
        request.session,
        kind=IMPORT_PREVIEW,
        data={"layout": preview.layout, "plan": plan.pk if plan else None, "token": token, "rows": rows},
        where=import_preview_page(organization, year),
    )


@login_required
@require_http_methods(["GET", "POST"])
def allocation_import(request, pk: int, year: int):
    """Upload a filled biểu, see every problem by row and column, import only a clean file on confirm."""
    _check_year(year)
    organization = _allocatable_or_404(request, pk)
    plan = _requested_plan(request, organization, year)
    context = {"organization": organization, "breadcrumbs": _crumbs(request, organization), "year": year, "plan": plan}
    if request.method == "POST" and "payload" in request.POST:
        try:
            payload = previews.preview_load(
                request.session,
                kind=IMPORT_PREVIEW,
                token=request.POST["payload"],
                where=import_preview_page(organization, year),
            )
        except previews.PreviewExpired:
            return HttpResponseBadRequest(_("Bản xem trước đã hết hạn hoặc không hợp lệ; hãy tải tệp lên lại."))
        target_plan = (
            Plan.objects.filter(pk=payload["plan"], organization=organization).first() if payload["plan"] else None
        )
        try:
            result = _apply_import(
                organization=organization,
                year=year,
                plan=target_plan,
                layout=payload["layout"],
                payload_rows=payload["rows"],
                token=payload["token"],
                by=request.user,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except services.AllocationConflict:
            messages.error(
                request,
                _(
                    "Chưa nhập: biểu đã được lưu lại sau khi bạn xem trước (bởi người khác, hoặc chính bạn vừa "
                    "nhập tệp này hay lưu ở cửa sổ khác). Hãy tải tệp lên lại để xem trước."
                ),
            )
            return redirect(request.path + (f"?plan={plan.pk}" if plan else ""))
        except ValidationError as exc:
            messages.error(request, _("Chưa nhập, không có thay đổi nào được ghi: ") + " ".join(exc.messages))
            return redirect(request.path + (f"?plan={plan.pk}" if plan else ""))
        # The preview is kept (as the signed payload was): confirming it again writes nothing, being refused
        # as a conflict once the biểu has changed.
        messages.success(
            request,
            _("Đã nhập: %(created)s chỉ tiêu mới, %(updated)s sửa, %(deleted)s xóa.")
            % {"created": result.created, "updated": result.updated, "deleted": result.deleted},
        )
        if payload["layout"] == "term":
            return redirect("quotas:term", plan_pk=result.plan.pk)
        url = reverse("quotas:allocation", kwargs={"pk": organization.pk, "year": year})
        return redirect(f"{url}?plan={result.plan.pk}" if plan else url)

    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        preview, effective, token = _preview_for(organization, year, plan, upload.read())
        context.update({"preview": preview, "target_plan": effective, "filename": upload.name})
        if preview.is_clean:
            context["payload"] = _preview_keep(request, organization, year, preview, effective, token)
        return render(request, "quotas/import.html", context, status=200 if preview.is_clean else 400)
    context["form"] = form
    return render(request, "quotas/import.html", context)


# ------------------------------------------------------------------------------------------ plans


@login_required
def plans(request, pk: int):
    organization = visible_organization_or_404(request, pk)
    return render(
        request,
        "quotas/plans.html",
        {
            "organization": organization,
            "breadcrumbs": _crumbs(request, organization),
            "plans": selectors.plans_of(organization=organization),
            "can_manage": selectors.can_allocate(user=request.user, organization=organization),
        },
    )


def _plan_page(request, *, form, formset, save, success, context: dict):
    """A plan form with its sub-targets (partytrack.service_views.service_form): `save(data)` and the
    sub-targets run in one transaction, so a refused sub-target leaves the plan unsaved too."""

    def run() -> Plan:
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        with transaction.atomic():
            plan = save(data)
            services.sub_targets_save(plan=plan, rows=forms.sub_target_inputs(formset), by=request.user)
            return plan

    return service_form(
        request,
        form=form,
        formsets=[formset],
        service=run,
        success=success,
        redirect_to=lambda plan: reverse("quotas:plan_detail", kwargs={"plan_pk": plan.pk}),
        template="quotas/plan_form.html",
        context={"formset": formset, "breadcrumbs": _crumbs(request, context["organization"]), **context},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request, pk: int):
    organization = _allocatable_or_404(request, pk)
    year = timezone.localdate().year
    initial = {
        "start_year": year,
        "end_year": year,
        "issuing_body": services.default_issuing_body(organization),
        "place": organization.short_name,
        "title": _("Kết nạp đảng viên năm %(year)s") % {"year": year},
        "status": Plan.Status.DRAFT,
    }
    form = forms.PlanForm(request.POST or None, initial=initial)
    formset = forms.SubTargetFormSet(request.POST or None, prefix="sub")
    return _plan_page(
        request,
        form=form,
        formset=formset,
        save=lambda data: services.plan_create(organization=organization, by=request.user, **data),
        success=lambda plan: _("Đã tạo kế hoạch %(number)s.") % {"number": plan.number},
        context={"organization": organization, "title": _("Kế hoạch mới của %(name)s") % {"name": organization.name}},
    )


@login_required
def plan_detail(request, plan_pk: int):
    plan = _plan_or_404(request, plan_pk)
    totals = selectors.plan_year_totals(plan=plan)
    years = [{"year": year, "total": totals.get(year), "target": plan.target_for_year(year)} for year in plan.years]
    return render(
        request,
        "quotas/plan_detail.html",
        {
            "plan": plan,
            "organization": plan.organization,
            "breadcrumbs": _crumbs(request, plan.organization),
            "years": years,
            "sub_targets": list(plan.sub_targets.all()),
            "can_manage": selectors.can_allocate(user=request.user, organization=plan.organization),
            "plan_cumulative": _cumulative(list(plan.target_quarters), plan.target)
            if plan.has_target_quarters
            else None,
            "replaced_by": Plan.objects.filter(replaces=plan).first(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, plan_pk: int):
    plan = _editable_plan_or_404(request, plan_pk)
    form = forms.PlanForm(request.POST or None, instance=Plan.objects.get(pk=plan.pk))
    formset = forms.SubTargetFormSet(request.POST or None, prefix="sub", initial=forms.sub_target_initial(plan))
    return _plan_page(
        request,
        form=form,
        formset=formset,
        save=lambda data: services.plan_update(plan=plan, by=request.user, **data),
        success=lambda saved: _("Đã lưu kế hoạch %(number)s.") % {"number": saved.number},
        context={
            "organization": plan.organization,
            "plan": plan,
            "title": _("Sửa kế hoạch %(number)s") % {"number": plan.number},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_replace(request, plan_pk: int):
    """Issue a plan that replaces this one; the old plan and its quotas stay readable as history."""
    plan = _editable_plan_or_404(request, plan_pk)
    if not plan.is_current:
        messages.error(request, _("Kế hoạch này đã được thay thế."))
        return redirect("quotas:plan_detail", plan_pk=plan.pk)
    initial = {name: getattr(plan, name) for name in forms.PlanForm.Meta.fields}
    initial.update({"number": "", "issued_on": None, "status": Plan.Status.DRAFT})
    form = forms.ReplacePlanForm(request.POST or None, initial=initial)
    formset = forms.SubTargetFormSet(request.POST or None, prefix="sub", initial=forms.sub_target_initial(plan))
    return _plan_page(
        request,
        form=form,
        formset=formset,
        save=lambda data: services.plan_replace(
            plan=plan, by=request.user, copy_quotas=form.cleaned_data.get("copy_quotas", False), **data
        ),
        success=lambda new: (
            _("Đã ban hành kế hoạch %(new)s thay thế kế hoạch %(old)s.") % {"new": new.number, "old": plan.number}
        ),
        context={
            "organization": plan.organization,
            "plan": plan,
            "title": _("Kế hoạch thay thế kế hoạch %(number)s") % {"number": plan.number},
        },
    )


# ------------------------------------------------------------------------------------------- term


def _term_context(request, plan, table, *, typed=None, errors=None, conflict_changes=None):
    typed, errors = typed or {}, errors or {}
    rows = []
    for row in table.rows:
        org_id = row.organization.pk
        values = typed.get(org_id) or ["" if row.years[y] is None else str(row.years[y]) for y in table.years]
        rows.append(
            {
                "row": row,
                "cells": [
                    {"name": forms.field_name(f"y{year}", org_id), "value": value, "year": year, "col": index}
                    for index, (year, value) in enumerate(zip(table.years, values, strict=True))
                ],
                "errors": errors.get(org_id, []),
            }
        )
    return {
        "plan": plan,
        "organization": plan.organization,
        "breadcrumbs": _crumbs(request, plan.organization),
        "table": table,
        "rows": rows,
        "totals": table.totals(),
        "can_edit": selectors.can_allocate(user=request.user, organization=plan.organization) and plan.is_current,
        "base": forms.sign_base(plan_id=plan.pk, token=table.token, values={}),
        "conflict_changes": conflict_changes,
    }


@login_required
@require_http_methods(["GET", "POST"])
def term(request, plan_pk: int):
    """Seed 004's term table: each organization's figures, its term quota and the yearly quotas."""
    plan = _plan_or_404(request, plan_pk)
    table = selectors.term_table(plan=plan)
    if request.method == "GET":
        return render(request, "quotas/term.html", _term_context(request, plan, table))
    if not selectors.can_allocate(user=request.user, organization=plan.organization):
        raise Http404
    try:
        base = forms.read_base(request.POST.get("base", ""))
    except (signing.BadSignature, KeyError, ValueError):
        return HttpResponseBadRequest(_("Biểu gửi lên không hợp lệ; hãy mở lại trang."))
    ids = [row.organization.pk for row in table.rows]
    names = {row.organization.pk: row.name for row in table.rows}
    typed, rows, errors = forms.parse_term_grid(request.POST, ids, table.years, names)
    if not errors:
        try:
            result = services.term_save(plan=plan, rows=rows, by=request.user, seen_token=base["token"])
        except PermissionDenied as exc:
            raise Http404 from exc
        except services.AllocationConflict:
            messages.error(
                request,
                _(
                    "Chưa lưu: người khác đã lưu biểu này sau khi bạn mở. Các số bạn vừa gõ vẫn ở dưới; "
                    "xem lịch sử để biết ai đã sửa gì, rồi lưu lại."
                ),
            )
            fresh = selectors.term_table(plan=plan)
            history = selectors.quota_history(plan=plan, limit=20)
            return render(
                request,
                "quotas/term.html",
                _term_context(request, plan, fresh, typed=typed, conflict_changes=history),
                status=409,
            )
        except ValidationError as exc:
            errors = {int(k[4:]): v for k, v in exc.message_dict.items() if k.startswith("row:")}
            for key, value in exc.message_dict.items():
                if not key.startswith("row:"):
                    for message in value:
                        messages.error(request, message)
        else:
            messages.success(
                request,
                _("Đã lưu: %(created)s chỉ tiêu mới, %(updated)s sửa, %(deleted)s xóa.")
                % {"created": result.created, "updated": result.updated, "deleted": result.deleted},
            )
            return redirect("quotas:term", plan_pk=plan.pk)
    messages.error(request, _("Chưa lưu: sửa các dòng được đánh dấu rồi lưu lại. Không có thay đổi nào được ghi."))
    return render(
        request, "quotas/term.html", _term_context(request, plan, table, typed=typed, errors=errors), status=400
    )


@login_required
@documents.in_official_language
def term_xlsx(request, plan_pk: int):
    plan = _plan_or_404(request, plan_pk)
    table = selectors.term_table(plan=plan)
    return documents.xlsx_response(exporters.term_workbook(table), exporters.term_filename(table, "xlsx"))


@login_required
@documents.in_official_language
def term_pdf(request, plan_pk: int):
    plan = _plan_or_404(request, plan_pk)
    table = selectors.term_table(plan=plan)
    return documents.pdf_response(exporters.term_pdf(table), exporters.term_filename(table, "pdf"))
