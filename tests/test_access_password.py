"""Users change their own password; Django's validators (settings AUTH_PASSWORD_VALIDATORS) refuse
weak ones with Django's own (Vietnamese) messages and leave the old password in place."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.conftest import ROLES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OLD = "test-password-123"
GOOD = "Mùa-xuân-Giáp-Thìn-2024"


@pytest.fixture
def user():
    # A long username, so that a password of the minimum length can be too similar to it.
    return UserFactory(username="nguyen.van.thanh")


@pytest.fixture
def logged_in(user):
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": OLD}).status_code == 302
    return client


def change(client, new, new2=None, old=OLD):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new if new2 is None else new2},
    )


@pytest.mark.parametrize(
    ("password", "code", "message"),
    [
        ("Ab1!x-9", "password_too_short", "Mật khẩu quá ngắn. Nó phải chứa ít nhất 10 ký tự."),
        ("qwertyuiop", "password_too_common", "Mật khẩu này quá phổ biến."),
        ("password123", "password_too_common", "Mật khẩu này quá phổ biến."),
        ("8203957164", "password_entirely_numeric", "Mật khẩu này hoàn toàn là số."),
        ("nguyenvanthanh", "password_too_similar", "Mật khẩu quá giống với Tên đăng nhập."),
        ("Nguyen.Van.Thanh", "password_too_similar", "Mật khẩu quá giống với Tên đăng nhập."),
    ],
)
def test_a_weak_password_is_refused_and_the_old_one_kept(user, logged_in, password, code, message):
    response = change(logged_in, password)
    assert response.status_code == 200
    form = response.context["form"]
    assert [error.code for error in form.errors.as_data()["new_password2"]] == [code]
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(OLD) and not user.check_password(password)


def test_a_good_password_is_set_and_the_user_stays_logged_in(user, logged_in):
    response = change(logged_in, GOOD)
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    done = logged_in.get(response["Location"])
    assert "Đã đổi mật khẩu" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(GOOD) and not user.check_password(OLD)
    assert logged_in.get(reverse("home")).status_code == 200  # the session survives the change
    assert Client().post(reverse("login"), {"username": user.username, "password": GOOD}).status_code == 302
    assert Client().post(reverse("login"), {"username": user.username, "password": OLD}).status_code == 200


def test_the_old_password_must_be_right(user, logged_in):
    response = change(logged_in, GOOD, old="not-the-password")
    assert [error.code for error in response.context["form"].errors.as_data()["old_password"]] == ["password_incorrect"]
    assert "Mật khẩu cũ không chính xác" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(OLD)


def test_the_two_new_passwords_must_match(user, logged_in):
    response = change(logged_in, GOOD, new2=GOOD + "x")
    assert "Hai trường mật khẩu không giống nhau." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(OLD)


def test_the_form_is_in_vietnamese_and_lists_the_rules(logged_in):
    page = logged_in.get(reverse("password_change"))
    assert page.status_code == 200
    assert "registration/password_change.html" in [t.name for t in page.templates]
    html = page.content.decode()
    for text in ("Đổi mật khẩu", "Mật khẩu cũ", "Xác nhận mật khẩu mới", "ít nhất 10 ký tự"):
        assert text in html


@pytest.mark.parametrize("name", ["password_change", "password_change_done"])
def test_anonymous_is_sent_to_login(db, name):
    response = Client().get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = Client().post(reverse("password_change"), {"new_password1": GOOD, "new_password2": GOOD})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_open_it_and_the_navigation_links_to_it(world, role):
    client = Client()
    client.force_login(world.users[role])
    assert client.get(reverse("password_change")).status_code == 200
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("password_change")}"' in home


def test_the_admin_keeps_its_own_password_change_page(world):
    client = Client()
    client.force_login(world.superuser)
    page = client.get(reverse("admin:password_change"))
    assert page.status_code == 200
    assert "registration/password_change.html" not in [t.name for t in page.templates]
    assert get_user_model().objects.get(pk=world.superuser.pk).check_password(OLD)


def test_passwords_are_stored_with_argon2id_and_older_hashes_upgraded_at_login(settings):
    """New passwords: Argon2id, 19 MiB, 2 iterations, 1 lane (OWASP). A PBKDF2 hash from before still
    logs in, and that login rewrites it as Argon2id."""
    from django.contrib.auth.hashers import make_password

    from partytrack.settings import base

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS  # the suite itself runs with a fast test hasher
    user = UserFactory(username="tran.thi.hoa", password=None)
    user.set_password(GOOD)
    user.save()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    user.password = make_password(GOOD, hasher="pbkdf2_sha256")
    user.save()
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": GOOD}).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
