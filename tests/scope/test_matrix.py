"""Every URL with every role: allowed inside the subtree, 404 outside, login required for all."""

from __future__ import annotations

import importlib

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import ROLES

APPS = ["organizations", "quotas", "candidates", "reports", "history"]
# URLs that are not the application's own pages: Django's login, logout, language switch, admin.
NOT_SCOPED = {"login", "logout", "set_language", "password_change", "password_change_done"}
NOT_SCOPED_NAMESPACES = {"admin"}


def _cases():
    cases = []
    for app in APPS:
        try:
            module = importlib.import_module(f"tests.{app}.scope_cases")
        except ModuleNotFoundError:
            continue
        cases.extend(module.CASES)
    return cases


CASES = _cases()


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in NOT_SCOPED_NAMESPACES:
                continue
            yield from _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_matrix():
    names = set(_url_names(get_resolver().url_patterns)) - NOT_SCOPED
    covered = {case.url_name for case in CASES}
    missing = sorted(name for name in names if name not in covered and not name.endswith("-format"))
    assert missing == [], f"URLs without a scope-matrix case: {missing}"


def _get(client: Client, case, kwargs):
    url = reverse(case.url_name, kwargs=kwargs) if kwargs is not None else reverse(case.url_name)
    return client.get(f"{url}?{case.query}" if case.query else url)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.id}{'?' + c.query if c.query else ''}")
def test_anonymous_is_sent_to_login(world, case):
    kwargs = case.kwargs(world)[0] if case.kwargs else None
    response = _get(Client(), case, kwargs)
    if case.api:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.id}{'?' + c.query if c.query else ''}")
def test_role_inside_and_outside(world, case, role):
    client = Client()
    client.force_login(world.users[role])
    inside, outside = case.kwargs(world) if case.kwargs else (None, None)
    response = _get(client, case, inside)
    assert response.status_code == case.expect[role], f"{role} inside {case.url_name}"
    if case.kwargs and case.outside:
        response = _get(client, case, outside)
        expected = case.expect[role] if role == "superuser" else 404
        assert response.status_code == expected, f"{role} outside {case.url_name}"


PAGE_CASES = [case for case in CASES if not case.api]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("case", PAGE_CASES, ids=lambda c: c.id)
def test_pages_refuse_methods_forms_cannot_send(world, case, method):
    """A page is not an API: PUT, PATCH and DELETE answer 405 (not the page, as a GET would)."""
    client = Client()
    client.force_login(world.users["superuser"])
    kwargs = case.kwargs(world)[0] if case.kwargs else None
    url = reverse(case.url_name, kwargs=kwargs) if kwargs is not None else reverse(case.url_name)
    response = getattr(client, method)(url, data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST, OPTIONS"
