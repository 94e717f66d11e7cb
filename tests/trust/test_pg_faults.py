"""Faults on PostgreSQL: the app answers again after its database connections are killed (connection
health checks); two secretaries recording the same admission at the same moment produce one admission.
(A module of its own: the module-scoped seeded data of test_faults.py must be gone before these
transactional tests kill connections.)"""

from __future__ import annotations

import threading
from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.db import connection, connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from candidates.models import Admission
from organizations.models import Role
from tests.factories import UserFactory, grant


def wsgi_get(path: str, token: str) -> int:
    """One request through the real WSGI handler (request_started/finished fire as under gunicorn,
    which is where Django checks and recycles persistent connections)."""
    from partytrack.wsgi import application

    environ: dict = {"PATH_INFO": path, "HTTP_HOST": "testserver", "HTTP_AUTHORIZATION": f"Token {token}"}
    setup_testing_defaults(environ)
    status = []
    result = application(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        b"".join(result)
    finally:
        result.close()
    return int(status[0].split()[0])


def terminate_backends() -> int:
    """pg_terminate_backend on every other connection to this test database, from a second connection
    (the server itself is not restarted: other people use it)."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    keep = {"dbname", "user", "host", "port", "password"}
    with psycopg.connect(**{k: v for k, v in params.items() if k in keep}, autocommit=True) as other:
        rows = other.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


@pytest.mark.django_db(transaction=True)
def test_app_answers_again_after_its_database_connections_are_killed(world, postgres_only):
    token = Token.objects.create(user=world.staff).key
    path = "/api/v1/organizations/"
    saved = dict(connection.settings_dict)
    try:
        # Without health checks a persistent connection killed under the app fails the next request…
        connection.close()
        connection.settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=False)
        assert wsgi_get(path, token) == 200
        assert terminate_backends() >= 1
        assert wsgi_get(path, token) == 500
        assert wsgi_get(path, token) == 200  # (Django drops the broken connection after the error)
        # …with them (the settings' conn_health_checks=True) the next request reconnects and succeeds.
        connection.close()
        connection.settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
        assert wsgi_get(path, token) == 200
        first = connection.connection.info.backend_pid
        assert terminate_backends() >= 1
        assert wsgi_get(path, token) == 200
        assert connection.connection.info.backend_pid != first
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_two_secretaries_recording_the_same_admission_at_once_make_one(world, postgres_only):
    """Through the API, two secretaries (one in each cell of the commune) post the same person at the
    same moment: one 201, one 400 with the readable refusal, one admission. (The service-level version
    is tests/candidates/test_admissions.py::test_two_concurrent_requests_for_the_same_person_make_one_admission.)"""
    second = grant(UserFactory(username="secretary2"), world.cell_a2, Role.SECRETARY)
    barrier = threading.Barrier(2)
    answers: list[tuple[int, str]] = []

    def post(user, cell, name):
        client = APIClient()
        client.force_authenticate(user)
        payload = {
            "organization": cell.pk,
            "full_name": name,
            "gender": "male",
            "birth_date": "1999-09-09",
            "decision_number": "77-QĐ/HU",
            "admitted_on": "2023-03-03",
        }
        try:
            barrier.wait(timeout=10)
            response = client.post("/api/v1/admissions/", payload, format="json")
            answers.append((response.status_code, str(response.data)))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=post, args=(world.secretary, world.cell_a, "Phan Văn Đồng")),
        threading.Thread(target=post, args=(second, world.cell_a2, "phan van dong")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(code for code, _text in answers) == [201, 400], answers
    assert "đã được kết nạp" in next(text for code, text in answers if code == 400)
    assert Admission.objects.filter(identity_key="phan van dong|1999-09-09").count() == 1
