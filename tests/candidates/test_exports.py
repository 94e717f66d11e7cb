"""The personal-data export log: every download of a file that names candidates is recorded."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from candidates.choices import Step
from candidates.models import PersonalDataAccess

from .factories import make_admission, make_candidate

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell]


def test_downloading_the_admissions_is_logged(world, client):
    make_admission(world.cell_a, full_name="Đã Kết Nạp Văn A")
    client.force_login(world.secretary)
    response = client.get(reverse("candidates:admissions_xlsx"))
    assert response.status_code == 200 and "Đã Kết Nạp Văn A" in _names(response)
    log = PersonalDataAccess.objects.get()
    assert (log.kind, log.user, log.person_count) == (PersonalDataAccess.Kind.ADMISSIONS_XLSX, world.secretary, 1)


def test_downloading_the_alerts_with_candidates_names_is_logged(world, client):
    make_candidate(world.cell_a, step=Step.REVIEW, full_name="Quá Hạn Văn A")  # decision due in 2025: overdue
    make_candidate(world.school_a, step=Step.CEREMONY, full_name="Quá Hạn Thị B")
    url = reverse("monitoring:alerts-xlsx", args=[world.district_a.pk])
    client.force_login(world.staff)
    response = client.get(url, {"kind": "overdue_candidate"})
    assert response.status_code == 200
    names = _names(response)
    assert "Quá Hạn Văn A" in names and "Quá Hạn Thị B" in names
    log = PersonalDataAccess.objects.get()
    assert log.kind == PersonalDataAccess.Kind.ALERTS_XLSX
    assert (log.user, log.organization, log.person_count) == (world.staff, world.district_a, 2)
    assert "Quần chúng quá hạn ở một bước" in log.filters
    # The log page of the subtree's administrator shows it (not the staff's: the log is no check on
    # those who can browse it).
    assert client.get(reverse("candidates:personal_data_log")).status_code == 404
    client.force_login(world.admin)
    page = client.get(reverse("candidates:personal_data_log")).content.decode()
    assert "Cảnh báo (.xlsx)" in page
    # A leader's file counts candidates per cell without names: nothing personal, nothing logged.
    client.force_login(world.leader)
    response = client.get(url, {"kind": "overdue_candidate"})
    assert response.status_code == 200
    assert "Quá Hạn Văn A" not in _names(response)
    assert PersonalDataAccess.objects.count() == 1
    # Nor is a file without candidates (the cells' alerts only) logged.
    client.force_login(world.staff)
    assert client.get(url, {"kind": "small_cell"}).status_code == 200
    assert PersonalDataAccess.objects.count() == 1
