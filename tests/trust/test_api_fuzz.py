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
CASES: list[str] = []


@pytest.fixture
def token(world) -> str:
    return Token.objects.create(user=world.staff).key


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_error_for_any_operation(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    CASES.append(f"{case.method} {case.path}")
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}\n"
        f"query={case.query!r} body={getattr(case, 'body', None)!r}\n{response.text[:2000]}"
    )


def test_every_operation_was_fuzzed():
    """Runs after the fuzzing above in the same module: each operation got requests."""
    operations = {f"{op.method.upper()} {op.path}" for op in (r.ok() for r in schema.get_all_operations())}
    if not CASES:
        pytest.skip("run with the fuzzing test")
    assert operations <= {case.upper().split(" ", 1)[0] + " " + case.split(" ", 1)[1] for case in CASES}
    print(f"{len(CASES)} schemathesis cases over {len(operations)} operations")


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
