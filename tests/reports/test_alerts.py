"""Alerts, one test per kind on a hand-built subtree of district A (today = 10/05/2026), the leader's
view without personal data, and the list page and its .xlsx."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import load_workbook

from candidates.choices import Step
from organizations.models import MembershipFigure
from reports.alerts import AlertKind, organization_alerts
from tests.candidates.factories import make_candidate

from .factories import admit, plan

D = datetime.date
TODAY = D(2026, 5, 10)


@pytest.fixture
def attention(world):
    w = world
    admit(w.cell_a, "2026-02-01")  # recent: A1C is not stalled
    admit(w.cell_a2, "2023-05-10")  # exactly 3 years before today: stalled
    # school A2 never admitted anyone: stalled
    plan(w.district_a, "1-KH/HU", {w.commune_a: (4, 1, 1, 1, 1), w.school_a: (2, 0, 0, 1, 1)}, year=2026)
    MembershipFigure.objects.create(
        organization=w.cell_a, as_of=D(2025, 1, 1), member_count=12, official_member_count=10
    )
    MembershipFigure.objects.create(organization=w.cell_a, as_of=D(2026, 1, 1), member_count=8, official_member_count=7)
    MembershipFigure.objects.create(
        organization=w.cell_a2, as_of=D(2024, 1, 1), member_count=5, official_member_count=5
    )
    MembershipFigure.objects.create(
        organization=w.cell_a2, as_of=D(2026, 1, 1), member_count=9, official_member_count=9
    )
    # Overdue: the cell resolved on 19/05/2025, the decision was due 60 working days later.
    w.overdue = make_candidate(w.cell_a, step=Step.CELL_RESOLUTION, full_name="Lê Văn Quá Hạn")
    # Certificates of 01/06/2021 (expires 01/06/2026: within 3 months) and 01/09/2021 (not yet).
    early = {Step.SYMPATHIZER: D(2021, 5, 3), Step.AWARENESS_CLASS: D(2021, 6, 1)}
    w.expiring = make_candidate(w.cell_a2, step=Step.AWARENESS_CLASS, dates=early, full_name="Phạm Thị Sắp Hết")
    later = {Step.SYMPATHIZER: D(2021, 8, 2), Step.AWARENESS_CLASS: D(2021, 9, 1)}
    make_candidate(w.cell_a2, step=Step.AWARENESS_CLASS, dates=later, full_name="Vũ Văn Còn Hạn")
    make_candidate(w.cell_b, step=Step.CELL_RESOLUTION, full_name="Ngoài Phạm Vi")  # district B
    return w  # fmt: skip


def _by_kind(alerts, kind):
    return [a for a in alerts if a.kind == kind]


def test_stalled_cells(attention):
    alerts = _by_kind(organization_alerts(user=attention.staff, organization=attention.district_a, today=TODAY),
                      AlertKind.STALLED_CELL)  # fmt: skip
    assert [(a.organization_id, a.on) for a in alerts] == [(attention.cell_a2.pk, D(2023, 5, 10)),
                                                          (attention.school_a.pk, None)]  # fmt: skip
    assert alerts[1].message == "Chưa ghi nhận đảng viên nào được kết nạp"
    assert alerts[0].url == f"/candidates/?organization={attention.cell_a2.pk}"


def test_cells_below_nine_members_by_their_latest_figure(attention):
    alerts = _by_kind(organization_alerts(user=attention.staff, organization=attention.district_a, today=TODAY),
                      AlertKind.SMALL_CELL)  # fmt: skip
    assert [(a.organization_id, a.message) for a in alerts] == [
        (attention.cell_a.pk, "8 đảng viên (tính đến ngày 01/01/2026)")
    ]
    assert alerts[0].url == f"/organizations/{attention.cell_a.pk}/figures/"


def test_organizations_behind_their_cumulative_quarterly_target(attention):
    """Q2 2026: commune A1 has 1 of its 2 by the end of Q2 (behind); the school 0 of 0 (on track)."""
    alerts = _by_kind(organization_alerts(user=attention.staff, organization=attention.district_a, today=TODAY),
                      AlertKind.BEHIND_TARGET)  # fmt: skip
    assert [(a.organization_id, a.message) for a in alerts] == [
        (attention.commune_a.pk, "Lũy kế 1 / chỉ tiêu đến hết quý 2 (chỉ tiêu năm 4)")
    ]
    assert alerts[0].url == f"/reports/{attention.commune_a.pk}/?year=2026&quarter=2"


def test_overdue_candidates_and_expiring_certificates_with_names_for_staff(attention):
    alerts = organization_alerts(user=attention.staff, organization=attention.district_a, today=TODAY)
    overdue = _by_kind(alerts, AlertKind.OVERDUE_CANDIDATE)
    assert [(a.person, a.url) for a in overdue] == [("Lê Văn Quá Hạn", f"/candidates/{attention.overdue.pk}/")]
    expiring = _by_kind(alerts, AlertKind.CERTIFICATE_EXPIRING)
    assert [(a.person, a.on) for a in expiring] == [("Phạm Thị Sắp Hết", D(2026, 6, 1))]
    assert "hết hạn ngày 01/06/2026" in expiring[0].message


def test_a_leader_gets_counts_per_cell_without_names(attention):
    alerts = organization_alerts(user=attention.leader, organization=attention.district_a, today=TODAY)
    people = _by_kind(alerts, AlertKind.OVERDUE_CANDIDATE) + _by_kind(alerts, AlertKind.CERTIFICATE_EXPIRING)
    assert [(a.kind, a.organization_id, a.person, a.message) for a in people] == [
        (AlertKind.OVERDUE_CANDIDATE, attention.cell_a.pk, "", "1 quần chúng"),
        (AlertKind.CERTIFICATE_EXPIRING, attention.cell_a2.pk, "", "1 quần chúng"),
    ]


def test_the_secretary_sees_names_only_in_their_own_cell(attention):
    alerts = organization_alerts(user=attention.secretary, organization=attention.commune_a, today=TODAY)
    people = _by_kind(alerts, AlertKind.OVERDUE_CANDIDATE) + _by_kind(alerts, AlertKind.CERTIFICATE_EXPIRING)
    assert [(a.organization_id, a.person, a.message.endswith("quần chúng")) for a in people] == [
        (attention.cell_a.pk, "Lê Văn Quá Hạn", False),
        (attention.cell_a2.pk, "", True),
    ]


def test_alert_queries_are_bounded(attention, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        organization_alerts(user=attention.staff, organization=attention.district_a, today=TODAY)


def test_list_page_filter_and_xlsx(attention, client):
    client.force_login(attention.staff)
    page = client.get(f"/reports/{attention.district_a.pk}/alerts/?kind=small_cell")
    assert page.status_code == 200
    html = page.content.decode()
    assert "8 đảng viên" in html and "Chưa ghi nhận đảng viên nào" not in html
    xlsx = client.get(f"/reports/{attention.district_a.pk}/alerts.xlsx?kind=stalled_cell")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(min_row=4, values_only=True))
    assert [row[2] for row in rows] == ["Chi bộ Thôn 2", "Chi bộ Trường THPT số 1"]
    section = client.get(f"/reports/{attention.district_a.pk}/alerts/section/")
    assert "Cần chú ý" in section.content.decode()
    bad = client.get(f"/reports/{attention.district_a.pk}/alerts/?kind=nonsense")
    assert bad.status_code == 400


def test_dashboard_loads_the_alert_section(attention, client):
    client.force_login(attention.staff)
    html = client.get(f"/reports/{attention.district_a.pk}/").content.decode()
    assert f'hx-get="/reports/{attention.district_a.pk}/alerts/section/"' in html
