"""Reporting deadlines per plan: set by committee staff on the deadlines page (scoped, validated,
history kept) or in the admin, and used by the completeness table."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from monitoring.models import ReportingDeadline
from monitoring.submissions import completeness, reporting_deadline_set
from quotas.models import Plan
from tests.reports.factories import plan

D = datetime.date


@pytest.fixture
def plans(world):
    world.plan_a = plan(world.district_a, "2-KH/HU", {world.commune_a: 4}, year=2026, issued_on="2026-01-15")
    world.plan_b = plan(world.district_b, "3-KH/HU", {world.commune_b: 4}, year=2026, issued_on="2026-01-15")
    return world


def _url(p):
    return reverse("monitoring:deadline-set", args=[p.pk])


def test_staff_set_the_day_and_the_completeness_table_follows(plans, client):
    """District A's staff set the 20th of the following month for 2-KH/HU: commune A1's quarterly
    reports of 2026 (A1 reports to the district) are due 20/04, 20/07, 20/10 and 20/01/2027."""
    client.force_login(plans.staff)
    response = client.post(_url(plans.plan_a), {"day": 20, "months_after": 1})
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:deadlines", args=[plans.district_a.pk])
    setting = ReportingDeadline.objects.get(plan=plans.plan_a)
    assert (setting.day, setting.months_after) == (20, 1)
    table = completeness(organization=plans.district_a, kind="quarter", year=2026, today=D(2026, 5, 1))
    assert table.deadlines == [D(2026, 4, 20), D(2026, 7, 20), D(2026, 10, 20), D(2027, 1, 20)]
    # Changed again: the 10th of the second month after → Q1 due 10/05/2026; both changes are kept.
    client.post(_url(plans.plan_a), {"day": 10, "months_after": 2})
    table = completeness(organization=plans.district_a, kind="quarter", year=2026, today=D(2026, 5, 1))
    assert table.deadlines[0] == D(2026, 5, 10)
    history = list(ReportingDeadline.history.filter(plan=plans.plan_a).order_by("history_date"))
    assert [(h.day, h.months_after, h.history_user) for h in history] == [(20, 1, plans.staff), (10, 2, plans.staff)]
    # The page shows the setting that applies, the plan's row and the history.
    html = client.get(reverse("monitoring:deadlines", args=[plans.district_a.pk]) + "?year=2026").content.decode()
    assert "theo kế hoạch 2-KH/HU của Huyện ủy Lục Ngạn" in html
    assert "Ví dụ: báo cáo Tháng 01 năm 2026 hạn 10/03/2026." in html
    assert "ngày 20 của tháng thứ 1 sau kỳ" in html and "ngày 10 của tháng thứ 2 sau kỳ" in html
    page = client.get(reverse("monitoring:completeness", args=[plans.district_a.pk]) + "?kind=quarter&year=2026")
    assert "Hạn gửi: ngày 10 của tháng thứ 2 sau kỳ báo cáo, theo kế hoạch 2-KH/HU" in page.content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"day": 0, "months_after": 1}, "Ngày hạn gửi phải từ 1 đến 28."),
        ({"day": 29, "months_after": 1}, "Ngày hạn gửi phải từ 1 đến 28 (để tháng nào cũng có ngày đó)."),
        ({"day": "mười", "months_after": 1}, "Ngày hạn gửi phải là một số từ 1 đến 28."),
        ({"day": 10, "months_after": 4}, "Chọn tháng sau kỳ báo cáo"),
        ({"months_after": 1}, "Nhập ngày hạn gửi"),
    ],
)
def test_bad_input_is_refused_clearly_and_changes_nothing(plans, client, data, message):
    ReportingDeadline.objects.create(plan=plans.plan_a, day=15)
    client.force_login(plans.staff)
    response = client.post(_url(plans.plan_a), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    setting = ReportingDeadline.objects.get(plan=plans.plan_a)
    assert (setting.day, setting.months_after) == (15, 1)


@pytest.mark.parametrize("role", ["secretary", "leader"])
def test_only_staff_and_administrators_set_deadlines(plans, client, role):
    client.force_login(plans.users[role])
    commune_plan = plan(plans.commune_a, "4-KH/ĐU", {plans.cell_a: 2}, year=2026)
    for target in (plans.plan_a, commune_plan):
        assert client.post(_url(target), {"day": 20, "months_after": 1}).status_code == 404
    assert not ReportingDeadline.objects.exists()
    # The page is readable, without the form.
    if role == "leader":
        html = client.get(reverse("monitoring:deadlines", args=[plans.district_a.pk])).content.decode()
        assert "2-KH/HU" in html and 'name="day"' not in html


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_a_plan_outside_the_scope_is_404(plans, client, role):
    client.force_login(plans.users[role])
    assert client.post(_url(plans.plan_b), {"day": 20, "months_after": 1}).status_code == 404
    assert client.get(reverse("monitoring:deadlines", args=[plans.district_b.pk])).status_code == 404
    assert not ReportingDeadline.objects.exists()


def test_the_service_checks_scope_validity_and_replaced_plans(plans):
    with pytest.raises(PermissionDenied):
        reporting_deadline_set(plan=plans.plan_b, day=20, by=plans.staff)
    with pytest.raises(ValidationError):
        reporting_deadline_set(plan=plans.plan_a, day=31, by=plans.staff)
    newer = plan(plans.district_a, "5-KH/HU", {plans.commune_a: 5}, year=2026, replaces=plans.plan_a)
    with pytest.raises(ValidationError, match="đã được thay thế"):
        reporting_deadline_set(plan=Plan.objects.get(pk=plans.plan_a.pk), day=20, by=plans.staff)
    assert not ReportingDeadline.objects.exists()
    reporting_deadline_set(plan=newer, day=20, by=plans.admin)
    # An unchanged value writes no history row.
    reporting_deadline_set(plan=newer, day=20, by=plans.admin)
    assert ReportingDeadline.history.count() == 1


def test_the_admin_is_scoped_to_the_administrators_subtree(plans, client):
    inside = ReportingDeadline.objects.create(plan=plans.plan_a, day=20)
    outside = ReportingDeadline.objects.create(plan=plans.plan_b, day=10)
    client.force_login(plans.admin)
    listing = client.get(reverse("admin:monitoring_reportingdeadline_changelist"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "2-KH/HU" in html and "3-KH/HU" not in html
    assert client.get(reverse("admin:monitoring_reportingdeadline_change", args=[outside.pk])).status_code == 404
    # A change saved in the admin goes through the service (validation, history with the user).
    change = reverse("admin:monitoring_reportingdeadline_change", args=[inside.pk])
    assert client.post(change, {"day": 12, "months_after": 1}).status_code == 302
    inside.refresh_from_db()
    assert inside.day == 12 and ReportingDeadline.history.filter(history_user=plans.admin).exists()
    refused = client.post(change, {"day": 30, "months_after": 1})
    assert refused.status_code == 200 and "28" in refused.content.decode()
    inside.refresh_from_db()
    assert inside.day == 12
    # The add form offers only plans in scope.
    add = client.get(reverse("admin:monitoring_reportingdeadline_add")).content.decode()
    assert "2-KH/HU" in add and "3-KH/HU" not in add
    # Staff without the admin role do not get the admin.
    client.force_login(plans.staff)
    assert client.get(reverse("admin:monitoring_reportingdeadline_changelist")).status_code in (302, 403)


def test_alert_rules_admin_is_for_superusers(plans, client):
    client.force_login(plans.admin)
    assert client.get(reverse("admin:monitoring_alertrules_changelist")).status_code in (302, 403)
    client.force_login(plans.superuser)
    assert client.get(reverse("admin:monitoring_alertrules_changelist")).status_code == 200
    response = client.post(
        reverse("admin:monitoring_alertrules_add"),
        {"stalled_cell_years": 4, "min_cell_members": 9, "certificate_expiry_months": 3},
    )
    assert response.status_code == 302
    from monitoring.models import AlertRules

    assert AlertRules.current().stalled_cell_years == 4
    assert AlertRules.history.get().history_user == plans.superuser
