"""ETag and If-Match for the REST API (versions from partytrack.versions, the grid's as well).

Every answer about one object (GET, PUT, PATCH, a POST action on it, and the 201 of a creation)
carries the object's version as its ETag. A write may send it back as If-Match: the writing service
compares it under its lock and refuses a stale one, which answers 412 Precondition Failed and
changes nothing. Without If-Match (or with `If-Match: *`) a write goes through as before.

A write request runs in one transaction, so the ETag of its answer is read before any other writer
can get in: it is the version of exactly what the answer shows. If-Match uses the strong comparison
(RFC 9110, 13.1.1): a weak tag `W/"…"` promises only an equivalent answer, not this row's version,
so it never matches and the write answers 412 (the API sends strong tags only).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS

from . import durable, versions


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "Dữ liệu này đã được sửa sau khi bạn đọc (If-Match không khớp ETag hiện tại). Không có thay đổi nào "
        "được ghi: hãy đọc lại (GET) để xem thay đổi mới rồi gửi lại."
    )
    default_code = "precondition_failed"


def etag(instance) -> str:
    return f'"{versions.row_version(instance)}"'


def parse_if_match(header: str | None) -> versions.Expected:
    """The versions an If-Match header lists; None when there is no header or it is `*` (any)."""
    if header is None:
        return None
    tags = set()
    for part in header.split(","):
        tag = part.strip()
        if tag == "*":
            return None
        if tag.startswith("W/"):
            continue  # strong comparison: a weak tag matches no version
        tag = tag.strip('"')
        if tag:
            tags.add(tag)
    return frozenset(tags)  # an empty, weak-only or garbled header matches nothing


class VersionedSchema(AutoSchema):
    """The OpenAPI operations that write one object declare the If-Match header."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method not in SAFE_METHODS and getattr(self.view, "detail", False):
            parameters = [
                *parameters,
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description=(
                        "ETag của lần đọc trước (GET): nếu đối tượng đã bị sửa từ đó, trả 412 và không ghi gì."
                    ),
                ),
            ]
        return parameters


class VersionedObjectMixin:
    """For a viewset: ETag on its answers about one object, If-Match for its services
    (`self.if_match()` is what a write passes as `expected_version`)."""

    schema = VersionedSchema()
    _versioned = None

    def if_match(self) -> versions.Expected:
        return parse_if_match(self.request.headers.get("If-Match"))

    def get_object(self):
        self._versioned = super().get_object()
        return self._versioned

    def dispatch(self, request, *args, **kwargs):
        if request.method in SAFE_METHODS:
            return super().dispatch(request, *args, **kwargs)
        # Logs of a refusal (partytrack.durable) are written after the rollback, not undone by it.
        with durable.collect(), transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code >= status.HTTP_400_BAD_REQUEST:
                transaction.set_rollback(True)
            return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if not status.is_success(response.status_code) or response.has_header("ETag"):
            return response
        instance = self._answered_object(request, response)
        if instance is not None:
            response["ETag"] = etag(instance)
        return response

    def _answered_object(self, request, response):
        model = self.get_serializer_class().Meta.model
        if request.method in SAFE_METHODS:
            return self._versioned  # what the answer shows, as read
        # After a write: the row as written, read inside the request's transaction.
        if self._versioned is not None:
            pk = self._versioned.pk
        elif response.status_code == status.HTTP_201_CREATED and isinstance(response.data, dict):
            pk = response.data.get("id")
        else:
            return None
        return model._base_manager.filter(pk=pk).first() if pk is not None else None
