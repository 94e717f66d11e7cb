"""Admin base class: administrators of a subtree see and change only that subtree in /admin/."""

from django.contrib import admin
from django.http import Http404

from organizations.models import MANAGE_ROLES, Role, Scope


class ScopedAdmin(admin.ModelAdmin):
    # Path from the admin's model to its Organization ("" when the model is Organization).
    organization_path = "organization__"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(Scope.of(request.user).q(roles={Role.ADMIN}, prefix=self.organization_path))

    def has_module_permission(self, request):
        return request.user.is_superuser or bool(Scope.of(request.user).organization_ids({Role.ADMIN}))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_change_permission = has_view_permission
    has_add_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is hard-deleted: organizations are dissolved, candidates withdrawn

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index with "does not exist"; outside the scope we answer 404 like
        # every other page, so an object's existence is not revealed.
        raise Http404


__all__ = ["MANAGE_ROLES", "ScopedAdmin"]
