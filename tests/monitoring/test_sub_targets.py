"""A plan's sub-targets measured for the organization and each child, met / not met with the figures."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from monitoring.statistics import sub_target_report
from organizations.models import Kind, MembershipFigure
from quotas.models import Plan, SubTarget
from tests.factories import OrganizationFactory
from tests.reports.factories import admit, plan

D = datetime.date
TODAY = D(2026, 11, 1)


@pytest.fixture
def measured(world):
    """2026: A1C admits 2 Youth Union members and a business owner; the school A2 one Youth Union member.
    A1D admitted nobody ever (stalled). Members: A1C 8, A1D 10, the school has no figure."""
    w = world
    admit(w.cell_a, "2026-03-01", youth_union_member=True)
    admit(w.cell_a, "2026-04-01", youth_union_member=True)
    admit(w.cell_a, "2026-05-01", occupation="business_owner")
    admit(w.school_a, "2026-06-01", youth_union_member=True)
    admit(w.cell_a, "2025-06-01", occupation="business_owner")  # another year
    MembershipFigure.objects.create(organization=w.cell_a, as_of=D(2026, 1, 1), member_count=8, official_member_count=8)
    MembershipFigure.objects.create(organization=w.cell_a2, as_of=D(2026, 1, 1), member_count=10,
                                    official_member_count=9)  # fmt: skip
    issued = plan(w.district_a, "5-KH/HU", {w.commune_a: 3, w.school_a: 1}, year=2026)
    for position, (kind, comparison, value) in enumerate([
        (SubTarget.Kind.YOUTH_UNION_SHARE, "gt", 65),
        (SubTarget.Kind.PRIVATE_BUSINESS_OWNERS, "gte", 1),
        (SubTarget.Kind.MIN_PER_UNIT, "gte", 3),
        (SubTarget.Kind.CELL_MIN_MEMBERS, "gte", 9),
        (SubTarget.Kind.STALLED_CELL_YEARS, "gte", 3),
        (SubTarget.Kind.VILLAGE_HEAD_SHARE, "gte", 90),
    ]):  # fmt: skip
        SubTarget.objects.create(plan=issued, kind=kind, comparison=comparison, value=Decimal(value), position=position)
    return w


def test_every_sub_target_for_the_district_and_each_child(measured, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        report = sub_target_report(organization=measured.district_a, year=2026, today=TODAY)
    assert [(s.plan.number, s.is_own) for s in report.sections] == [("5-KH/HU", True)]
    table = {st.kind: [(r.label, r.measured, r.met) for r in results] for st, results in report.results}
    district, commune, school = "Huyện ủy Lục Ngạn", "Đảng bộ xã Biên Sơn", "Chi bộ Trường THPT số 1"
    # 3 of 4 = 75 % > 65; commune 2 of 3 = 66,7 %; school 1 of 1
    assert table["youth_union_share"] == [(district, 75.0, True), (commune, 66.7, True), (school, 100.0, True)]
    assert table["private_business_owners"] == [(district, 1, True), (commune, 1, True), (school, 0, False)]
    # ≥ 3 a year per commune: the district's one commune admitted 3 (1 of 1 communes meets it); the
    # school is not a commune, so the target does not apply to it.
    assert table["min_per_unit"] == [(district, 1, True), (commune, 3, True), (school, None, None)]
    # smallest cell A1C has 8; the school has no figure: not measurable
    assert table["cell_min_members"] == [(district, 8, False), (commune, 8, False), (school, None, None)]
    # A1D never admitted: one stalled cell in the district and the commune, none at the school
    assert table["stalled_cell_years"] == [(district, 1, False), (commune, 1, False), (school, 0, True)]
    # the number of village heads is not recorded: shown as not measurable, never guessed
    assert all(r.met is None for st, results in report.results if st.kind == "village_head_share" for r in results)
    details = {st.kind: results[0].detail for st, results in report.results}
    assert details["youth_union_share"] == "3/4 đảng viên mới là đoàn viên"
    assert details["cell_min_members"] == "Chi bộ ít nhất: Chi bộ Thôn 1 (8); 1/2 chi bộ dưới mức"


def test_a_child_uses_its_ancestors_plan(measured):
    report = sub_target_report(organization=measured.commune_a, year=2026, today=TODAY)
    youth = report.results[0][1]  # A1C: 2 of its 3; A1D admitted nobody
    assert [(r.label, r.measured) for r in youth] == [
        ("Đảng bộ xã Biên Sơn", 66.7), ("Chi bộ Thôn 1", 66.7), ("Chi bộ Thôn 2", None)
    ]  # fmt: skip


def test_the_statistics_page_shows_met_and_not_met(measured, client):
    client.force_login(measured.staff)
    html = client.get(f"/reports/{measured.district_a.pk}/statistics/?kind=year&year=2026").content.decode()
    assert "Chỉ tiêu phụ của kế hoạch" in html and "Chưa đạt" in html and "Đạt" in html
    assert "3/4 đảng viên mới là đoàn viên" in html


# ---------------------------------------------------------------- plans at several levels


def _sub_target(issued, kind, comparison, value, position=0):
    return SubTarget.objects.create(
        plan=issued, kind=kind, comparison=comparison, value=Decimal(value), position=position
    )


def _rows(section, kind):
    return next([(r.label, r.measured, r.met) for r in results] for st, results in section.results if st.kind == kind)


def test_a_communes_own_plan_does_not_hide_the_districts_sub_targets(measured):
    """Commune A1 issues its own 2026 plan with one sub-target of its own (Youth Union > 50 %) and no
    cell-size target: the district's "every cell ≥ 9 members" still applies to A1 and its cells."""
    w = measured
    own = plan(w.commune_a, "3-KH/ĐU", {w.cell_a: 3, w.cell_a2: 1}, year=2026)
    _sub_target(own, SubTarget.Kind.YOUTH_UNION_SHARE, "gt", 50)
    report = sub_target_report(organization=w.commune_a, year=2026, today=TODAY)
    # Its own plan first, then the district's, each labelled by where it comes from.
    assert [(s.plan.number, s.is_own) for s in report.sections] == [("3-KH/ĐU", True), ("5-KH/HU", False)]
    own_section, district_section = report.sections
    # A1: 2 of its 3 admissions are Youth Union members = 66,7 % > 50; A1C the same; A1D admitted nobody.
    assert _rows(own_section, "youth_union_share") == [
        ("Đảng bộ xã Biên Sơn", 66.7, True), ("Chi bộ Thôn 1", 66.7, True), ("Chi bộ Thôn 2", None, None)
    ]  # fmt: skip
    # The district's ≥ 9 members: A1's smallest cell is A1C with 8 (not met); A1C 8 (not met); A1D 10 (met).
    assert _rows(district_section, "cell_min_members") == [
        ("Đảng bộ xã Biên Sơn", 8, False), ("Chi bộ Thôn 1", 8, False), ("Chi bộ Thôn 2", 10, True)
    ]  # fmt: skip
    # ... and the district's > 65 % Youth Union share, measured for A1 as well: 66,7 > 65.
    assert _rows(district_section, "youth_union_share")[0] == ("Đảng bộ xã Biên Sơn", 66.7, True)

    # The district's own page measures its sub-targets for the district and every child, whatever
    # plans the children have: A1 (own plan) and the school (none) both have a row.
    district = sub_target_report(organization=w.district_a, year=2026, today=TODAY)
    assert [(s.plan.number, s.is_own) for s in district.sections] == [("5-KH/HU", True)]
    assert _rows(district.sections[0], "cell_min_members") == [
        ("Huyện ủy Lục Ngạn", 8, False), ("Đảng bộ xã Biên Sơn", 8, False), ("Chi bộ Trường THPT số 1", None, None)
    ]  # fmt: skip


def test_a_plan_without_sub_targets_alone_says_so(world):
    plan(world.commune_a, "3-KH/ĐU", {world.cell_a: 3}, year=2026)
    report = sub_target_report(organization=world.commune_a, year=2026, today=TODAY)
    assert [p.number for p in report.plans] == ["3-KH/ĐU"] and report.sections == []
    assert sub_target_report(organization=world.commune_b, year=2026, today=TODAY).plans == []


def test_the_communes_page_labels_its_own_and_the_districts_sub_targets(measured, client):
    own = plan(measured.commune_a, "3-KH/ĐU", {measured.cell_a: 3}, year=2026)
    _sub_target(own, SubTarget.Kind.YOUTH_UNION_SHARE, "gt", 50)
    client.force_login(measured.staff)
    html = client.get(f"/reports/{measured.commune_a.pk}/statistics/?kind=year&year=2026").content.decode()
    assert "Kế hoạch số 3-KH/ĐU của Đảng bộ xã Biên Sơn" in html
    assert "Kế hoạch số 5-KH/HU của Huyện ủy Lục Ngạn (cấp trên)" in html
    assert html.index("3-KH/ĐU") < html.index("5-KH/HU")


def test_several_plans_of_one_committee_latest_issued_first_undated_last(measured):
    """Two more current district plans for 2026: one issued 01/03/2026 and one recorded without a date.
    The dated ones come newest first (01/03/2026, then 15/01/2026 for 5-KH/HU), the undated one last,
    on PostgreSQL (where NULL sorts first in DESC) as on SQLite."""
    w = measured
    dated = plan(w.district_a, "7-KH/HU", {}, year=2026, issued_on="2026-03-01")
    undated = plan(w.district_a, "8-KH/HU", {}, year=2026)
    Plan.objects.filter(pk=undated.pk).update(issued_on=None)
    for issued in (dated, undated):
        _sub_target(issued, SubTarget.Kind.PRIVATE_BUSINESS_OWNERS, "gte", 2)
    report = sub_target_report(organization=w.district_a, year=2026, today=TODAY)
    assert [s.plan.number for s in report.sections] == ["7-KH/HU", "5-KH/HU", "8-KH/HU"]


# ---------------------------------------------------------------- ≥ 3 admissions per commune


@pytest.fixture
def two_communes(measured):
    """A second commune, A3 Hồng Giang, with one cell that admitted one member in 2026."""
    w = measured
    w.commune_a3 = OrganizationFactory(name="Đảng bộ xã Hồng Giang", short_name="Hồng Giang", code="A3",
                                       kind=Kind.COMMUNE, parent=w.district_a, position=2)  # fmt: skip
    w.cell_a3 = OrganizationFactory(name="Chi bộ Thôn Giữa", code="A3C", kind=Kind.CELL, parent=w.commune_a3)
    admit(w.cell_a3, "2026-07-01")
    w.district_a.refresh_from_db()
    w.commune_a3.refresh_from_db()
    return w


def test_three_admissions_a_year_is_checked_for_each_commune(two_communes):
    report = sub_target_report(organization=two_communes.district_a, year=2026, today=TODAY)
    rows = [(r.label, r.measured, r.met, r.detail) for st, results in report.results if st.kind == "min_per_unit"
            for r in results]  # fmt: skip
    # The district admitted 3 + 1 + 1 = 5 ≥ 3, but that is not the target: Biên Sơn 3 (met), Hồng Giang 1
    # (not met) → 1 of the 2 communes meets it. The school is not a commune: the target does not apply.
    assert rows == [
        ("Huyện ủy Lục Ngạn", 1, False, "1/2 đảng bộ xã, phường, đặc khu đạt; chưa đạt: Hồng Giang (1)"),
        ("Đảng bộ xã Biên Sơn", 3, True, "3 đảng viên được kết nạp trong năm 2026"),
        ("Hồng Giang", 1, False, "1 đảng viên được kết nạp trong năm 2026"),
        ("Chi bộ Trường THPT số 1", None, None, "Không áp dụng: không phải đảng bộ xã, phường, đặc khu"),
    ]


def test_a_commune_measures_the_per_commune_target_on_itself(two_communes):
    """On Hồng Giang's page the district's target applies to Hồng Giang itself (1 < 3); its cell is not
    a commune."""
    report = sub_target_report(organization=two_communes.commune_a3, year=2026, today=TODAY)
    (section,) = report.sections
    assert [(r.label, r.measured, r.met) for r in next(res for st, res in section.results
                                                        if st.kind == "min_per_unit")] == [
        ("Đảng bộ xã Hồng Giang", 1, False), ("Chi bộ Thôn Giữa", None, None)
    ]  # fmt: skip


# ---------------------------------------------------------------- stalled cells count from their founding


def test_a_cell_founded_less_than_three_years_ago_is_not_stalled(measured):
    """Today 01/11/2026, so 3 years back is 01/11/2023. Thôn Mới (founded 01/01/2025, no admission yet)
    is not stalled; Thôn Cũ (founded 01/11/2023, none since: exactly 3 years) is. The district's five
    cells: A1C and the school admitted in 2026, A1D never admitted and has no founding date (stalled),
    Thôn Mới, Thôn Cũ → 2 of 5 stalled (3 of 5 when Thôn Mới was counted as never having admitted)."""
    w = measured
    OrganizationFactory(name="Chi bộ Thôn Mới", code="A1N", kind=Kind.CELL, parent=w.commune_a,
                        valid_from=D(2025, 1, 1))  # fmt: skip
    OrganizationFactory(name="Chi bộ Thôn Cũ", code="A1O", kind=Kind.CELL, parent=w.commune_a,
                        valid_from=D(2023, 11, 1))  # fmt: skip
    w.district_a.refresh_from_db()
    report = sub_target_report(organization=w.district_a, year=2026, today=TODAY)
    district = next(res for st, res in report.results if st.kind == "stalled_cell_years")[0]
    assert (district.measured, district.met) == (2, False)
    assert district.detail == "2/5 chi bộ không kết nạp được đảng viên từ 3 năm trở lên"
