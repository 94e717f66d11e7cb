"""Production settings, loaded for real: partytrack.settings.production in a subprocess with its
required environment, a migrated database of its own, and requests as nginx forwards them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings

HOST = "partytrack.example.vn"

SCRIPT = textwrap.dedent(
    f"""
    import json

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    get_user_model().objects.create_user("staff", password="test-password-123")

    def seen(response):
        return {{
            "status": response.status_code,
            "location": response.get("Location"),
            "headers": {{name.lower(): value for name, value in response.items()}},
            "cookies": {{
                name: {{
                    "secure": bool(morsel["secure"]),
                    "httponly": bool(morsel["httponly"]),
                    "samesite": morsel["samesite"],
                }}
                for name, morsel in response.cookies.items()
            }},
        }}

    nginx = {{"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "10.0.0.1"}}
    client = Client(HTTP_HOST="{HOST}")
    login = client.post(
        "/accounts/login/", {{"username": "staff", "password": "test-password-123"}}, **nginx
    )
    api = client.get("/api/v1/organizations/", HTTP_ACCEPT="application/json", secure=True)
    plain = Client(HTTP_HOST="{HOST}").get("/accounts/login/")
    print(json.dumps({{
        "debug": settings.DEBUG,
        "health_checks": {{alias: db["CONN_HEALTH_CHECKS"] for alias, db in settings.DATABASES.items()}},
        "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
        "trusted_proxy_count": settings.TRUSTED_PROXY_COUNT,
        "login": seen(login),
        "api": seen(api),
        "plain_http": seen(plain),
    }}))
    """
)


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    database = tmp_path_factory.mktemp("production") / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partytrack.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DATABASE_URL": f"sqlite:///{database}",
        "DATABASE_REPLICA_URL": f"sqlite:///{database}",
        "DJANGO_TRUSTED_PROXY_COUNT": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_database_connections_are_health_checked(production):
    assert production["debug"] is False
    assert production["health_checks"] == {"default": True, "replica": True}
    assert production["conn_max_age"] == 60  # persistent connections: what the health check is for


def test_responses_carry_hsts_csp_and_the_other_security_headers(production):
    for response in (production["login"], production["api"]):
        headers = response["headers"]
        assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
        policy = headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"


def test_cookies_are_secure(production):
    login = production["login"]
    assert login["status"] == 302 and login["location"] == "/"
    assert login["cookies"]["sessionid"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert login["cookies"]["csrftoken"]["secure"] is True  # readable by the page (htmx), never sent over http
    assert production["api"]["status"] == 200  # the session cookie logged the API request in


def test_plain_http_is_sent_to_https(production):
    plain = production["plain_http"]
    assert plain["status"] == 301
    assert plain["location"] == f"https://{HOST}/accounts/login/"
    assert production["trusted_proxy_count"] == 1
