"""Admin: the rule durations (superusers), and read-only views of candidates and admissions scoped
to the administrator's subtree (writes go through the pages, which run the rules and the hooks)."""

from django.contrib import admin

from partytrack.admin import HistoryAdmin, RulesAdmin, ScopedAdmin

from . import services
from .models import Admission, Candidate, PipelineRules, StepEvent


@admin.register(PipelineRules)
class PipelineRulesAdmin(RulesAdmin):
    list_display = [
        "__str__",
        "certificate_valid_months",
        "decision_working_days",
        "ceremony_working_days",
        "updated_at",
    ]

    update_service = staticmethod(services.rules_update)


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
