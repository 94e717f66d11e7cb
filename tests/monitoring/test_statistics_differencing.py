"""The re-probe's differencing attack: a leader (who may not see the people) compared the custom
periods 01–09/01/2022 (6 people) and 01–10/01/2022 (7 people) and read the one person admitted on
10/01 from the difference. For such readers a custom period is widened to whole months, a category
of 1–4 people is "< 5" (and a second one hidden where it alone could be recovered from the total),
on the page, in the PDF and the .xlsx; who may see the people still sees exact figures."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from monitoring.statistics import Period, _suppressed, admission_statistics
from tests.reports.factories import admit

D = datetime.date
pytestmark = pytest.mark.django_db
NINE_DAYS = "kind=custom&start=2022-01-01&end=2022-01-09"
TEN_DAYS = "kind=custom&start=2022-01-01&end=2022-01-10"
WIDENED = "Khoảng thời gian được mở rộng thành trọn tháng để bảo vệ thông tin cá nhân: từ 01/01/2022 đến 31/01/2022"


@pytest.fixture
def january(world):
    """Six Kinh men without religion, upper secondary education, admitted 01–09/01/2022; on 10/01 a
    Tày Buddhist woman with lower secondary education, 44 at admission."""
    for day in range(1, 7):
        admit(world.cell_a, D(2022, 1, day), birth_date=D(1990, 1, day))
    admit(
        world.cell_a,
        "2022-01-10",
        gender="female",
        birth_date=D(1977, 6, 1),
        ethnicity="tay",
        religion="buddhism",
        education_level="lower_secondary",
    )
    return world


def _figures(stats) -> dict[str, object]:
    return {row.key: (row.current, row.previous) for row in stats.rows if not row.heading}


def test_the_two_periods_give_the_leader_the_same_answer(january, client):
    client.force_login(january.leader)
    url = reverse("monitoring:statistics", args=[january.district_a.pk])
    nine, ten = (client.get(f"{url}?{query}") for query in (NINE_DAYS, TEN_DAYS))
    assert nine.status_code == ten.status_code == 200
    first, second = nine.context["stats"], ten.context["stats"]
    assert (second.period.start, second.period.end) == (D(2022, 1, 1), D(2022, 1, 31))
    assert _figures(first) == _figures(second)  # the difference is nothing
    rows = _figures(second)
    assert rows["total"][0] == 7
    # The one woman, the one minority, the one with religion: "< 5", not 1.
    assert rows["women"][0] == rows["minorities"][0] == rows["religion"][0] == "< 5"
    # Education: 1 lower secondary is "< 5"; alone it would be 7 − 6, so the 6 are hidden too.
    assert (rows["edu_lower_secondary"][0], rows["edu_upper_secondary"][0]) == ("< 5", "≥ 5")
    assert rows["average_age"][0] is not None  # 7 people: the average is shown
    html = ten.content.decode()
    assert WIDENED in html and 'value="2022-01-31"' in html and "&lt; 5" in html
    assert second.row("women").percent is None


def test_the_pdf_and_the_xlsx_show_the_same_suppressed_figures(january, client):
    client.force_login(january.leader)
    pdf = client.get(f"{reverse('monitoring:statistics-pdf', args=[january.district_a.pk])}?{TEN_DAYS}")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert WIDENED in text and "Nữ < 5" in text and "31/01/2022" in text

    xlsx = client.get(f"{reverse('monitoring:statistics-xlsx', args=[january.district_a.pk])}?{TEN_DAYS}")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = {row[1]: row[2] for row in sheet.iter_rows(values_only=True) if row[1]}
    assert values["Tổng số đảng viên mới kết nạp"] == 7
    assert values["Nữ"] == "< 5" and values["Dân tộc thiểu số"] == "< 5"
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert any(WIDENED in cell for cell in cells)


def test_who_may_see_the_people_sees_exact_figures_of_the_period_asked(january, client):
    client.force_login(january.staff)
    url = reverse("monitoring:statistics", args=[january.district_a.pk])
    stats = client.get(f"{url}?{TEN_DAYS}").context["stats"]
    assert (stats.period.end, stats.widened_note) == (D(2022, 1, 10), "")
    rows = _figures(stats)
    assert (rows["total"][0], rows["women"][0], rows["edu_lower_secondary"][0], rows["edu_upper_secondary"][0]) == (
        7,
        1,
        1,
        6,
    )
    assert client.get(f"{url}?{NINE_DAYS}").context["stats"].row("total").current == 6


def test_complementary_suppression():
    assert _suppressed({"a": 3, "b": 10, "c": 20}, 33, 5) == {"a": "< 5", "b": "≥ 5"}
    assert _suppressed({"a": 3, "b": 4, "c": 20}, 27, 5) == {"a": "< 5", "b": "< 5"}
    assert _suppressed({"a": 0, "b": 10}, 10, 5) == {}
    # A "trong đó" line against the total: its complement is hidden already…
    assert _suppressed({"women": 3}, 10, 5) == {"women": "< 5"}
    # …but a complement of 1–4 would be read as total − the line: the line is hidden.
    assert _suppressed({"women": 8}, 10, 5) == {"women": "≥ 5"}
    assert _suppressed({"women": 5}, 10, 5) == {}
    # People in no category shown (rest 6) hide the one small cell already.
    assert _suppressed({"a": 2, "b": 7}, 15, 5) == {"a": "< 5"}


def test_widening_and_the_year_before_are_whole_months(world):
    period = Period.custom(D(2025, 2, 3), D(2025, 2, 10)).whole_months()
    assert (period.start, period.end) == (D(2025, 2, 1), D(2025, 2, 28))
    before = period.year_before()
    assert (before.start, before.end) == (D(2024, 2, 1), D(2024, 2, 29))  # all of February 2024
    stats = admission_statistics(
        organization=world.district_a, period=Period.custom(D(2025, 2, 3), D(2025, 2, 10)), min_people=5
    )
    assert (stats.period.start, stats.period.end, stats.previous.end) == (D(2025, 2, 1), D(2025, 2, 28), D(2024, 2, 29))
