"""Lost updates (issue 12, break 4): every API object that can be changed answers with an ETag; a write
whose If-Match is stale gets 412 and changes nothing; the quota grid's conflict token and the API's
ETags are the same versions (partytrack.versions), so a save through one is seen by the other; and on
PostgreSQL two writers holding the same ETag at the same moment cannot both succeed."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

from candidates.choices import Step
from partytrack import versions
from quotas import forms as quota_forms
from quotas import selectors as quota_selectors
from quotas.models import Quota
from tests.candidates.factories import make_admission, make_candidate
from tests.quotas.scope_cases import YEAR, _quota
from tests.scope.snapshot import changed, snapshot


@dataclass(frozen=True)
class Write:
    """One kind of change through the API: where the object is read, how it is written, and two
    different changes (so a second writer really changes something)."""

    name: str
    build: Any  # world -> the object
    read: str  # URL template of the object (GET)
    method: str
    write: str  # URL template of the write
    first: Any  # world -> payload
    second: Any  # world -> another payload
    ok: int = 200


WRITES = [
    Write(
        "quota PUT",
        lambda w: _quota(w.commune_a, w.cell_a),
        "/api/v1/quotas/{pk}/",
        "put",
        "/api/v1/quotas/{pk}/",
        lambda w: {"organization": w.cell_a.pk, "year": YEAR, "total": 5},
        lambda w: {"organization": w.cell_a.pk, "year": YEAR, "total": 7},
    ),
    Write(
        "organization PATCH",
        lambda w: w.cell_a,
        "/api/v1/organizations/{pk}/",
        "patch",
        "/api/v1/organizations/{pk}/",
        lambda w: {"name": "Chi bộ Thôn Một"},
        lambda w: {"name": "Chi bộ Thôn Nhất"},
    ),
    Write(
        "candidate step POST",
        lambda w: make_candidate(w.cell_a),
        "/api/v1/candidates/{pk}/",
        "post",
        "/api/v1/candidates/{pk}/steps/",
        lambda w: {"step": Step.AWARENESS_CLASS, "on": "2025-02-10", "document_number": "1/CN"},
        lambda w: {"step": Step.AWARENESS_CLASS, "on": "2025-02-11", "document_number": "2/CN"},
        ok=201,
    ),
]
IDS = [write.name for write in WRITES]


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _send(client, write: Write, pk: int, payload: dict, **headers):
    return getattr(client, write.method)(write.write.format(pk=pk), payload, format="json", headers=headers)


@pytest.mark.parametrize("write", WRITES, ids=IDS)
def test_reading_and_writing_an_object_answer_its_version_as_etag(world, write):
    obj = write.build(world)
    client = _api(world.staff)
    read = client.get(write.read.format(pk=obj.pk))
    assert read.status_code == 200
    assert read["ETag"] == f'"{versions.row_version(type(obj)._base_manager.get(pk=obj.pk))}"'
    written = _send(client, write, obj.pk, write.first(world), **{"If-Match": read["ETag"]})
    assert written.status_code == write.ok, written.data
    assert written["ETag"] != read["ETag"]
    # The answer's ETag is the version the next reader gets: sending it back writes again.
    assert client.get(write.read.format(pk=obj.pk))["ETag"] == written["ETag"]


@pytest.mark.parametrize("write", WRITES, ids=IDS)
def test_a_stale_if_match_is_412_and_changes_nothing(world, write):
    obj = write.build(world)
    client = _api(world.staff)
    stale = client.get(write.read.format(pk=obj.pk))["ETag"]
    assert _send(client, write, obj.pk, write.first(world)).status_code == write.ok  # someone else's write
    before = snapshot()
    refused = _send(client, write, obj.pk, write.second(world), **{"If-Match": stale})
    assert refused.status_code == 412
    assert "đã được sửa sau khi bạn đọc" in refused.data["detail"]
    assert changed(before, snapshot()) == []


@pytest.mark.parametrize("write", WRITES, ids=IDS)
def test_without_if_match_a_write_goes_through_as_before(world, write):
    obj = write.build(world)
    assert _send(_api(world.staff), write, obj.pk, write.first(world)).status_code == write.ok


@pytest.mark.parametrize(
    "header",
    ["*", '"0000", {etag}', 'W/"0000", {etag}', "{etag}"],
    ids=["any", "one of several", "a weak one and the strong one", "strong"],
)
def test_if_match_forms_that_match_the_current_version(world, header):
    quota = _quota(world.commune_a, world.cell_a)
    client = _api(world.staff)
    current = client.get(f"/api/v1/quotas/{quota.pk}/")["ETag"]
    response = client.put(
        f"/api/v1/quotas/{quota.pk}/",
        {"organization": world.cell_a.pk, "year": YEAR, "total": 9},
        format="json",
        headers={"If-Match": header.format(etag=current)},
    )
    assert response.status_code == 200, response.data
    assert Quota.objects.get(pk=quota.pk).total == 9


@pytest.mark.parametrize(
    "header",
    ['"0000"', "", "garbage", "W/{etag}", "W/{etag}, W/{etag}"],
    ids=["other", "empty", "unquoted", "weak", "weak twice"],
)
def test_if_match_that_names_no_current_version_is_412(world, header):
    """A weak tag, even of the current version, never matches: If-Match uses the strong comparison
    (RFC 9110, 13.1.1)."""
    quota = _quota(world.commune_a, world.cell_a)
    client = _api(world.staff)
    current = client.get(f"/api/v1/quotas/{quota.pk}/")["ETag"]
    response = client.put(
        f"/api/v1/quotas/{quota.pk}/",
        {"organization": world.cell_a.pk, "year": YEAR, "total": 9},
        format="json",
        headers={"If-Match": header.format(etag=current)},
    )
    assert response.status_code == 412
    assert Quota.objects.get(pk=quota.pk).total == 2


def test_an_object_outside_the_subtree_is_404_whatever_the_if_match(world):
    quota = _quota(world.commune_b, world.cell_b)
    response = _api(world.staff).put(
        f"/api/v1/quotas/{quota.pk}/",
        {"organization": world.cell_b.pk, "year": YEAR, "total": 9},
        format="json",
        headers={"If-Match": '"0000"'},
    )
    assert response.status_code == 404


def test_created_and_read_only_objects_answer_with_their_etag_too(world):
    client = _api(world.secretary)
    created = client.post(
        "/api/v1/candidates/",
        {"organization": world.cell_a.pk, "full_name": "Qua API Văn A", "gender": "male", "birth_date": "2001-02-03"},
        format="json",
    )
    assert created.status_code == 201
    assert created["ETag"] == client.get(f"/api/v1/candidates/{created.data['id']}/")["ETag"]
    admission = make_admission(world.cell_a)
    assert client.get(f"/api/v1/admissions/{admission.pk}/")["ETag"].startswith('"')


def test_the_schema_declares_if_match_on_every_write_to_one_object():
    from tests.trust.test_api_fuzz import _schema

    paths = _schema()["paths"]
    writes = {
        (path, method): operation
        for path, item in paths.items()
        for method, operation in item.items()
        if method in {"put", "patch", "post", "delete"} and "{id}" in path
    }
    assert {("/api/v1/quotas/{id}/", "put"), ("/api/v1/organizations/{id}/", "patch")} <= set(writes)
    assert ("/api/v1/candidates/{id}/steps/", "post") in writes
    for (path, method), operation in writes.items():
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "If-Match" in headers, f"{method.upper()} {path}"


# ------------------------------------------------------------------------ the grid and the API


def _grid_post(commune, *, base: str, total: str) -> dict:
    allocation = quota_selectors.allocation_for(organization=commune, year=YEAR)
    data = {"base": base}
    for row in allocation.rows:
        data[quota_forms.field_name("total", row.organization.pk)] = total
    return data


def _grid_base(commune) -> str:
    allocation = quota_selectors.allocation_for(organization=commune, year=YEAR)
    return quota_forms.sign_base(
        plan_id=allocation.plan.pk, token=allocation.token, values=allocation.values_by_organization()
    )


def test_the_grid_token_is_made_of_the_api_versions_of_its_quotas(world):
    quota = _quota(world.commune_a, world.cell_a)
    allocation = quota_selectors.allocation_for(organization=world.commune_a, year=YEAR)
    assert allocation.token == versions.rows_version(["quotas", quota.plan_id], [Quota.objects.get(pk=quota.pk)])


def test_a_save_through_the_api_makes_the_grid_refuse_a_stale_save(world):
    quota = _quota(world.commune_a, world.cell_a)
    base = _grid_base(world.commune_a)  # the grid opened in a browser
    api = _api(world.staff)
    etag = api.get(f"/api/v1/quotas/{quota.pk}/")["ETag"]
    put = api.put(
        f"/api/v1/quotas/{quota.pk}/",
        {"organization": world.cell_a.pk, "year": YEAR, "total": 6},
        format="json",
        headers={"If-Match": etag},
    )
    assert put.status_code == 200
    page = Client()
    page.force_login(world.staff)
    before = snapshot()
    response = page.post(f"/quotas/{world.commune_a.pk}/{YEAR}/", _grid_post(world.commune_a, base=base, total="3"))
    assert response.status_code == 409  # the grid's conflict page: what the other person changed
    assert changed(before, snapshot()) == []
    assert Quota.objects.get(pk=quota.pk).total == 6


def test_a_save_in_the_grid_makes_the_api_refuse_a_stale_if_match(world):
    quota = _quota(world.commune_a, world.cell_a)
    api = _api(world.staff)
    etag = api.get(f"/api/v1/quotas/{quota.pk}/")["ETag"]
    page = Client()
    page.force_login(world.staff)
    saved = page.post(
        f"/quotas/{world.commune_a.pk}/{YEAR}/",
        _grid_post(world.commune_a, base=_grid_base(world.commune_a), total="3"),
    )
    assert saved.status_code == 302
    before = snapshot()
    put = api.put(
        f"/api/v1/quotas/{quota.pk}/",
        {"organization": world.cell_a.pk, "year": YEAR, "total": 6},
        format="json",
        headers={"If-Match": etag},
    )
    assert put.status_code == 412
    assert changed(before, snapshot()) == []
    assert Quota.objects.get(pk=quota.pk).total == 3


# -------------------------------------------------------------------------------- PostgreSQL


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", WRITES, ids=IDS)
def test_two_writers_with_the_same_etag_at_once_one_wins(world, write, postgres_only, monkeypatch):
    """Two clients read the same ETag and write at the same moment. The first to take the lock waits
    a little inside it (between comparing and writing): the second must wait for it and then find
    the version changed (412). Were the comparison made outside the lock, both would pass."""
    obj = write.build(world)
    etag = _api(world.staff).get(write.read.format(pk=obj.pk))["ETag"]
    compare = versions.check
    first = threading.Lock()

    def slow_check(instance, expected):
        compare(instance, expected)
        if expected is not None and first.acquire(blocking=False):
            time.sleep(0.5)  # hold the lock while the other writer arrives

    monkeypatch.setattr(versions, "check", slow_check)
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def send(payload):
        try:
            barrier.wait(timeout=10)
            answers.append(_send(_api(world.staff), write, obj.pk, payload, **{"If-Match": etag}).status_code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=send, args=(write.first(world),)),
        threading.Thread(target=send, args=(write.second(world),)),
    ]
    history = type(obj).history.filter(id=obj.pk).count()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answers) == sorted([write.ok, 412]), answers
    assert type(obj).history.filter(id=obj.pk).count() == history + 1  # one write, not two
