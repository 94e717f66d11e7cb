"""The lists' text search (`?q=` on the board, the admissions list and the API lists) reads the
folded name only, never the birth date kept beside it in identity_key: `?q=2000-04` would otherwise
narrow down anyone's birth date, year, month and day, without a trace in the personal-data log."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from .factories import make_admission, make_candidate

D = datetime.date
pytestmark = pytest.mark.django_db
BIRTH_DATE_QUERIES = ("1996", "1996-03", "1996-03-14", "03-14", "|1996", "an|1996")


def _page_names(client, url_name, query) -> list[str]:
    response = client.get(reverse(url_name), {"q": query})
    assert response.status_code == 200
    return sorted(row.full_name for row in response.context["filter"].qs)


def _api_names(user, path, query) -> list[str]:
    client = APIClient()
    client.force_authenticate(user)
    return [row["full_name"] for row in client.get(path, {"q": query}).data["results"]]


def test_a_birth_date_finds_nobody_and_a_name_still_does(world):
    make_candidate(world.cell_a, full_name="Trần Văn An", birth_date=D(1996, 3, 14))
    make_admission(world.cell_a, full_name="Lê Thị An", birth_date=D(1996, 3, 14), decision_number="9-QĐ/HU")
    client = Client()
    client.force_login(world.staff)
    for query in BIRTH_DATE_QUERIES:
        assert _page_names(client, "candidates:index", query) == [], query
        assert _page_names(client, "candidates:admissions", query) == [], query
        assert _api_names(world.staff, "/api/v1/candidates/", query) == [], query
        assert _api_names(world.staff, "/api/v1/admissions/", query) == [], query
    assert _page_names(client, "candidates:index", "tran an") == ["Trần Văn An"]
    assert _page_names(client, "candidates:admissions", "le AN") == ["Lê Thị An"]
    assert _page_names(client, "candidates:admissions", "9-QĐ") == ["Lê Thị An"]  # decision numbers still found
    assert _api_names(world.staff, "/api/v1/admissions/", "thi an") == ["Lê Thị An"]


def test_digits_in_a_name_are_still_found(world):
    make_candidate(world.cell_a, full_name="Nguyễn Thị Demo 1996", birth_date=D(2001, 1, 2))
    make_candidate(world.cell_a, full_name="Phạm Văn Khác", birth_date=D(1996, 5, 6))
    client = Client()
    client.force_login(world.staff)
    assert _page_names(client, "candidates:index", "1996") == ["Nguyễn Thị Demo 1996"]


def test_the_admin_search_does_not_read_the_birth_date_either(world):
    make_candidate(world.cell_a, full_name="Trần Văn An", birth_date=D(1996, 3, 14))
    make_admission(world.cell_a, full_name="Lê Thị An", birth_date=D(1996, 3, 14), decision_number="9-QĐ/HU")
    client = Client()
    client.force_login(world.superuser)
    for model in ("candidate", "admission"):
        url = reverse(f"admin:candidates_{model}_changelist")
        assert client.get(url, {"q": "1996-03"}).context["cl"].result_count == 0, model
        assert client.get(url, {"q": "An"}).context["cl"].result_count == 1, model
