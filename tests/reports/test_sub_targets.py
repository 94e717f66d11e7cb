"""A plan's sub-targets measured for the organization and each child, met / not met with the figures."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from organizations.models import MembershipFigure
from quotas.models import SubTarget
from reports.statistics import sub_target_report

from .factories import admit, plan

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
    assert report.plan.number == "5-KH/HU"
    table = {st.kind: [(r.label, r.measured, r.met) for r in results] for st, results in report.results}
    district, commune, school = "Huyện ủy Lục Ngạn", "Đảng bộ xã Biên Sơn", "Chi bộ Trường THPT số 1"
    # 3 of 4 = 75 % > 65; commune 2 of 3 = 66,7 %; school 1 of 1
    assert table["youth_union_share"] == [(district, 75.0, True), (commune, 66.7, True), (school, 100.0, True)]
    assert table["private_business_owners"] == [(district, 1, True), (commune, 1, True), (school, 0, False)]
    assert table["min_per_unit"] == [(district, 4, True), (commune, 3, True), (school, 1, False)]
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
