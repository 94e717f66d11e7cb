"""Glue between forms and services shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404

T = TypeVar("T")


def call_service(form, service: Callable[[], T]) -> T | None:
    """Run a service for a valid form. A refused rule becomes the form's errors (the service's
    transaction has rolled back); leaving the user's scope becomes a 404."""
    try:
        return service()
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None


__all__ = ["NON_FIELD_ERRORS", "call_service"]
