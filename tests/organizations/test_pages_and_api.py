"""What users do with organizations in the browser and through the API, within their scope."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from organizations.models import Organization
from tests.organizations.test_tree import snapshot

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_search_ignores_case_and_diacritics(world, client):
    login(client, world.staff)
    response = client.get(reverse("organizations:tree"), {"q": "luc ngan"})
    assert [org.code for org, _path in response.context["results"]] == ["A"]
    response = client.get(reverse("organizations:tree"), {"q": "BIEN son"})
    assert [org.code for org, _path in response.context["results"]] == ["A1"]
    assert "Đảng bộ xã Biên Sơn" in response.content.decode()


def test_search_stays_inside_scope(world, client):
    login(client, world.staff)
    response = client.get(reverse("organizations:tree"), {"q": "thon 1"})
    found = [org.code for org, _path in response.context["results"]]
    assert found == ["A1C"]  # B1C has the same name but lies in district B
    assert [a.code for a in response.context["results"][0][1]] == ["A", "A1"]  # path starts at the user's top


def test_tree_starts_at_the_users_organizations(world, client):
    login(client, world.secretary)
    response = client.get(reverse("organizations:tree"))
    assert [org.code for org in response.context["tops"]] == ["A1C"]
    login(client, world.staff)
    response = client.get(reverse("organizations:children", args=[world.district_a.pk]))
    assert [org.code for org in response.context["nodes"]] == ["A1", "A2"]


def test_breadcrumbs_stop_at_the_users_scope(world, client):
    login(client, world.staff)
    response = client.get(reverse("organizations:detail", args=[world.cell_a.pk]))
    assert [org.code for org in response.context["breadcrumbs"]] == ["A", "A1", "A1C"]


def test_staff_creates_a_cell_from_the_browser(world, client):
    login(client, world.staff)
    response = client.post(
        reverse("organizations:create", args=[world.commune_a.pk]),
        {"name": "Chi bộ Thôn 5", "code": "A1E", "kind": "cell", "sector": "residential", "position": 5},
    )
    created = Organization.objects.get(code="A1E")
    assert response.status_code == 302 and created.parent_id == world.commune_a.pk


def test_duplicate_name_in_the_form_shows_the_error_and_writes_nothing(world, client):
    login(client, world.staff)
    before = snapshot()
    response = client.post(
        reverse("organizations:create", args=[world.commune_a.pk]),
        {"name": "Chi bộ thôn 1", "code": "A1F", "kind": "cell", "sector": "residential", "position": 0},
    )
    assert response.status_code == 200
    assert "Đã có tổ chức “Chi bộ Thôn 1”" in response.content.decode()
    assert snapshot() == before


def test_move_form_refuses_a_cycle_and_offers_only_the_users_subtree(world, client):
    login(client, world.staff)
    response = client.get(reverse("organizations:move", args=[world.commune_a.pk]))
    offered = set(response.context["form"].fields["new_parent"].queryset.values_list("code", flat=True))
    assert "B" not in offered and "A" in offered
    before = snapshot()
    response = client.post(reverse("organizations:move", args=[world.commune_a.pk]), {"new_parent": world.cell_a.pk})
    assert response.status_code == 200 and snapshot() == before


def test_outside_post_answers_404_and_changes_nothing(world, client):
    login(client, world.staff)
    before = snapshot()
    response = client.post(reverse("organizations:edit", args=[world.cell_b.pk]), {"name": "X"})
    assert response.status_code == 404 and snapshot() == before
    login(client, world.leader)
    response = client.post(reverse("organizations:dissolve", args=[world.cell_a.pk]), {"on": "2025-07-01"})
    assert response.status_code == 404 and snapshot() == before


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_lists_only_the_subtree_with_filters(world):
    response = api(world.staff).get("/api/v1/organizations/")
    codes = {row["code"] for row in response.json()["results"]}
    assert codes == {"A", "A1", "A1C", "A1D", "A2"}
    row = next(r for r in response.json()["results"] if r["code"] == "A1C")
    assert {"id", "code", "name", "kind", "parent", "level"} <= set(row)
    response = api(world.staff).get("/api/v1/organizations/", {"parent": world.commune_a.pk})
    assert [r["code"] for r in response.json()["results"]] == ["A1C", "A1D"]
    response = api(world.staff).get("/api/v1/organizations/", {"search": "bien son"})
    assert [r["code"] for r in response.json()["results"]] == ["A1"]


def test_api_outside_scope_is_404(world):
    assert api(world.staff).get(f"/api/v1/organizations/{world.cell_b.pk}/").status_code == 404
    response = api(world.staff).patch(f"/api/v1/organizations/{world.cell_b.pk}/", {"name": "X"}, format="json")
    assert response.status_code == 404


def test_api_create_and_patch_go_through_the_services(world):
    client = api(world.staff)
    response = client.post(
        "/api/v1/organizations/",
        {"code": "A1G", "name": "Chi bộ Thôn 7", "kind": "cell", "parent": world.commune_a.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    new_id = response.json()["id"]
    response = client.post(
        "/api/v1/organizations/",
        {"code": "A3", "name": "Đảng bộ xã Mới", "kind": "commune", "parent": world.district_a.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    commune_id = response.json()["id"]
    response = client.patch(f"/api/v1/organizations/{new_id}/", {"parent": commune_id}, format="json")
    assert response.status_code == 200 and response.json()["parent"] == commune_id


def test_api_rejects_bad_input_with_field_errors_and_writes_nothing(world):
    client = api(world.staff)
    before = snapshot()
    response = client.post(
        "/api/v1/organizations/",
        {"code": "A1H", "name": "Chi bộ Thôn 1", "kind": "cell", "parent": world.commune_a.pk},
        format="json",
    )
    assert response.status_code == 400 and "name" in response.json()
    response = client.post(
        "/api/v1/organizations/",
        {"code": "bad code", "name": "Y", "kind": "cell", "parent": world.commune_b.pk},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"parent", "code"}
    response = client.patch(f"/api/v1/organizations/{world.commune_a.pk}/", {"parent": world.cell_a.pk}, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    # A valid move with an invalid field change: refused as a whole, the move is not kept either.
    response = client.patch(
        f"/api/v1/organizations/{world.school_a.pk}/", {"parent": world.commune_a.pk, "code": "bad code"}, format="json"
    )
    assert response.status_code == 400 and "code" in response.json()
    response = client.patch(
        f"/api/v1/organizations/{world.school_a.pk}/",
        {"parent": world.commune_a.pk, "valid_from": "2026-01-01", "valid_to": "2025-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_api_token_auth(world):
    from django.core.management import call_command

    call_command("drf_create_token", world.leader.username)
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=world.leader).key}")
    assert client.get("/api/v1/organizations/").status_code == 200
    assert APIClient().get("/api/v1/organizations/").status_code in (401, 403)


def test_api_token_expires_after_the_configured_days(world, settings):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    settings.API_TOKEN_MAX_AGE_DAYS = 90
    call_command("drf_create_token", world.leader.username)
    token = Token.objects.get(user=world.leader)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=89, hours=23))
    assert client.get("/api/v1/organizations/").status_code == 200
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=90, hours=1))
    response = client.get("/api/v1/organizations/")
    assert response.status_code == 401
    assert "hết hạn" in response.json()["detail"]

    call_command("drf_create_token", "-r", world.leader.username)  # a new token works again
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=world.leader).key}")
    assert client.get("/api/v1/organizations/").status_code == 200


def test_staff_records_membership_figures_and_bad_figures_write_nothing(world, client):
    from organizations.models import MembershipFigure

    login(client, world.staff)
    url = reverse("organizations:figures", args=[world.cell_a.pk])
    response = client.post(url, {"as_of": "2026-01-01", "member_count": 9, "official_member_count": 12})
    assert response.status_code == 200 and "không được lớn hơn" in response.content.decode()
    assert not MembershipFigure.objects.exists()
    response = client.post(url, {"as_of": "2026-01-01", "member_count": 12, "official_member_count": 11})
    assert response.status_code == 302
    figure = world.cell_a.membership_figures.get()
    assert (figure.member_count, figure.official_member_count) == (12, 11)
