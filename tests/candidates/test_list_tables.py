"""The admissions list and the personal-data access log as django-tables2 tables: pages and sort links
keep the filter, the table's own parameters are not filters, bad parameters are no server error, and the
query count does not grow with the rows."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates import services
from candidates.models import PersonalDataAccess

from .factories import make_admission

pytestmark = pytest.mark.django_db
URL = reverse("candidates:admissions")


def names(response) -> list[str]:
    return [row.record.full_name for row in response.context["table"].page.object_list]


@pytest.fixture
def three(world):
    return [make_admission(world.cell_a, full_name=f"Người {letter}") for letter in "CAB"]


def test_pages_keep_the_filter(world, client, three):
    make_admission(world.cell_a, full_name="Năm Khác", admitted_on=datetime.date(2021, 3, 1))
    client.force_login(world.secretary)
    first = client.get(URL, {"year": 2022, "per_page": 2, "sort": "full_name"})
    assert first.status_code == 200 and names(first) == ["Người A", "Người B"]
    html = first.content.decode()
    next_link = re.search(r'<a href="\?([^"]*)" rel="next">', html).group(1).replace("&amp;", "&")
    assert sorted(next_link.split("&")) == ["page=2", "per_page=2", "sort=full_name", "year=2022"]
    assert "Trang 1 / 2" in html
    assert names(client.get(f"{URL}?{next_link}")) == ["Người C"]  # not "Năm Khác", of 2021
    assert "style=" not in html  # the strict CSP: no inline style


def test_headers_sort_and_the_table_parameters_are_no_filter(world, client, three):
    services.admission_cancel(admission=three[0], reason="Ghi nhầm", by=world.staff)
    client.force_login(world.secretary)
    response = client.get(URL, {"page": 1, "sort": "-full_name"})
    # A filter would show the cancelled one and open the filter box; the table's parameters do neither.
    assert names(response) == ["Người B", "Người A"]
    html = response.content.decode()
    assert '<details class="filters card">' in html
    assert 'href="?page=1&amp;sort=full_name">Họ và tên</a>' in html
    cancelled = client.get(URL, {"cancelled": "true", "page": 1})
    assert names(cancelled) == ["Người C"]
    assert '<tr class="voided ' in cancelled.content.decode()
    xlsx = re.search(r'href="([^"]*admissions\.xlsx[^"]*)"', cancelled.content.decode()).group(1)
    assert xlsx == reverse("candidates:admissions_xlsx") + "?cancelled=true"  # without the table's parameters


@pytest.mark.parametrize(
    "query", ["per_page=0", "per_page=-3", "page=abc", "page=99", "sort=bogus", "sort=cancelled_at"]
)
def test_bad_table_parameters_are_no_server_error(world, client, three, query):
    client.force_login(world.secretary)
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200 and sorted(names(response)) == ["Người A", "Người B", "Người C"]


def test_a_page_asks_for_at_most_500_rows(world, client, three):
    client.force_login(world.secretary)
    assert client.get(URL, {"per_page": 10**9}).context["table"].paginator.per_page == 500


def test_the_query_count_does_not_grow_with_the_rows(world, client):
    client.force_login(world.secretary)
    make_admission(world.cell_a)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for _ in range(4):
        make_admission(world.cell_a)
    with CaptureQueriesContext(connection) as five:
        response = client.get(URL)
    assert len(response.context["table"].page.object_list) == 5
    assert len(five) == len(one)


def test_an_empty_list_says_so(world, client):
    client.force_login(world.secretary)
    assert '<td colspan="5" class="muted">Chưa có kết nạp nào.</td>' in client.get(URL).content.decode()


def log(world, n: int, **fields) -> None:
    for i in range(n):
        PersonalDataAccess.objects.create(
            user=world.secretary,
            kind=PersonalDataAccess.Kind.ADMISSION_PAGE,
            path=f"/candidates/admissions/{i}/",
            organization=world.cell_a,
            person_count=i + 1,
            **fields,
        )


def test_the_access_log_has_pages_instead_of_a_silent_cut(world, client):
    log(world, 3, subject_hash="abcdef0123456789")
    client.force_login(world.admin)
    url = reverse("candidates:personal_data_log")
    with CaptureQueriesContext(connection) as first:
        response = client.get(url, {"per_page": 2, "sort": "person_count"})
    rows = [row.record.person_count for row in response.context["table"].page.object_list]
    html = response.content.decode()
    assert rows == [1, 2] and "Trang 1 / 2" in html and 'href="?per_page=2&amp;sort=person_count&amp;page=2"' in html
    assert "<code>/candidates/admissions/0/</code>" in html and "#abcdef01" in html and 'class="num"' in html
    log(world, 2)
    with CaptureQueriesContext(connection) as later:
        client.get(url, {"per_page": 5})
    assert len(later) == len(first)


def test_an_empty_access_log_says_so(world, client):
    client.force_login(world.admin)
    html = client.get(reverse("candidates:personal_data_log")).content.decode()
    assert '<td colspan="6" class="muted">Chưa có lần truy cập nào.</td>' in html
