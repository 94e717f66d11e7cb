"""Alerts, one test per kind on a hand-built subtree of district A (today = 10/05/2026), the leader's
view without personal data, and the list page and its .xlsx."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from candidates.choices import Step
from monitoring.alerts import AlertKind, organization_alerts
from monitoring.models import AlertRules
from monitoring.services import alert_rules_update
from organizations.models import MembershipFigure
from quotas.models import Plan, SubTarget
from quotas.signals import quotas_changed
from tests.candidates.factories import make_candidate
from tests.factories import OrganizationFactory
from tests.reports.factories import admit, plan

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
    assert alerts[1].message == (
        "Chưa ghi nhận đảng viên nào được kết nạp; mức theo dõi: từ 3 năm trở lên không kết nạp (mặc định)"
    )
    assert alerts[0].url == f"/candidates/?organization={attention.cell_a2.pk}"


def test_cells_below_nine_members_by_their_latest_figure(attention):
    alerts = _by_kind(organization_alerts(user=attention.staff, organization=attention.district_a, today=TODAY),
                      AlertKind.SMALL_CELL)  # fmt: skip
    assert [(a.organization_id, a.message) for a in alerts] == [
        (attention.cell_a.pk, "8 đảng viên (tính đến ngày 01/01/2026); mức tối thiểu ≥ 9 đảng viên (mặc định)")
    ]
    assert alerts[0].url == f"/organizations/{attention.cell_a.pk}/figures/"


def test_organizations_behind_their_cumulative_quarterly_target(attention):
    """Q2 2026: commune A1 has 1 of its 2 by the end of Q2 (behind); the school 0 of 0 (on track)."""
    alerts = _by_kind(organization_alerts(user=attention.staff, organization=attention.district_a, today=TODAY),
                      AlertKind.BEHIND_TARGET)  # fmt: skip
    assert [(a.organization_id, a.message) for a in alerts] == [
        (attention.commune_a.pk, "Lũy kế 1; chỉ tiêu đến hết quý II: 2 (chỉ tiêu năm 4)")
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
    # Thresholds, cells, plans' cell thresholds; the roll-up (4: whether the structure changed, the
    # organizations with their tallies, the quotas, those of closed allocators) and the committees' own plan targets; pipeline rules,
    # the user's scope; two per candidate alert kind (readable people, counts of the others).
    with django_assert_max_num_queries(14):
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


# ---------------------------------------------------------------- a new cell is not a stalled cell


def test_a_cell_founded_less_than_three_years_ago_is_not_stalled(attention):
    """Today 10/05/2026: 3 years back is 10/05/2023. Thôn Mới, founded 01/09/2024, has admitted nobody
    yet but has existed for 1 year 8 months: not stalled. Thôn Cũ, founded 01/03/2022, has admitted
    nobody in 4 years 2 months: stalled, counted from its founding date."""
    w = attention
    young = OrganizationFactory(name="Chi bộ Thôn Mới", code="A1N", parent=w.commune_a, valid_from=D(2024, 9, 1))
    old = OrganizationFactory(name="Chi bộ Thôn Cũ", code="A1O", parent=w.commune_a, valid_from=D(2022, 3, 1))
    w.district_a.refresh_from_db()
    alerts = _by_kind(organization_alerts(user=w.staff, organization=w.district_a, today=TODAY), AlertKind.STALLED_CELL)
    assert young.pk not in [a.organization_id for a in alerts]
    assert [(a.organization_id, a.on) for a in alerts] == [
        (w.cell_a2.pk, D(2023, 5, 10)), (old.pk, D(2022, 3, 1)), (w.school_a.pk, None)
    ]  # fmt: skip
    assert alerts[1].message.startswith("Chưa ghi nhận đảng viên nào được kết nạp kể từ khi thành lập (01/03/2022)")


def test_a_cell_is_not_stalled_when_a_cell_merged_into_it_admitted_recently(attention):
    """A1D last admitted on 10/05/2023; A1C (admitted 01/02/2026) is merged into it on 01/03/2026 and
    its admissions count for A1D, as in the roll-ups: only the school is left stalled."""
    from organizations import services as org_services

    w = attention
    org_services.organization_merge(sources=[w.cell_a], target=w.cell_a2, on=D(2026, 3, 1), by=None)
    w.district_a.refresh_from_db()
    assert _kinds(w, AlertKind.STALLED_CELL) == [w.school_a.pk]


def test_a_committee_behind_its_own_plan_is_alerted_at_every_level(world):
    """Seed 003's pattern: commune A1 sets itself ≥ 25 for 2026 as 0 / 4 / 11 / 10 and nobody above
    allocated it a quota. On 02/12/2026 (quarter IV) it has 1 of 25: behind, in its own alerts and in
    those of the district and the province above it. The province's report measures district A as
    its reports do, by the sum of its children's quotas (A1's 25, issue 13): behind too."""
    w = world
    own = plan(w.commune_a, "75-KH/ĐU", {}, year=2026, issued_on="2026-03-01")
    Plan.objects.filter(pk=own.pk).update(target=25, target_q1=0, target_q2=4, target_q3=11, target_q4=10)
    quotas_changed.send(sender=Plan, plan_ids={own.pk})  # as plan_update does: the roll-up measures A1 against 25
    admit(w.cell_a, "2026-05-01")
    behind = (w.commune_a.pk, "Lũy kế 1; chỉ tiêu đến hết quý IV: 25 (chỉ tiêu năm 25)")
    for organization, expected in (
        (w.commune_a, [behind]),
        (w.district_a, [behind]),
        (w.province, [(w.district_a.pk, behind[1]), behind]),
    ):
        found = organization_alerts(user=w.superuser, organization=organization, today=D(2026, 12, 2))
        assert [(a.organization_id, a.message) for a in _by_kind(found, AlertKind.BEHIND_TARGET)] == expected, (
            organization
        )


# ---------------------------------------------------------------- thresholds are data


def _kinds(w, kind, organization=None):
    found = organization_alerts(user=w.staff, organization=organization or w.district_a, today=TODAY)
    return [a.organization_id for a in _by_kind(found, kind)]


def test_default_thresholds_come_from_the_settings_row(attention):
    """Defaults 3 years / 9 members / 3 months, as before; then the settings row changes each one."""
    w = attention
    assert AlertRules.current().pk == 1 and not AlertRules.objects.exists()  # defaults without a row
    assert _kinds(w, AlertKind.SMALL_CELL) == [w.cell_a.pk]  # A1C 8 < 9; A1D 9 is not below 9
    alert_rules_update(by=w.superuser, min_cell_members=10)
    assert _kinds(w, AlertKind.SMALL_CELL) == [w.cell_a.pk, w.cell_a2.pk]  # 9 < 10 now
    # A1D last admitted 10/05/2023: 3 years ago today (stalled); with 4 years the limit is 10/05/2022.
    alert_rules_update(by=w.superuser, stalled_cell_years=4)
    assert _kinds(w, AlertKind.STALLED_CELL) == [w.school_a.pk]
    # Certificates valid 60 months: 01/09/2021 expires 01/09/2026, 3 months 22 days from today, so it
    # is within 4 months but not within 3.
    alert_rules_update(by=w.superuser, certificate_expiry_months=4)
    expiring = _by_kind(organization_alerts(user=w.staff, organization=w.district_a, today=TODAY),
                        AlertKind.CERTIFICATE_EXPIRING)  # fmt: skip
    assert [(a.person, a.on) for a in expiring] == [
        ("Phạm Thị Sắp Hết", D(2026, 6, 1)),
        ("Vũ Văn Còn Hạn", D(2026, 9, 1)),
    ]
    assert AlertRules.history.count() == 3  # every change is kept


def test_the_settings_row_refuses_bad_values_and_non_superusers(attention):
    with pytest.raises(PermissionDenied):
        alert_rules_update(by=attention.admin, min_cell_members=5)
    with pytest.raises(ValidationError):
        alert_rules_update(by=attention.superuser, min_cell_members=0)
    assert not AlertRules.objects.exists()
    assert _kinds(attention, AlertKind.SMALL_CELL) == [attention.cell_a.pk]


def test_the_governing_plans_sub_targets_override_the_defaults(attention):
    """District A's 2026 plan 1-KH/HU sets "every cell ≥ 10 members" and "cells that admitted nobody for
    4 years": A1D (9 members) becomes small; A1D (last admission 10/05/2023, 3 years) is no longer
    stalled, the school (never) still is."""
    w = attention
    issued = Plan.objects.get(number="1-KH/HU")
    SubTarget.objects.create(plan=issued, kind=SubTarget.Kind.CELL_MIN_MEMBERS, comparison="gte", value=10)
    SubTarget.objects.create(plan=issued, kind=SubTarget.Kind.STALLED_CELL_YEARS, comparison="gte", value=4)
    found = organization_alerts(user=w.staff, organization=w.district_a, today=TODAY)
    small = _by_kind(found, AlertKind.SMALL_CELL)
    assert [a.organization_id for a in small] == [w.cell_a.pk, w.cell_a2.pk]
    assert small[1].message == (
        "9 đảng viên (tính đến ngày 01/01/2026); mức tối thiểu ≥ 10 đảng viên theo Kế hoạch số 1-KH/HU"
    )
    assert [a.organization_id for a in _by_kind(found, AlertKind.STALLED_CELL)] == [w.school_a.pk]


def test_the_nearest_plan_that_sets_a_threshold_governs_each_cell(attention):
    """District A: ≥ 10 members. Commune A1's own 2026 plan: ≥ 8 members, and nothing on stalled cells.
    A1's cells follow A1's plan: A1C 8 and A1D 9 are not below 8. The school, directly under the district,
    follows the district: 9 < 10. Stalled cells still use the default 3 years (no plan sets it)."""
    w = attention
    SubTarget.objects.create(plan=Plan.objects.get(number="1-KH/HU"), kind=SubTarget.Kind.CELL_MIN_MEMBERS,
                             comparison="gte", value=10)  # fmt: skip
    commune_plan = plan(w.commune_a, "2-KH/ĐU", {w.cell_a: 2}, year=2026)
    SubTarget.objects.create(plan=commune_plan, kind=SubTarget.Kind.CELL_MIN_MEMBERS, comparison="gte", value=8)
    MembershipFigure.objects.create(organization=w.school_a, as_of=D(2026, 1, 1), member_count=9,
                                    official_member_count=9)  # fmt: skip
    assert _kinds(w, AlertKind.SMALL_CELL) == [w.school_a.pk]
    assert _kinds(w, AlertKind.STALLED_CELL) == [w.cell_a2.pk, w.school_a.pk]
    # Seen from the commune, its plan still governs its cells.
    assert _kinds(w, AlertKind.SMALL_CELL, organization=w.commune_a) == []


# ---------------------------------------------------------------- the list's organization filter


def test_list_filter_by_organization_name_without_diacritics(attention, client):
    """The page uses the real date: whatever it is (after 10/05/2026), Thôn 2 is stalled (last admission
    10/05/2023) and Thôn 1 is below 9 members. q="thon 2" keeps only Thôn 2's alerts (its candidates
    too, as overdue or expiring depending on the date); q="zzz" finds nothing; a too-long q is a 400."""
    client.force_login(attention.staff)
    url = f"/reports/{attention.district_a.pk}/alerts/"
    html = client.get(url, {"q": "thon 2"}).content.decode()
    assert "Lần kết nạp gần nhất: 10/05/2023" in html and "Phạm Thị Sắp Hết" in html
    assert "Lê Văn Quá Hạn" not in html and "8 đảng viên" not in html and "Chi bộ Trường THPT số 1" not in html
    unfiltered = client.get(url).content.decode()
    assert "8 đảng viên" in unfiltered and "Chi bộ Trường THPT số 1" in unfiltered
    xlsx = client.get(f"/reports/{attention.district_a.pk}/alerts.xlsx", {"q": "Thôn 2"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(min_row=4, values_only=True))
    assert {row[2] for row in rows} == {"Chi bộ Thôn 2"}
    assert "Lần kết nạp gần nhất: 10/05/2023" in [row[4].split(";")[0] for row in rows]
    empty = client.get(url, {"q": "zzz"}).content.decode()
    assert "Chi bộ Thôn" not in empty.split("<table", 1)[-1]
    assert client.get(url, {"q": "x" * 101}).status_code == 400


def test_an_overdue_file_says_how_old_a_file_may_be(world):
    """File opened 10/03/2025, references on 05/05/2025, no cell resolution by 10/05/2026: the file is
    older than the rules' 12 months, and the alert says so with the number from the rules."""
    late = make_candidate(world.cell_a, step=Step.REFERENCES, full_name="Đỗ Văn Hồ Sơ")
    alerts = _by_kind(organization_alerts(user=world.staff, organization=world.district_a, today=TODAY),
                      AlertKind.OVERDUE_CANDIDATE)  # fmt: skip
    assert [(a.person, a.message) for a in alerts] == [
        ("Đỗ Văn Hồ Sơ", "Lấy ý kiến nhận xét: Hồ sơ quá 12 tháng, hạn 10/03/2026")
    ]
    assert late.next_deadline == D(2026, 3, 10)
