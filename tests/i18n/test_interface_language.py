"""The English interface says years, figures and labels in English (2026, 1,234.5, 88.0%), the
Vietnamese one in Vietnamese (1.234,5 and 88,0%); the biểu (PDF, .xlsx) stay Vietnamese whatever the
interface language, with Vietnamese sheet titles."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from candidates.choices import Status, Step
from candidates.models import Candidate
from partytrack.documents import in_official_language
from partytrack.figures import interface_number, interface_percent
from partytrack.history import ReadableHistoryContextHelper
from quotas import selectors as quota_selectors
from quotas.models import Plan, Quota
from tests.candidates.factories import make_candidate
from tests.reports.factories import admit

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _client(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    return client


@pytest.fixture
def plan_2026(world):
    plan = Plan.objects.create(
        organization=world.district_a,
        number="72-KH/HU",
        title="Kết nạp đảng viên năm 2026",
        start_year=2026,
        end_year=2026,
        target=12560,
    )
    Quota.objects.create(plan=plan, organization=world.commune_a, year=2026, total=5, q1=2, q2=1, q3=1, q4=1)
    quota = Quota.objects.get(plan=plan)
    quota.total, quota.q4 = 200, 196
    quota.save()  # a second history row
    admit(world.cell_a, "2026-11-05")
    return plan


def test_numbers_follow_the_active_language_and_documents_stay_vietnamese():
    with translation.override("en"):
        assert interface_number(1234.5, 1) == "1,234.5" and interface_percent(88) == "88.0%"
        assert interface_number(None) == "—" and interface_number(-12555) == "-12,555"
        assert in_official_language(lambda: interface_percent(88))() == "88,0%"
    with translation.override("vi"):
        assert interface_number(1234.5, 1) == "1.234,5" and interface_percent(88) == "88,0%"


def test_english_pages_never_group_the_digits_of_a_year(world, plan_2026):
    client = _client(world.staff, "en")
    pk = world.district_a.pk
    for url in (
        "/quotas/",
        f"/quotas/{pk}/2026/",
        f"/reports/{pk}/?year=2026&quarter=4",
        f"/quotas/{pk}/2026/import/",
        f"/quotas/{pk}/2026/history/",
        f"/quotas/{pk}/plans/",
        f"/quotas/plans/{plan_2026.pk}/",
    ):
        text = _text(client.get(url))
        assert "Log out" in text, url  # the interface is English
        assert not re.search(r"\b20[0-9],[0-9]{3}\b", text), url  # no "2,026", "2,025"...
    allocation = _text(client.get(f"/quotas/{pk}/2026/"))
    assert "Quota allocation 2026" in allocation and "2027 ›" in allocation
    assert "12,560" in allocation and "12.560" not in allocation  # the plan's target
    assert "≥ 12,560: difference -12,360" in allocation  # the warning of the grid, figures formatted
    assert "1.5%" in allocation and "1,5%" not in allocation  # cumulative by quarter
    dashboard = _text(client.get(f"/reports/{pk}/?year=2026&quarter=4"))
    assert "QIV 2026" in dashboard and "0,5%" not in dashboard and "0.5%" in dashboard
    assert "Import quota allocation table 2026" in _text(client.get(f"/quotas/{pk}/2026/import/"))


def test_vietnamese_pages_keep_vietnamese_figures(world, plan_2026):
    client = _client(world.staff, "vi")
    allocation = _text(client.get(f"/quotas/{world.district_a.pk}/2026/"))
    assert "Giao chỉ tiêu năm 2026" in allocation and "≥ 12.560" in allocation
    assert "là 200, chỉ tiêu chung của kế hoạch là ≥ 12.560: chênh lệch -12.360" in allocation
    assert "2,026" not in allocation and "2.026" not in allocation


def test_grid_warnings_format_their_figures_in_the_interface_language(world, plan_2026):
    big = Plan.objects.create(
        organization=world.province, number="1-KH/TU", title="x", start_year=2026, end_year=2026, target=200
    )
    Quota.objects.create(plan=big, organization=world.district_a, year=2026, total=12560)
    with translation.override("vi"):
        allocation = quota_selectors.allocation_for(organization=world.district_a, year=2026, plan=plan_2026)
        assert any("Huyện ủy Lục Ngạn 12.560: chênh lệch -12.360." in w for w in allocation.warnings)
    with translation.override("en"):
        allocation = quota_selectors.allocation_for(organization=world.district_a, year=2026, plan=plan_2026)
        assert any("12,560" in w and "-12,360" in w for w in allocation.warnings)


def test_quota_history_and_import_form_in_english(world, plan_2026):
    client = _client(world.staff, "en")
    history = _text(client.get(f"/quotas/{world.district_a.pk}/2026/history/"))
    assert "Total: 5 → 200" in history and "Q4: 1 → 196" in history and "Tổng số" not in history
    page = _text(client.get(f"/quotas/{world.district_a.pk}/2026/import/"))
    assert "Table file (.xlsx)" in page and "Tệp biểu" not in page and "Biểu tải về" not in page


def test_statistics_page_in_english_biểu_in_vietnamese(world, plan_2026):
    client = _client(world.staff, "en")
    pk, query = world.district_a.pk, "?kind=quarter&year=2026&number=4"
    page = _text(client.get(f"/reports/{pk}/statistics/{query}"))
    for vietnamese in ("Quý IV năm 2026", "Tổng số đảng viên mới kết nạp", "Trong đó", "Dân tộc thiểu số",
                       "Chia theo nghề nghiệp", "Chia theo tuổi đời", "Trình độ", "Từ 18 đến 30 tuổi"):  # fmt: skip
        assert vietnamese not in page, vietnamese
    for english in ("QIV 2026", "Total newly admitted party members", "Of whom:", "Ethnic minorities",
                    "By occupation:", "Aged 18 to 30", "Average age"):  # fmt: skip
        assert english in page, english

    pdf = client.get(f"/reports/{pk}/statistics.pdf{query}")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Quý IV năm 2026" in text and "Tổng số đảng viên mới kết nạp" in text and "Average age" not in text
    workbook = load_workbook(io.BytesIO(client.get(f"/reports/{pk}/statistics.xlsx{query}").content))
    assert workbook.active.title == "Đảng viên mới kết nạp"
    labels = {row[1] for row in workbook.active.iter_rows(values_only=True) if row[1]}
    assert "Tổng số đảng viên mới kết nạp" in labels and "    Từ 18 đến 30 tuổi" in labels


def test_submission_periods_in_english(world, plan_2026):
    page = _text(_client(world.staff, "en").get(f"/reports/{world.district_a.pk}/submissions/?kind=month&year=2026"))
    assert "Tháng 01 năm 2026" not in page and "01/2026" in page
    assert "0,0%" not in page


def test_sheet_titles_are_vietnamese_with_diacritics(world, plan_2026):
    client = _client(world.staff, "en")
    pk = world.district_a.pk
    alerts = load_workbook(io.BytesIO(client.get(f"/reports/{pk}/alerts.xlsx").content))
    assert alerts.active.title == "Cảnh báo"
    progress = client.get(f"/reports/{pk}/progress.xlsx", {"year": 2026, "quarter": 4})
    assert load_workbook(io.BytesIO(progress.content)).active.title == "Quý IV-2026"


def test_admin_history_changes_show_choice_labels_and_dates(world):
    candidate = make_candidate(world.cell_a, by=world.secretary)
    Candidate.objects.filter(pk=candidate.pk).update(step=Step.AWARENESS_CLASS)
    candidate.refresh_from_db()
    candidate.step, candidate.status = Step.APPLICATION, Status.WITHDRAWN
    candidate.closed_on = datetime.date(2026, 3, 4)
    candidate.save()
    new, old = candidate.history.order_by("-history_id")[:2]
    old.step = Step.AWARENESS_CLASS
    delta = new.diff_against(old, foreign_keys_are_objs=True)
    with translation.override("vi"):
        helper = ReadableHistoryContextHelper(Candidate, new)
        changes = {str(c["field"]): (c["old"], c["new"]) for c in helper.context_for_delta_changes(delta)}
    assert changes["Bước"] == ("Học lớp nhận thức về Đảng", "Làm hồ sơ")
    assert changes["Trạng thái"] == ("Đang theo dõi", "Đã rút khỏi danh sách")
    assert changes["Ngày kết thúc"] == ("—", "04/03/2026")


def test_the_admin_history_page_shows_labels_not_stored_values(world, client):
    """/admin/…/history/: "Bước: Làm hồ sơ", not "application" (partytrack.admin.HistoryAdmin)."""
    candidate = make_candidate(world.cell_a, by=world.secretary)
    candidate.step = Step.APPLICATION
    candidate.save()
    client.force_login(world.superuser)
    html = client.get(f"/admin/candidates/candidate/{candidate.pk}/history/").content.decode()
    assert "Làm hồ sơ" in html and "→ application" not in html and ">application<" not in html


def test_vietnamese_dates_read_dd_mm_yyyy_in_the_admin_too(world, client):
    """Django's Vietnamese format prints "Ngày 26 tháng 10 năm 2026"; offices write 26/10/2026
    (partytrack/formats/vi). Typed dates are read the same way, and years stay ungrouped."""
    from organizations.models import Organization

    Organization.objects.filter(pk=world.cell_a.pk).update(valid_from=datetime.date(2026, 10, 26))
    client.force_login(world.superuser)
    with translation.override("vi"):
        html = client.get(f"/admin/organizations/organization/{world.cell_a.pk}/history/").content.decode()
        changelist = client.get("/admin/organizations/organization/").content.decode()
        assert formats.date_format(datetime.date(2026, 10, 26)) == "26/10/2026"
        assert forms.DateField().clean("26/10/2026") == datetime.date(2026, 10, 26)
        assert formats.localize(2026) == "2026"
    assert "26/10/2026" in changelist and "Ngày 26 tháng 10 năm 2026" not in changelist + html


def test_history_models_are_named_in_the_interface_language():
    from candidates.models import Admission

    history = Admission.history.model._meta
    with translation.override("vi"):
        assert str(history.verbose_name) == "lịch sử kết nạp"
    with translation.override("en"):
        assert str(history.verbose_name) == "history of admission"
