"""Access controls: login throttling, Content-Security-Policy, CSRF.

More in tests/test_access_*.py: the lock and idle sessions with the clock moved (clock), throttling
behind the proxy (proxy), password validation and change (password), CSRF on every URL (csrf),
production headers and cookies (production)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_account_from_that_address(world, client):
    for _ in range(5):
        response = attempt(client, "staff", "wrong-password")
    response = attempt(client, "staff", "test-password-123")  # right password, still locked
    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.content.decode()
    # Another address, or another account from the same address, can still log in.
    assert attempt(client, "staff", "test-password-123", ip="10.0.0.2").status_code == 302
    assert attempt(client, "leader", "test-password-123").status_code == 302


def test_pages_send_a_strict_content_security_policy(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_csrf_is_enforced_on_forms(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.staff)
    response = client.post(reverse("organizations:edit", args=[world.cell_a.pk]), {"name": "X"})
    assert response.status_code == 403
