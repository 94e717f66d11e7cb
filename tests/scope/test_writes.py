"""Every URL that accepts a write, with every role: allowed inside the subtree (and then something is
written), refused outside it and by roles that may not write, and every refused write writes nothing.

The cases are in tests/scope/write_cases.py. Each test builds its objects once, then sends the write
for each role inside a savepoint that is rolled back, so every role starts from the same tables.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import get_resolver, reverse

from tests.conftest import ROLES

from .snapshot import changed, snapshot
from .test_matrix import CASES, NOT_SCOPED, _url_names
from .write_cases import IMPORT_SESSION_KEY, METHODS, READ_ONLY, WRITE_CASES, Target, WriteCase


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _client(world, role: str | None) -> Client:
    client = Client(raise_request_exception=False)
    if role is not None:
        client.force_login(world.users[role])
    return client


def _send(client: Client, method: str, url: str, target: Target, *, api: bool):
    if target.session is not None:
        session = client.session
        session[IMPORT_SESSION_KEY] = target.session
        session.save()
    send = getattr(client, method)
    if api:
        return send(url, json.dumps(target.data), content_type="application/json")
    for value in target.data.values():
        if isinstance(value, SimpleUploadedFile):
            value.seek(0)  # the same file for every role
    if method == "post":
        return send(url, target.data)
    return send(url)


def _url(name: str, kwargs: dict | None) -> str:
    return reverse(name, kwargs=kwargs) if kwargs is not None else reverse(name)


def _why(response) -> str:
    """What a refused form or API call said, for the failure message."""
    form = (response.context or {}).get("form") if hasattr(response, "context") else None
    if form is not None and form.errors:
        return f" (form errors {dict(form.errors)})"
    if response.get("Content-Type", "").startswith("application/json"):
        return f" ({response.content.decode()[:300]})"
    return ""


# ------------------------------------------------------------------------------------- coverage


def _accepted_writes(world) -> tuple[set[str], set[tuple[str, str]]]:
    """The URL names probed, and (URL name, method) for every write method the superuser is not
    answered 405 on (with an empty body, rolled back): the methods each URL accepts."""
    first_case = {}
    for case in CASES:
        first_case.setdefault(case.url_name, case)
    client = _client(world, "superuser")
    probed, accepted = set(), set()
    for name in sorted(set(_url_names(get_resolver().url_patterns)) - NOT_SCOPED):
        case = first_case.get(name)
        if case is None or name.endswith("-format"):
            continue  # a URL without a GET case fails test_every_url_is_in_the_matrix
        probed.add(name)
        with rolled_back():
            url = _url(name, case.kwargs(world)[0] if case.kwargs else None)
            for method in METHODS:
                if getattr(client, method)(url).status_code != 405:
                    accepted.add((name, method))
    return probed, accepted


def test_every_url_accepting_writes_is_in_the_matrix(world):
    probed, accepted = _accepted_writes(world)
    covered = {(case.url_name, case.method) for case in WRITE_CASES}
    covered |= {(name, method) for name in READ_ONLY for method in METHODS}
    missing = sorted(f"{method.upper()} {name}" for name, method in accepted - covered)
    assert missing == [], f"URLs accepting writes without a write case (tests/scope/write_cases.py): {missing}"
    stale = sorted(
        {case.id for case in WRITE_CASES if case.url_name in probed and (case.url_name, case.method) not in accepted}
    )
    assert stale == [], f"write cases for a method the URL answers 405: {stale}"
    assert len(accepted) > 40  # the probe itself works: pages and API endpoints accept their writes


# ---------------------------------------------------------------------------------------- writes


VARIANTS = [
    pytest.param(case, where, id=f"{case.id} [{where}]") for case in WRITE_CASES for where, _b, _e in case.variants()
]


@pytest.mark.parametrize(("case", "where"), VARIANTS)
def test_write(world, case: WriteCase, where: str):
    _where, build, expect = next(v for v in case.variants() if v[0] == where)
    target = build(world)
    url = _url(case.url_name, target.kwargs)
    failures = []
    before = snapshot()  # the same for every role: each write is rolled back
    for role in ROLES:
        with rolled_back():
            response = _send(_client(world, role), case.method, url, target, api=case.api)
            written = changed(before, snapshot())
        expected = expect[role]
        writes = case.writes and expected == case.ok
        if response.status_code != expected:
            failures.append(f"{role}: {response.status_code}, expected {expected}{_why(response)}")
        if writes and not written:
            failures.append(f"{role}: allowed ({response.status_code}) but wrote nothing: the case is not a real write")
        if not writes and written:
            failures.append(f"{role}: {response.status_code} and wrote {written}")
    assert failures == [], f"{case.id} [{where}]:\n" + "\n".join(failures)


def test_anonymous_writes_are_sent_to_login_and_write_nothing(world):
    """Every write case sent without logging in: the login page (pages) or 401/403 (API), nothing written."""
    failures = []
    for case in WRITE_CASES:
        target = case.inside(world)
        before = snapshot()
        response = _send(_client(world, None), case.method, _url(case.url_name, target.kwargs), target, api=case.api)
        if case.api and response.status_code not in (401, 403):
            failures.append(f"{case.id}: {response.status_code}")
        if not case.api and (response.status_code != 302 or reverse("login") not in response["Location"]):
            failures.append(f"{case.id}: {response.status_code}")
        if written := changed(before, snapshot()):
            failures.append(f"{case.id} wrote {written}")
    assert failures == []


# ------------------------------------------------------------------------------------ read-only


@pytest.mark.parametrize("name", sorted(READ_ONLY))
def test_pages_that_only_show_write_nothing_whatever_the_method(world, name):
    """POST, PUT, PATCH and DELETE on a page that only shows things: the page's GET answer (or 405),
    outside the subtree 404, and nothing written, for every role."""
    case = next(c for c in CASES if c.url_name == name)
    inside, outside = case.kwargs(world) if case.kwargs else (None, None)
    failures = []
    before = snapshot()
    for role in ROLES:
        client = _client(world, role)
        for method in METHODS:
            status = getattr(client, method)(_url(name, inside)).status_code
            if status not in (case.expect[role], 405):
                failures.append(f"{role} {method.upper()} inside: {status}, expected {case.expect[role]} or 405")
        if case.kwargs and case.outside and role != "superuser":
            status = client.post(_url(name, outside)).status_code
            if status not in (404, 405):
                failures.append(f"{role} POST outside: {status}, expected 404 or 405")
    assert failures == []
    assert changed(before, snapshot()) == []
