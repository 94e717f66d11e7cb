"""Admin base classes: administrators of a subtree see and change only that subtree in /admin/, and
change history is read there, never written back around the services."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from organizations.models import MANAGE_ROLES, Organization, Role, Scope

from .history import OUTSIDE_SCOPE
from .text import clean_text, fold


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """Django's raw-id input, naming the object beside the id only when it is one the user may
    choose: `?organization=<id of another subtree>` on an add page showed that organization's name."""

    def __init__(self, rel, admin_site, *, queryset, **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            if not self.queryset.filter(**{key: value}).exists():
                return "", ""  # what Django shows for an id that does not exist
        except (ValueError, TypeError):
            return "", ""
        return super().label_and_url_for_value(value)


def hide_outside_scope(obj, user) -> None:
    """Make the organizations `obj` refers to that `user` may not see (a parent above their subtree)
    read as OUTSIDE_SCOPE wherever the admin prints them (read-only fields), not by name."""
    if obj is None:
        return
    refs = {
        field: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.is_relation and field.related_model is Organization and getattr(obj, field.attname) is not None
    }
    if not refs:
        return
    visible = set(Organization.objects.visible_to(user).filter(pk__in=refs.values()).values_list("pk", flat=True))
    for field, pk in refs.items():
        if pk not in visible:
            field.set_cached_value(obj, Organization(pk=pk, name=str(OUTSIDE_SCOPE)))


class ScopedAdmin(admin.ModelAdmin):
    """The model's rows through its restricting queryset (`restrict(user, "administer")`)."""

    @property
    def organization_path(self) -> str:
        """The model's path to its Organization as a lookup prefix ("" for Organization itself)."""
        path = self.model.organization_path
        return f"{path}__" if path else ""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """An organization field offers (and names, in a raw-id input) only the organizations of the
        administrator's subtree; another one is refused like one that does not exist."""
        if db_field.related_model is Organization and "queryset" not in kwargs:
            kwargs["queryset"] = Organization.objects.restrict(request.user, "administer")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Organization:
            field.error_messages["invalid_choice"] = _("Tổ chức không có hoặc nằm ngoài phạm vi bạn quản trị.")
        if field is not None and type(field.widget) is ForeignKeyRawIdWidget:
            field.widget = ScopedRawIdWidget(
                field.widget.rel, field.widget.admin_site, queryset=field.queryset, using=field.widget.db
            )
        return field

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        hide_outside_scope(obj, request.user)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.restrict(request.user, "administer")

    def has_module_permission(self, request):
        return request.user.is_superuser or bool(Scope.of(request.user).organization_ids({Role.ADMIN}))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_change_permission = has_view_permission
    has_add_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is hard-deleted: organizations are dissolved, candidates withdrawn

    def get_search_results(self, request, queryset, search_term):
        """The search term read as the pages read it (partytrack.text): invisible characters dropped,
        and its folded form tried too, so "luc ngan" finds "Lục Ngạn" through the folded columns."""
        term = clean_text(search_term)
        found, duplicates = super().get_search_results(request, queryset, term)
        folded = fold(term)
        if folded and folded != term:
            more, more_duplicates = super().get_search_results(request, queryset, folded)
            found, duplicates = found | more, duplicates or more_duplicates
        return found, duplicates

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index with "does not exist"; outside the scope we answer 404 like
        # every other page, so an object's existence is not revealed.
        raise Http404


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's pages, read-only and within the admin's queryset.

    Its history pages look objects up without the admin's queryset, and its version page saves a
    POST with a bare save(): that would show other subtrees' objects and write past the services
    (tree lock, pipeline rules, report tallies). An old value is restored by an ordinary edit.
    """

    def _check_visible(self, request, object_id) -> None:
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._check_visible(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_visible(request, object_id)
        if request.method != "GET":
            raise PermissionDenied
        # A version is shown, never edited: every field read-only, so no choice list of related
        # objects (organizations, candidates, users of every subtree) reaches the page.
        request.partytrack_history_version = True
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if getattr(request, "partytrack_history_version", False):
            opts = self.model._meta
            editable = [field.name for field in (*opts.fields, *opts.many_to_many) if field.editable]
            readonly += [name for name in editable if name not in readonly]
        return readonly

    def revert_disabled(self, request, obj=None):
        return True

    def render_history_view(self, request, template, context, **kwargs):
        # A version page shows the old row read-only: its parent then may be outside the scope now.
        hide_outside_scope(context.get("original"), request.user)
        return super().render_history_view(request, template, context, **kwargs)

    def get_historical_record_context_helper(self, request, historical_record):
        # The "changes" column with choice labels, dd/mm/yyyy dates and related objects by name.
        from .history import ReadableHistoryContextHelper

        return ReadableHistoryContextHelper(self.model, historical_record, user=request.user)


class RulesAdmin(HistoryAdmin):
    """A one-row table of rules kept as data (pipeline durations, alert thresholds): superusers only,
    edited through `update_service` (which recomputes what depends on the rules), never deleted."""

    update_service = None  # staticmethod(service(*, by, **values)) -> the saved row

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    has_change_permission = has_view_permission

    def has_add_permission(self, request):
        return request.user.is_superuser and not self.model.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {field: form.cleaned_data[field] for field in form.changed_data}
        obj.pk = self.update_service(by=request.user, **values).pk


__all__ = ["MANAGE_ROLES", "HistoryAdmin", "RulesAdmin", "ScopedAdmin"]


admin.site.site_header = _("partytrack — Quản trị")
admin.site.site_title = _("partytrack — Quản trị")
admin.site.index_title = _("Quản trị dữ liệu")
