"""The API fuzzed from its own OpenAPI schema (schemathesis): for every operation, generated requests
(valid and invalid path, query and body values) sent as an authenticated staff user never get a 5xx."""

from __future__ import annotations

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


schema = schemathesis.openapi.from_dict(_schema())
schema.app = application


@pytest.fixture
def token(world) -> str:
    return Token.objects.create(user=world.staff).key


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_error_for_any_operation(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}\n"
        f"query={case.query!r} body={getattr(case, 'body', None)!r}\n{response.text[:2000]}"
    )


def test_the_fuzzed_schema_has_every_api_endpoint():
    """schema.parametrize() above makes one fuzzing test per operation of this schema, so every
    operation listed here is fuzzed (checked without relying on the order tests run in)."""
    operations = {f"{op.method.upper()} {op.path}" for op in (r.ok() for r in schema.get_all_operations())}
    assert {
        "GET /api/v1/organizations/",
        "POST /api/v1/organizations/",
        "PATCH /api/v1/organizations/{id}/",
        "GET /api/v1/quotas/",
        "POST /api/v1/quotas/",
        "PUT /api/v1/quotas/{id}/",
        "GET /api/v1/candidates/",
        "POST /api/v1/candidates/{id}/steps/",
        "GET /api/v1/admissions/",
        "POST /api/v1/admissions/",
        "GET /api/v1/organizations/{id}/progress/",
    } <= operations


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
