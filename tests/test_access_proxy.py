"""Login throttling behind the reverse proxy: the lock is keyed on the client's address and account.

nginx connects from 127.0.0.1 and writes the client's address into X-Forwarded-For. The application
trusts that header only from the proxies it is told about (DJANGO_TRUSTED_PROXY_COUNT hops, the last
one connecting from DJANGO_TRUSTED_PROXY_IPS) and takes the right-most address those proxies added,
so whatever a client writes into the header itself is ignored.
"""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
RIGHT = "test-password-123"


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = ["127.0.0.1", "::1"]


def attempt(client, username, password, forwarded_for=None, remote_addr=PROXY):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def lock(client, username, forwarded_for, remote_addr=PROXY):
    """Five wrong passwords: the fifth is the one that locks."""
    statuses = [attempt(client, username, "wrong-password", forwarded_for, remote_addr).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]


def test_five_failures_through_the_proxy_lock_that_address_and_account_only(world, client, behind_nginx):
    lock(client, "staff", "10.1.2.3")
    locked = attempt(client, "staff", RIGHT, "10.1.2.3")
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()
    # The same proxy, another client: the account is not locked for everyone behind nginx.
    assert attempt(client, "staff", RIGHT, "10.1.2.4").status_code == 302
    # The same client, another account.
    assert attempt(client, "leader", RIGHT, "10.1.2.3").status_code == 302
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [("staff", "10.1.2.3")]


def test_a_forged_left_most_address_neither_dodges_nor_shifts_the_lock(world, client, behind_nginx):
    # nginx with $proxy_add_x_forwarded_for appends the real address (10.9.9.9) to whatever the
    # client sent; each attempt forges a different left-most address, one of them the victim's.
    for forged in ("1.1.1.1", "10.1.2.3", "8.8.8.8, 10.1.2.3", "garbage", "10.0.0.5"):
        attempt(client, "staff", "wrong-password", f"{forged}, 10.9.9.9")
    assert attempt(client, "staff", RIGHT, "203.0.113.7, 10.9.9.9").status_code == 429
    assert attempt(client, "staff", RIGHT, "10.9.9.9").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.9.9.9"}
    # The victim whose address was forged is not locked.
    assert attempt(client, "staff", RIGHT, "10.1.2.3").status_code == 302


def test_without_a_trusted_proxy_the_header_is_ignored(world, client, settings):
    settings.TRUSTED_PROXY_COUNT = 0  # the default: gunicorn reached directly
    for n in range(5):
        attempt(client, "staff", "wrong-password", f"10.1.2.{n}", remote_addr="10.7.7.7")
    assert attempt(client, "staff", RIGHT, "10.1.2.99", remote_addr="10.7.7.7").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.7.7.7"}
    assert attempt(client, "staff", RIGHT, "10.7.7.7", remote_addr="10.7.7.8").status_code == 302


def test_the_header_is_ignored_from_an_address_that_is_not_a_trusted_proxy(world, client, behind_nginx):
    # Someone on the network reaching gunicorn directly cannot pick the address they are locked under.
    for n in range(5):
        attempt(client, "staff", "wrong-password", f"10.1.2.{n}", remote_addr="10.7.7.7")
    assert attempt(client, "staff", RIGHT, "10.1.2.99", remote_addr="10.7.7.7").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.7.7.7"}


@pytest.mark.parametrize(
    ("count", "trusted", "remote", "header", "expected"),
    [
        (0, ["127.0.0.1"], "127.0.0.1", "10.0.0.1", "127.0.0.1"),
        (1, ["127.0.0.1"], "127.0.0.1", None, "127.0.0.1"),
        (1, ["127.0.0.1"], "127.0.0.1", "", "127.0.0.1"),
        (1, ["127.0.0.1"], "127.0.0.1", "10.0.0.1", "10.0.0.1"),
        (1, ["127.0.0.1"], "127.0.0.1", "6.6.6.6, 10.0.0.1", "10.0.0.1"),
        (1, ["127.0.0.1"], "127.0.0.1", " 10.0.0.1 ", "10.0.0.1"),
        (1, ["127.0.0.1"], "127.0.0.1", "2001:DB8::1", "2001:db8::1"),
        (1, ["127.0.0.1"], "127.0.0.1", "not-an-address", "127.0.0.1"),
        (1, ["10.0.5.0/24"], "10.0.5.20", "10.0.0.1", "10.0.0.1"),
        (1, ["10.0.5.0/24"], "10.0.6.20", "10.0.0.1", "10.0.6.20"),
        # A load balancer (10.0.5.1) in front of nginx: two hops, the client is second from the right.
        (2, ["127.0.0.1"], "127.0.0.1", "6.6.6.6, 10.0.0.1, 10.0.5.1", "10.0.0.1"),
        # Fewer hops than proxies: the request did not come through all of them, trust none.
        (2, ["127.0.0.1"], "127.0.0.1", "10.0.0.1", "127.0.0.1"),
    ],
)
def test_client_ip(settings, count, trusted, remote, header, expected):
    from partytrack.client_address import client_ip

    settings.TRUSTED_PROXY_COUNT = count
    settings.TRUSTED_PROXY_IPS = trusted
    extra = {"REMOTE_ADDR": remote}
    if header is not None:
        extra["HTTP_X_FORWARDED_FOR"] = header
    assert client_ip(RequestFactory().get("/", **extra)) == expected


def test_axes_uses_the_proxy_aware_address(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.0.0.1")
    assert get_client_ip_address(request) == "10.0.0.1"
