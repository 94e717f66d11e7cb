"""Admin: the rule durations and privacy rules (superusers), and read-only views of candidates and admissions scoped
to the administrator's subtree (writes go through the pages, which run the rules and send the signals)."""

from django.contrib import admin
from django.contrib.admin.utils import unquote

from organizations.admin_scope import ScopedAdmin
from partytrack.admin import HistoryAdmin, RulesAdmin

from . import services
from .models import Admission, Candidate, PersonalDataAccess, PipelineRules, PrivacyRules, StepEvent
from .views import personal_data_read


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


@admin.register(PrivacyRules)
class PrivacyRulesAdmin(RulesAdmin):
    list_display = ["__str__", "statistics_min_people", "record_elsewhere_per_day", "updated_at"]

    update_service = staticmethod(services.privacy_rules_update)


class ReadOnlyScopedAdmin(ScopedAdmin, HistoryAdmin):
    """A person's page, history and versions show their personal data: each GET of one is logged
    (the lists show names only)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def _log_read(self, request, object_id) -> None:
        person = self.get_queryset(request).filter(pk=unquote(object_id)).first() if request.method == "GET" else None
        if person is not None:
            personal_data_read(request, kind=PersonalDataAccess.Kind.ADMIN_PAGE, people=[person])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._log_read(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._log_read(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._log_read(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)


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
    search_fields = ["full_name", "organization__code"]  # never identity_key: it holds the birth date
    inlines = [StepEventInline]


@admin.register(Admission)
class AdmissionAdmin(ReadOnlyScopedAdmin):
    list_display = ["full_name", "organization", "decision_number", "admitted_on", "source", "cancelled_at"]
    list_filter = ["source"]
    search_fields = ["full_name", "decision_number", "organization__code"]  # never identity_key (birth date)
    date_hierarchy = "admitted_on"
