"""The biểu does not profile a person: for a reader who may not see the people (a leader), a period
with fewer new members than PrivacyRules.statistics_min_people (5) shows its total only, on the page,
in the PDF and the .xlsx, with the reason; every breakdown shown is logged as a read of personal data."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from candidates.models import PersonalDataAccess, PrivacyRules
from monitoring.statistics import Period, admission_statistics, sub_target_report
from tests.reports.factories import admit

from .test_sub_targets import TODAY, measured  # noqa: F401  (the fixture)

D = datetime.date
pytestmark = pytest.mark.django_db
DAY = "kind=custom&start=2026-03-10&end=2026-03-10"
NOTE = "để không lộ thông tin cá nhân của từng người"


@pytest.fixture
def one_person(world):
    """The review's find: one admission on 10/03/2026, a Tày Buddhist woman of 44 with lower secondary
    education; a year earlier, nobody."""
    admit(
        world.cell_a,
        "2026-03-10",
        gender="female",
        birth_date=D(1981, 6, 1),
        ethnicity="tay",
        religion="buddhism",
        education_level="lower_secondary",
    )
    return world


def _rows(stats) -> dict[str, object]:
    return {row.key: row.current for row in stats.rows if not row.heading}


def test_a_leader_sees_only_the_total_of_a_day_with_one_admission(one_person, client):
    client.force_login(one_person.leader)
    response = client.get(f"{reverse('monitoring:statistics', args=[one_person.district_a.pk])}?{DAY}")
    assert response.status_code == 200
    rows = _rows(response.context["stats"])
    assert rows["total"] == 1
    breakdown = {key: value for key, value in rows.items() if key != "total"}
    assert set(breakdown.values()) == {None}, breakdown  # no ethnicity, religion, age band, education
    assert rows["minorities"] is None and rows["religion"] is None and rows["average_age"] is None
    html = response.content.decode()
    assert NOTE in html and "dưới 5 đảng viên mới kết nạp" in html
    assert "44,0" not in html  # the average age of one person is their age

    pdf = client.get(f"{reverse('monitoring:statistics-pdf', args=[one_person.district_a.pk])}?{DAY}")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert NOTE in text and "44,0" not in text

    xlsx = client.get(f"{reverse('monitoring:statistics-xlsx', args=[one_person.district_a.pk])}?{DAY}")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = {row[1]: row[2] for row in sheet.iter_rows(values_only=True) if row[1]}
    assert values["Tổng số đảng viên mới kết nạp"] == 1
    assert values["Dân tộc thiểu số"] == "—" and values["Có đạo (tôn giáo)"] == "—"
    assert values["    Tuổi đời bình quân"] == "—"
    assert any(NOTE in str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell)
    # Nothing personal was shown: nothing is logged.
    assert not PersonalDataAccess.objects.exists()


def test_who_may_see_the_people_sees_the_breakdown_and_the_read_is_logged(one_person, client):
    client.force_login(one_person.staff)
    response = client.get(f"{reverse('monitoring:statistics', args=[one_person.district_a.pk])}?{DAY}")
    rows = _rows(response.context["stats"])
    assert (rows["minorities"], rows["religion"], rows["average_age"]) == (1, 1, 44.0)
    assert NOTE not in response.content.decode() and "44,0" in response.content.decode()
    entry = PersonalDataAccess.objects.get()
    assert (entry.kind, entry.user, entry.organization, entry.person_count) == (
        PersonalDataAccess.Kind.STATISTICS,
        one_person.staff,
        one_person.district_a,
        1,
    )
    assert "10/03/2026" in entry.filters


def test_the_threshold_is_data_and_each_column_is_judged_alone(world, client):
    for day in ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"):
        admit(world.cell_a, day, ethnicity="tay")
    for day in ("2025-03-02", "2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06"):
        admit(world.cell_a, day, ethnicity="nung")
    period = Period.custom(D(2026, 3, 1), D(2026, 3, 31))
    stats = admission_statistics(organization=world.district_a, period=period, min_people=5)
    minorities = stats.row("minorities")
    assert stats.withheld == (True, False)
    assert (stats.row("total").current, minorities.current, minorities.previous) == (4, None, 5)
    assert minorities.percent is None and stats.people_shown == 5
    assert "Kỳ này:" in stats.withheld_note and "Cùng kỳ" not in stats.withheld_note
    # Without a threshold (a reader who sees the people) nothing is withheld.
    assert admission_statistics(organization=world.district_a, period=period).row("minorities").current == 4
    # In the leader's .xlsx the withheld column is "—" and its % formula does not divide it.
    client.force_login(world.leader)
    query = "kind=custom&start=2026-03-01&end=2026-03-31"
    xlsx = client.get(f"{reverse('monitoring:statistics-xlsx', args=[world.district_a.pk])}?{query}")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    row = next(row for row in sheet.iter_rows() if row[1].value == "Dân tộc thiểu số")
    assert (row[2].value, row[3].value) == ("—", 5)
    assert row[4].value.startswith(f"=IF(AND(ISNUMBER(C{row[4].row}),")
    # The administrators lower the threshold: 4 people are now broken down for the leader too.
    rules = PrivacyRules.current()
    rules.statistics_min_people = 4
    rules.save()
    url = f"{reverse('monitoring:statistics', args=[world.district_a.pk])}?{query}"
    assert client.get(url).context["stats"].row("minorities").current == 4


def test_a_secretary_sees_her_own_cells_breakdown(one_person, client):
    client.force_login(one_person.secretary)
    response = client.get(f"{reverse('monitoring:statistics', args=[one_person.cell_a.pk])}?{DAY}")
    assert _rows(response.context["stats"])["religion"] == 1


def test_sub_targets_on_personal_attributes_are_withheld_for_few_people(measured):  # noqa: F811
    """2026: the district admitted 4 (3 in the commune, 1 at the school): below 5 everywhere."""
    report = sub_target_report(organization=measured.district_a, year=2026, today=TODAY, min_people=5)
    table = {st.kind: [(r.measured, r.met) for r in results] for st, results in report.results}
    assert table["youth_union_share"] == [(None, None)] * 3
    assert table["private_business_owners"] == [(None, None)] * 3
    # Counts of admissions per commune and the cells' figures are not personal: still measured.
    assert table["min_per_unit"][1] == (3, True)
    assert table["cell_min_members"][0] == (8, False)
    withheld = next(results for st, results in report.results if st.kind == "youth_union_share")[0]
    assert NOTE in withheld.detail
