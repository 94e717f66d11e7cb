from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from mptt.admin import MPTTModelAdmin

from partytrack.admin import HistoryAdmin, ScopedAdmin

from .models import MembershipFigure, Organization, Role, RoleAssignment, Scope


@admin.register(Organization)
class OrganizationAdmin(ScopedAdmin, HistoryAdmin, MPTTModelAdmin):
    organization_path = ""
    list_display = ["name", "code", "kind", "sector", "valid_from", "valid_to"]
    list_filter = ["kind", "sector"]
    search_fields = ["name", "code", "search_name"]
    readonly_fields = ["parent", "merged_into"]  # tree changes go through the move/merge pages

    def has_add_permission(self, request):
        return False  # created from the organization pages, which take the tree lock

    def save_model(self, request, obj, form, change):
        from . import services

        changes = {field: form.cleaned_data[field] for field in form.changed_data if field in services.TREE_FIELDS}
        if changes:
            services.organization_update(organization=obj, by=request.user, **changes)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedAdmin, HistoryAdmin):
    list_display = ["user", "role", "organization", "granted_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__name", "organization__code"]
    raw_id_fields = ["organization"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and not request.user.is_superuser:
            # A subtree administrator chooses among the accounts of their subtree and accounts that
            # hold no role yet (new ones, e.g. made by `grant_role`), never other subtrees' people.
            scope = Scope.of(request.user).q(roles={Role.ADMIN}, prefix="role_assignments__organization__")
            users = field.queryset
            in_scope = users.filter(scope).values("pk")
            field.queryset = users.filter(
                Q(pk__in=in_scope) | ~Q(pk__in=RoleAssignment.objects.values("user_id"))
            ).order_by("username")
        return field

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        allowed = Organization.objects.filter(Scope.of(request.user).q(roles={Role.ADMIN}))

        class ScopedForm(form):
            def clean_organization(self):
                organization = self.cleaned_data["organization"]
                if not allowed.filter(pk=organization.pk).exists():
                    raise ValidationError(_("Tổ chức này nằm ngoài phạm vi bạn quản trị."))
                return organization

        return ScopedForm

    def save_model(self, request, obj, form, change):
        from . import services

        if change:
            super().save_model(request, obj, form, change)
            if obj.role == Role.ADMIN and not obj.user.is_staff:
                services.role_grant(user=obj.user, organization=obj.organization, role=obj.role, by=request.user)
            return
        # A new grant goes through the service, which also opens the admin to a new administrator.
        obj.pk = services.role_grant(user=obj.user, organization=obj.organization, role=obj.role, by=request.user).pk

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)  # revoking a role is not deleting history


@admin.register(MembershipFigure)
class MembershipFigureAdmin(ScopedAdmin, HistoryAdmin):
    list_display = ["organization", "as_of", "cell_count", "member_count", "official_member_count"]
    raw_id_fields = ["organization"]
