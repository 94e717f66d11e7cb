"""Every URL with every role: allowed inside the subtree, 404 outside, login required for all; and no
page's number of queries grows with the data (test_query_count_does_not_grow_with_the_data)."""

from __future__ import annotations

import difflib
import importlib
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from candidates.choices import Step
from organizations.models import Kind
from quotas.models import Quota
from tests.candidates.factories import make_admission, make_candidate
from tests.conftest import ROLES
from tests.factories import OrganizationFactory
from tests.quotas.scope_cases import YEAR, _plan

APPS = ["organizations", "quotas", "candidates", "reports", "monitoring", "history"]
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


# ------------------------------------------------------------------------------------ query counts
GROWTH_DATES = (date(2026, 2, 10), date(2026, 5, 10), date(2025, 6, 1))  # the periods the cases ask for


def _layer(w, cells, *, quotas: list[tuple[str, Any]]) -> None:
    """One more of everything a page lists: per cell a candidate with five steps behind it and an
    admission in each period the cases show; quotas (plan organization, allocated organization)."""
    for cell in cells:
        make_candidate(cell, step=Step.REFERENCES)
        for day in GROWTH_DATES:
            make_admission(cell, admitted_on=day)
    for plan_org, organization in quotas:
        Quota.objects.get_or_create(
            plan=_plan(getattr(w, plan_org)), organization=organization, year=YEAR, defaults={"total": 2}
        )


def _queries(client: Client, case, kwargs) -> tuple[int, int, list[str]]:
    _get(client, case, kwargs)  # warm: the session, caches filled on a first visit
    with CaptureQueriesContext(connection) as captured:
        response = _get(client, case, kwargs)
    return response.status_code, len(captured), [query["sql"] for query in captured]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.id}{'?' + c.query if c.query else ''}")
def test_query_count_does_not_grow_with_the_data(world, case):
    """No page runs a query per row: the district's staff (who sees every case inside: status 200 or
    the page's redirect) requests the page with a candidate and admissions in each of the commune's two
    cells and quotas at two levels, then again after one more of each, plus a third cell under the
    commune and one more history row of cell A1C; the number of queries must not grow. Each count is taken after a warm-up request
    (the first request also fills the session and caches, and new data may empty a cache), so only the
    data differs. A per-page budget would need updating at every change; this fails only on an N+1."""
    _layer(world, [world.cell_a, world.cell_a2], quotas=[("district_a", world.commune_a), ("commune_a", world.cell_a)])
    client = Client()
    client.force_login(world.staff)
    kwargs = case.kwargs(world)[0] if case.kwargs else None
    status, before, sql_before = _queries(client, case, kwargs)
    assert status == case.expect["staff"]

    new_cell = OrganizationFactory(name="Chi bộ Thôn 3", code="A1E", kind=Kind.CELL, parent=world.commune_a)
    world.commune_a.refresh_from_db()
    _layer(
        world,
        [world.cell_a, new_cell],
        quotas=[("district_a", world.school_a), ("commune_a", world.cell_a2), ("commune_a", new_cell)],
    )
    world.cell_a.refresh_from_db()
    world.cell_a.save()
    status, after, sql = _queries(client, case, kwargs)
    assert status == case.expect["staff"]
    short = [f"{q[:160]} … {q[-300:]}" for q in sql_before], [f"{q[:160]} … {q[-300:]}" for q in sql]
    grown = "\n".join(difflib.unified_diff(*short, lineterm="", n=0))
    assert after <= before, f"{case.url_name}: {before} queries, {after} with more data:\n{grown}"
