"""Pages of the candidates app: the board, a candidate's file and one form per step, admissions
entered directly or imported from .xlsx. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from partytrack import previews
from partytrack.documents import xlsx_response
from partytrack.service_views import service_form

from . import exporters, importers, selectors, services
from .choices import Step, step_index
from .filters import AdmissionFilter, CandidateFilter
from .forms import (
    AdmissionForm,
    CandidateForm,
    CertificateForm,
    CloseForm,
    ExtendForm,
    ImportForm,
    ReasonForm,
    step_form,
)
from .models import Admission, Candidate, PersonalDataAccess, PipelineRules
from .rules import may_extend_decision, may_renew_certificate, next_steps

IMPORT_PREVIEW = "candidates.admissions_import"  # partytrack.previews: kept between upload and confirmation


def _candidate_or_404(request, pk: int) -> Candidate:
    try:
        return selectors.candidate_get(user=request.user, pk=pk)
    except Candidate.DoesNotExist as exc:
        raise Http404 from exc


def _admission_or_404(request, pk: int) -> Admission:
    try:
        return selectors.admission_get(user=request.user, pk=pk)
    except Admission.DoesNotExist as exc:
        raise Http404 from exc


def _detail_url(candidate: Candidate) -> str:
    return reverse("candidates:detail", kwargs={"pk": candidate.pk})


def _admission_url(admission: Admission) -> str:
    return reverse("candidates:admission_detail", kwargs={"pk": admission.pk})


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def personal_data_read(request, *, kind: str, people, organization=None, filters: str = "") -> None:
    """Log a page's or a file's read of personal data (services.personal_data_read_record): who, when,
    which address, what and how many people."""
    services.personal_data_read_record(
        user=request.user, kind=kind, people=people, organization=organization, filters=filters, path=request.path
    )


def _require_candidate_role(request) -> None:
    """Personal data is for secretaries, staff and administrators; leaders see figures only."""
    if not selectors.can_read_candidates(user=request.user):
        raise Http404


@login_required
def index(request):
    user = request.user
    today = timezone.localdate()
    if not selectors.can_read_candidates(user=user):
        return render(
            request,
            "candidates/summary.html",
            {"counts": selectors.step_counts(user=user, today=today), "today": today},
        )
    candidates = selectors.candidates_for(user=user)
    filterset = CandidateFilter(request.GET or None, queryset=candidates, user=user)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else candidates
    rules = PipelineRules.current()
    columns = selectors.board(queryset=queryset, today=today, rules=rules)
    if request.GET.get("step"):
        columns = [column for column in columns if column.step == request.GET["step"]]
    entry_count = selectors.organizations_for_entry(user=user).count()
    context = {
        "filter": filterset,
        "show_filters": selectors.can_manage(user=user) or entry_count > 1,
        "columns": columns,
        "attention": selectors.attention(queryset=queryset, today=today, rules=rules),
        "today": today,
        "rules": rules,
        "show_cell": entry_count > 1,
        "can_add": entry_count > 0,
    }
    return render(request, "candidates/board.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    _require_candidate_role(request)
    organizations = selectors.organizations_for_entry(user=request.user)
    form = CandidateForm(request.POST or None, organizations=organizations)
    return service_form(
        request,
        form=form,
        service=lambda: services.candidate_create(by=request.user, **form.service_kwargs()),
        success=lambda candidate: _("Đã thêm “%(name)s” vào danh sách cảm tình Đảng.") % {"name": candidate.full_name},
        redirect_to=_detail_url,
        template="candidates/form.html",
        context={"title": _("Thêm quần chúng"), "back": reverse("candidates:index")},
    )


@login_required
@require_safe
def detail(request, pk: int):
    candidate = _candidate_or_404(request, pk)
    personal_data_read(request, kind=PersonalDataAccess.Kind.CANDIDATE_PAGE, people=[candidate])
    today = timezone.localdate()
    rules = PipelineRules.current()
    card = selectors.card_for(candidate, today=today, soon_days=rules.due_soon_days)
    following = next_steps(step=candidate.step, organization=candidate.organization) if candidate.is_active else []
    context = {
        "candidate": candidate,
        "card": card,
        "events": selectors.candidate_events(candidate=candidate),
        "next_steps": [(step, Step(step).label) for step in following],
        "can_renew_certificate": may_renew_certificate(candidate),
        "can_extend": may_extend_decision(candidate, extended=selectors.decision_extension(candidate) is not None),
        "admitted": step_index(candidate.step) >= step_index(Step.DECISION),
        "admission": candidate.admissions.filter(cancelled_at__isnull=True).first(),
        "today": today,
        "rules": rules,
    }
    return render(request, "candidates/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    candidate = _candidate_or_404(request, pk)
    if request.method == "GET":  # the form shows the person's data
        personal_data_read(request, kind=PersonalDataAccess.Kind.CANDIDATE_PAGE, people=[candidate])
    form = CandidateForm(request.POST or None, instance=Candidate.objects.get(pk=candidate.pk))
    return service_form(
        request,
        form=form,
        service=lambda: services.candidate_update(candidate=candidate, by=request.user, **form.cleaned_data),
        success=lambda _updated: _("Đã lưu."),
        redirect_to=lambda _updated: _detail_url(candidate),
        template="candidates/form.html",
        context={"title": _("Sửa thông tin %(name)s") % {"name": candidate.full_name}, "candidate": candidate},
    )


@login_required
@require_http_methods(["GET", "POST"])
def advance(request, pk: int):
    """The form of the next step, with only that step's fields."""
    candidate = _candidate_or_404(request, pk)
    following = next_steps(step=candidate.step, organization=candidate.organization) if candidate.is_active else []
    if not following:
        messages.info(request, _("Quần chúng này không còn bước nào để ghi nhận."))
        return redirect("candidates:detail", pk=candidate.pk)
    step = request.GET.get("step") or request.POST.get("step") or following[0]
    if step not in following:
        step = following[0]
    form_class = step_form(step)
    # The vote rules read the cell's figure as of the meeting date: so does the hint, once a date is sent.
    meeting_on = form_class.sent_date(request.POST) if request.method == "POST" else None
    figure_on = official_members = None
    if step in (Step.CELL_RESOLUTION, Step.FULL_MEMBERSHIP):
        figure_on = meeting_on or timezone.localdate()
        official_members = selectors.cell_official_members(candidate.organization, figure_on)
    form = form_class(
        request.POST or None,
        rules=PipelineRules.current(),
        official_members=official_members,
        figure_on=figure_on,
        meeting_known=meeting_on is not None,
    )
    return service_form(
        request,
        form=form,
        service=lambda: services.candidate_advance(
            candidate=candidate, step=step, by=request.user, **form.service_kwargs()
        ),
        success=lambda _advanced: (
            _("Đã ghi nhận “%(step)s” cho %(name)s.") % {"step": Step(step).label, "name": candidate.full_name}
        ),
        redirect_to=lambda _advanced: _safe_next(request) or reverse("candidates:index"),
        template="candidates/step_form.html",
        context={
            "candidate": candidate,
            "step": step,
            "step_label": Step(step).label,
            "alternatives": [(s, Step(s).label) for s in following if s != step],
            "official_members": official_members,
            "next": _safe_next(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def extend(request, pk: int):
    candidate = _candidate_or_404(request, pk)
    form = ExtendForm(request.POST or None)
    return service_form(
        request,
        form=form,
        service=lambda: services.candidate_extend_decision(candidate=candidate, by=request.user, **form.cleaned_data),
        success=lambda _done: _("Đã ghi nhận gia hạn."),
        redirect_to=lambda _done: _detail_url(candidate),
        template="candidates/form.html",
        context={
            "candidate": candidate,
            "title": _("Gia hạn ra quyết định kết nạp — %(name)s") % {"name": candidate.full_name},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def renew_certificate(request, pk: int):
    """A new awareness-class certificate, e.g. after the first one was refused as too old."""
    candidate = _candidate_or_404(request, pk)
    form = CertificateForm(request.POST or None)
    return service_form(
        request,
        form=form,
        service=lambda: services.candidate_record_certificate(
            candidate=candidate, by=request.user, **form.cleaned_data
        ),
        success=lambda _done: _("Đã ghi nhận chứng nhận lớp bồi dưỡng mới."),
        redirect_to=lambda _done: _detail_url(candidate),
        template="candidates/form.html",
        context={
            "candidate": candidate,
            "title": _("Chứng nhận lớp bồi dưỡng mới — %(name)s") % {"name": candidate.full_name},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def close(request, pk: int):
    candidate = _candidate_or_404(request, pk)
    form = CloseForm(request.POST or None, candidate=candidate)
    return service_form(
        request,
        form=form,
        service=lambda: services.candidate_close(candidate=candidate, by=request.user, **form.cleaned_data),
        success=lambda done: _("Đã ghi nhận: %(status)s.") % {"status": done.get_status_display()},
        redirect_to=lambda _done: _detail_url(candidate),
        template="candidates/form.html",
        context={"candidate": candidate, "title": _("Kết thúc theo dõi — %(name)s") % {"name": candidate.full_name}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def undo(request, pk: int):
    candidate = _candidate_or_404(request, pk)
    last = candidate.events.filter(voided_at__isnull=True).order_by("-id").first()
    form = ReasonForm(request.POST or None)
    return service_form(
        request,
        form=form,
        service=lambda: services.candidate_undo_last_step(candidate=candidate, by=request.user, **form.cleaned_data),
        success=lambda _done: _("Đã hủy bước ghi nhận nhầm; bước đó vẫn lưu trong lịch sử."),
        redirect_to=lambda _done: _detail_url(candidate),
        template="candidates/form.html",
        context={
            "candidate": candidate,
            "title": _("Hủy bước “%(step)s” ghi nhận nhầm") % {"step": last.get_kind_display() if last else "—"},
            "danger": True,
        },
    )


# Admissions -------------------------------------------------------------------------------------


@login_required
def admissions(request):
    _require_candidate_role(request)
    queryset = selectors.admissions_for(user=request.user)
    filterset = AdmissionFilter(request.GET or None, queryset=queryset, user=request.user)
    refused = filterset.is_bound and not filterset.is_valid()  # shown on the form; nothing is listed
    if refused:
        rows = queryset.none()
    else:
        rows = (filterset.qs if filterset.is_bound else queryset.counted()).select_related("organization")
    total = rows.count()
    return render(
        request,
        "candidates/admissions.html",
        {
            "filter": filterset,
            "admissions": rows.order_by("-admitted_on", "full_name")[:500],
            "total": total,
            "can_manage": selectors.can_manage(user=request.user),
        },
        status=400 if refused else 200,
    )


def _filter_description(filterset) -> str:
    if not (filterset.is_bound and filterset.is_valid()):
        return ""
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        if value not in (None, "", [], ()):
            parts.append(f"{filterset.form.fields[name].label}: {value}")
    return "; ".join(parts)


@login_required
def admissions_xlsx(request):
    """The filtered admissions as .xlsx; every download of this personal data is recorded."""
    _require_candidate_role(request)
    queryset = selectors.admissions_for(user=request.user)
    filterset = AdmissionFilter(request.GET or None, queryset=queryset, user=request.user)
    if filterset.is_bound and not filterset.is_valid():
        # A refused filter downloads nothing (not the unfiltered list).
        problems = "; ".join(
            f"{filterset.form.fields[name].label}: {' '.join(errors)}"
            if name in filterset.form.fields
            else " ".join(errors)
            for name, errors in filterset.form.errors.items()
        )
        return HttpResponseBadRequest(
            _("Bộ lọc không hợp lệ, không tải gì: %(problems)s") % {"problems": problems},
            content_type="text/plain; charset=utf-8",
        )
    rows = filterset.qs if filterset.is_bound else queryset.counted()
    rows = list(rows.select_related("organization").order_by("-admitted_on", "full_name"))
    organization = (
        filterset.form.cleaned_data.get("organization") if filterset.is_bound and filterset.is_valid() else None
    )
    personal_data_read(
        request,
        kind=PersonalDataAccess.Kind.ADMISSIONS_XLSX,
        people=rows,
        organization=organization,
        filters=_filter_description(filterset),
    )
    return xlsx_response(exporters.admissions_workbook(admissions=rows), "ket-nap.xlsx")


@login_required
@require_safe
def personal_data_log(request):
    """Who read personal data (pages, API, files, statistics) and who was told a person has a record
    elsewhere: for staff and administrators, about people of their subtree."""
    if not selectors.can_manage(user=request.user):
        raise Http404
    return render(
        request,
        "candidates/personal_data_log.html",
        {"entries": selectors.personal_data_access_for(user=request.user)[:500]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def admission_create(request):
    _require_candidate_role(request)
    form = AdmissionForm(request.POST or None, organizations=selectors.organizations_for_entry(user=request.user))
    return service_form(
        request,
        form=form,
        service=lambda: services.admission_record(by=request.user, **form.cleaned_data),
        success=lambda admission: _("Đã ghi nhận kết nạp “%(name)s”.") % {"name": admission.full_name},
        redirect_to=_admission_url,
        template="candidates/form.html",
        context={"title": _("Nhập kết nạp đã có (không qua các bước)"), "back": reverse("candidates:admissions")},
    )


@login_required
@require_safe
def admission_detail(request, pk: int):
    admission = _admission_or_404(request, pk)
    personal_data_read(request, kind=PersonalDataAccess.Kind.ADMISSION_PAGE, people=[admission])
    return render(
        request,
        "candidates/admission_detail.html",
        {
            "admission": admission,
            "history": admission.history.select_related("history_user").order_by("-history_date")[:20],
            "can_cancel": admission.cancelled_at is None
            and selectors.admission_can_cancel(user=request.user, admission=admission),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def admission_cancel(request, pk: int):
    admission = _admission_or_404(request, pk)
    if not selectors.admission_can_cancel(user=request.user, admission=admission):
        raise Http404
    form = ReasonForm(request.POST or None)
    return service_form(
        request,
        form=form,
        service=lambda: services.admission_cancel(admission=admission, by=request.user, **form.cleaned_data),
        success=lambda _done: _("Đã hủy kết nạp ghi nhầm; bản ghi vẫn được lưu."),
        redirect_to=lambda _done: _admission_url(admission),
        template="candidates/form.html",
        context={"title": _("Hủy kết nạp ghi nhầm: %(name)s") % {"name": admission}, "danger": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def admission_import(request):
    """Upload → preview (nothing written) → confirm (all rows in one transaction, or none)."""
    _require_candidate_role(request)
    user = request.user
    context = {"form": ImportForm(), "columns": importers.COLUMNS}
    if request.method == "POST" and "confirm" in request.POST:
        try:
            stored = previews.preview_load(request.session, kind=IMPORT_PREVIEW, token=request.POST.get("token", ""))
        except previews.PreviewExpired:
            messages.error(request, _("Phiên xem trước đã hết hạn: tải tệp lên lại."))
            return redirect("candidates:admission_import")
        rows = importers.rows_from_session(stored, user=user)
        try:
            created = services.admissions_import(rows=rows, by=user)
        except ValidationError as exc:
            context["errors"] = exc.messages
        else:
            previews.preview_discard(request.session, kind=IMPORT_PREVIEW)  # personal data: kept no longer
            messages.success(request, _("Đã nhập %(count)s kết nạp.") % {"count": len(created)})
            return redirect("candidates:admissions")
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            parsed = importers.parse_admissions_xlsx(form.cleaned_data["file"].read(), user=user)
            errors = list(parsed.errors)
            if not errors:
                try:
                    services.admissions_import(rows=parsed.rows, by=user, dry_run=True)
                except ValidationError as exc:
                    errors = exc.messages
            if errors:
                context["errors"] = errors
            else:
                token = previews.preview_store(
                    request.session, kind=IMPORT_PREVIEW, data=importers.rows_to_session(parsed.rows)
                )
                context.update({"preview": parsed.rows, "token": token})
    return render(request, "candidates/import.html", context)


@login_required
def admission_import_template(request):
    _require_candidate_role(request)
    organizations = selectors.organizations_for_entry(user=request.user)[:200]
    return xlsx_response(exporters.admission_template(organizations=organizations), "mau-nhap-ket-nap.xlsx")
