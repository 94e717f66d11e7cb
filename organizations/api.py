"""REST API for organizations: /api/v1/organizations/, scoped to the caller's subtree."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import include, path
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from partytrack.api_input import PrimaryKeyField
from partytrack.api_versions import VersionedObjectMixin

from . import services
from .models import Organization, code_validator


class ScopedParentField(PrimaryKeyField):
    """A parent must be an organization the caller manages; anything else reads as non-existent."""

    def get_queryset(self):
        return Organization.objects.parents_for(self.context["request"].user)


class OrganizationSerializer(serializers.ModelSerializer):
    parent = ScopedParentField(allow_null=True, required=False)
    level = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "sector",
            "parent",
            "level",
            "position",
            "valid_from",
            "valid_to",
            "merged_into",
        ]
        read_only_fields = ["merged_into"]
        # Uniqueness is the services' job (readable messages, checked under the tree lock).
        validators: list = []
        extra_kwargs = {"code": {"validators": [code_validator]}}


class ScopedEditableField(PrimaryKeyField):
    """An organization the caller may change; anything else reads as non-existent."""

    def get_queryset(self):
        return Organization.objects.editable_by(self.context["request"].user)


class MergeInput(serializers.Serializer):
    sources = serializers.ListField(child=ScopedEditableField(), allow_empty=False, max_length=500)
    on = serializers.DateField()


class MoveInput(serializers.Serializer):
    parent = ScopedParentField(allow_null=True)
    on = serializers.DateField(required=False)


class DissolveInput(serializers.Serializer):
    on = serializers.DateField()


def _visible_organizations(request):
    return Organization.objects.visible_to(request.user) if request else Organization.objects.none()


class OrganizationFilter(django_filters.FilterSet):
    # A parent outside the caller's scope gets the answer of one that does not exist (400, "not one
    # of the available choices"), not an empty list that would tell it exists.
    parent = django_filters.ModelChoiceFilter(queryset=_visible_organizations)
    search = django_filters.CharFilter(method="filter_search", label="search")

    class Meta:
        model = Organization
        fields = ["parent", "kind", "sector"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


def _as_api_error(exc: ValidationError) -> ApiValidationError:
    return ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


class OrganizationViewSet(
    VersionedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return Organization.objects.visible_to(self.request.user).order_by("tree_id", "lft")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("level", None)
        data.setdefault("parent", None)  # omitted means a root, the same as null (the service checks who may)
        try:
            serializer.instance = services.organization_create(by=self.request.user, **data)
        except ValidationError as exc:
            raise _as_api_error(exc) from exc
        except PermissionDenied as exc:
            raise ApiValidationError({"parent": ["Không tìm thấy tổ chức cấp trên trong phạm vi của bạn."]}) from exc

    def perform_update(self, serializer):
        organization = serializer.instance
        if not Organization.objects.editable_by(self.request.user).filter(pk=organization.pk).exists():
            raise Http404
        data = dict(serializer.validated_data)
        try:
            organization = services.organization_change(
                organization=organization, by=self.request.user, expected_version=self.if_match(), **data
            )
        except ValidationError as exc:
            raise _as_api_error(exc) from exc
        except PermissionDenied as exc:
            raise Http404 from exc
        serializer.instance = organization

    # ------------------------------------------------------------ restructuring (issue 14)

    def _restructure(self, request, input_class, service):
        """Run one structural service on the organization of the URL with the body's values: 404 outside
        the caller's scope, 400 with the reason when refused (nothing written), else the organization."""
        organization = self.get_object()
        if not Organization.objects.editable_by(request.user).filter(pk=organization.pk).exists():
            raise Http404
        data = input_class(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            result = service(organization, data.validated_data)
        except ValidationError as exc:
            raise _as_api_error(exc) from exc
        except PermissionDenied as exc:
            raise Http404 from exc
        result.refresh_from_db()
        return Response(self.get_serializer(result).data)

    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge `sources` into this organization from `on`: their active children move under it, they
        close the day before and stay in its history."""
        return self._restructure(
            request,
            MergeInput,
            lambda org, data: services.organization_merge(
                sources=data["sources"], target=org, on=data["on"], by=request.user
            ),
        )

    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move this organization under `parent` from `on` (default today; a later day is recorded now
        and made on that day)."""
        return self._restructure(
            request,
            MoveInput,
            lambda org, data: services.organization_move(
                organization=org, new_parent=data["parent"], on=data.get("on"), by=request.user
            ),
        )

    @action(detail=True, methods=["post"])
    def dissolve(self, request, pk=None):
        """Dissolve this organization from `on`: it closes the day before and stays in history."""
        return self._restructure(
            request,
            DissolveInput,
            lambda org, data: services.organization_dissolve(organization=org, on=data["on"], by=request.user),
        )


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("organizations", OrganizationViewSet, basename="organization")

urlpatterns = [path("", include(router.urls))]
