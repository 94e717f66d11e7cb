"""How long a login lock and an idle session last, with the clock moved forward.

`clock` moves the time seen by Django (django.utils.timezone.now: sessions' expiry dates and the
lookup that refuses an expired session) and by django-axes (the time of each attempt and the cut-off
for counting failures, read through the `now` its modules imported).
"""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

RIGHT = "test-password-123"


class Clock:
    def __init__(self):
        self.start = timezone.now()
        self.offset = datetime.timedelta()

    def now(self):
        return self.start + self.offset

    def set(self, **delta):
        self.offset = datetime.timedelta(**delta)


@pytest.fixture
def clock():
    clock = Clock()
    with (
        mock.patch("django.utils.timezone.now", clock.now),
        mock.patch("axes.handlers.proxy.now", clock.now),
        mock.patch("axes.attempts.now", clock.now),
    ):
        yield clock


def attempt(client, password, username="staff"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.1")


def lock(client):
    assert [attempt(client, "wrong-password").status_code for _ in range(5)] == [200, 200, 200, 200, 429]


def test_the_lock_holds_for_fourteen_minutes_and_is_gone_at_fifteen(world, client, clock):
    lock(client)
    clock.set(minutes=14)
    assert attempt(client, RIGHT).status_code == 429
    clock.set(minutes=14, seconds=59)
    assert attempt(client, RIGHT).status_code == 429
    # Once fifteen minutes have passed since the fifth failure, however often the user tried while
    # locked. (At 15:00.000 exactly axes still counts the failure: its cut-off is inclusive.)
    clock.set(minutes=15, seconds=1)
    assert attempt(client, RIGHT).status_code == 302


def test_after_the_lock_the_account_gets_five_new_attempts(world, client, clock):
    lock(client)
    clock.set(minutes=15, seconds=1)
    assert [attempt(client, "wrong-password").status_code for _ in range(5)] == [200, 200, 200, 200, 429]
    assert attempt(client, RIGHT).status_code == 429


def test_failures_a_quarter_of_an_hour_apart_start_the_count_again(world, client, clock):
    for minute in range(4):
        clock.set(minutes=minute)
        assert attempt(client, "wrong-password").status_code == 200
    # Fifteen quiet minutes after the fourth failure the count starts again from one.
    clock.set(minutes=3 + 15, seconds=1)
    assert [attempt(client, "wrong-password").status_code for _ in range(4)] == [200] * 4
    assert attempt(client, "wrong-password").status_code == 429


def login(client):
    response = client.post(reverse("login"), {"username": "staff", "password": RIGHT})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_session_idle_longer_than_the_session_age_is_sent_to_login(world, client, clock):
    login(client)
    clock.set(seconds=settings.SESSION_COOKIE_AGE + 1)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # The expired session is not brought back by the next request either.
    clock.set(seconds=settings.SESSION_COOKIE_AGE + 2)
    assert client.get(reverse("home")).status_code == 302


def test_activity_within_the_window_extends_the_session(world, client, clock):
    login(client)
    # Every request pushes the expiry forward: 25 minutes apart each time, 100 minutes in all.
    for minutes in (25, 50, 75, 100):
        clock.set(minutes=minutes)
        assert client.get(reverse("home")).status_code == 200, f"logged out at minute {minutes}"
    (session,) = Session.objects.all()
    assert session.expire_date == clock.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    clock.set(minutes=100 + 31)
    assert client.get(reverse("home")).status_code == 302
