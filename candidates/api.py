"""REST API of the candidates app, mounted under /api/v1/: candidates, their steps and admissions,
scoped like the pages (secretaries their cell, staff and administrators their subtree; a leader's
lists are empty and a candidate of theirs is a 404: leaders get aggregated figures only)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from organizations.models import Organization
from partytrack.api_input import PrimaryKeyField
from partytrack.api_versions import VersionedObjectMixin

from . import selectors, services
from .choices import EventKind, Introduction, RuleException, Step
from .filters import AdmissionFilter, CandidateFilter
from .models import MAX_VOTERS, Admission, Candidate, PersonalDataAccess, PipelineRules, StepEvent
from .services import CANDIDATE_FIELDS, PERSON_FIELDS


def _as_api_error(exc: ValidationError) -> ApiValidationError:
    return ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


class ScopedOrganizationField(PrimaryKeyField):
    """An organization the caller may record candidates in; anything else reads as non-existent."""

    def get_queryset(self):
        return Organization.objects.restrict(self.context["request"].user, "view_people")


class CandidateSerializer(serializers.ModelSerializer):
    organization = ScopedOrganizationField()
    listed_on = serializers.DateField(required=False, help_text="Ngày vào danh sách cảm tình Đảng (mặc định hôm nay).")

    class Meta:
        model = Candidate
        fields = [
            "id",
            "organization",
            *CANDIDATE_FIELDS,
            "step",
            "status",
            "listed_on",
            "certificate_on",
            "file_opened_on",
            "resolution_on",
            "decision_on",
            "ceremony_on",
            "probation_ends_on",
            "official_on",
            "closed_on",
            "close_reason",
            "next_deadline",
            "next_deadline_kind",
        ]
        read_only_fields = [
            "step",
            "status",
            "mentor_name",
            "certificate_on",
            "file_opened_on",
            "resolution_on",
            "decision_on",
            "ceremony_on",
            "probation_ends_on",
            "official_on",
            "closed_on",
            "close_reason",
            "next_deadline",
            "next_deadline_kind",
        ]
        validators: list = []  # the services refuse duplicates with a readable message


class StepEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = StepEvent
        fields = [
            "id",
            "kind",
            "on",
            "document_number",
            "acting_body",
            "votes_for",
            "voters_total",
            "introduction",
            "people",
            "working_days",
            "received_on",
            "exception",
            "exception_note",
            "note",
            "recorded_at",
            "voided_at",
            "void_reason",
        ]
        read_only_fields = fields


class StepInputSerializer(serializers.Serializer):
    """The next step: `step` (one of the pipeline's steps; the next one by default) and its fields."""

    step = serializers.ChoiceField(choices=Step.choices, required=False)
    on = serializers.DateField()
    document_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    acting_body = serializers.CharField(required=False, allow_blank=True, max_length=200)
    votes_for = serializers.IntegerField(required=False, min_value=0, max_value=MAX_VOTERS, allow_null=True)
    voters_total = serializers.IntegerField(required=False, min_value=1, max_value=MAX_VOTERS, allow_null=True)
    introduction = serializers.ChoiceField(choices=Introduction.choices, required=False, allow_blank=True)
    people = serializers.ListField(child=serializers.CharField(max_length=150), required=False)
    received_on = serializers.DateField(required=False, allow_null=True)
    exception = serializers.ChoiceField(choices=RuleException.choices, required=False, allow_blank=True)
    exception_note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    note = serializers.CharField(required=False, allow_blank=True)


class PersonalDataReadLogged:
    """Lists and details of people's personal data: every answered GET is one row of the access log
    (services.personal_data_read_record) with the people it returned and the query it was asked.
    `read_kinds` maps the view's actions (list, retrieve) to the log's kinds."""

    read_kinds: dict[str, str] = {}

    def get_serializer(self, *args, **kwargs):
        if args and self.action in self.read_kinds:  # what list() and retrieve() are about to send
            self._people_read = args[0] if kwargs.get("many") else [args[0]]
        return super().get_serializer(*args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        people = getattr(self, "_people_read", None)
        if people is not None and request.method in ("GET", "HEAD") and 200 <= response.status_code < 300:
            services.personal_data_read_record(
                user=request.user,
                kind=self.read_kinds[self.action],
                people=people,
                filters="; ".join(f"{key}={value}" for key, value in request.query_params.items()),
                path=request.path,
            )
        return response


class CandidateViewSet(
    PersonalDataReadLogged,
    VersionedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CandidateSerializer
    filterset_class = CandidateFilter  # for the OpenAPI schema: filter_queryset below applies it with the scope
    scoped_filters = True
    http_method_names = ["get", "post", "head", "options"]
    read_kinds = {"list": PersonalDataAccess.Kind.CANDIDATE_LIST_API, "retrieve": PersonalDataAccess.Kind.CANDIDATE_API}

    def get_queryset(self):
        """Ordered like the board: overdue first, then due soon, then later deadlines, then none."""
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema needs the model, not the rules
            return Candidate.objects.none()
        return selectors.with_urgency(
            selectors.candidates_for(user=self.request.user).select_related("organization"),
            today=timezone.localdate(),
            soon_days=PipelineRules.current().due_soon_days,
        )

    def filter_queryset(self, queryset):
        filterset = CandidateFilter(self.request.query_params or None, queryset=queryset, user=self.request.user)
        if filterset.is_bound and not filterset.is_valid():
            raise ApiValidationError(filterset.errors)
        return filterset.qs if filterset.is_bound else queryset

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.setdefault("listed_on", timezone.localdate())
        try:
            serializer.instance = services.candidate_create(by=self.request.user, **data)
        except ValidationError as exc:
            raise _as_api_error(exc) from exc
        except PermissionDenied as exc:
            raise ApiValidationError({"organization": ["Không tìm thấy tổ chức trong phạm vi của bạn."]}) from exc

    @extend_schema(methods=["GET"], responses=StepEventSerializer(many=True))
    @extend_schema(methods=["POST"], request=StepInputSerializer, responses={201: CandidateSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="steps",
        url_name="steps",
        pagination_class=None,
        filter_backends=[],
    )
    def steps(self, request, pk=None):
        """GET: the candidate's recorded steps. POST: record the next step (rules checked)."""
        candidate = self.get_object()
        if request.method == "GET":
            events = candidate.events.order_by("id")
            return Response(StepEventSerializer(events, many=True).data)
        payload = StepInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        from .rules import next_steps

        following = next_steps(step=candidate.step, organization=candidate.organization)
        step = data.pop("step", None) or (following[0] if following else candidate.step)
        try:
            candidate = services.candidate_advance(
                candidate=candidate, step=step, by=request.user, expected_version=self.if_match(), **data
            )
        except ValidationError as exc:
            raise _as_api_error(exc) from exc
        except PermissionDenied as exc:
            raise Http404 from exc
        return Response(
            CandidateSerializer(candidate, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )


class AdmissionSerializer(serializers.ModelSerializer):
    organization = ScopedOrganizationField()

    class Meta:
        model = Admission
        fields = [
            "id",
            "organization",
            *PERSON_FIELDS,
            "decision_number",
            "admitted_on",
            "deciding_body",
            "age_consent",
            "source",
            "candidate",
            "cancelled_at",
            "cancel_reason",
        ]
        read_only_fields = ["source", "candidate", "cancelled_at", "cancel_reason"]
        validators: list = []


class AdmissionViewSet(
    PersonalDataReadLogged,
    VersionedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Admissions in scope; POST records a historical admission directly (no earlier steps)."""

    serializer_class = AdmissionSerializer
    filterset_class = AdmissionFilter  # for the OpenAPI schema: filter_queryset below applies it with the scope
    scoped_filters = True
    http_method_names = ["get", "post", "head", "options"]
    read_kinds = {"list": PersonalDataAccess.Kind.ADMISSION_LIST_API, "retrieve": PersonalDataAccess.Kind.ADMISSION_API}

    def get_queryset(self):
        return (
            selectors.admissions_for(user=self.request.user)
            .select_related("organization")
            .order_by("-admitted_on", "pk")
        )

    def filter_queryset(self, queryset):
        filterset = AdmissionFilter(self.request.query_params or None, queryset=queryset, user=self.request.user)
        if filterset.is_bound and not filterset.is_valid():
            raise ApiValidationError(filterset.errors)
        return filterset.qs if filterset.is_bound else queryset

    def perform_create(self, serializer):
        try:
            serializer.instance = services.admission_record(by=self.request.user, **serializer.validated_data)
        except ValidationError as exc:
            raise _as_api_error(exc) from exc
        except PermissionDenied as exc:
            raise ApiValidationError({"organization": ["Không tìm thấy tổ chức trong phạm vi của bạn."]}) from exc


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("candidates", CandidateViewSet, basename="candidate")
router.register("admissions", AdmissionViewSet, basename="admission")

urlpatterns = [path("", include(router.urls))]

__all__ = ["EventKind", "urlpatterns"]
