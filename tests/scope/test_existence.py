"""Existence leaks (issue 12, break 9): nothing tells a user that an object outside their subtree exists
or what it is called. An id filter answers an id outside the scope exactly like an id that does not
exist (400, the same message), in every list API and page filter; the admin's raw-id inputs, its
read-only fields and its history pages, and the history page of partytrack/history.py never name an
organization outside the reader's scope (a parent above it, the district something was moved from)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from organizations import services as org_services
from organizations.models import Organization
from tests.candidates.factories import make_admission, make_candidate
from tests.quotas.scope_cases import _plan, _quota

from .snapshot import changed, snapshot

UNKNOWN = 987_654


def _api(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def _page(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# (URL, parameter, world -> (an id inside the staff member's scope, one outside), API?)
ID_FILTERS = [
    ("/api/v1/organizations/", "parent", lambda w: (w.commune_a.pk, w.commune_b.pk), True),
    ("/api/v1/quotas/", "organization", lambda w: (w.cell_a.pk, w.cell_b.pk), True),
    ("/api/v1/quotas/", "plan", lambda w: (_plan(w.commune_a).pk, _plan(w.commune_b).pk), True),
    ("/api/v1/candidates/", "organization", lambda w: (w.commune_a.pk, w.commune_b.pk), True),
    ("/api/v1/admissions/", "organization", lambda w: (w.commune_a.pk, w.commune_b.pk), True),
    ("/candidates/", "organization", lambda w: (w.commune_a.pk, w.commune_b.pk), False),
    ("/candidates/admissions/", "organization", lambda w: (w.commune_a.pk, w.commune_b.pk), False),
    ("/candidates/admissions.xlsx", "organization", lambda w: (w.commune_a.pk, w.commune_b.pk), False),
]


def _answer(response, pk: int, *, api: bool):
    """What a filter's answer says, with the id itself taken out (it is echoed in the message)."""
    if api:
        return response.status_code, response.content.decode().replace(str(pk), "<id>")
    context = response.context or {}
    form = context["filter"].form if "filter" in context else None
    errors = (
        {name: [str(e).replace(str(pk), "<id>") for e in errs] for name, errs in form.errors.items()} if form else None
    )
    shown = [c.pk for c in context.get("admissions", [])] if "admissions" in context else None
    body = response.content.decode().replace(str(pk), "<id>") if not context else None
    return response.status_code, errors, shown, body


@pytest.mark.parametrize(("url", "name", "ids", "api"), ID_FILTERS, ids=[f"{u}?{n}" for u, n, _i, _a in ID_FILTERS])
@pytest.mark.parametrize("role", ["staff", "admin", "leader"])
def test_an_id_outside_the_scope_is_answered_like_an_unknown_id(world, url, name, ids, api, role):
    make_candidate(world.cell_b)
    make_admission(world.cell_b)
    _quota(world.commune_b, world.cell_b)
    inside, outside = ids(world)
    user = world.users[role]
    client = _api(user) if api else _page(user)
    answers = {pk: _answer(client.get(f"{url}?{name}={pk}"), pk, api=api) for pk in (outside, UNKNOWN)}
    assert answers[outside] == answers[UNKNOWN]
    if api:
        assert answers[UNKNOWN][0] == 400
    if role == "staff":  # the same filter with an id of the staff member's own subtree filters
        assert client.get(f"{url}?{name}={inside}").status_code == 200


def test_an_id_inside_the_scope_still_filters(world):
    response = _api(world.staff).get(f"/api/v1/organizations/?parent={world.commune_a.pk}")
    assert response.status_code == 200
    assert {row["code"] for row in response.json()["results"]} == {"A1C", "A1D"}


# ------------------------------------------------------------------------------------ admin


def test_a_raw_id_input_does_not_name_an_organization_of_another_subtree(world):
    """/admin/organizations/roleassignment/add/?organization=<district B> printed district B's name
    beside the input; now the same nothing as for an id that does not exist."""
    client = _page(world.admin)
    url = "/admin/organizations/roleassignment/add/?organization={}"
    outside = client.get(url.format(world.district_b.pk)).content.decode()
    unknown = client.get(url.format(UNKNOWN)).content.decode()
    inside = client.get(url.format(world.commune_a.pk)).content.decode()
    assert world.district_b.name not in outside
    assert world.commune_a.name in inside  # the input does name what the administrator may choose

    def label(html):
        return re.sub(r"\d+", "", re.search(r'id="id_organization".*?</div>', html, re.S).group(0))

    assert label(outside) == label(unknown)
    figures = client.get(f"/admin/organizations/membershipfigure/add/?organization={world.commune_b.pk}")
    assert world.commune_b.name not in figures.content.decode()


def test_posting_an_organization_of_another_subtree_is_refused_like_an_unknown_one(world):
    client = _page(world.admin)
    data = {"user": world.leader.pk, "role": "leader", "organization": world.cell_b.pk}
    before = snapshot()
    outside = client.post("/admin/organizations/roleassignment/add/", data)
    unknown = client.post("/admin/organizations/roleassignment/add/", {**data, "organization": UNKNOWN})
    errors = [response.context["adminform"].form.errors["organization"] for response in (outside, unknown)]
    assert errors[0] == errors[1] and "ngoài phạm vi" in str(errors[0])
    assert changed(before, snapshot()) == []


def test_the_change_page_does_not_name_a_parent_above_the_administrators_subtree(world):
    """District A's administrator opens district A: its parent, the province, is outside their scope."""
    html = _page(world.admin).get(f"/admin/organizations/organization/{world.district_a.pk}/change/").content.decode()
    assert world.province.name not in html
    assert "ngoài phạm vi của bạn" in html


def _moved_in(world) -> Organization:
    """A cell created in district B and moved into district A by the superuser: its history names B."""
    cell = org_services.organization_create(
        parent=world.commune_b, name="Chi bộ Thôn Chuyển", code="B1T", kind="cell", by=world.superuser
    )
    return org_services.organization_move(organization=cell, new_parent=world.commune_a, by=world.superuser)


def test_the_admin_history_pages_do_not_name_a_former_parent_outside_the_scope(world):
    cell = _moved_in(world)
    client = _page(world.admin)
    history = client.get(f"/admin/organizations/organization/{cell.pk}/history/")
    assert history.status_code == 200
    html = history.content.decode()
    assert world.commune_b.name not in html and "ngoài phạm vi của bạn" in html
    oldest = cell.history.earliest("history_date").history_id
    version = client.get(f"/admin/organizations/organization/{cell.pk}/history/{oldest}/")
    assert version.status_code == 200
    assert world.commune_b.name not in version.content.decode()


def test_the_history_page_does_not_name_a_former_parent_outside_the_scope(world):
    cell = _moved_in(world)
    response = _page(world.staff).get(f"/history/organizations/organization/{cell.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert world.commune_b.name not in html and "ngoài phạm vi của bạn" in html
    assert world.commune_a.name in html  # the new parent is the reader's: named


def test_the_history_page_does_not_name_a_parent_above_the_secretarys_cell(world):
    response = _page(world.secretary).get(f"/history/organizations/organization/{world.cell_a.pk}/")
    assert response.status_code == 200
    assert world.commune_a.name not in response.content.decode()
    superuser = _page(world.superuser).get(f"/history/organizations/organization/{world.cell_a.pk}/")
    assert world.commune_a.name in superuser.content.decode()
