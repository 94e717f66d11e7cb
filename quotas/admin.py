"""Plans and quotas in /admin/: read-only (every write goes through quotas.services, which checks the
rules, keeps history and sends quotas.signals.quotas_changed), scoped to the administrator's subtree."""

from django.contrib import admin

from organizations.admin_scope import ScopedAdmin

from .models import Plan, Quota, SubTarget


class ReadOnlyScopedAdmin(ScopedAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


class SubTargetInline(admin.TabularInline):
    model = SubTarget
    extra = 0
    can_delete = False
    fields = ["kind", "comparison", "value", "description"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyScopedAdmin):
    list_display = ["number", "organization", "issued_on", "start_year", "end_year", "target", "status"]
    list_filter = ["status", "start_year"]
    search_fields = ["number", "title", "organization__name", "organization__code"]
    inlines = [SubTargetInline]


@admin.register(Quota)
class QuotaAdmin(ReadOnlyScopedAdmin):
    list_display = ["organization", "year", "total", "q1", "q2", "q3", "q4", "plan"]
    list_filter = ["year"]
    search_fields = ["organization__name", "organization__code", "plan__number"]
    list_select_related = ["organization", "plan"]
