"""The API fuzzed from its own OpenAPI schema (schemathesis), every operation of it: generated requests
(valid and invalid path, query, header and body values; the ids in the path often those of real
objects inside and outside the caller's subtree), sent as each role in turn, never get a 5xx, and a
refused write (4xx) writes nothing. The counts are printed at the end of the run (fuzz_summary.py)."""

from __future__ import annotations

import itertools
import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from partytrack.wsgi import application as wsgi_application
from tests.candidates.factories import make_admission, make_candidate
from tests.conftest import ROLES
from tests.quotas.scope_cases import _quota

from . import fuzz_summary

# Examples per operation (each sent as every role), on top of the examples and boundary values
# schemathesis derives from the schema itself (its coverage phase). Derandomized: the same requests
# on every run, so a failure is reproduced by running the test again.
MAX_EXAMPLES = 6


def _schema() -> dict:
    """The schema /api/schema/ serves (generated in-process: serving it needs a logged-in user)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


def application(environ, start_response):
    """The real WSGI application, without closing the database connection at the end of each request
    (as Django's test client does): the test's transaction lives on that connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = wsgi_application(environ, start_response)
        try:
            return [b"".join(result)]
        finally:
            result.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


RAW_SCHEMA = _schema()
schema = schemathesis.openapi.from_dict(RAW_SCHEMA)
schema.app = application


@pytest.fixture
def fuzzed(world):
    """Tokens for every role, and real objects whose ids the path parameters are aimed at: for each
    path, one inside district A (where the roles are) and one in district B."""
    objects = {
        "organizations": (world.cell_a, world.cell_b),
        "cells": (world.cell_a, world.cell_b),
        "quotas": (_quota(world.commune_a, world.cell_a), _quota(world.commune_b, world.cell_b)),
        "candidates": (make_candidate(world.cell_a), make_candidate(world.cell_b)),
        "admissions": (make_admission(world.cell_a), make_admission(world.cell_b)),
    }
    tokens = {role: Token.objects.create(user=world.users[role]).key for role in ROLES}
    return objects, tokens


_aim = itertools.count()
_roles = itertools.count()


def _aim_ids(case, objects) -> None:
    """Two cases in three name real objects (inside district A, or in district B) where the schema
    takes an id, in the path and in the body; the third keeps the generated ids (mostly unknown)."""
    turn = next(_aim) % 3
    if turn == 2:
        return
    collection = case.operation.path.split("/")[3]
    if "id" in (case.path_parameters or {}) and collection in objects:
        case.path_parameters["id"] = objects[collection][turn].pk
    body = getattr(case, "body", None)
    if isinstance(body, dict):
        for key in ("organization", "parent"):
            if isinstance(body.get(key), int) and not isinstance(body[key], bool):
                body[key] = objects["cells"][turn].pk


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_error_for_any_operation(case, fuzzed):
    objects, tokens = fuzzed
    _aim_ids(case, objects)
    operation = f"{case.operation.method.upper()} {case.operation.path}"
    writes = case.method.upper() not in {"GET", "HEAD", "OPTIONS"}
    role = ROLES[next(_roles) % len(ROLES)]  # each case as one role, in turn: every role meets every operation
    with fuzz_summary.API.timing():
        before = fuzz_summary.footprint() if writes else None
        response = case.call(headers={"Authorization": f"Token {tokens[role]}"})
        fuzz_summary.API.record(operation, response.status_code)
        written = (
            fuzz_summary.written(before, fuzz_summary.footprint()) if writes and response.status_code >= 400 else []
        )
    described = (
        f"{role}: {case.method} {case.formatted_path} -> {response.status_code}\n"
        f"query={case.query!r} headers={case.headers!r} body={getattr(case, 'body', None)!r}\n"
    )
    assert response.status_code < 500, described + response.text[:2000]
    assert written == [], described + f"refused, and wrote {written}"


def test_the_fuzzed_schema_is_the_whole_schema():
    """schema.parametrize() above makes one fuzzing test per operation schemathesis reads from the
    schema: that is every operation the schema lists (none skipped), including the ones below."""
    listed = {
        f"{method.upper()} {path}"
        for path, item in RAW_SCHEMA["paths"].items()
        for method in item
        if method in {"get", "put", "post", "patch", "delete"}
    }
    fuzzed = {f"{op.method.upper()} {op.path}" for op in (r.ok() for r in schema.get_all_operations())}
    assert fuzzed == listed
    assert {
        "GET /api/v1/organizations/",
        "POST /api/v1/organizations/",
        "GET /api/v1/organizations/{id}/",
        "PATCH /api/v1/organizations/{id}/",
        "GET /api/v1/quotas/",
        "POST /api/v1/quotas/",
        "PUT /api/v1/quotas/{id}/",
        "GET /api/v1/candidates/",
        "GET /api/v1/candidates/{id}/steps/",
        "POST /api/v1/candidates/{id}/steps/",
        "GET /api/v1/admissions/",
        "POST /api/v1/admissions/",
        "GET /api/v1/organizations/{id}/progress/",
    } <= fuzzed


def test_every_filter_of_the_lists_is_in_the_schema():
    """The filters a list applies are the ones the schema offers the fuzzer (the candidates' and
    admissions' lists apply theirs in filter_queryset; the schema reads their filterset_class)."""
    parameters = {
        path: {p["name"] for p in RAW_SCHEMA["paths"][path]["get"].get("parameters", [])}
        for path in ("/api/v1/candidates/", "/api/v1/admissions/", "/api/v1/organizations/", "/api/v1/quotas/")
    }
    assert {"organization", "step", "deadline", "q", "limit", "offset"} <= parameters["/api/v1/candidates/"]
    assert {"organization", "year", "q", "cancelled", "limit", "offset"} <= parameters["/api/v1/admissions/"]
    assert {"parent", "kind", "sector", "search"} <= parameters["/api/v1/organizations/"]
    assert {"organization", "plan", "year"} <= parameters["/api/v1/quotas/"]


# ------------------------------------------------------------------- regressions the fuzzer found


@pytest.mark.django_db
def test_creating_an_organization_without_parent_is_a_400_not_a_500(world):
    """Found by the fuzzer: POST /api/v1/organizations/ without "parent" (optional in the schema)
    reached the service without its `parent` argument (TypeError, 500). Omitted now means a root, like
    null, which staff may not create."""
    from rest_framework.test import APIClient

    from organizations.models import Organization

    client = APIClient()
    client.force_authenticate(world.staff)
    before = Organization.objects.count()
    response = client.post(
        "/api/v1/organizations/", {"code": "X9", "name": "Chi bộ mới", "kind": "cell"}, format="json"
    )
    assert response.status_code == 400 and "parent" in response.data
    assert Organization.objects.count() == before
