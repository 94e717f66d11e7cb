"""The one edit page of every app: a form (and its formsets) → a service → a success message → a
redirect. The view names its form, its service and where to go; the rest is here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from .services import call_service

T = TypeVar("T")


def service_form(
    request,
    *,
    form,
    service: Callable[[], T],
    success: Callable[[T], str],
    redirect_to: Callable[[T], str],
    template: str,
    context: dict | None = None,
    formsets: Iterable = (),
) -> HttpResponse:
    """On a POST whose form and formsets are valid, run `service` (it reads their cleaned data) and go
    to `redirect_to(result)` with the message `success(result)`. Otherwise, or when the service refuses,
    render `template` with the form (a refused rule shows as the form's errors, its transaction rolled
    back). The service checks the user's scope again after writing, inside its transaction: a write
    that would leave the scope is rolled back and answered 404 (call_service)."""
    formsets = list(formsets)
    if request.method == "POST" and form.is_valid() and all(formset.is_valid() for formset in formsets):
        result = call_service(form, service)
        if result:
            messages.success(request, success(result))
            return redirect(redirect_to(result))
    return render(request, template, {"form": form, **(context or {})})
