"""The roll-up engine against figures computed by hand (see conftest.py for the tree)."""

from __future__ import annotations

import datetime

import pytest

from organizations import services as org_services
from reports.selectors import ProgressStatus, RowKind, Structure, progress_report

from .factories import admit, plan

JUNE_30 = datetime.date(2025, 6, 30)
NOVEMBER = datetime.date(2025, 11, 1)


def figures(row):
    """(quota, quota to date, admitted in quarter, admitted to date, % year, % to date, status)."""
    return (
        row.quota_total,
        row.quota_to_date,
        row.admitted_in_quarter,
        row.admitted_to_date,
        row.percent_total,
        row.percent_to_date,
        row.status,
    )


def by_label(report):
    return {row.label: row for row in report.lines()}


def test_district_second_quarter_by_hand(tree):
    report = progress_report(organization=tree.district, year=2025, quarter=2, today=JUNE_30)
    assert [line.label for line in report.lines()] == [
        "Một",
        "Hai",
        "Ba",
        "Cộng",
        tree.school.name,
        "Cộng",
        "Tổng cộng",
    ]
    assert [group.label for group in report.groups] == [
        "Đảng bộ xã, phường, thị trấn",
        "Đảng bộ, chi bộ cơ quan, trường học, doanh nghiệp, lực lượng vũ trang",
    ]
    one, two, three, subtotal_1 = [*report.groups[0].rows, report.groups[0].subtotal]
    # Một: 10 = 2+3+3+2; Q1 31/03 (A) + 01/01 (B), Q2 01/04 + 30/06 (A); the cancelled 05/05 does not count.
    assert figures(one) == (10, 5, 2, 4, 40.0, 80.0, ProgressStatus.BEHIND)
    assert one.quota_quarters == (2, 3, 3, 2)
    assert one.admitted_quarters == (2, 2, None, None)  # 30/09 and 01/10 are after the quarter
    assert one.admitted_by_quarter == (2, 2, 1, 1)
    assert figures(two) == (6, 3, 0, 0, 0.0, 0.0, ProgressStatus.BEHIND)  # 01/07 is Q3
    # Ba has no quarterly split: the pace 4 × 2 / 4 = 2 stands in; D 15/02 + Z 01/03 (dissolved since), D 20/05.
    assert figures(three) == (4, 2, 1, 3, 75.0, 150.0, ProgressStatus.AHEAD)
    assert three.quota_quarters == (None, None, None, None)
    assert three.quota_to_date_estimated
    assert figures(subtotal_1) == (20, 10, 3, 7, 35.0, 70.0, ProgressStatus.BEHIND)
    assert subtotal_1.kind == RowKind.SUBTOTAL
    assert subtotal_1.quota_quarters == (None, None, None, None)  # Ba has no split

    school, subtotal_2 = report.groups[1].rows[0], report.groups[1].subtotal
    assert figures(school) == (2, 1, 0, 0, 0.0, 0.0, ProgressStatus.BEHIND)  # 31/12/2024 is another year
    assert figures(subtotal_2) == figures(school)
    assert report.other is None
    # 7 / 22 = 31.8 %, 7 / 11 = 63.6 %
    assert figures(report.total) == (22, 11, 3, 7, 31.8, 63.6, ProgressStatus.BEHIND)
    assert [row.number for row in report.rows] == ["1", "2", "3", "1"]

    # The district itself, as the province's report shows it: 20 = 5 × 4, admissions of its whole subtree.
    assert report.subject.quota_total == 20
    assert report.subject.quota_to_date == 10
    assert report.subject.admitted_by_quarter == (4, 3, 2, 2)
    assert [(p["quarter"], p["target"], p["admitted"]) for p in report.quarter_series] == [
        (1, 5, 4),
        (2, 10, 7),
        (3, 15, None),
        (4, 20, None),
    ]


def test_commune_rows_use_its_own_plan(tree):
    report = progress_report(organization=tree.x1, year=2025, quarter=2, today=JUNE_30)
    a, b = report.rows
    assert figures(a) == (6, 3, 2, 3, 50.0, 100.0, ProgressStatus.ON_TRACK)
    assert figures(b) == (5, 2, 0, 1, 20.0, 50.0, ProgressStatus.BEHIND)
    # The rows sum to 11 (2,3,4,2) although the district allocated Một 10: both are shown.
    assert figures(report.total) == (11, 5, 2, 4, 36.4, 80.0, ProgressStatus.BEHIND)
    assert report.total.quota_quarters == (2, 3, 4, 2)
    assert report.subject.quota_total == 10


def test_quarter_boundaries_each_quarter(tree):
    by_quarter = {q: progress_report(organization=tree.x1, year=2025, quarter=q, today=NOVEMBER) for q in (1, 2, 3, 4)}
    b = {q: report.rows[1] for q, report in by_quarter.items()}
    assert [b[q].admitted_in_quarter for q in (1, 2, 3, 4)] == [1, 0, 1, 1]  # 01/01, —, 30/09, 01/10
    assert [b[q].admitted_to_date for q in (1, 2, 3, 4)] == [1, 1, 2, 3]
    assert [b[q].quota_to_date for q in (1, 2, 3, 4)] == [1, 2, 4, 5]
    assert [b[q].status for q in (1, 2, 3, 4)] == ["on_track", "behind", "behind", "behind"]
    assert by_quarter[4].total.admitted_to_date == 6
    assert by_quarter[4].total.percent_total == 54.5  # 6 / 11


def test_dissolved_cell_is_not_a_row_but_still_counts(tree):
    report = progress_report(organization=tree.x3, year=2025, quarter=2, today=JUNE_30)
    assert [row.label for row in report.rows] == ["Chi bộ thôn D"]
    assert report.other is not None and report.other.kind == RowKind.OTHER
    assert report.other.admitted_by_quarter == (1, 0, 0, 0)
    assert report.other.quota is None
    assert report.total.admitted_to_date == 3 == report.subject.admitted_to_date
    # Before its closing date the cell is still a row of its own.
    earlier = progress_report(organization=tree.x3, year=2025, quarter=1, today=datetime.date(2025, 3, 31))
    assert [row.label for row in earlier.rows] == ["Chi bộ thôn D", "Chi bộ thôn Z"]
    assert earlier.other is None


def test_a_moved_cell_counts_under_its_new_commune(tree):
    """In today's tree (structure=now; the move is dated today, after the period)."""
    org_services.organization_move(organization=tree.x1b, new_parent=tree.x2)
    report = progress_report(organization=tree.district, year=2025, quarter=2, today=JUNE_30, structure=Structure.NOW)
    one, two, _three = report.groups[0].rows
    assert one.admitted_by_quarter == (1, 2, 0, 0)  # only thôn A left
    assert two.admitted_by_quarter == (1, 0, 2, 1)  # thôn C 01/07 + thôn B 01/01, 30/09, 01/10
    assert (one.quota_total, two.quota_total) == (10, 6)  # allocations follow the parent that made them
    assert report.total.admitted_to_date == 7  # nothing lost, nothing counted twice
    # Under Hai, thôn B has no quota: Hai allocated nothing to it and it has no children.
    hai = progress_report(organization=tree.x2, year=2025, quarter=4, today=NOVEMBER, structure=Structure.NOW)
    assert {row.label: row.quota_total for row in hai.rows} == {"Chi bộ thôn B": None, "Chi bộ thôn C": None}
    assert hai.total.quota is None and hai.total.percent_total is None and hai.total.status == "no_quota"
    # Một's own report no longer lists it; Một's derived sum now holds thôn A only.
    one_report = progress_report(organization=tree.x1, year=2025, quarter=2, today=JUNE_30, structure=Structure.NOW)
    assert [row.label for row in one_report.rows] == ["Chi bộ thôn A"]
    assert one_report.total.quota_total == 6


def test_a_merged_commune_counts_in_the_commune_it_joined(tree):
    org_services.organization_merge(sources=[tree.x3], target=tree.x2, on=datetime.date(2025, 7, 1))
    report = progress_report(organization=tree.district, year=2025, quarter=3, today=NOVEMBER)
    assert [row.label for row in report.groups[0].rows] == ["Một", "Hai"]
    hai = report.groups[0].rows[1]
    # Hai: thôn C 01/07 (Q3) + Ba's thôn D 15/02, 20/05 + Ba's dissolved thôn Z 01/03.
    assert hai.admitted_by_quarter == (2, 1, 1, 0)
    # The district allocated Hai 6 (1, 2, 2, 1) and Ba 4 (no split); Ba merged into Hai, so Hai's row
    # carries both: 6 + 4 = 10. To date (Q3): Hai 1 + 2 + 2 = 5, Ba's pace floor(4 × 3 / 4) = 3 → 8,
    # an estimate since part of it has no quarterly split.
    assert (hai.quota_total, hai.quota_to_date, hai.quota_to_date_estimated) == (10, 8, True)
    assert hai.quota_quarters == (None, None, None, None)
    # Nothing allocated is lost: Một 10 + Hai 10 = 20, with the school's 2 the district's 22 as before.
    assert report.groups[0].subtotal.quota_total == 20
    assert report.total.quota_total == 22
    assert report.total.admitted_to_date == 4 + 1 + 4 + 0  # Một Q1–Q3, Hai, the school has none
    assert report.subject.admitted_to_date == report.total.admitted_to_date
    # Hai's own page shows the same 10 as its standing in the district.
    assert progress_report(organization=tree.x2, year=2025, quarter=3, today=NOVEMBER).subject.quota_total == 10

    # In Hai's own report, Ba is closed: no row, but what it still holds shows on the "Khác" line.
    hai_report = progress_report(organization=tree.x2, year=2025, quarter=3, today=NOVEMBER)
    assert [row.label for row in hai_report.rows] == ["Chi bộ thôn C", "Chi bộ thôn D"]
    assert hai_report.other.admitted_by_quarter == (1, 0, 0, 0)
    assert hai_report.total.admitted_to_date == hai.admitted_to_date == 4


def test_only_the_current_plan_counts_and_missing_quotas_roll_up(tree):
    # A new district plan replaces 72-KH/HU and leaves Một out: Một's row becomes the sum of what it
    # allocated to its cells (6 + 5), and the province sees the district as 20 (its own allocation).
    plan(
        tree.district,
        "80-KH/HU",
        {tree.x2: (6, 1, 2, 2, 1), tree.x3: 4, tree.school: (2, 0, 1, 1, 0)},
        issued_on="2025-04-01",
        replaces=tree.plan_d,
    )
    report = progress_report(organization=tree.district, year=2025, quarter=2, today=JUNE_30)
    one = report.groups[0].rows[0]
    assert (one.quota_total, one.quota_quarters, one.quota_to_date) == (11, (2, 3, 4, 2), 5)
    assert report.total.quota_total == 11 + 6 + 4 + 2
    # With no allocation from the province either, the district's quota is its rows' sum (recursively).
    tree.plan_p.quotas.all().delete()
    plan(tree.province, "2-KH/TU", {}, issued_on="2025-05-01", replaces=tree.plan_p)
    province = progress_report(organization=tree.province, year=2025, quarter=2, today=JUNE_30)
    assert province.rows[0].quota_total == 23
    assert province.rows[0].quota_to_date == 5 + 3 + 2 + 1  # Một 5, Hai 3, Ba's pace 2, school 1
    assert province.rows[0].quota.estimated
    assert province.rows[0].quota_quarters == (None, None, None, None)


def test_draft_and_later_plans(tree):
    # A draft does not count; the most recently issued current plan covering the year does.
    plan(tree.district, "90-KH/HU", {tree.x1: (1, 1, 0, 0, 0)}, issued_on="2025-06-01", status="draft")
    assert progress_report(organization=tree.district, year=2025, quarter=1, today=JUNE_30).rows[0].quota_total == 10
    plan(tree.district, "91-KH/HU", {tree.x1: (12, 3, 3, 3, 3)}, issued_on="2025-06-02")
    report = progress_report(organization=tree.district, year=2025, quarter=1, today=JUNE_30)
    assert report.rows[0].quota_total == 12
    assert report.rows[1].quota_total is None  # the newest plan allocated nothing to Hai, which has no quotas below


def test_term_plan_covers_each_year(tree):
    plan(tree.x2, "3-KH/ĐU", {tree.x2a: (3, 0, 1, 1, 1)}, year=2026, end_year=2030, issued_on="2025-12-01")
    admit(tree.x2a, "2026-05-02")
    report = progress_report(organization=tree.x2, year=2026, quarter=2, today=datetime.date(2026, 6, 1))
    assert figures(report.rows[0]) == (3, 1, 1, 1, 33.3, 100.0, ProgressStatus.ON_TRACK)


def test_zero_quota_has_no_percentage(tree):
    plan(tree.x2, "4-KH/ĐU", {tree.x2a: (0, 0, 0, 0, 0)})
    report = progress_report(organization=tree.x2, year=2025, quarter=3, today=NOVEMBER)
    row = report.rows[0]
    assert (row.quota_total, row.percent_total, row.percent_to_date) == (0, None, None)
    assert row.status == ProgressStatus.AHEAD  # one admission against a quota of none


def test_detail_report_lists_every_level(tree):
    report = progress_report(organization=tree.district, year=2025, quarter=2, detail=True, today=JUNE_30)
    lines = [(line.number, line.label, line.depth) for line in report.lines()]
    assert lines == [
        ("1", "Một", 0),
        ("1.1", "Chi bộ thôn A", 1),
        ("1.2", "Chi bộ thôn B", 1),
        ("2", "Hai", 0),
        ("2.1", "Chi bộ thôn C", 1),
        ("3", "Ba", 0),
        ("3.1", "Chi bộ thôn D", 1),
        ("", "Khác (tổ chức đã giải thể, hợp nhất)", 1),
        ("", "Cộng", 0),
        ("1", tree.school.name, 0),
        ("", "Cộng", 0),
        ("", "Tổng cộng", 0),
    ]
    assert figures(report.total) == figures(
        progress_report(organization=tree.district, year=2025, quarter=2, today=JUNE_30).total
    )


@pytest.mark.parametrize("year, quarter", [(1999, 1), (2025, 0), (2025, 5)])
def test_bad_period_is_refused(tree, year, quarter):
    with pytest.raises(ValueError):
        progress_report(organization=tree.district, year=year, quarter=quarter)


def test_a_commune_merged_twice_keeps_every_allocation(tree):
    """Ba merges into Hai (01/07), then Hai into Một (01/10): Một's row carries the district's 10 to Một,
    6 to Hai and 4 to Ba = 20, quarters to date (Q4) 10 + 6 + 4 = 20; the district's total stays 22."""
    org_services.organization_merge(sources=[tree.x3], target=tree.x2, on=datetime.date(2025, 7, 1))
    org_services.organization_merge(sources=[tree.x2], target=tree.x1, on=datetime.date(2025, 10, 1))
    report = progress_report(organization=tree.district, year=2025, quarter=4, today=NOVEMBER)
    assert [(row.label, row.quota_total) for row in report.rows] == [("Một", 20), (tree.school.name, 2)]
    assert report.rows[0].quota_to_date == 20
    assert report.total.quota_total == 22
    # All eleven counted admissions of 2025 are still there: Một 6, Hai 1, Ba 3, the school 1.
    assert report.total.admitted_to_date == 11


def test_a_merge_into_another_district_is_like_a_move(tree):
    """Ba merges into a commune of another district: the district's allocation to Ba stays with the
    district that made it, which no longer has Ba below it, so it counts nowhere else (as for a move:
    allocations follow the parent that made them)."""
    other = org_services.organization_create(parent=tree.province, name="Huyện ủy Khác", code="T-D2", kind="district")
    far = org_services.organization_create(parent=other, name="Đảng bộ xã Xa", code="T-D2-X", kind="commune")
    org_services.organization_merge(sources=[tree.x3], target=far, on=datetime.date(2025, 7, 1))
    district = progress_report(organization=tree.district, year=2025, quarter=4, today=NOVEMBER)
    assert district.total.quota_total == 10 + 6 + 2
    tree.province.refresh_from_db()
    province = progress_report(organization=tree.province, year=2025, quarter=4, today=NOVEMBER)
    assert {row.label: row.quota_total for row in province.rows} == {tree.district.name: 20, "Huyện ủy Khác": None}


def test_a_communes_report_heads_its_cells_as_cells(tree):
    """Under a district the first block is the communes; under a commune it is the villages' cells."""
    district = progress_report(organization=tree.district, year=2025, quarter=2)
    commune = progress_report(organization=tree.x1, year=2025, quarter=2)
    assert district.groups[0].label == "Đảng bộ xã, phường, thị trấn"
    assert commune.groups[0].label == "Chi bộ thôn, bản, tổ dân phố, khu phố"
