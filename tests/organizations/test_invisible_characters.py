"""Invisible characters (zero-width space, soft hyphen, bidi controls) make no second sibling, are
never stored, and do not stop a search: one text identity (partytrack.text) for every path."""

from __future__ import annotations

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from organizations import services
from organizations.models import Kind, Organization
from tests.organizations.test_tree import snapshot

pytestmark = pytest.mark.django_db

ZWSP, SOFT_HYPHEN, RLO, PDF, LRI, PDI, BOM = "\u200b", "\u00ad", "\u202e", "\u202c", "\u2066", "\u2069", "\ufeff"
SECOND_SIBLING = f"Chi bộ Thôn{ZWSP} 1"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_zero_width_space_makes_no_second_sibling_through_the_service(world):
    before = snapshot()
    for name in (
        SECOND_SIBLING,
        f"{BOM}Chi bộ{SOFT_HYPHEN} Thôn 1",
        f"Chi bộ Thôn{RLO} 1{PDF}",
        "Chi\u00a0bộ Thôn\u2060 1",
    ):
        with pytest.raises(ValidationError) as info:
            services.organization_create(parent=world.commune_a, name=name, code="A1X", kind=Kind.CELL, by=world.staff)
        assert "Đã có tổ chức “Chi bộ Thôn 1”" in " ".join(info.value.messages), name
    with pytest.raises(ValidationError):
        services.organization_update(organization=world.cell_a2, name=SECOND_SIBLING, by=world.staff)
    assert snapshot() == before


def test_a_zero_width_space_makes_no_second_sibling_through_the_page(world, client):
    client.force_login(world.staff)
    before = snapshot()
    response = client.post(
        reverse("organizations:create", args=[world.commune_a.pk]),
        {"name": SECOND_SIBLING, "code": "A1X", "kind": "cell", "sector": "residential", "position": 0},
    )
    assert response.status_code == 200
    assert "Đã có tổ chức “Chi bộ Thôn 1”" in response.content.decode()
    assert snapshot() == before


def test_a_zero_width_space_makes_no_second_sibling_through_the_api(world):
    before = snapshot()
    response = api(world.staff).post(
        "/api/v1/organizations/",
        {"code": "A1X", "name": SECOND_SIBLING, "kind": "cell", "parent": world.commune_a.pk},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert "Đã có tổ chức “Chi bộ Thôn 1”" in response.json()["name"][0]
    response = api(world.staff).patch(
        f"/api/v1/organizations/{world.cell_a2.pk}/", {"name": SECOND_SIBLING}, format="json"
    )
    assert response.status_code == 400 and "name" in response.json()
    assert snapshot() == before


def test_the_database_refuses_the_second_sibling_written_around_the_services(world):
    """The name is stored clean whatever writes it, so the sibling constraint sees the same name."""
    duplicate = Organization(parent=world.commune_a, name=SECOND_SIBLING, code="A1X", kind=Kind.CELL)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=world.cell_a2.pk).update(name=SECOND_SIBLING)


def test_invisible_characters_and_odd_spaces_are_removed_from_what_is_stored(world, client):
    client.force_login(world.staff)
    response = client.post(
        reverse("organizations:create", args=[world.commune_a.pk]),
        {
            "name": f"  Chi bộ{SOFT_HYPHEN} Thôn\u00a0{LRI}5{PDI}{RLO} ",
            "short_name": f"Thôn{ZWSP} 5",
            "code": f"A1X{ZWSP}",
            "kind": "cell",
            "sector": "residential",
            "position": 5,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    created = Organization.objects.get(code="A1X")
    assert (created.name, created.short_name) == ("Chi bộ Thôn 5", "Thôn 5")
    assert created.search_name == "chi bo thon 5 thon 5 a1x"
    response = api(world.staff).post(
        "/api/v1/organizations/",
        {"code": "A1Y", "name": f"Chi bộ{SOFT_HYPHEN} Thôn {RLO}6", "kind": "cell", "parent": world.commune_a.pk},
        format="json",
    )
    assert response.status_code == 201 and response.json()["name"] == "Chi bộ Thôn 6"
    assert Organization.objects.get(code="A1Y").name == "Chi bộ Thôn 6"


def test_a_decomposed_name_is_the_same_name(world):
    decomposed = unicodedata.normalize("NFD", "Chi bộ Thôn 1")
    assert decomposed != "Chi bộ Thôn 1"
    with pytest.raises(ValidationError):
        services.organization_create(parent=world.commune_a, name=decomposed, code="A1X", kind=Kind.CELL)
    created = services.organization_create(
        parent=world.commune_a, name=unicodedata.normalize("NFD", "Chi bộ Thôn 9"), code="A1X", kind=Kind.CELL
    )
    assert Organization.objects.get(pk=created.pk).name == "Chi bộ Thôn 9"  # stored NFC


def test_a_search_with_invisible_characters_still_finds(world, client):
    client.force_login(world.staff)
    for query in (
        f"bien{ZWSP} son",
        f"Bi{SOFT_HYPHEN}ên Sơn",
        unicodedata.normalize("NFD", "Biên Sơn"),
        f"{RLO}bien son",
    ):
        response = client.get(reverse("organizations:tree"), {"q": query})
        assert [org.code for org, _path in response.context["results"]] == ["A1"], query
        response = api(world.staff).get("/api/v1/organizations/", {"search": query})
        assert [r["code"] for r in response.json()["results"]] == ["A1"], query
    response = client.get(reverse("organizations:tree"), {"q": ZWSP})
    assert "results" not in response.context and "tops" in response.context  # an invisible query is no query


def test_the_admin_search_reads_the_term_as_the_pages_do(world, client):
    client.force_login(world.admin)
    for query in (f"Biên{ZWSP} Sơn", "bien son"):
        response = client.get(reverse("admin:organizations_organization_changelist"), {"q": query})
        assert [org.code for org in response.context["cl"].result_list] == ["A1"], query


# ---------------------------------------------------------------- issue 12 re-probe: blanks, scripts

CYRILLIC_T = "Chi bộ \u0422hôn 1"  # Cyrillic Т: reads "Chi bộ Thôn 1"
SCRIPT_REFUSAL = (
    "Tên có chữ “Т” (U+0422, CYRILLIC CAPITAL LETTER TE) không phải chữ Latinh: hãy gõ lại bằng bàn phím tiếng Việt."
)


def test_a_blank_braille_pattern_makes_no_second_sibling(world):
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        services.organization_create(
            parent=world.commune_a, name="Chi bộ\u2800Thôn 1", code="A1X", kind=Kind.CELL, by=world.staff
        )
    assert "Đã có tổ chức “Chi bộ Thôn 1”" in " ".join(info.value.messages)
    assert snapshot() == before


def test_a_name_with_a_letter_of_another_script_is_refused_everywhere(world, client):
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        services.organization_create(
            parent=world.commune_a, name=CYRILLIC_T, code="A1X", kind=Kind.CELL, by=world.staff
        )
    assert info.value.message_dict["name"] == [SCRIPT_REFUSAL]
    with pytest.raises(ValidationError):
        services.organization_update(organization=world.cell_a2, name="Chi bộ \u03a4rường", by=world.staff)  # Greek Τ
    client.force_login(world.staff)
    response = client.post(
        reverse("organizations:create", args=[world.commune_a.pk]),
        {"name": CYRILLIC_T, "code": "A1X", "kind": "cell", "sector": "residential", "position": 0},
    )
    assert response.status_code == 200 and SCRIPT_REFUSAL in response.content.decode()
    response = api(world.staff).post(
        "/api/v1/organizations/",
        {"code": "A1X", "name": CYRILLIC_T, "kind": "cell", "parent": world.commune_a.pk},
        format="json",
    )
    assert response.status_code == 400 and response.json()["name"] == [SCRIPT_REFUSAL], response.json()
    response = api(world.staff).patch(f"/api/v1/organizations/{world.cell_a2.pk}/", {"name": CYRILLIC_T}, format="json")
    assert response.status_code == 400 and response.json()["name"] == [SCRIPT_REFUSAL], response.json()
    assert snapshot() == before
