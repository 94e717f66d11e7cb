"""The API: candidates, their steps and admissions, scoped like the pages."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from candidates.choices import Step
from candidates.models import Admission, Candidate

from .factories import make_admission, make_candidate

D = datetime.date
pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_create_list_and_read_candidates(world):
    client = api(world.secretary)
    response = client.post(
        "/api/v1/candidates/",
        {
            "organization": world.cell_a.pk,
            "full_name": "Qua API Văn A",
            "gender": "male",
            "birth_date": "2001-02-03",
            "listed_on": "2025-01-06",
            "ethnicity": "tay",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["step"] == Step.SYMPATHIZER and response.data["organization"] == world.cell_a.pk
    pk = response.data["id"]
    make_candidate(world.cell_b, full_name="Ngoài Văn B")
    listed = client.get("/api/v1/candidates/").data["results"]
    assert [row["full_name"] for row in listed] == ["Qua API Văn A"]
    assert client.get(f"/api/v1/candidates/{pk}/").data["ethnicity"] == "tay"
    assert client.get("/api/v1/candidates/", {"step": Step.SYMPATHIZER}).data["count"] == 1


def test_a_secretary_gets_404_on_another_cells_candidate(world):
    other = make_candidate(world.cell_a2)
    client = api(world.secretary)
    assert client.get(f"/api/v1/candidates/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/candidates/{other.pk}/steps/").status_code == 404
    response = client.post(f"/api/v1/candidates/{other.pk}/steps/", {"on": "2025-02-10"}, format="json")
    assert response.status_code == 404
    assert not other.events.filter(kind=Step.AWARENESS_CLASS).exists()
    response = client.post(
        "/api/v1/candidates/",
        {"organization": world.cell_a2.pk, "full_name": "X", "gender": "male", "birth_date": "2000-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "organization" in response.data
    assert not Candidate.objects.filter(full_name="X").exists()


def test_recording_steps_through_the_api(world):
    candidate = make_candidate(world.cell_a, step=Step.REFERENCES, birth_date=D(1998, 5, 20))
    client = api(world.secretary)
    response = client.post(
        f"/api/v1/candidates/{candidate.pk}/steps/",
        {
            "step": "cell_resolution",
            "on": "2025-05-19",
            "document_number": "3-NQ/CB",
            "votes_for": 5,
            "voters_total": 9,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "Quy tắc biểu quyết" in response.data["votes_for"][0]
    response = client.post(
        f"/api/v1/candidates/{candidate.pk}/steps/",
        {"on": "2025-05-19", "document_number": "3-NQ/CB", "votes_for": 6, "voters_total": 9},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["step"] == "cell_resolution"
    assert response.data["next_deadline"] == "2025-08-11"
    events = client.get(f"/api/v1/candidates/{candidate.pk}/steps/").data
    assert [event["kind"] for event in events][-1] == "cell_resolution"
    assert events[-1]["votes_for"] == 6


def test_admissions_api_records_and_refuses_duplicates(world, fired):
    client = api(world.staff)
    payload = {
        "organization": world.cell_a.pk,
        "full_name": "Lịch Sử Thị A",
        "gender": "female",
        "birth_date": "1997-07-07",
        "decision_number": "5-QĐ/HU",
        "admitted_on": "2022-05-05",
        "ethnicity": "nung",
        "religion": "none",
        "youth_union_member": True,
        "occupation": "worker",
    }
    response = client.post("/api/v1/admissions/", payload, format="json")
    assert response.status_code == 201, response.data
    assert fired == [({world.cell_a.pk}, {D(2022, 5, 5)})]
    response = client.post("/api/v1/admissions/", {**payload, "full_name": "lich su thi a"}, format="json")
    assert response.status_code == 400 and "đã được kết nạp" in response.data["full_name"][0]
    assert Admission.objects.count() == 1
    rows = client.get("/api/v1/admissions/").data["results"]
    assert rows[0]["occupation"] == "worker" and rows[0]["youth_union_member"] is True


def test_admissions_are_scoped_and_leaders_see_no_personal_data(world):
    inside = make_admission(world.cell_a)
    outside = make_admission(world.cell_b)
    secretary = api(world.secretary)
    assert [row["id"] for row in secretary.get("/api/v1/admissions/").data["results"]] == [inside.pk]
    assert secretary.get(f"/api/v1/admissions/{outside.pk}/").status_code == 404
    make_candidate(world.cell_a)
    leader = api(world.leader)
    assert leader.get("/api/v1/admissions/").data["count"] == 0
    assert leader.get("/api/v1/candidates/").data["count"] == 0
    assert leader.get(f"/api/v1/admissions/{inside.pk}/").status_code == 404


def test_the_candidate_list_is_ordered_like_the_board(world):
    from django.utils import timezone

    from candidates import services

    today = timezone.localdate()

    def days_ago(n):
        return today - datetime.timedelta(days=n)

    def at_resolution(name, on):
        dates = {
            Step.SYMPATHIZER: on - datetime.timedelta(days=120),
            Step.AWARENESS_CLASS: on - datetime.timedelta(days=100),
            Step.APPLICATION: on - datetime.timedelta(days=80),
            Step.VERIFICATION: on - datetime.timedelta(days=40),
            Step.REFERENCES: on - datetime.timedelta(days=20),
            Step.CELL_RESOLUTION: on,
        }
        return make_candidate(world.cell_a, step=Step.CELL_RESOLUTION, dates=dates, full_name=name)

    # Created in the reverse of the expected order, so an order by id would fail.
    none = make_candidate(world.cell_a, full_name="A Chưa Có Hạn")
    later = at_resolution("B Còn Lâu", days_ago(5))
    soon = at_resolution("C Sắp Đến", days_ago(80))
    overdue = at_resolution("D Quá Hạn", days_ago(120))
    older_overdue = make_candidate(world.cell_a, step=Step.REVIEW, full_name="E Quá Hạn Từ 2025")
    closed = make_candidate(world.cell_a, step=Step.APPLICATION, full_name="F Đã Rút")
    services.candidate_close(candidate=closed, outcome="withdrawn", on=D(2025, 4, 1), reason="x", by=None)
    client = api(world.secretary)
    listed = client.get("/api/v1/candidates/").data["results"]
    assert [row["id"] for row in listed] == [
        older_overdue.pk,
        overdue.pk,
        soon.pk,
        later.pk,
        none.pk,
        closed.pk,
    ], [row["full_name"] for row in listed]
    # Filters and pages keep that order.
    page = client.get("/api/v1/candidates/", {"step": Step.CELL_RESOLUTION, "limit": 2, "offset": 1}).data
    assert page["count"] == 3 and [row["id"] for row in page["results"]] == [soon.pk, later.pk]


def test_vote_counts_beyond_any_cell_are_a_400_not_a_server_error(world):
    candidate = make_candidate(world.cell_a, step=Step.CELL_RESOLUTION)
    events = candidate.events.count()
    response = api(world.staff).post(
        f"/api/v1/candidates/{candidate.pk}/steps/",
        {
            "step": "review",
            "on": "2025-05-29",
            "document_number": "1-BC/ĐU",
            "acting_body": "Đảng ủy xã",
            "votes_for": 10**20,
            "voters_total": 10**20,
        },
        format="json",
    )
    assert response.status_code == 400 and set(response.json()) == {"votes_for", "voters_total"}
    assert candidate.events.count() == events


def test_api_errors_are_in_vietnamese_and_a_404_names_no_model(world):
    client = api(world.staff)
    response = client.get("/api/v1/candidates/999999/")
    assert (response.status_code, response.json()) == (404, {"detail": "Không tìm thấy."})
    response = client.post("/api/v1/candidates/", data="{not json", content_type="application/json")
    assert (response.status_code, response.json()) == (400, {"detail": "Dữ liệu gửi lên không phải JSON hợp lệ."})
