"""Faults on PostgreSQL: the app answers again after its database connections are killed and after
the server restarts (connection health checks, on in the settings); two secretaries recording the
same admission at the same moment produce one admission.
(A module of its own: the module-scoped seeded data of test_faults.py must be gone before these
transactional tests kill connections.)

The restart test really restarts the PostgreSQL cluster, which breaks every other test run using the
same server: it runs only with PARTYTRACK_PG_RESTART_TEST=1 (.ci/run sets it), on PostgreSQL, and
leaves the server running whatever happens. PARTYTRACK_PG_CLUSTER says which cluster ("15 main").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.db import connection, connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from candidates.models import Admission
from organizations.models import Role
from tests.factories import UserFactory, grant

BASE_DIR = Path(__file__).resolve().parents[2]


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


def _settings_databases(**environ) -> dict:
    """DATABASES as partytrack/settings/base.py builds them from the environment, in a fresh process
    (this process's settings are the test settings, and the test above edits its connection's)."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({alias: {'health': db.get('CONN_HEALTH_CHECKS'), 'age': db.get('CONN_MAX_AGE')} "
        "for alias, db in settings.DATABASES.items()}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env.update(DJANGO_SETTINGS_MODULE="partytrack.settings.base", **environ)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_settings_health_check_every_database_connection():
    """The test above switches CONN_HEALTH_CHECKS itself; what it shows only helps if the settings the
    app runs with turn the checks on, for SQLite and PostgreSQL, the default database and the replica."""
    assert _settings_databases() == {"default": {"health": True, "age": 0}}
    databases = _settings_databases(
        DATABASE_URL="postgres://partytrack@db.internal:5432/partytrack",
        DATABASE_REPLICA_URL="postgres://partytrack@replica.internal:5432/partytrack",
        DATABASE_CONN_MAX_AGE="60",
    )
    assert databases == {"default": {"health": True, "age": 60}, "replica": {"health": True, "age": 60}}


# ------------------------------------------------------------------------------ a real restart

PG_CLUSTER = os.environ.get("PARTYTRACK_PG_CLUSTER", "15 main").split()


def _pg_ready(params: dict) -> bool:
    command = ["pg_isready", "-q", "-h", str(params.get("host") or "127.0.0.1"), "-p", str(params.get("port") or 5432)]
    return subprocess.run(command, timeout=10, check=False).returncode == 0


def _wait_until_ready(params: dict, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _pg_ready(params):
            return True
        time.sleep(0.5)
    return False


def _pg_ctlcluster(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", *PG_CLUSTER, action],
        check=True,
        timeout=120,
        capture_output=True,
    )


def _server_started_at(params: dict):
    with psycopg.connect(**params, autocommit=True) as other:
        return other.execute("SELECT pg_postmaster_start_time()").fetchone()[0]


@pytest.mark.skipif(
    os.environ.get("PARTYTRACK_PG_RESTART_TEST") != "1",
    reason="restarts the shared PostgreSQL server: set PARTYTRACK_PG_RESTART_TEST=1 (.ci/run does)",
)
@pytest.mark.skipif(
    bool(os.environ.get("PYTEST_XDIST_WORKER")),
    reason="a restart would break the other workers' connections: `make test` (one process) runs it",
)
@pytest.mark.django_db(transaction=True)
def test_app_answers_again_after_postgresql_restarts(world, postgres_only):
    """pg_ctlcluster restart under a running app with persistent connections (CONN_MAX_AGE as in
    production) and the settings' health checks: the next request reconnects and succeeds."""
    token = Token.objects.create(user=world.staff).key
    path = "/api/v1/organizations/"
    params = connection.get_connection_params()
    params = {k: v for k, v in params.items() if k in {"dbname", "user", "host", "port", "password"}}
    saved = dict(connection.settings_dict)
    assert saved["CONN_HEALTH_CHECKS"] is True  # the settings' value, not set by this test
    witness = None
    try:
        connection.close()
        connection.settings_dict.update(CONN_MAX_AGE=60)
        assert wsgi_get(path, token) == 200
        first = connection.connection.info.backend_pid
        witness = psycopg.connect(**params, autocommit=True)  # another persistent connection, to see it die
        started = _server_started_at(params)
        _pg_ctlcluster("restart")
        assert _wait_until_ready(params), "PostgreSQL did not come back after the restart"
        assert _server_started_at(params) > started  # the server really restarted…
        with pytest.raises(psycopg.OperationalError):
            witness.execute("SELECT 1")  # …and the connections opened before it are dead
        assert wsgi_get(path, token) == 200
        assert connection.connection.info.backend_pid != first
        assert wsgi_get(path, token) == 200
    finally:
        if witness is not None:
            witness.close()
        if not _wait_until_ready(params, timeout=30):
            _pg_ctlcluster("start")  # leave the server running for everyone else, whatever failed
            _wait_until_ready(params)
        connections.close_all()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_two_secretaries_recording_the_same_admission_at_once_make_one(world, postgres_only):
    """Through the API, two secretaries (one in each cell of the commune) post the same person at the
    same moment: one 201, one 400 with the readable refusal, one admission. The other cell is outside
    each secretary's scope, so the refusal says only that the person has a record elsewhere and names
    the commune above both cells (issue 12, item 7). (The service-level version
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
    refusal = next(text for code, text in answers if code == 400)
    # The committee to ask is the province's, wherever the record is (never the commune above both).
    assert "đã có hồ sơ ở một tổ chức đảng khác" in refusal and world.province.name in refusal
    assert world.commune_a.name not in refusal
    assert Admission.objects.filter(identity_key="phan van dong|1999-09-09").count() == 1
