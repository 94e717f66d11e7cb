"""CSRF on every URL: a logged-in session's POST (and PUT, PATCH, DELETE where the API takes them)
without the CSRF token is refused with 403 and writes nothing, pages, admin and the session-
authenticated API alike.

The sweep walks the URL resolver, so a new URL is covered as soon as it exists. Arguments come from
the scope matrix's cases (tests/<app>/scope_cases.py) on the `world` fixture; admin object pages use
a row of their model. The body is what a browser would send: the page's own form, filled as the page
shows it (API: the object as the API returns it), so that the same request with the token is one
the view accepts, and often writes. That request is sent too, to show that the refusal came from the
missing token, not from a wrong URL or a permission.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from axes.models import AccessFailureLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.timezone import now
from rest_framework.authtoken.models import Token

from candidates.models import PipelineRules
from monitoring.models import ReportingDeadline
from organizations.models import MembershipFigure
from tests.candidates.factories import make_admission, make_candidate
from tests.quotas.scope_cases import _quota
from tests.scope.test_matrix import CASES

pytestmark = pytest.mark.django_db

UNSAFE = ("post", "put", "patch", "delete")


@dataclass(frozen=True)
class Target:
    url_name: str
    method: str
    pattern: URLPattern
    api: bool

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.url_name}"


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def _targets() -> list[Target]:
    targets: dict[tuple[str, str], Target] = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        groups = set(pattern.pattern.regex.groupindex)
        if "format" in groups:  # the API's ".json" twins of the same view
            continue
        positional = pattern.pattern.regex.groups > len(groups)
        if name.startswith("admin:") and not (groups <= {"object_id", "app_label"} or name.endswith("_simple_history")):
            continue  # view_on_site, a redirect to the site: no page of its own
        assert not positional or name.endswith("_simple_history"), f"{name}: unnamed URL arguments"
        actions = getattr(pattern.callback, "actions", None)  # a DRF viewset route
        allowed = getattr(getattr(pattern.callback, "cls", None), "http_method_names", UNSAFE)
        methods = ["post"] + [m for m in UNSAFE if actions and m in actions and m in allowed and m != "post"]
        api = actions is not None or hasattr(pattern.callback, "cls")
        for method in methods:
            targets.setdefault((name, method), Target(name, method, pattern, api))
    return list(targets.values())


TARGETS = _targets()
FIRST_CASE = {}
for _case in CASES:
    FIRST_CASE.setdefault(_case.url_name, _case)


def url_of(target: Target, world, client: Client) -> str:
    case = FIRST_CASE.get(target.url_name)
    groups = set(target.pattern.pattern.regex.groupindex) | set(target.pattern.pattern.converters)
    if case is not None:
        kwargs = case.kwargs(world)[0] if case.kwargs else None
        url = reverse(target.url_name, kwargs=kwargs)
        return f"{url}?{case.query}" if case.query else url
    assert target.url_name.startswith("admin:") or not groups, f"{target.url_name}: add a scope-matrix case"
    if target.url_name.endswith("_simple_history"):  # one historical version of an object: revert form
        obj = _first_row(target, client)
        return reverse(target.url_name, args=[obj.pk, obj.history.order_by("pk").first().pk])
    kwargs = {}
    if "app_label" in groups:
        kwargs["app_label"] = "organizations"
    if "object_id" in groups:
        kwargs["object_id"] = str(_first_row(target, client).pk)
    return reverse(target.url_name, kwargs=kwargs or None)


def _admin_model(url_name: str):
    for model in admin.site._registry:
        if url_name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    raise AssertionError(f"{url_name}: no registered model")


def _first_row(target: Target, client: Client):
    """A row for an admin object page: the first one, or one made with the admin's own add form as it
    comes. The project's main models get a row from the `rows` fixture; a model with neither is
    skipped, with its name (its add page is still swept)."""
    model = _admin_model(target.url_name)
    rows = model._base_manager.order_by("pk")
    if not rows.exists():
        add = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        data, _ = form_body(client, add)
        client.post(add, data, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    obj = rows.first()
    if obj is None:
        pytest.skip(f"no {model._meta.label} row for its admin page: add one in `rows`")
    return obj


@pytest.fixture
def rows(world):
    """A row for each admin model that the world fixture leaves empty."""
    Group.objects.create(name="Văn phòng huyện ủy")
    Token.objects.create(user=world.staff)
    Client().post(reverse("login"), {"username": "staff", "password": "wrong"})  # axes' AccessAttempt
    AccessFailureLog.objects.create(
        username="staff",
        ip_address="10.0.0.1",
        user_agent="Firefox",
        http_accept="*/*",
        path_info="/",
        attempt_time=now(),
    )
    make_candidate(world.cell_a)
    make_admission(world.cell_a)
    quota = _quota(world.commune_a, world.cell_a)  # and its plan
    ReportingDeadline.objects.create(plan=quota.plan, day=20)
    MembershipFigure.objects.create(
        organization=world.cell_a, as_of=datetime.date(2026, 1, 1), member_count=12, official_member_count=11
    )
    PipelineRules.current().save()
    return world


class Forms(HTMLParser):
    """The POST forms of a page and what a browser would submit from each (first submit button)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields = None
        self._select = None  # [name, first value, selected value]
        self._textarea = None
        self._button_used = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._fields = [] if (a.get("method") or "get").lower() == "post" else None
            self._action = a.get("action") or ""
            self._button_used = False
            return
        if self._fields is None or "disabled" in a:
            return
        name = a.get("name")
        kind = (a.get("type") or "text").lower()
        if tag == "input" and name:
            self._input(name, kind, a)
        elif tag == "button" and kind == "submit" and name and not self._button_used:
            self._fields.append((name, a.get("value") or ""))
            self._button_used = True
        elif tag == "select" and name:
            self._select = [name, None, None]
        elif tag == "option" and self._select is not None:
            self._option(a)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def _input(self, name, kind, a):
        if kind in ("checkbox", "radio"):
            if "checked" in a:
                self._fields.append((name, a.get("value") or "on"))
        elif kind in ("submit", "image", "button", "reset", "file"):
            if kind == "submit" and not self._button_used:
                self._fields.append((name, a.get("value") or ""))
                self._button_used = True
        else:
            self._fields.append((name, a.get("value") or ""))

    def _option(self, a):
        value = a.get("value", "")
        if self._select[1] is None:
            self._select[1] = value
        if "selected" in a:
            self._select[2] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if self._fields is None:
            return
        if tag == "select" and self._select is not None:
            name, first, selected = self._select
            value = selected if selected is not None else first
            if value is not None:
                self._fields.append((name, value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._fields.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form":
            self.forms.append((self._action, self._fields))
            self._fields = None


def browser_body(client: Client, target: Target, url: str) -> tuple[dict, str | None]:
    """The request body a browser (or an API client) would send: (data, content type or None)."""
    if target.url_name.endswith("pdf"):
        return {}, None  # a document, not a form: not worth rendering here
    page = client.get(url)
    if page.status_code != 200:
        return {}, None
    if target.api:
        if not page["Content-Type"].startswith("application/json"):
            return {}, None
        payload = page.json()
        if isinstance(payload, dict) and isinstance(payload.get("results"), list):
            payload = payload["results"][0] if payload["results"] else {}
        return (payload if isinstance(payload, dict) else {}), "application/json"
    if not page["Content-Type"].startswith("text/html"):
        return {}, None
    return form_body(client, url, page)


def form_body(client: Client, url: str, page=None) -> tuple[dict, None]:
    """What submitting the page's own form (the one posting back to `url`) as it is filled sends."""
    page = page if page is not None else client.get(url)
    parser = Forms()
    parser.feed(page.content.decode())
    path = urlsplit(url).path
    for action, fields in parser.forms:
        if action in ("", ".", path) or urlsplit(action).path == path:
            data: dict[str, list[str]] = {}
            for name, value in fields:
                if name != "csrfmiddlewaretoken":
                    data.setdefault(name, []).append(value)
            return data, None
    return {}, None


def send(client: Client, method: str, url: str, data, content_type, **headers):
    if content_type:
        return client.generic(method.upper(), url, json.dumps(data), content_type=content_type, **headers)
    if method == "post":
        return client.post(url, data, **headers)
    return client.generic(method.upper(), url, "", **headers)


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table but the sessions (saved on each request: SESSION_SAVE_EVERY_REQUEST)."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model is not Session
    }


def refused_for_csrf(response) -> bool:
    return response.status_code == 403 and "CSRF" in response.content.decode()


def logged_in(world) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.superuser)
    assert client.get(reverse("home")).status_code == 200  # the browser holds the CSRF cookie
    assert client.cookies["csrftoken"].value
    return client


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.id)
def test_an_unsafe_request_without_the_csrf_token_is_refused_and_writes_nothing(rows, target):
    world = rows
    client = logged_in(world)
    url = url_of(target, world, client)
    data, content_type = browser_body(client, target, url)
    before = snapshot()

    response = send(client, target.method, url, data, content_type)
    assert response.status_code == 403, f"{target.id} {url}"
    assert refused_for_csrf(response), response.content.decode()[:300]
    assert snapshot() == before

    # The same request with the token passes the CSRF check: the 403 was the missing token.
    token = client.cookies["csrftoken"].value
    response = send(client, target.method, url, data, content_type, HTTP_X_CSRFTOKEN=token)
    assert not refused_for_csrf(response)
    assert response.status_code < 500


def test_the_sweep_covers_pages_admin_and_api():
    names = {t.url_name for t in TARGETS}
    assert {"organizations:edit", "candidates:create", "password_change", "logout", "set_language"} <= names
    assert {"admin:login", "admin:organizations_organization_change"} <= names
    for model in ("organizations_organization", "quotas_plan", "quotas_quota", "candidates_candidate"):
        assert {f"admin:{model}_change", f"admin:{model}_delete", f"admin:{model}_history"} <= names
    assert {"admin:organizations_organization_simple_history", "admin:candidates_candidate_simple_history"} <= names


def test_the_main_models_have_a_row_for_their_admin_pages(rows):
    from candidates.models import Admission, Candidate
    from quotas.models import Plan, Quota

    for model in (Candidate, Admission, Plan, Quota, MembershipFigure, PipelineRules, Group, Token, AccessFailureLog):
        assert model._base_manager.exists(), model
    methods = {(t.url_name, t.method) for t in TARGETS if t.api}
    assert {("organization-list", "post"), ("organization-detail", "patch"), ("candidate-steps", "post")} <= methods


@pytest.mark.parametrize(
    ("url_name", "method"),
    [
        ("organizations:edit", "post"),
        ("admin:organizations_organization_change", "post"),
        ("organization-detail", "patch"),
        ("quota-detail", "put"),
    ],
)
def test_with_the_token_the_same_request_writes(world, url_name, method):
    """The replayed body is a real one: with the token it changes the database."""
    (target,) = [t for t in TARGETS if (t.url_name, t.method) == (url_name, method)]
    client = logged_in(world)
    url = url_of(target, world, client)
    data, content_type = browser_body(client, target, url)
    if url_name == "organization-detail":
        data = {"name": data["name"] + " (mới)"}
    if url_name == "quota-detail":
        data = {**data, "total": data["total"] + 1}
    before = snapshot()
    response = send(client, method, url, data, content_type, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert response.status_code in (200, 302), response.content.decode()[:500]
    assert snapshot() != before
