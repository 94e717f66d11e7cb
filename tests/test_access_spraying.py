"""Password spraying (issue 12, item 10): failed logins are limited per account and address (5), per
account across addresses (15) and per address across accounts (30); the lockout page says why, until
when and whom to ask, the same for a name that matches no account; the subtree administrator sees
and unlocks the locked accounts of their subtree, and only those."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organizations.models import Role, RoleAssignment
from tests.factories import UserFactory, grant
from tests.test_access_clock import clock  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

RIGHT = "test-password-123"
LOCKED = 429


def attempt(username, password="wrong-password", ip="10.0.0.1"):
    return Client().post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_guesses_from_each_of_five_addresses_lock_the_account(world):
    statuses = [[attempt("staff", ip=f"10.0.1.{n}").status_code for _ in range(5)] for n in range(5)]
    # Each address is stopped at its fifth guess; the fifteenth guess in all locks the account, so
    # the fourth and fifth addresses get no guess at all.
    assert statuses == [[200, 200, 200, 200, LOCKED]] * 3 + [[LOCKED] * 5] * 2
    locked = attempt("staff", RIGHT, ip="10.0.1.99")  # the right password, from an address never used
    assert locked.status_code == LOCKED
    assert "từ nhiều địa chỉ mạng khác nhau" in locked.content.decode()
    # Other accounts are not affected.
    assert attempt("leader", RIGHT, ip="10.0.1.0").status_code == 302


def test_many_accounts_from_one_address_lock_the_address(world):
    names = [f"nguoi{n}" for n in range(13)] + ["staff", "leader"]  # names with no account among them
    statuses = [attempt(name).status_code for name in names for _ in range(2)]
    assert statuses == [200] * 29 + [LOCKED]
    locked = attempt("secretary", RIGHT)  # never tried from there, right password: the address is locked
    assert locked.status_code == LOCKED
    assert "với nhiều tên đăng nhập khác nhau" in locked.content.decode()
    assert attempt("secretary", RIGHT, ip="10.0.0.2").status_code == 302


def test_a_login_from_the_address_does_not_reset_the_sprayers_count(world):
    """axes would clear every failure from the address at any successful login there: an attacker
    holding one account could spray for ever, logging in every 29 guesses."""
    for n in range(29):
        assert attempt(f"nguoi{n}").status_code == 200
    assert attempt("leader", RIGHT).status_code == 302
    assert attempt("nguoi99").status_code == LOCKED


def test_a_login_clears_the_accounts_own_failures_from_that_address(world):
    for _ in range(4):
        attempt("staff")
    assert attempt("staff", RIGHT).status_code == 302
    assert [attempt("staff").status_code for _ in range(5)] == [200, 200, 200, 200, LOCKED]


def _card(response) -> str:
    html = response.content.decode()
    return html[html.index('<section class="card narrow">') : html.index("</section>")]


def test_the_lockout_page_says_until_when_and_whom_to_ask_the_same_whether_the_account_exists(world, clock):  # noqa: F811
    clock.start = clock.start.replace(hour=3, minute=20, second=10)  # 10:20:10 in Hà Nội
    for _ in range(4):
        attempt("staff", ip="10.0.0.1")
        attempt("khong-co-ai", ip="10.0.0.2")
    known, unknown = attempt("staff", ip="10.0.0.1"), attempt("khong-co-ai", ip="10.0.0.2")
    assert known.status_code == unknown.status_code == LOCKED
    assert _card(known) == _card(unknown)
    card = _card(known)
    until = timezone.localtime(clock.start + datetime.timedelta(minutes=16))
    assert f"Có thể đăng nhập lại từ <strong>{until:%H:%M}</strong> ngày {until:%d/%m/%Y}" in card
    assert "10:36" in card and "quản trị viên của tổ chức đảng nơi bạn công tác" in card
    assert "nhiều lần liền từ địa chỉ mạng của bạn" in card
    assert "staff" not in card and "khong-co-ai" not in card


def _lock(username: str) -> None:
    for n in range(3):
        for _ in range(5):
            attempt(username, ip=f"10.0.2.{n}")
    assert attempt(username, RIGHT, ip="10.0.2.9").status_code == LOCKED


def _admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _unlock(client, *assignments):
    return client.post(
        reverse("admin:organizations_roleassignment_changelist"),
        {"action": "unlock_login", ACTION_CHECKBOX_NAME: [a.pk for a in assignments], "index": 0},
    )


def test_the_subtree_administrator_sees_and_unlocks_a_locked_account(world):
    _lock("staff")
    _lock("nguoi-ngoai")  # no account: listed nowhere
    client = _admin_client(world.admin)
    listing = client.get(reverse("admin:organizations_roleassignment_changelist"), {"login": "locked"})
    assert listing.status_code == 200
    assert [a.user.username for a in listing.context["cl"].result_list] == ["staff"]
    assert "đang bị tạm khóa" in listing.content.decode()

    assignment = RoleAssignment.objects.get(user=world.staff)
    response = _unlock(client, assignment)
    assert response.status_code == 302
    assert attempt("staff", RIGHT, ip="10.0.2.0").status_code == 302
    assert not AccessAttempt.objects.filter(username="staff").exists()
    (entry,) = LogEntry.objects.filter(object_id=str(world.staff.pk))
    assert (entry.user, entry.content_type.model) == (world.admin, "user")
    assert "Mở khóa đăng nhập" in entry.change_message
    # The account that matches no one is still locked.
    assert attempt("nguoi-ngoai", RIGHT, ip="10.0.2.0").status_code == LOCKED


def test_an_administrator_of_another_subtree_cannot_unlock_nor_see_the_lock(world):
    admin_b = grant(UserFactory(username="admin_b"), world.district_b, Role.ADMIN)
    _lock("staff")
    client = _admin_client(admin_b)
    listing = client.get(reverse("admin:organizations_roleassignment_changelist"), {"login": "locked"})
    assert list(listing.context["cl"].result_list) == []
    assignment = RoleAssignment.objects.get(user=world.staff)
    assert _unlock(client, assignment).status_code == 404
    assert attempt("staff", RIGHT, ip="10.0.2.0").status_code == LOCKED
    assert not LogEntry.objects.exists()


def test_the_unlock_service_refuses_an_account_outside_the_administrators_subtree(world):
    from django.core.exceptions import PermissionDenied

    from organizations.services import login_unlock

    admin_b = grant(UserFactory(username="admin_b"), world.district_b, Role.ADMIN)
    _lock("staff")
    with pytest.raises(PermissionDenied):
        login_unlock(user=world.staff, by=admin_b)
    assert AccessAttempt.objects.filter(username="staff").exists()
