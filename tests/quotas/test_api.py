"""/api/v1/quotas/: the grid's rules and scope through REST (GET, POST, PUT)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from quotas.models import Plan, Quota
from tests.quotas.conftest import quota_state

URL = "/api/v1/quotas/"


@pytest.fixture
def api(seeded):
    client = APIClient()
    client.force_authenticate(seeded.staff)
    return client


def test_list_filters_and_scope(seeded, api):
    response = api.get(URL, {"organization": seeded.org("BG-LN-X04").pk, "year": 2022})
    assert response.status_code == 200
    [quota] = response.json()["results"]
    assert (quota["total"], quota["q1"], quota["q2"], quota["q3"], quota["q4"]) == (11, 2, 4, 3, 2)
    assert quota["plan"] == seeded.plan72.pk and quota["plan_number"] == "72-KH/HU" and quota["plan_is_current"]
    assert api.get(URL, {"plan": seeded.plan72.pk, "limit": 100}).json()["count"] == 55
    # Bảo Lâm's quotas are outside Lục Ngạn's scope: its plan cannot be named in a filter (answered as
    # an id that does not exist), none is listed, and each one is 404.
    assert api.get(URL, {"plan": seeded.plan55.pk}).status_code == 400
    assert all(q["plan"] != seeded.plan55.pk for q in api.get(URL, {"limit": 1000}).json()["results"])
    other = Quota.objects.filter(plan=seeded.plan55).first()
    assert api.get(f"{URL}{other.pk}/").status_code == 404


def test_a_commune_reads_the_quota_it_received(seeded):
    from organizations.models import Role
    from tests.factories import UserFactory, grant

    commune_staff = grant(UserFactory(username="tochuc.bienson"), seeded.org("BG-LN-X01"), Role.STAFF)
    client = APIClient()
    client.force_authenticate(commune_staff)
    results = client.get(URL).json()["results"]
    assert [(r["organization"], r["total"]) for r in results] == [(seeded.org("BG-LN-X01").pk, 5)]
    # …but cannot change it: the district allocates.
    quota = Quota.objects.get(organization=seeded.org("BG-LN-X01"))
    before = quota_state()
    response = client.put(
        f"{URL}{quota.pk}/", {"organization": quota.organization_id, "year": 2022, "total": 50}, format="json"
    )
    assert response.status_code == 404
    assert quota_state() == before


def test_post_without_plan_creates_a_draft_plan_for_the_year(seeded, api):
    response = api.post(
        URL,
        {"organization": seeded.org("BG-LN-X01").pk, "year": 2026, "total": 6, "q1": 1, "q2": 2, "q3": 2, "q4": 1},
        format="json",
    )
    assert response.status_code == 201, response.json()
    plan = Plan.objects.get(pk=response.json()["plan"])
    assert (
        plan.status == "draft" and plan.title == "Kết nạp đảng viên năm 2026" and plan.organization == seeded.luc_ngan
    )
    # The next one goes to the same (now existing) plan.
    response = api.post(URL, {"organization": seeded.org("BG-LN-X02").pk, "year": 2026, "total": 3}, format="json")
    assert response.json()["plan"] == plan.pk and Plan.objects.filter(organization=seeded.luc_ngan).count() == 2


def test_put_changes_the_values_and_keeps_history(seeded, api):
    quota = Quota.objects.get(plan=seeded.plan72, organization=seeded.org("BG-LN-X01"))
    response = api.put(
        f"{URL}{quota.pk}/",
        {"organization": quota.organization_id, "year": 2022, "total": 7, "q1": 1, "q2": 2, "q3": 2, "q4": 2},
        format="json",
    )
    assert response.status_code == 200, response.json()
    quota.refresh_from_db()
    assert quota.total == 7 and quota.history.first().history_user == seeded.staff


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"total": -3}, "non_field_errors", "không được âm"),
        (
            {"total": 5, "q1": 1, "q2": 1, "q3": 1, "q4": 1},
            "non_field_errors",
            "Tổng các quý (1 + 1 + 1 + 1 = 4) khác tổng số (5)",
        ),
        ({"total": 4, "q1": 1, "q2": 1}, "non_field_errors", "Điền đủ bốn quý"),
        ({"code": "BG-LN-X01-01", "total": 1, "plan": "plan72"}, "plan", "không phải của Đảng bộ xã Biên Sơn"),
        ({"code": "LD-BL-X01", "total": 1}, "organization", "không tồn tại"),
        ({"total": 1, "plan": "plan55"}, "plan", "không tồn tại"),
        ({"total": "năm"}, "total", "số nguyên hợp lệ"),
    ],
)
def test_post_rejections_write_nothing(seeded, api, payload, field, message):
    payload = dict(payload)
    code = payload.pop("code", "BG-LN-X01")
    if payload.get("plan") in ("plan55", "plan72"):
        payload["plan"] = getattr(seeded, payload["plan"]).pk
    before = quota_state()
    response = api.post(URL, {"organization": seeded.org(code).pk, "year": 2026, **payload}, format="json")
    assert response.status_code == 400
    assert any(message in str(error) for error in response.json()[field]), response.json()
    assert quota_state() == before


def test_post_refuses_a_duplicate_and_a_replaced_plan(seeded, api):
    before = quota_state()
    response = api.post(URL, {"organization": seeded.org("BG-LN-X01").pk, "year": 2022, "total": 5}, format="json")
    assert response.status_code == 400 and "dùng PUT" in str(response.json())
    from quotas import services

    services.plan_replace(
        plan=seeded.plan72, by=seeded.staff, number="80-KH/HU", title="x", start_year=2022, end_year=2022
    )
    before = quota_state()
    response = api.post(
        URL,
        {"organization": seeded.org("BG-LN-X01").pk, "year": 2022, "total": 5, "plan": seeded.plan72.pk},
        format="json",
    )
    assert response.status_code == 400 and "đã được thay thế" in str(response.json())
    quota = Quota.objects.get(plan=seeded.plan72, organization=seeded.org("BG-LN-X02"))
    response = api.put(
        f"{URL}{quota.pk}/", {"organization": quota.organization_id, "year": 2022, "total": 9}, format="json"
    )
    assert response.status_code == 400 and "đã được thay thế" in str(response.json())
    assert quota_state() == before


def test_put_cannot_move_a_quota(seeded, api):
    quota = Quota.objects.get(plan=seeded.plan72, organization=seeded.org("BG-LN-X01"))
    before = quota_state()
    response = api.put(
        f"{URL}{quota.pk}/", {"organization": seeded.org("BG-LN-X02").pk, "year": 2022, "total": 5}, format="json"
    )
    assert response.status_code == 400 and "organization" in response.json()
    assert quota_state() == before


def test_leader_cannot_write(seeded):
    client = APIClient()
    client.force_authenticate(seeded.leader)
    before = quota_state()
    response = client.post(URL, {"organization": seeded.org("BG-LN-X01").pk, "year": 2026, "total": 1}, format="json")
    assert response.status_code == 400 and "không có quyền" in str(response.json())
    assert quota_state() == before


@pytest.mark.parametrize("name", ["plan", "organization"])
def test_a_filter_id_outside_the_scope_answers_like_an_id_that_does_not_exist(seeded, api, name):
    """Lục Ngạn's staff must not learn that Bảo Lâm's plan or commune exists: the answer for their ids
    is the one for an id nobody has (django-filter's "not one of the available choices")."""
    outside = {"plan": seeded.plan55.pk, "organization": seeded.org("LD-BL-X01").pk}[name]
    missing = api.get(URL, {name: 10**9})
    hidden = api.get(URL, {name: outside})
    assert missing.status_code == hidden.status_code == 400
    assert hidden.json() == missing.json() and list(hidden.json()) == [name]
    # Inside the scope the same filter answers as before.
    inside = {"plan": seeded.plan72.pk, "organization": seeded.org("BG-LN-X04").pk}[name]
    assert api.get(URL, {name: inside}).status_code == 200


def test_a_commune_filters_by_the_plan_its_own_quota_came_from(seeded):
    """The district's plan is outside a commune's subtree, but the commune sees the quota it received
    from it, so filtering by that plan is allowed."""
    from organizations.models import Role
    from tests.factories import UserFactory, grant

    client = APIClient()
    client.force_authenticate(grant(UserFactory(username="tochuc.chu"), seeded.org("BG-LN-X04"), Role.STAFF))
    response = client.get(URL, {"plan": seeded.plan72.pk})
    assert response.status_code == 200
    assert [(r["organization"], r["total"]) for r in response.json()["results"]] == [(seeded.org("BG-LN-X04").pk, 11)]
    assert client.get(URL, {"plan": seeded.plan55.pk}).json() == client.get(URL, {"plan": 10**9}).json()
