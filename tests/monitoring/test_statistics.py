"""Biểu "Đảng viên mới kết nạp": every row hand-computed on a small data set, the same period a year
earlier across a year boundary, the query budget, and the PDF / .xlsx."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from monitoring.statistics import Period, PeriodKind, admission_statistics, statistics_header
from organizations.models import Kind
from tests.factories import OrganizationFactory
from tests.reports.factories import admit, cancel

D = datetime.date


@pytest.fixture
def data(world):
    """District A's subtree: cells A1C, A1D (commune A1) and school cell A2.

    Q1 2026: #1 A1C 05/01 woman b. 06/01/1996 (29), Youth Union, farmer
             #2 A1D 31/03 man b. 31/03/1990 (36: birthday that day), Tày, Buddhist, re-admitted,
                business owner, lower secondary, university, elementary theory
             #3 A2  10/02 woman b. 11/02/1980 (45), public employee, master, intermediate theory
             #4 A1C 15/03 man b. 01/01/1970 (56), civil servant, village head, militia, advanced theory
    Q1 2025: #5 A1C 01/01 woman b. 01/06/2000 (24), Youth Union, student
             #6 A1D 31/03 man b. 01/04/1985 (39), farmer
    Not in any Q1: 31/12/2024 (A1C), 31/12/2025 (A1C), 01/04/2026 (A1C); not counted: a cancelled
    admission 01/02/2026 (A1C) and one in district B (01/02/2026).
    """
    w = world
    admit(
        w.cell_a, "2026-01-05", gender="female", birth_date=D(1996, 1, 6), youth_union_member=True, occupation="farmer"
    )
    admit(
        w.cell_a2,
        "2026-03-31",
        birth_date=D(1990, 3, 31),
        ethnicity="tay",
        religion="buddhism",
        readmitted=True,
        occupation="business_owner",
        education_level="lower_secondary",
        professional_level="university",
        political_theory="elementary",
    )
    admit(
        w.school_a,
        "2026-02-10",
        gender="female",
        birth_date=D(1980, 2, 11),
        occupation="public_employee",
        professional_level="master",
        political_theory="intermediate",
    )
    admit(
        w.cell_a,
        "2026-03-15",
        birth_date=D(1970, 1, 1),
        occupation="civil_servant",
        village_head=True,
        militia=True,
        political_theory="advanced",
    )
    admit(
        w.cell_a, "2025-01-01", gender="female", birth_date=D(2000, 6, 1), youth_union_member=True, occupation="student"
    )
    admit(w.cell_a2, "2025-03-31", birth_date=D(1985, 4, 1), occupation="farmer")
    admit(w.cell_a, "2024-12-31", birth_date=D(1991, 5, 5))
    admit(w.cell_a, "2025-12-31", birth_date=D(1992, 5, 5))
    admit(w.cell_a, "2026-04-01", birth_date=D(1993, 5, 5))
    cancel(admit(w.cell_a, "2026-02-01", birth_date=D(1994, 5, 5)))
    admit(w.cell_b, "2026-02-01", birth_date=D(1995, 5, 5))
    return w  # fmt: skip


# key: (this period, same period last year, %)
EXPECTED_Q1_2026 = {
    "total": (4, 2, 200.0),
    "readmitted": (1, 0, None),
    "women": (2, 1, 200.0),
    "minorities": (1, 0, None),
    "religion": (1, 0, None),
    "youth_union": (1, 1, 100.0),
    "village_head": (1, 0, None),
    "discharged_soldier": (0, 0, None),
    "militia": (1, 0, None),
    "non_state": (0, 0, None),
    "occ_civil_servant": (1, 0, None),
    "occ_public_employee": (1, 0, None),
    "occ_enterprise_employee": (0, 0, None),
    "occ_worker": (0, 0, None),
    "occ_farmer": (1, 1, 100.0),
    "occ_armed_forces": (0, 0, None),
    "occ_student": (0, 1, 0.0),
    "occ_business_owner": (1, 0, None),
    "occ_other": (0, 0, None),
    "age_18_30": (1, 1, 100.0),
    "age_31_40": (1, 1, 100.0),
    "age_41_50": (1, 0, None),
    "age_51": (1, 0, None),
    "average_age": (41.5, 31.5, 131.7),  # (29+36+45+56)/4 and (24+39)/2; 41,5/31,5 = 131,7 %
    "edu_primary": (0, 0, None),
    "edu_lower_secondary": (1, 0, None),
    "edu_upper_secondary": (3, 2, 150.0),
    "pro_none": (2, 2, 100.0),
    "pro_elementary": (0, 0, None),
    "pro_vocational": (0, 0, None),
    "pro_college": (0, 0, None),
    "pro_university": (1, 0, None),
    "pro_master": (1, 0, None),
    "pro_doctor": (0, 0, None),
    "pol_none": (1, 2, 50.0),
    "pol_elementary": (1, 0, None),
    "pol_intermediate": (1, 0, None),
    "pol_advanced": (1, 0, None),
}


def test_every_row_of_the_bieu_for_a_quarter(data):
    stats = admission_statistics(organization=data.district_a, period=Period.of(PeriodKind.QUARTER, 2026, 1))
    assert (stats.previous.start, stats.previous.end) == (D(2025, 1, 1), D(2025, 3, 31))
    figures = {row.key: (row.current, row.previous, row.percent) for row in stats.rows if not row.heading}
    assert figures == EXPECTED_Q1_2026


def test_cung_ky_across_a_year_boundary(data):
    """01/12/2025–28/02/2026: #1, #3 and 31/12/2025; a year earlier 01/12/2024–28/02/2025: 31/12/2024 and #5."""
    stats = admission_statistics(organization=data.district_a, period=Period.custom(D(2025, 12, 1), D(2026, 2, 28)))
    assert (stats.previous.start, stats.previous.end) == (D(2024, 12, 1), D(2025, 2, 28))
    total = stats.row("total")
    assert (total.current, total.previous, total.percent) == (3, 2, 150.0)
    assert (stats.row("women").current, stats.row("women").previous) == (2, 1)
    # 29 (#1), 45 (#3), 33 (b. 05/05/1992 on 31/12/2025) → 35,7; 33 (b. 05/05/1991 on 31/12/2024), 24 → 28,5
    assert (stats.row("average_age").current, stats.row("average_age").previous) == (35.7, 28.5)


def test_a_cell_counts_only_its_own_admissions(data):
    stats = admission_statistics(organization=data.cell_a2, period=Period.of(PeriodKind.YEAR, 2026))
    assert (stats.row("total").current, stats.row("total").previous) == (1, 1)
    assert stats.row("average_age").current == 36.0


def test_29_february_compares_with_28_february():
    period = Period.custom(D(2024, 2, 1), D(2024, 2, 29)).year_before()
    assert (period.start, period.end) == (D(2023, 2, 1), D(2023, 2, 28))


def test_february_after_a_leap_year_compares_with_the_whole_february(world):
    """February 2025 against all of February 2024, its 29th included (10/02/2025 and 29/02/2024)."""
    admit(world.cell_a, "2024-02-29")
    admit(world.cell_a, "2025-02-10")
    world.district_a.refresh_from_db()
    period = Period.of(PeriodKind.MONTH, 2025, 2)
    stats = admission_statistics(organization=world.district_a, period=period)
    assert (stats.previous.start, stats.previous.end) == (D(2024, 2, 1), D(2024, 2, 29))
    assert (stats.row("total").current, stats.row("total").previous, stats.row("total").percent) == (1, 1, 100.0)
    header = statistics_header(organization=world.district_a, period=period)
    assert "cùng kỳ năm trước: từ ngày 01/02/2024 đến ngày 29/02/2024" in header.attached_to


@pytest.mark.parametrize("cells", [2, 12])
def test_the_bieu_is_one_query_whatever_the_tree(world, django_assert_num_queries, cells):
    commune = OrganizationFactory(name="Đảng bộ xã Đo", code="A9", kind=Kind.COMMUNE, parent=world.district_a)
    for n in range(cells):
        cell = OrganizationFactory(name=f"Chi bộ {n}", code=f"A9-{n}", kind=Kind.CELL, parent=commune)
        admit(cell, "2026-02-02")
    world.district_a.refresh_from_db()
    with django_assert_num_queries(1):
        stats = admission_statistics(organization=world.district_a, period=Period.of(PeriodKind.HALF, 2026))
    assert stats.row("total").current == cells


def test_page_pdf_and_xlsx(data, client):
    client.force_login(data.staff)
    query = "?kind=quarter&year=2026&number=1"
    page = client.get(f"/reports/{data.district_a.pk}/statistics/{query}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tuổi đời bình quân" in html and "41,5" in html and "131,7" in html

    pdf = client.get(f"/reports/{data.district_a.pk}/statistics.pdf{query}")
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "BIỂU THỐNG KÊ ĐẢNG VIÊN MỚI KẾT NẠP",
        "Quý I năm 2026",
        "Cùng kỳ năm trước",
        "Tổng số đảng viên mới kết nạp",
        "Tuổi đời bình quân",
        "41,5",
        "31,5",
    ):
        assert expected in text, expected  # fmt: skip

    xlsx = client.get(f"/reports/{data.district_a.pk}/statistics.xlsx{query}")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = {row[1]: row[2:4] for row in sheet.iter_rows(values_only=True) if row[1]}
    assert rows["Tổng số đảng viên mới kết nạp"] == (4, 2)
    assert rows["    Tuổi đời bình quân"] == (41.5, 31.5)


def test_a_bad_period_is_refused_clearly(data, client):
    client.force_login(data.staff)
    response = client.get(f"/reports/{data.district_a.pk}/statistics/?kind=custom&start=2026-03-01&end=2026-01-01")
    assert response.status_code == 400
    assert "Ngày kết thúc phải sau ngày bắt đầu" in response.content.decode()


# ---------------------------------------------------------------- the rows only ever seen at 0 / 0


@pytest.fixture
def third_quarter(world):
    """District A, Q3 2026 (01/07–30/09) against Q3 2025:

    2026 #1 A1C 01/07 man b. 15/08/1995 (30: birthday not yet), discharged soldier, worker, non-state
            enterprise, primary education, vocational
         #2 A1D 15/08 woman b. 15/08/1986 (40: birthday that day), enterprise employee, non-state, college
         #3 A2  30/09 man b. 01/10/1975 (50: birthday the next day), armed forces, discharged soldier, doctor
         #4 A1C 10/09 man b. 10/09/1966 (60), occupation "other", primary education, elementary
    2025 #5 A1D 31/07 man b. 01/01/2000 (25), worker, non-state, vocational
         #6 A2  30/09 woman b. 30/09/1990 (35), occupation "other", college
    Not in Q3: A1C 30/06/2026 discharged soldier (Q2), A1C 01/10/2026 worker (Q4); not counted: a
    cancelled worker at A1C on 01/08/2026 and a discharged soldier in district B on 01/08/2026.
    """
    w = world
    admit(
        w.cell_a,
        "2026-07-01",
        birth_date=D(1995, 8, 15),
        discharged_soldier=True,
        occupation="worker",
        non_state_enterprise=True,
        education_level="primary",
        professional_level="vocational",
    )
    admit(
        w.cell_a2,
        "2026-08-15",
        gender="female",
        birth_date=D(1986, 8, 15),
        occupation="enterprise_employee",
        non_state_enterprise=True,
        professional_level="college",
    )
    admit(
        w.school_a,
        "2026-09-30",
        birth_date=D(1975, 10, 1),
        occupation="armed_forces",
        discharged_soldier=True,
        professional_level="doctor",
    )
    admit(
        w.cell_a,
        "2026-09-10",
        birth_date=D(1966, 9, 10),
        occupation="other",
        education_level="primary",
        professional_level="elementary",
    )
    admit(
        w.cell_a2,
        "2025-07-31",
        birth_date=D(2000, 1, 1),
        occupation="worker",
        non_state_enterprise=True,
        professional_level="vocational",
    )
    admit(
        w.school_a,
        "2025-09-30",
        gender="female",
        birth_date=D(1990, 9, 30),
        occupation="other",
        professional_level="college",
    )
    admit(w.cell_a, "2026-06-30", birth_date=D(1991, 2, 2), discharged_soldier=True)
    admit(w.cell_a, "2026-10-01", birth_date=D(1992, 2, 2), occupation="worker")
    cancel(admit(w.cell_a, "2026-08-01", birth_date=D(1993, 2, 2), occupation="worker"))
    admit(w.cell_b, "2026-08-01", birth_date=D(1994, 2, 2), discharged_soldier=True)
    return w  # fmt: skip


def test_rows_never_seen_above_zero_with_figures(third_quarter):
    stats = admission_statistics(organization=third_quarter.district_a, period=Period.of(PeriodKind.QUARTER, 2026, 3))
    assert (stats.previous.start, stats.previous.end) == (D(2025, 7, 1), D(2025, 9, 30))
    figures = {row.key: (row.current, row.previous, row.percent) for row in stats.rows if not row.heading}
    expected = {
        "total": (4, 2, 200.0),
        "discharged_soldier": (2, 0, None),  # #1, #3
        "non_state": (2, 1, 200.0),  # #1, #2 / #5
        "occ_enterprise_employee": (1, 0, None),  # #2
        "occ_worker": (1, 1, 100.0),  # #1 / #5
        "occ_armed_forces": (1, 0, None),  # #3
        "occ_other": (1, 1, 100.0),  # #4 / #6
        "edu_primary": (2, 0, None),  # #1, #4
        "edu_upper_secondary": (2, 2, 100.0),  # #2, #3 / #5, #6 (the default)
        "pro_elementary": (1, 0, None),  # #4
        "pro_vocational": (1, 1, 100.0),  # #1 / #5
        "pro_college": (1, 1, 100.0),  # #2 / #6
        "pro_doctor": (1, 0, None),  # #3
        "pro_none": (0, 0, None),
        "age_18_30": (1, 1, 100.0),  # 30 / 25
        "age_31_40": (1, 1, 100.0),  # 40 / 35
        "age_41_50": (1, 0, None),  # 50
        "age_51": (1, 0, None),  # 60
        "average_age": (45.0, 30.0, 150.0),  # (30+40+50+60)/4, (25+35)/2; 45/30 = 150 %
        "women": (1, 1, 100.0),
    }
    assert {key: figures[key] for key in expected} == expected


def test_nine_months(third_quarter, client):
    """9 months of 2026 = 01/01–30/09/2026: #1–#4 and 30/06 = 5, discharged soldiers #1, #3 and 30/06 = 3;
    of 2025 (01/01–30/09/2025): #5, #6 = 2 and none. 01/10/2026 is outside."""
    period = Period.of(PeriodKind.NINE, 2026)
    assert (period.start, period.end, period.label) == (D(2026, 1, 1), D(2026, 9, 30), "9 tháng năm 2026")
    stats = admission_statistics(organization=third_quarter.district_a, period=period)
    assert (stats.previous.start, stats.previous.end) == (D(2025, 1, 1), D(2025, 9, 30))
    assert (stats.row("total").current, stats.row("total").previous, stats.row("total").percent) == (5, 2, 250.0)
    assert (stats.row("discharged_soldier").current, stats.row("discharged_soldier").previous) == (3, 0)
    client.force_login(third_quarter.staff)
    page = client.get(f"/reports/{third_quarter.district_a.pk}/statistics/?kind=nine&year=2026&number=3")
    html = page.content.decode()
    assert page.status_code == 200 and "9 tháng năm 2026" in html and "250,0" in html
    xlsx = client.get(f"/reports/{third_quarter.district_a.pk}/statistics.xlsx?kind=nine&year=2026")
    rows = {row[1]: row[2:4] for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)
            if row[1]}  # fmt: skip
    assert rows["Tổng số đảng viên mới kết nạp"] == (5, 2)
