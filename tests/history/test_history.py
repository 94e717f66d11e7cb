"""The object history page: who changed what and when, old → new values in readable Vietnamese,
visible exactly to those who see the object; and the log of personal-data exports."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from candidates import services as candidate_services
from candidates.choices import Gender
from candidates.models import PersonalDataAccess
from organizations import services as organization_services
from partytrack.history import history_entries, history_url
from tests.candidates.factories import make_admission, make_candidate
from tests.quotas.scope_cases import _plan

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_organization_change_shows_who_when_and_old_and_new_values(world):
    organization_services.organization_update(organization=world.cell_a, by=world.staff, name="Chi bộ Thôn Mới")
    response = _client(world.leader).get(history_url(world.cell_a))
    assert response.status_code == 200
    newest = response.context["entries"][0]
    assert newest.who == "staff" and newest.kind_label == "Sửa"
    assert [(c.label, c.old, c.new) for c in newest.changes] == [("tên", "Chi bộ Thôn 1", "Chi bộ Thôn Mới")]
    body = response.content.decode()
    assert "Chi bộ Thôn 1 → Chi bộ Thôn Mới" in body


def test_creation_resolves_foreign_keys_and_choices_to_labels(world):
    candidate = make_candidate(world.cell_a, by=world.secretary, gender=Gender.FEMALE)
    created = history_entries(candidate)[-1]
    assert created.kind_label == "Tạo mới" and created.who == "secretary"
    values = {c.label: c.new for c in created.changes}
    assert values["chi bộ"] == "Chi bộ Thôn 1"  # the organization's name, not its id
    assert values["giới tính"] == "Nữ"  # the choice's label, not "female"
    assert values["ngày sinh"] == "20/05/1998"


def test_correction_of_a_candidate_lists_only_the_changed_fields(world):
    candidate = make_candidate(world.cell_a, by=world.secretary)
    candidate_services.candidate_update(
        candidate=candidate, by=world.staff, birth_date=datetime.date(1999, 1, 2), gender=Gender.FEMALE
    )
    newest = history_entries(candidate)[0]
    assert newest.who == "staff"
    assert [(c.label, c.old, c.new) for c in newest.changes] == [
        ("giới tính", "Nam", "Nữ"),
        ("ngày sinh", "20/05/1998", "02/01/1999"),
    ]


def test_cancelled_admission_shows_the_cancellation_and_its_reason(world):
    admission = make_admission(world.cell_a, by=world.secretary)
    candidate_services.admission_cancel(admission=admission, reason="Ghi nhầm người", by=world.staff)
    response = _client(world.staff).get(history_url(admission))
    newest = response.context["entries"][0]
    labels = {c.label: (c.old, c.new) for c in newest.changes}
    assert labels["lý do hủy"] == ("—", "Ghi nhầm người")
    assert labels["hủy lúc"][0] == "—" and labels["hủy lúc"][1] != "—"


def test_plan_history_resolves_the_issuing_organization(world):
    plan = _plan(world.district_a)
    plan._history_user = world.staff
    plan.title = "Kết nạp đảng viên giai đoạn mới"
    plan.save()
    entries = history_entries(plan)
    assert entries[0].changes[0].new == "Kết nạp đảng viên giai đoạn mới"
    assert {c.label: c.new for c in entries[-1].changes}["cấp ủy ban hành"] == "Huyện ủy Lục Ngạn"


def test_history_of_a_model_that_is_not_audited_is_404(world):
    client = _client(world.superuser)
    url = reverse("history:object", args=["auth", "user", world.staff.pk])
    assert client.get(url).status_code == 404


def test_leader_cannot_read_a_candidates_history(world):
    candidate = make_candidate(world.cell_a)
    assert _client(world.leader).get(history_url(candidate)).status_code == 404


def test_history_page_reads_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    candidate = make_candidate(world.cell_a, by=world.secretary)
    for year in range(1990, 2000):
        candidate_services.candidate_update(candidate=candidate, by=world.staff, birth_date=datetime.date(year, 1, 2))
    client = _client(world.staff)
    client.get(history_url(candidate))  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(history_url(candidate))
    assert len(response.context["entries"]) >= 11


@pytest.mark.parametrize(
    "page",
    [
        lambda w: reverse("organizations:detail", args=[w.cell_a.pk]),
        lambda w: reverse("quotas:plan_detail", args=[_plan(w.cell_a).pk]),
        lambda w: reverse("candidates:detail", args=[make_candidate(w.cell_a).pk]),
        lambda w: reverse("candidates:admission_detail", args=[make_admission(w.cell_a).pk]),
    ],
    ids=["organization", "plan", "candidate", "admission"],
)
def test_object_pages_link_to_their_history(world, page):
    response = _client(world.staff).get(page(world))
    assert response.status_code == 200
    assert "/history/" in response.content.decode()
    link = next(line for line in response.content.decode().splitlines() if "/history/" in line)
    target = link.split('href="')[1].split('"')[0]
    assert _client(world.staff).get(target).status_code == 200


# Exports of personal data -----------------------------------------------------------------------


def test_admissions_download_is_recorded_with_who_organization_filter_and_rows(world):
    make_admission(world.cell_a, full_name="Lê Văn Một")
    make_admission(world.cell_a2, full_name="Lê Văn Hai")
    make_admission(world.cell_b, full_name="Ngoài Phạm Vi")
    response = _client(world.staff).get(reverse("candidates:admissions_xlsx"), {"organization": world.cell_a.pk})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["Lê Văn Một"]
    record = PersonalDataAccess.objects.get()
    assert record.user == world.staff and record.organization == world.cell_a
    assert record.person_count == 1 and "Chi bộ Thôn 1" in record.filters
    assert record.kind == PersonalDataAccess.Kind.ADMISSIONS_XLSX


def test_unfiltered_download_stays_in_scope_and_names_the_users_organization(world):
    make_admission(world.cell_a)
    make_admission(world.cell_a2)
    make_admission(world.cell_b)
    response = _client(world.secretary).get(reverse("candidates:admissions_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2  # the header and the secretary's own cell's admission
    record = PersonalDataAccess.objects.get()
    assert (record.user, record.organization, record.person_count, record.filters) == (
        world.secretary,
        world.cell_a,
        1,
        "",
    )


def test_leader_cannot_download_and_nothing_is_recorded(world):
    make_admission(world.cell_a)
    assert _client(world.leader).get(reverse("candidates:admissions_xlsx")).status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_export_log_shows_staff_the_downloads_of_their_subtree_only(world):
    inside = PersonalDataAccess.objects.create(
        user=world.secretary, kind="admissions_xlsx", organization=world.cell_a, person_count=3
    )
    PersonalDataAccess.objects.create(
        user=world.superuser, kind="admissions_xlsx", organization=world.cell_b, person_count=9
    )
    assert _client(world.staff).get(reverse("candidates:personal_data_log")).status_code == 404
    response = _client(world.admin).get(reverse("candidates:personal_data_log"))
    assert [row.record for row in response.context["table"].page.object_list] == [inside]
    assert "Danh sách kết nạp (.xlsx)" in response.content.decode()
