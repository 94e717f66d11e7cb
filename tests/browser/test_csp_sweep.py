"""Every page of every role in a real browser under the Content-Security-Policy (issue 12, item 11).

One Chromium, one context per role (staff, secretary, leader, administrator, superuser of the
`world` fixture), logged in through the login form. Each context opens every page its role reaches:
every URL of the scope matrix (tests/scope, the API's browsable pages included) whose case answers
that role 200 or a redirect, the password pages, and for the administrator and the superuser the
admin: index, app pages, and for each model they may open the list, the add form, an object's change
form, delete confirmation, history and simple_history's version page. Anonymous: the login page and
the lockout page. The harness (conftest.Journey) fails on any CSP violation, console error, failed
request or request to another host.

What is not a web page (PDF, .xlsx, the OpenAPI schema) is fetched but not shown: Chromium would
open a PDF in its own viewer and a workbook as a download. Such addresses are learnt by the first
role (the superuser, who reaches everything) and not asked for again.
"""

from __future__ import annotations

import time
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.urls import NoReverseMatch, reverse
from simple_history.admin import SimpleHistoryAdmin

from organizations.admin_scope import ScopedAdmin
from tests.scope.test_admin import BUILDERS, REGISTRY
from tests.scope.test_matrix import CASES

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = ("superuser", "staff", "secretary", "leader", "admin")  # superuser first: see the docstring
REACHED = (200, 302)
BLANK = "<!DOCTYPE html><html lang='vi'><head><title>-</title></head><body></body></html>"


def _scope_matrix_pages(world) -> list[tuple[str, dict[str, int]]]:
    """(path, expected status per role) of every scope-matrix case, objects built once for every role."""
    pages = []
    for case in CASES:
        kwargs = case.kwargs(world)[0] if case.kwargs else None
        path = reverse(case.url_name, kwargs=kwargs) if kwargs is not None else reverse(case.url_name)
        pages.append((f"{path}?{case.query}" if case.query else path, case.expect))
    return pages


def _admin_url(model, view: str, *args) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
    except NoReverseMatch:
        return None


def _admin_objects(world) -> dict[str, object]:
    """One object per registered model, inside the administrator's subtree for the scoped ones
    (test_admin's builders), else the model's first row; models with no row are left out."""
    objects = {}
    for model, model_admin in REGISTRY:
        label = model._meta.label
        if isinstance(model_admin, ScopedAdmin):
            objects[label] = BUILDERS[label](world)[0]
        elif (first := model._default_manager.order_by("pk").first()) is not None:
            objects[label] = first
    return objects


def _admin_pages(user, objects: dict[str, object]) -> list[str]:
    """The admin pages `user` may open: for each model its admin lets them see, the list, the add
    form, and the pages of its object in `objects`."""
    request = SimpleNamespace(user=user, method="GET", GET={}, POST={})
    pages, apps = [reverse("admin:index"), reverse("admin:password_change")], set()
    for model, model_admin in REGISTRY:
        if not model_admin.has_module_permission(request):
            continue
        apps.add(model._meta.app_label)
        pages.append(_admin_url(model, "changelist"))
        if model_admin.has_add_permission(request):
            pages.append(_admin_url(model, "add"))
        label = model._meta.label
        obj = objects.get(label)
        if obj is None:
            continue
        pages += [_admin_url(model, "change", obj.pk), _admin_url(model, "history", obj.pk)]
        if model_admin.has_delete_permission(request, obj):
            pages.append(_admin_url(model, "delete", obj.pk))
        if isinstance(model_admin, SimpleHistoryAdmin) and obj.history.exists():
            pages.append(_admin_url(model, "simple_history", obj.pk, obj.history.latest("history_date").history_id))
        if label == "auth.User":
            pages.append(reverse("admin:auth_user_password_change", args=[obj.pk]))
    pages += [reverse("admin:app_list", kwargs={"app_label": app}) for app in sorted(apps)]
    pages.append(reverse("admin:organizations_roleassignment_changelist") + "?login=locked")
    return [page for page in pages if page]


class Sweep:
    """Opens pages in one journey; what is not HTML is answered with an empty page and remembered."""

    def __init__(self, journey, not_pages: set[str]):
        self.journey, self.not_pages = journey, not_pages
        self.visited: list[str] = []
        host = urlsplit(journey.base_url).netloc

        def only_pages(route):
            request = route.request
            if not request.is_navigation_request() or request.method != "GET" or urlsplit(request.url).netloc != host:
                route.fallback()
                return
            response = route.fetch(max_redirects=0)
            if 300 <= response.status < 400 or response.headers.get("content-type", "").startswith("text/html"):
                route.fulfill(response=response)
            else:
                parts = urlsplit(request.url)
                self.not_pages.add(f"{parts.path}?{parts.query}" if parts.query else parts.path)
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=BLANK)

        journey.context.route("**/*", only_pages)

    def open(self, path: str) -> None:
        if path in self.not_pages:
            return
        response = self.journey.goto(path)
        if path in self.not_pages:
            return
        self.visited.append(path)
        if response is None or response.status >= 400:
            # The page's own text says why (a refused period, a refused parameter): kept for the failure report.
            said = " ".join(self.journey.page.inner_text("body").split())[:300] if response else ""
            self.journey.problems.append(f"{path}: {response.status if response else 'no response'} {said}")


def test_no_page_of_any_role_breaks_the_content_security_policy(world, journey, capsys):
    started = time.monotonic()
    matrix = _scope_matrix_pages(world)
    not_pages: set[str] = set()
    visited: dict[str, int] = {}

    sweeps = [anonymous := Sweep(journey(), not_pages)]
    anonymous.open(reverse("login"))
    for _ in range(5):  # a name that is no account: the lockout page
        anonymous.journey.page.fill("#id_username", "khong-co-ai")
        anonymous.journey.page.fill("#id_password", "sai-mat-khau")
        anonymous.journey.page.click("button[type=submit].primary")
        anonymous.journey.page.wait_for_load_state()
        anonymous.journey.check_csp()
    assert "Tạm khóa đăng nhập" in anonymous.journey.page.text_content("h1")
    # The lockout page answers 429, which Chromium reports as a console error of its own.
    refused = "console error: Failed to load resource: the server responded with a status of 429 (Too Many Requests)"
    assert anonymous.journey.problems.count(refused) == 1
    anonymous.journey.problems.remove(refused)
    visited["anonymous"] = len(anonymous.visited) + 1

    objects = None
    for role in ROLES:
        user = world.users[role]
        sweeps.append(sweep := Sweep(journey(), not_pages))
        sweep.journey.login(user.username)
        sweep.journey.check_csp()
        pages = [path for path, expect in matrix if expect[role] in REACHED]
        pages += [reverse("password_change"), reverse("password_change_done")]
        if user.is_staff:
            objects = objects or _admin_objects(world)  # after the first logins: axes' logs have rows
            pages += _admin_pages(user, objects)
        for path in pages:
            sweep.open(path)
        visited[role] = len(sweep.visited)

    with capsys.disabled():
        print(f"\nCSP sweep: pages per role {visited}, not pages {len(not_pages)}, {time.monotonic() - started:.0f} s")
    # Every role reached its pages (a sweep that opened nothing would pass for any policy).
    assert visited["superuser"] > 100 and visited["admin"] > 60 and min(visited.values()) > 0, visited
    problems = []
    for sweep in sweeps:  # reported here, with every role's, rather than by the fixture one journey at a time
        sweep.journey.check_csp()
        problems += sweep.journey.problems
        sweep.journey.problems = []
    assert problems == [], "\n".join(problems)
