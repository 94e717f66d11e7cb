"""Admin: the rule durations (superusers), and read-only views of candidates and admissions scoped
to the administrator's subtree (writes go through the pages, which run the rules and the hooks)."""

from django.contrib import admin

from partytrack.admin import HistoryAdmin, ScopedAdmin

from . import services
from .models import Admission, Candidate, PipelineRules, StepEvent


@admin.register(PipelineRules)
class PipelineRulesAdmin(HistoryAdmin):
    list_display = [
        "__str__",
        "certificate_valid_months",
        "decision_working_days",
        "ceremony_working_days",
        "updated_at",
    ]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    has_change_permission = has_view_permission

    def has_add_permission(self, request):
        return request.user.is_superuser and not PipelineRules.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {field: form.cleaned_data[field] for field in form.changed_data}
        saved = services.rules_update(by=request.user, **values)
        obj.pk = saved.pk


class ReadOnlyScopedAdmin(ScopedAdmin, HistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StepEventInline(admin.TabularInline):
    model = StepEvent
    extra = 0
    can_delete = False
    fields = ["kind", "on", "document_number", "acting_body", "votes_for", "voters_total", "exception", "voided_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyScopedAdmin):
    list_display = ["full_name", "organization", "step", "status", "next_deadline"]
    list_filter = ["step", "status"]
    search_fields = ["full_name", "identity_key", "organization__code"]
    inlines = [StepEventInline]


@admin.register(Admission)
class AdmissionAdmin(ReadOnlyScopedAdmin):
    list_display = ["full_name", "organization", "decision_number", "admitted_on", "source", "cancelled_at"]
    list_filter = ["source"]
    search_fields = ["full_name", "identity_key", "decision_number", "organization__code"]
    date_hierarchy = "admitted_on"
