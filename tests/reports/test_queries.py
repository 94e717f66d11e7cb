"""The roll-up costs the same number of SQL queries whatever the size of the tree."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Kind, Role
from reports.selectors import progress_report
from tests.factories import OrganizationFactory, UserFactory, grant

from .factories import admit, plan

# Whether the structure changed; organizations with their tallies; the quotas allocated; and, as a cell
# of the tree closed during 2025, the quotas of closed allocators (without a change: three).
QUERIES = 4


def grow(tree, communes: int, cells: int):
    """Add `communes` communes with `cells` cells each, quotas at both levels and admissions."""
    allocation = {}
    for i in range(communes):
        commune = OrganizationFactory(
            name=f"Đảng bộ xã Thêm {i}", code=f"T-N{i}", kind=Kind.COMMUNE, parent=tree.district, position=10 + i
        )
        allocation[commune] = (4, 1, 1, 1, 1)
        cell_quotas = {}
        for j in range(cells):
            cell = OrganizationFactory(name=f"Chi bộ {i}.{j}", code=f"T-N{i}-{j}", parent=commune)
            cell_quotas[cell] = 1
            admit(cell, f"2025-0{1 + j % 6}-1{j % 9}")
        plan(commune, f"{i}-KH/ĐU", cell_quotas)
    plan(tree.district, "99-KH/HU", allocation, issued_on="2025-03-01")


@pytest.mark.parametrize("detail", [False, True])
def test_query_count_does_not_grow_with_the_tree(tree, django_assert_num_queries, detail):
    with django_assert_num_queries(QUERIES):
        small = progress_report(organization=tree.province, year=2025, quarter=2, detail=detail)
    with django_assert_num_queries(QUERIES):
        progress_report(organization=tree.district, year=2025, quarter=2, detail=detail)
    grow(tree, communes=6, cells=5)
    tree.province.refresh_from_db()  # lft/rght moved as the tree grew
    tree.district.refresh_from_db()
    with django_assert_num_queries(QUERIES):
        large = progress_report(organization=tree.province, year=2025, quarter=2, detail=detail)
    with django_assert_num_queries(QUERIES):
        district = progress_report(organization=tree.district, year=2025, quarter=2, detail=detail)
    assert len(district.rows) == 4 + 6
    assert large.total.admitted_by_quarter[0] > small.total.admitted_by_quarter[0]
    if detail:
        assert large.line_count == small.line_count + 6 + 6 * 5


def test_dashboard_page_queries_do_not_grow(tree, client, django_assert_max_num_queries):

    client.force_login(grant(UserFactory(username="tochuc"), tree.province, Role.STAFF))
    url = reverse("reports:dashboard", args=[tree.district.pk]) + "?year=2025&quarter=2"
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(tree, communes=6, cells=5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('class="bar ') == 4 + 6 + 2 + 1  # rows, two "Cộng", the total
