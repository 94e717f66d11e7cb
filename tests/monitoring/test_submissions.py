"""Periodic reporting: submitting a report to the level above, and the completeness table the level
above sees (on time / late / missing / not yet due, default and per-plan deadlines)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from monitoring.models import ReportingDeadline, ReportSubmission
from monitoring.submissions import CellStatus, completeness, report_submit
from quotas.models import Plan
from tests.reports.factories import plan

D = datetime.date


def at(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def sent(world):
    """Commune A1's cells, quarterly reports of 2026: A1C Q1 on 10/04 (on time), Q2 on 16/07 (late);
    A1D Q1 on 15/04 at 23:00 (on time: the deadline day counts), Q2 not sent."""
    w = world
    report_submit(organization=w.cell_a, kind="quarter", year=2026, number=1, by=w.secretary, now=at(2026, 4, 10, 9))
    report_submit(organization=w.cell_a, kind="quarter", year=2026, number=2, by=w.staff, now=at(2026, 7, 16, 8))
    report_submit(organization=w.cell_a2, kind="quarter", year=2026, number=1, by=w.staff, now=at(2026, 4, 15, 23))
    return w


def test_completeness_table_with_default_deadlines(sent):
    table = completeness(organization=sent.commune_a, kind="quarter", year=2026, today=D(2026, 7, 20))
    assert table.deadlines == [D(2026, 4, 15), D(2026, 7, 15), D(2026, 10, 15), D(2027, 1, 15)]
    assert [(row.label, [cell.status for cell in row.cells]) for row in table.rows] == [
        ("Chi bộ Thôn 1", [CellStatus.ON_TIME, CellStatus.LATE, CellStatus.PENDING, CellStatus.PENDING]),
        ("Chi bộ Thôn 2", [CellStatus.ON_TIME, CellStatus.MISSING, CellStatus.PENDING, CellStatus.PENDING]),
    ]
    assert table.rows[0].cells[1].submitted_on == D(2026, 7, 16)
    # 4 reports due, 3 sent (75 %), 2 on time (50 %)
    assert (table.due, table.submitted, table.on_time) == (4, 3, 2)
    assert (table.reporting_rate, table.on_time_rate) == (75.0, 50.0)
    assert table.column(1) == {"on_time": 0, "late": 1, "missing": 1, "pending": 0}


def test_a_plan_can_move_the_deadline(sent):
    issued = plan(sent.district_a, "2-KH/HU", {sent.commune_a: 4}, year=2026)
    ReportingDeadline.objects.create(plan=issued, day=20)
    table = completeness(organization=sent.commune_a, kind="quarter", year=2026, today=D(2026, 7, 20))
    assert table.deadlines[1] == D(2026, 7, 20)
    assert [row.cells[1].status for row in table.rows] == [CellStatus.ON_TIME, CellStatus.PENDING]


def test_monthly_and_yearly_deadlines(world):
    table = completeness(organization=world.commune_a, kind="month", year=2026, today=D(2026, 1, 1))
    assert table.deadlines[0] == D(2026, 2, 15) and table.deadlines[11] == D(2027, 1, 15)
    year = completeness(organization=world.commune_a, kind="year", year=2026, today=D(2026, 1, 1))
    assert year.deadlines == [D(2027, 1, 15)]
    half = completeness(organization=world.commune_a, kind="half", year=2026, today=D(2026, 1, 1))
    assert half.deadlines == [D(2026, 7, 15)]


def test_a_period_is_submitted_once_and_nothing_else_is_written(sent):
    with pytest.raises(ValidationError, match="đã được gửi"):
        report_submit(organization=sent.cell_a, kind="quarter", year=2026, number=1, by=sent.staff)
    assert ReportSubmission.objects.filter(organization=sent.cell_a).count() == 2


@pytest.mark.parametrize(
    "role, org, error",
    [("secretary", "cell_a2", PermissionDenied), ("leader", "cell_a", PermissionDenied),
     ("staff", "cell_b", PermissionDenied), ("superuser", "province", ValidationError)],
)  # fmt: skip
def test_only_those_in_charge_submit(world, role, org, error):
    with pytest.raises(error):
        report_submit(organization=getattr(world, org), kind="month", year=2026, number=1, by=world.users[role])
    assert not ReportSubmission.objects.exists()


def test_a_period_not_yet_started_is_refused(world):
    with pytest.raises(ValidationError, match="chưa bắt đầu"):
        report_submit(organization=world.cell_a, kind="month", year=2026, number=12, by=world.staff,
                      now=at(2026, 11, 30, 12))  # fmt: skip
    assert not ReportSubmission.objects.exists()


@pytest.mark.parametrize(
    ("kind", "number", "message"),
    [
        ("quarter", 5, "Quý số 5; chỉ từ 1 đến 4"),
        ("year", 7, "báo cáo năm chỉ có một kỳ mỗi năm"),
        ("week", 1, "chọn tháng"),
    ],
)
def test_a_bad_period_says_what_is_valid(world, kind, number, message):
    with pytest.raises(ValidationError, match=message):
        report_submit(organization=world.cell_a, kind=kind, year=2026, number=number, by=world.staff)
    assert not ReportSubmission.objects.exists()


def test_page_and_submit_form(world, client):
    client.force_login(world.secretary)
    year = timezone.localdate().year
    response = client.post(f"/reports/{world.cell_a.pk}/submissions/submit/",
                           {"kind": "year", "year": year - 1, "number": 1, "note": "Báo cáo năm"})  # fmt: skip
    assert response.status_code == 302
    assert ReportSubmission.objects.get().submitted_by == world.secretary
    again = client.post(f"/reports/{world.cell_a.pk}/submissions/submit/",
                        {"kind": "year", "year": year - 1, "number": 1})  # fmt: skip
    assert again.status_code == 400 and "đã được gửi" in again.content.decode()
    assert ReportSubmission.objects.count() == 1

    client.force_login(world.staff)
    page = client.get(f"/reports/{world.commune_a.pk}/submissions/?kind=year&year={year - 1}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Chi bộ Thôn 1" in html and "Đúng hạn" in html and "Chưa gửi (quá hạn)" in html


def test_the_nearest_plan_that_sets_a_deadline_applies(sent):
    """District A's 2026 plan sets the 20th. Commune A1 issues its own plan without a deadline: reports
    to A1 still follow the district's 20th (Q2 → 20/07/2026). Once A1's plan sets the 10th, that wins
    (Q2 → 10/07/2026)."""
    w = sent
    ReportingDeadline.objects.create(plan=plan(w.district_a, "2-KH/HU", {w.commune_a: 4}, year=2026), day=20)
    own = plan(w.commune_a, "3-KH/ĐU", {w.cell_a: 2}, year=2026)
    table = completeness(organization=w.commune_a, kind="quarter", year=2026, today=D(2026, 7, 20))
    assert table.deadlines[1] == D(2026, 7, 20)
    assert table.deadline.plan.number == "2-KH/HU"
    ReportingDeadline.objects.create(plan=own, day=10)
    table = completeness(organization=w.commune_a, kind="quarter", year=2026, today=D(2026, 7, 20))
    assert table.deadlines[1] == D(2026, 7, 10) and table.deadline.plan.number == "3-KH/ĐU"
    # A1C sent Q2 on 16/07: late against the 10th.
    assert table.rows[0].cells[1].status == CellStatus.LATE


def test_an_undated_plan_does_not_override_a_dated_one(sent):
    """Two current district plans for 2026: 2-KH/HU issued 15/01/2026 sets the 20th, 3-KH/HU recorded
    without a date sets the 10th. The most recently issued dated plan applies (the 20th) on every
    database (PostgreSQL sorts NULL first in a descending order unless told otherwise)."""
    w = sent
    dated = plan(w.district_a, "2-KH/HU", {w.commune_a: 4}, year=2026, issued_on="2026-01-15")
    undated = plan(w.district_a, "3-KH/HU", {}, year=2026)
    Plan.objects.filter(pk=undated.pk).update(issued_on=None)
    ReportingDeadline.objects.create(plan=dated, day=20)
    ReportingDeadline.objects.create(plan=undated, day=10)
    table = completeness(organization=w.district_a, kind="quarter", year=2026, today=D(2026, 7, 20))
    assert table.deadlines[1] == D(2026, 7, 20)
