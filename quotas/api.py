"""REST API of the quotas app, mounted under /api/v1/: /api/v1/quotas/ (GET, POST, PUT), with the
same rules and scope as the allocation grid."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q
from django.http import Http404
from django.urls import include, path
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.routers import DefaultRouter

from organizations.models import Organization
from partytrack.api_input import PrimaryKeyField
from partytrack.api_versions import VersionedObjectMixin
from partytrack.years import YearFilter

from . import plans, selectors, services
from .models import Plan, Quota


class VisibleOrganizationField(PrimaryKeyField):
    def get_queryset(self):
        return Organization.objects.visible_to(self.context["request"].user)


class VisiblePlanField(PrimaryKeyField):
    def get_queryset(self):
        return selectors.plans_visible(user=self.context["request"].user)


class QuotaSerializer(serializers.ModelSerializer):
    organization = VisibleOrganizationField()
    plan = VisiblePlanField(required=False, allow_null=True)
    year = serializers.IntegerField(min_value=services.FIRST_YEAR, max_value=services.LAST_YEAR)
    # Negative numbers reach the service, which refuses them with the same message as the grid.
    total = serializers.IntegerField()
    q1 = serializers.IntegerField(required=False, allow_null=True)
    q2 = serializers.IntegerField(required=False, allow_null=True)
    q3 = serializers.IntegerField(required=False, allow_null=True)
    q4 = serializers.IntegerField(required=False, allow_null=True)
    plan_number = serializers.CharField(source="plan.number", read_only=True)
    plan_is_current = serializers.SerializerMethodField()
    # Whether reports, alerts and progress count this quota (its plan is the effective one), and the
    # note a draft's quota carries ("dự thảo — chưa tính").
    counted = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    class Meta:
        model = Quota
        fields = [
            "id",
            "organization",
            "year",
            "total",
            "q1",
            "q2",
            "q3",
            "q4",
            "plan",
            "plan_number",
            "plan_is_current",
            "counted",
            "note",
        ]
        validators: list = []  # uniqueness and the quarter rule are the service's (readable messages)

    def get_plan_is_current(self, quota: Quota) -> bool:
        return quota.plan.is_current

    def get_counted(self, quota: Quota) -> bool:
        effective = getattr(quota, "effective_plan_id", None)
        if not hasattr(quota, "effective_plan_id"):  # a quota just written, not read from the list
            plan = plans.plan_effective(organization=quota.plan.organization_id, year=quota.year)
            effective = plan.pk if plan else None
        return effective == quota.plan_id

    def get_note(self, quota: Quota) -> str:
        return plans.draft_note(quota.plan)


def _filter_organizations(request):
    return Organization.objects.visible_to(request.user) if request else Organization.objects.none()


def _filter_plans(request):
    """Plans the caller may name: those issued in their subtree, and those their visible quotas came
    from (a commune's quota belongs to the district's plan)."""
    if request is None:
        return Plan.objects.none()
    visible = Organization.objects.visible_to(request.user)
    return Plan.objects.filter(Q(organization__in=visible) | Q(quotas__organization__in=visible)).distinct()


class QuotaFilter(django_filters.FilterSet):
    # Choices limited to the caller's scope: an id outside it gets the answer of an id that does not
    # exist ("not one of the available choices"), so the filter does not tell that it exists.
    organization = django_filters.ModelChoiceFilter(queryset=_filter_organizations)
    plan = django_filters.ModelChoiceFilter(queryset=_filter_plans)
    year = YearFilter()

    class Meta:
        model = Quota
        fields = ["organization", "year", "plan"]


def _api_error(exc: ValidationError) -> ApiValidationError:
    if not hasattr(exc, "error_dict"):
        return ApiValidationError({"non_field_errors": exc.messages})
    errors: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        errors.setdefault("non_field_errors" if key.startswith("row:") or key == "__all__" else key, []).extend(
            messages
        )
    return ApiValidationError(errors)


class QuotaViewSet(
    VersionedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Quotas the caller can see: those of organizations in their subtree (their own quota from the
    level above included). Writing needs staff or administrator rights on the allocating organization."""

    serializer_class = QuotaSerializer
    filterset_class = QuotaFilter
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self):
        return (
            selectors.quotas_visible(user=self.request.user)
            .select_related("plan__replaced_by")
            .annotate(effective_plan_id=plans.plan_effective_subquery(OuterRef("plan__organization"), OuterRef("year")))
            .order_by("year", "organization__tree_id", "organization__lft", "plan_id")
        )

    def _save(self, data: dict, *, plan: Plan | None, expected_version=None) -> Quota:
        try:
            return services.quota_save(
                organization=data["organization"],
                year=data["year"],
                total=data["total"],
                q1=data.get("q1"),
                q2=data.get("q2"),
                q3=data.get("q3"),
                q4=data.get("q4"),
                plan=plan,
                by=self.request.user,
                expected_version=expected_version,
            )
        except ValidationError as exc:
            raise _api_error(exc) from exc
        except PermissionDenied as exc:
            raise ApiValidationError(
                {"organization": [_("Bạn không có quyền giao chỉ tiêu cho tổ chức này (chỉ cán bộ tổ chức cấp trên).")]}
            ) from exc

    def perform_create(self, serializer):
        data = serializer.validated_data
        plan = data.get("plan")
        if plan is not None:
            try:
                services.ensure_current(plan)
            except ValidationError as exc:
                raise _api_error(exc) from exc
        target = plan or plans.plan_working(organization=data["organization"].parent_id or 0, year=data["year"])
        if target and Quota.objects.filter(plan=target, organization=data["organization"], year=data["year"]).exists():
            existing = Quota.objects.get(plan=target, organization=data["organization"], year=data["year"])
            raise ApiValidationError(
                {
                    "non_field_errors": [
                        f"Đã có chỉ tiêu này (id {existing.pk}); dùng PUT /api/v1/quotas/{existing.pk}/ để sửa."
                    ]
                }
            )
        serializer.instance = self._save(data, plan=plan)

    def perform_update(self, serializer):
        quota = serializer.instance
        data = serializer.validated_data
        if not selectors.can_allocate(user=self.request.user, organization=quota.plan.organization):
            raise Http404
        moved = {
            name: label
            for name, label in (("organization", _("tổ chức")), ("year", _("năm")), ("plan", _("kế hoạch")))
            if name in data and data[name] != getattr(quota, name) and not (name == "plan" and data[name] is None)
        }
        if moved:
            raise ApiValidationError(
                {
                    name: [f"Không đổi được {label} của một chỉ tiêu; hãy tạo chỉ tiêu mới."]
                    for name, label in moved.items()
                }
            )
        serializer.instance = self._save(
            {**data, "organization": quota.organization, "year": quota.year},
            plan=quota.plan,
            expected_version=self.if_match(),
        )


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("quotas", QuotaViewSet, basename="quota")

urlpatterns = [path("", include(router.urls))]
