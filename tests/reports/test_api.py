"""GET /api/v1/organizations/<id>/progress/?year=&quarter= — the issue's shape, hand-computed figures."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from organizations.models import Role
from reports.selectors import current_period
from tests.factories import UserFactory, grant

FIGURES = {
    "quota_total",
    "quota_q1",
    "quota_q2",
    "quota_q3",
    "quota_q4",
    "quota_to_date",
    "admitted_q1",
    "admitted_q2",
    "admitted_q3",
    "admitted_q4",
    "admitted_to_date",
    "percent_total",
    "percent_to_date",
}


@pytest.fixture
def api(tree):
    client = APIClient()
    client.force_authenticate(grant(UserFactory(username="lanhdao"), tree.district, Role.LEADER))
    return client


def url(organization) -> str:
    return reverse("organization-progress", args=[organization.pk])


def test_progress_shape_and_figures(api, tree):
    response = api.get(url(tree.district), {"year": 2025, "quarter": 2})
    assert response.status_code == 200
    data = response.json()
    assert {"organization", "year", "quarter", "rows", "total"} <= set(data)
    assert (data["year"], data["quarter"]) == (2025, 2)
    assert {key: data["organization"][key] for key in ("id", "code", "name")} == {
        "id": tree.district.pk,
        "code": "T-D",
        "name": "Huyện ủy Sông Cầu",
    }
    assert [row["organization"]["code"] for row in data["rows"]] == ["T-X1", "T-X2", "T-X3", "T-S"]
    for row in data["rows"]:
        assert set(row) >= FIGURES and set(row["organization"]) == {"id", "code", "name"}
    one, _two, three, school = data["rows"]
    assert {key: one[key] for key in FIGURES} == {
        "quota_total": 10,
        "quota_q1": 2,
        "quota_q2": 3,
        "quota_q3": 3,
        "quota_q4": 2,
        "quota_to_date": 5,
        "admitted_q1": 2,
        "admitted_q2": 2,
        # Every quarter of the year is a number (30/09 and 01/10 in thôn B), even after the
        # reported quarter; the "to date" figures stop at quarter II.
        "admitted_q3": 1,
        "admitted_q4": 1,
        "admitted_to_date": 4,
        "percent_total": 40.0,
        "percent_to_date": 80.0,
    }
    assert one["status"] == "behind" and three["status"] == "ahead" and school["status"] == "behind"
    assert (three["quota_q1"], three["quota_to_date"], three["quota_to_date_estimated"]) == (None, 2, True)
    assert "organization" not in data["total"]
    assert {key: data["total"][key] for key in ("quota_total", "quota_to_date", "admitted_to_date")} == {
        "quota_total": 22,
        "quota_to_date": 11,
        "admitted_to_date": 7,
    }
    assert (data["total"]["percent_total"], data["total"]["percent_to_date"]) == (31.8, 63.6)
    assert [group["subtotal"]["quota_total"] for group in data["groups"]] == [20, 2]
    assert data["other"] is None


def test_no_quota_is_null(api, tree):
    data = api.get(url(tree.x2), {"year": 2025, "quarter": 3}).json()
    row = data["rows"][0]
    assert (row["quota_total"], row["quota_to_date"], row["percent_total"], row["percent_to_date"]) == (
        None,
        None,
        None,
        None,
    )
    assert row["status"] == "no_quota" and row["admitted_q3"] == 1
    assert data["total"]["quota_total"] is None


def test_defaults_to_the_current_period(api, tree):
    year, quarter = current_period()
    data = api.get(url(tree.district)).json()
    assert (data["year"], data["quarter"]) == (year, quarter)


@pytest.mark.parametrize(
    "params, field", [({"year": "x", "quarter": 1}, "year"), ({"year": 2025, "quarter": 7}, "quarter")]
)
def test_bad_period_is_400(api, tree, params, field):
    response = api.get(url(tree.district), params)
    assert response.status_code == 400
    assert field in response.json()


def test_outside_the_scope_is_404(api, tree):
    assert api.get(url(tree.province), {"year": 2025, "quarter": 1}).status_code == 404


def test_the_schema_documents_the_endpoint(api, tree):
    response = api.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/organizations/{id}/progress/" in response.json()["paths"]
