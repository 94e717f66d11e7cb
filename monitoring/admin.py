"""Admin: the alert thresholds (superusers, like the pipeline rules) and the plans' reporting deadlines
(administrators of the plan's organization or above, like every scoped admin). Writes go through the
services, which validate, check the scope and keep history."""

from django.contrib import admin

from organizations.admin_scope import ScopedAdmin
from partytrack.admin import HistoryAdmin, RulesAdmin
from quotas.models import Plan

from . import services, submissions
from .models import AlertRules, ReportingDeadline


@admin.register(AlertRules)
class AlertRulesAdmin(RulesAdmin):
    list_display = ["__str__", "stalled_cell_years", "min_cell_members", "certificate_expiry_months", "updated_at"]

    update_service = staticmethod(services.alert_rules_update)


@admin.register(ReportingDeadline)
class ReportingDeadlineAdmin(ScopedAdmin, HistoryAdmin):
    list_display = ["plan", "plan_organization", "day", "months_after"]
    list_select_related = ["plan", "plan__organization"]
    search_fields = ["plan__number", "plan__organization__name", "plan__organization__code"]

    @admin.display(description=Plan._meta.get_field("organization").verbose_name)
    def plan_organization(self, obj):
        return obj.plan.organization

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "plan"] if obj is not None and "plan" not in readonly else readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "plan":
            # Only current plans the administrator's scope holds.
            kwargs["queryset"] = (
                Plan.objects.current().restrict(request.user, "administer").select_related("organization")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        saved = submissions.reporting_deadline_set(
            plan=obj.plan, day=obj.day, months_after=obj.months_after, by=request.user
        )
        obj.pk = saved.pk
