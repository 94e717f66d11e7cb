"""Admin base classes: change history is read in /admin/, never written back around the services, and
rules kept as data are edited by superusers only. (Scoping an admin to the administrator's subtree is
organizations.admin_scope.ScopedAdmin.)"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin


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

    def hide_outside_scope(self, obj, user) -> None:
        """What of `obj` the user may not see is hidden before it is shown (ScopedAdmin does it)."""

    def render_history_view(self, request, template, context, **kwargs):
        # A version page shows the old row read-only: its parent then may be outside the scope now.
        self.hide_outside_scope(context.get("original"), request.user)
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


__all__ = ["HistoryAdmin", "RulesAdmin"]


admin.site.site_header = _("partytrack — Quản trị")
admin.site.site_title = _("partytrack — Quản trị")
admin.site.index_title = _("Quản trị dữ liệu")
