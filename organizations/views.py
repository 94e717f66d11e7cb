"""Organization pages: tree browser, search, detail and the forms that change the tree."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partytrack.service_views import service_form
from partytrack.text import clean_text

from . import restructuring, selectors, services
from .forms import (
    MembershipFigureForm,
    OrganizationDissolveForm,
    OrganizationEditForm,
    OrganizationForm,
    OrganizationMergeForm,
    OrganizationMoveForm,
    RestructuringForm,
    RestructuringStepFormSet,
)
from .models import Organization, RoleAssignment
from .shortcuts import visible_organization_or_404


@login_required
def home(request):
    """The user's organizations and what each role can do there; every root for a superuser."""
    if request.user.is_superuser:
        assignments = []
        tops = Organization.objects.root_nodes()
    else:
        assignments = list(
            RoleAssignment.objects.filter(user=request.user)
            .select_related("organization")
            .order_by("organization__lft")
        )
        tops = []
    return render(request, "home.html", {"assignments": assignments, "tops": tops})


def _editable_or_404(request, pk: int) -> Organization:
    organization = visible_organization_or_404(request, pk)
    if not selectors.organization_can_edit(user=request.user, organization=organization):
        raise Http404
    return organization


def _manageable_or_404(request, pk: int) -> Organization:
    organization = visible_organization_or_404(request, pk)
    if not selectors.organization_can_manage(user=request.user, organization=organization):
        raise Http404
    return organization


@login_required
def tree(request):
    query = clean_text(request.GET.get("q", ""))
    context = {"query": query}
    if query:
        context["results"] = selectors.organization_search(user=request.user, text=query)
    else:
        context["tops"] = selectors.organization_top_for(user=request.user)
    return render(request, "organizations/tree.html", context)


@login_required
def children(request, pk: int):
    """The next level of the tree browser, loaded when a node is expanded."""
    organization = visible_organization_or_404(request, pk)
    nodes = selectors.organization_children(user=request.user, organization=organization)
    return render(request, "organizations/_nodes.html", {"nodes": nodes})


@login_required
def detail(request, pk: int):
    organization = visible_organization_or_404(request, pk)
    user = request.user
    context = {
        "organization": organization,
        "breadcrumbs": selectors.organization_breadcrumbs(user=user, organization=organization),
        "children": selectors.organization_children(user=user, organization=organization),
        "figures": organization.membership_figures.all()[:5],
        "can_edit": selectors.organization_can_edit(user=user, organization=organization),
        "can_manage": selectors.organization_can_manage(user=user, organization=organization),
        "restructurings": organization.restructurings.all()[:20],
    }
    return render(request, "organizations/detail.html", context)


def _detail_url(organization: Organization) -> str:
    return reverse("organizations:detail", kwargs={"pk": organization.pk})


@login_required
@require_http_methods(["GET", "POST"])
def create(request, pk: int):
    parent = _manageable_or_404(request, pk)
    form = OrganizationForm(request.POST or None, initial={"kind": "cell", "sector": parent.sector}, parent=parent)
    return service_form(
        request,
        form=form,
        service=lambda: services.organization_create(parent=parent, by=request.user, **form.cleaned_data),
        success=lambda result: _("Đã thêm “%(name)s”.") % {"name": result.name},
        redirect_to=_detail_url,
        template="organizations/form.html",
        context={"organization": parent, "title": _("Thêm tổ chức trực thuộc %(name)s") % {"name": parent}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    organization = _editable_or_404(request, pk)
    form = OrganizationEditForm(request.POST or None, instance=Organization.objects.get(pk=organization.pk))
    return service_form(
        request,
        form=form,
        service=lambda: services.organization_update(
            organization=organization, by=request.user, on=form.effective_day(), **form.changes()
        ),
        success=lambda result: _("Đã lưu “%(name)s”.") % {"name": result.name},
        redirect_to=_detail_url,
        template="organizations/form.html",
        context={"organization": organization, "title": _("Sửa %(name)s") % {"name": organization}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def move(request, pk: int):
    organization = _editable_or_404(request, pk)
    form = OrganizationMoveForm(request.POST or None, user=request.user, organization=organization)
    return service_form(
        request,
        form=form,
        service=lambda: services.organization_move(
            organization=organization,
            new_parent=form.cleaned_data["new_parent"],
            on=form.effective_day(),
            by=request.user,
        ),
        success=lambda result: _("Đã chuyển “%(name)s”.") % {"name": result.name},
        redirect_to=_detail_url,
        template="organizations/form.html",
        context={"organization": organization, "title": _("Chuyển %(name)s") % {"name": organization}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def merge(request, pk: int):
    target = _editable_or_404(request, pk)
    form = OrganizationMergeForm(request.POST or None, user=request.user, organization=target)
    return service_form(
        request,
        form=form,
        service=lambda: services.organization_merge(
            sources=form.cleaned_data["sources"], target=target, on=form.cleaned_data["on"], by=request.user
        ),
        success=lambda result: _("Đã hợp nhất vào “%(name)s”.") % {"name": result.name},
        redirect_to=_detail_url,
        template="organizations/form.html",
        context={"organization": target, "title": _("Hợp nhất vào %(name)s") % {"name": target}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def dissolve(request, pk: int):
    organization = _editable_or_404(request, pk)
    form = OrganizationDissolveForm(request.POST or None)
    return service_form(
        request,
        form=form,
        service=lambda: services.organization_dissolve(
            organization=organization, on=form.cleaned_data["on"], by=request.user
        ),
        success=lambda result: _("Đã giải thể “%(name)s”.") % {"name": result.name},
        redirect_to=_detail_url,
        template="organizations/form.html",
        context={"organization": organization, "title": _("Giải thể %(name)s") % {"name": organization}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def figures(request, pk: int):
    """Record the organization's cells, members and official members as of a date."""
    organization = _editable_or_404(request, pk)
    form = MembershipFigureForm(request.POST or None, initial={"as_of": timezone.localdate()})
    return service_form(
        request,
        form=form,
        service=lambda: services.membership_figure_record(
            organization=organization, by=request.user, **form.cleaned_data
        ),
        success=lambda _figure: _("Đã ghi số liệu đảng viên của “%(name)s”.") % {"name": organization.name},
        redirect_to=lambda _figure: _detail_url(organization),
        template="organizations/form.html",
        context={"organization": organization, "title": _("Số liệu đảng viên của %(name)s") % {"name": organization}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def restructure(request, pk: int):
    """Record a restructuring decision and its steps (issue 14, item 4): "Xem trước" runs them and rolls
    them back to show everything that moves; "Xác nhận" applies them, all or nothing."""
    organization = _manageable_or_404(request, pk)
    form = RestructuringForm(request.POST or None, initial={"effective_on": timezone.localdate()})
    steps = RestructuringStepFormSet(request.POST or None, prefix="steps")
    outcome = None
    status = 200
    if request.method == "POST":
        if form.is_valid() and steps.is_valid():
            confirm = "confirm" in request.POST
            try:
                outcome = restructuring.restructuring_apply(
                    organization=organization,
                    steps=[step for step in (f.step() for f in steps.forms) if step is not None],
                    by=request.user,
                    preview=not confirm,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                _attach(form, exc)
                status = 400
            else:
                if confirm:
                    messages.success(
                        request,
                        _("Đã ghi nhận quyết định %(number)s: %(count)d thay đổi.")
                        % {"number": outcome.restructuring.number, "count": len(outcome.effects)},
                    )
                    return redirect(_detail_url(organization))
        else:
            status = 400
    codes = (
        Organization.objects.visible_to(request.user).active().order_by("tree_id", "lft").values_list("code", "name")
    )
    context = {
        "organization": organization,
        "form": form,
        "steps": steps,
        "outcome": outcome,
        "codes": codes[:5000],
        "title": _("Sắp xếp tổ chức: ghi nhận quyết định"),
    }
    return render(request, "organizations/restructure.html", context, status=status)


def _attach(form, exc: ValidationError) -> None:
    """A refusal of the service shown on the form: at its field when it names one of the form's."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for name, messages_ in errors.items():
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)
