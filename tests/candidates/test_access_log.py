"""The personal-data access log: every read of candidates' or admissions' personal data — API lists
and details, pages, files — is one row (who, when, what, how many people, which subtree), and the
managers of that subtree read it; managers elsewhere do not."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from candidates.models import PersonalDataAccess
from organizations.models import Role
from tests.factories import UserFactory, grant

from .factories import make_admission, make_candidate

pytestmark = pytest.mark.django_db
Kind = PersonalDataAccess.Kind


def listed(response) -> list:
    return [row.record for row in response.context["table"].page.object_list]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_api_list_of_admissions_is_one_row_with_the_number_of_people(world):
    """The review's find: GET /api/v1/admissions/?limit=1000 returned 343 people and logged nothing."""
    admissions = [make_admission(world.cell_a), make_admission(world.cell_a2), make_admission(world.school_a)]
    make_admission(world.cell_b)  # outside the staff's scope: neither returned nor counted
    response = api(world.staff).get("/api/v1/admissions/", {"limit": 1000})
    assert response.status_code == 200 and len(response.data["results"]) == 3
    entry = PersonalDataAccess.objects.get()
    assert (entry.user, entry.kind, entry.person_count) == (world.staff, Kind.ADMISSION_LIST_API, 3)
    assert sorted(entry.person_ids) == sorted(admission.pk for admission in admissions)
    # The lowest organization holding them all: the district, whose managers read the row.
    assert entry.organization == world.district_a
    assert entry.path == "/api/v1/admissions/" and "limit=1000" in entry.filters
    # The next page is another read, of the people it returned.
    api(world.staff).get("/api/v1/admissions/", {"limit": 2, "offset": 2})
    assert PersonalDataAccess.objects.latest("pk").person_count == 1


def test_api_details_and_candidate_lists_are_logged(world):
    admission = make_admission(world.cell_a)
    candidate = make_candidate(world.cell_a2)
    client = api(world.staff)
    assert client.get(f"/api/v1/admissions/{admission.pk}/").status_code == 200
    assert client.get(f"/api/v1/candidates/{candidate.pk}/").status_code == 200
    assert client.get("/api/v1/candidates/").status_code == 200
    entries = list(PersonalDataAccess.objects.order_by("pk").values_list("kind", "organization", "person_ids"))
    assert entries == [
        (Kind.ADMISSION_API, world.cell_a.pk, [admission.pk]),
        (Kind.CANDIDATE_API, world.cell_a2.pk, [candidate.pk]),
        (Kind.CANDIDATE_LIST_API, world.cell_a2.pk, [candidate.pk]),
    ]


def test_refused_and_empty_reads_and_writes_are_not_reads(world):
    other = make_admission(world.cell_b)
    assert api(world.staff).get(f"/api/v1/admissions/{other.pk}/").status_code == 404
    assert api(world.leader).get("/api/v1/admissions/").data["results"] == []  # a leader's list is empty
    response = api(world.secretary).post(
        "/api/v1/candidates/",
        {"organization": world.cell_a.pk, "full_name": "Mới Văn A", "gender": "male", "birth_date": "2000-01-01"},
        format="json",
    )
    assert response.status_code == 201
    assert not PersonalDataAccess.objects.exists()


def test_pages_showing_a_person_are_logged(world):
    candidate = make_candidate(world.cell_a)
    admission = make_admission(world.cell_a)
    client = page(world.secretary)
    urls = [
        (reverse("candidates:detail", args=[candidate.pk]), Kind.CANDIDATE_PAGE),
        (reverse("candidates:edit", args=[candidate.pk]), Kind.CANDIDATE_PAGE),
        (reverse("candidates:admission_detail", args=[admission.pk]), Kind.ADMISSION_PAGE),
        (reverse("history:object", args=["candidates", "admission", admission.pk]), Kind.HISTORY_PAGE),
    ]
    for url, _kind in urls:
        assert client.get(url).status_code == 200
    entries = list(PersonalDataAccess.objects.order_by("pk").values_list("path", "kind", "user", "person_count"))
    assert entries == [(url, kind, world.secretary.pk, 1) for url, kind in urls]
    # A page that only shows answers a write 405, so nothing is shown (or logged) unasked.
    assert client.post(urls[0][0]).status_code == 405
    assert PersonalDataAccess.objects.count() == len(urls)


def test_the_admin_page_of_a_person_is_logged(world):
    admission = make_admission(world.cell_a)
    response = page(world.admin).get(reverse("admin:candidates_admission_change", args=[admission.pk]))
    assert response.status_code == 200
    entry = PersonalDataAccess.objects.get()
    assert (entry.kind, entry.user, entry.person_ids) == (Kind.ADMIN_PAGE, world.admin, [admission.pk])


def test_the_subtrees_administrator_reads_the_log_and_an_administrator_elsewhere_does_not(world):
    make_admission(world.cell_a, full_name="Đọc Qua Api Văn A")
    api(world.secretary).get("/api/v1/admissions/", {"limit": 1000})
    entry = PersonalDataAccess.objects.get()
    url = reverse("candidates:personal_data_log")

    response = page(world.admin).get(url)
    assert response.status_code == 200 and listed(response) == [entry]
    text = response.content.decode()
    assert "API: danh sách kết nạp" in text and "/api/v1/admissions/" in text and "limit=1000" in text

    # Staff of the same subtree read personal data themselves: the log is not theirs to browse (404).
    assert page(world.staff).get(url).status_code == 404
    assert page(world.secretary).get(url).status_code == 404 and page(world.leader).get(url).status_code == 404
    assert listed(page(world.superuser).get(url)) == [entry]

    elsewhere = grant(UserFactory(username="admin_b"), world.district_b, Role.ADMIN)
    response = page(elsewhere).get(url)
    assert response.status_code == 200 and listed(response) == []
    assert "Đọc Qua Api" not in response.content.decode() and "/api/v1/admissions/" not in response.content.decode()
    # Those who may not manage the subtree do not read the log at all.
    assert page(world.secretary).get(url).status_code == 404
    assert page(world.leader).get(url).status_code == 404
