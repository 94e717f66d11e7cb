"""The rules every write follows, whatever the door (grid, file, API): one level down, no negatives,
quarters add up, all or nothing, replaced plans are history, signals sent inside the transaction."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from quotas import plans, selectors, services
from quotas.models import Plan, Quota
from quotas.services import QuotaInput
from quotas.signals import quotas_changed
from tests.quotas.conftest import quota_state


def _row(seeded, code, *values):
    return QuotaInput(seeded.org(code).pk, *values)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ((5, 1, 2, 2, 1), "Tổng các quý (1 + 2 + 2 + 1 = 6) khác tổng số (5)"),
        ((-1, None, None, None, None), "không được âm"),
        ((4, 1, 1, None, 2), "Điền đủ bốn quý"),
        ((None, 1, 1, 1, 1), "Thiếu tổng số"),
    ],
)
def test_a_broken_row_refuses_the_whole_save_and_names_the_row(seeded, values, message):
    before = quota_state()
    rows = [_row(seeded, "BG-LN-X01", 9, 3, 2, 2, 2), _row(seeded, "BG-LN-X02", *values)]
    with pytest.raises(ValidationError) as caught:
        services.allocation_save(organization=seeded.luc_ngan, year=2022, rows=rows, by=seeded.staff)
    errors = caught.value.message_dict[services.row_key(seeded.org("BG-LN-X02").pk)]
    assert any("Biển Động" in error and message in error for error in errors)
    assert quota_state() == before  # the valid first row was not written either


def test_quotas_go_one_level_down_only(seeded):
    before = quota_state()
    grandchild = seeded.org("BG-LN-X01-01")
    with pytest.raises(ValidationError) as caught:
        services.allocation_save(
            organization=seeded.luc_ngan, year=2022, rows=[QuotaInput(grandchild.pk, 1)], by=seeded.staff
        )
    assert "không trực thuộc Huyện ủy Lục Ngạn" in str(caught.value)
    assert quota_state() == before


def test_only_staff_of_the_allocating_organization_may_write(seeded):
    before = quota_state()
    for user in (seeded.leader, seeded.outsider):
        with pytest.raises(PermissionDenied):
            services.allocation_save(
                organization=seeded.luc_ngan, year=2022, rows=[_row(seeded, "BG-LN-X01", 1)], by=user
            )
    assert quota_state() == before


def test_save_writes_only_differences_keeps_history_and_sends_the_signal(seeded):
    fired = []

    def listener(*, plan_ids, **_):
        fired.append(plan_ids)

    quotas_changed.connect(listener)
    try:
        result = services.allocation_save(
            organization=seeded.luc_ngan,
            year=2022,
            rows=[_row(seeded, "BG-LN-X01", 6, 1, 2, 2, 1), _row(seeded, "BG-LN-X02", 6, 1, 2, 2, 1)],
            by=seeded.staff,
        )
    finally:
        quotas_changed.disconnect(listener)
    assert (result.created, result.updated, result.deleted) == (0, 1, 0)  # Biển Động was already 6/1/2/2/1
    assert fired == [{seeded.plan72.pk}]
    record = Quota.history.filter(organization=seeded.org("BG-LN-X01"), year=2022).latest("history_id")
    assert record.history_user == seeded.staff and record.total == 6


def test_clearing_a_row_removes_the_quota_but_history_keeps_it(seeded):
    commune = seeded.org("BG-LN-X01")
    result = services.allocation_save(
        organization=seeded.luc_ngan, year=2022, rows=[QuotaInput(commune.pk)], by=seeded.staff
    )
    assert result.deleted == 1
    assert not Quota.objects.filter(organization=commune, year=2022).exists()
    entries = selectors.quota_history(plan=seeded.plan72, year=2022)
    assert entries[0].kind == "-" and entries[0].changes[0] == ("Tổng số", 5, None)


def test_stale_token_is_a_conflict_and_writes_nothing(seeded):
    token, _values = selectors.allocation_state(plan=seeded.plan72, year=2022)
    services.allocation_save(
        organization=seeded.luc_ngan, year=2022, rows=[_row(seeded, "BG-LN-X01", 7)], seen_token=token, by=seeded.staff
    )
    before = quota_state()
    with pytest.raises(services.AllocationConflict) as caught:
        services.allocation_save(
            organization=seeded.luc_ngan,
            year=2022,
            rows=[_row(seeded, "BG-LN-X02", 9)],
            seen_token=token,
            by=seeded.staff2,
        )
    assert caught.value.values[seeded.org("BG-LN-X01").pk][0] == 7
    assert quota_state() == before


def test_without_a_plan_a_draft_titled_after_the_year_is_created(seeded):
    result = services.allocation_save(
        organization=seeded.luc_ngan, year=2027, rows=[_row(seeded, "BG-LN-X01", 4)], by=seeded.staff
    )
    plan = result.plan
    assert result.plan_created and plan.status == Plan.Status.DRAFT
    assert plan.title == "Kết nạp đảng viên năm 2027" and (plan.start_year, plan.end_year) == (2027, 2027)
    # A draft does not count (issue 13): it is the plan the grid works on, not the effective one.
    assert selectors.plan_effective(organization=seeded.luc_ngan, year=2027) is None
    assert plans.plan_working(organization=seeded.luc_ngan, year=2027) == plan


def test_replaced_plan_stays_as_history_and_cannot_be_changed(seeded):
    new = services.plan_replace(
        plan=seeded.plan72, by=seeded.staff, number="80-KH/HU", title="Điều chỉnh", start_year=2022, end_year=2022
    )
    assert selectors.plan_effective(organization=seeded.luc_ngan, year=2022) == new
    assert Quota.objects.filter(plan=new).count() == 55  # the new plan starts from a copy
    assert Quota.objects.effective().filter(plan=seeded.plan72).count() == 0
    assert Quota.objects.filter(plan=seeded.plan72).count() == 55  # still readable
    before = quota_state()
    with pytest.raises(ValidationError, match="đã được thay thế"):
        services.allocation_save(
            organization=seeded.luc_ngan,
            year=2022,
            rows=[_row(seeded, "BG-LN-X01", 1)],
            plan=seeded.plan72,
            by=seeded.staff,
        )
    with pytest.raises(ValidationError, match="đã được thay thế"):
        services.plan_replace(
            plan=seeded.plan72, by=seeded.staff, number="81-KH/HU", title="x", start_year=2022, end_year=2022
        )
    assert quota_state() == before


def test_effective_plan_is_the_most_recently_issued_current_one(seeded):
    import datetime

    later = services.plan_create(
        organization=seeded.luc_ngan,
        by=seeded.staff,
        number="90-KH/HU",
        title="Bổ sung",
        start_year=2022,
        end_year=2022,
        issued_on=datetime.date(2022, 5, 1),
    )
    undated = services.plan_create(
        organization=seeded.luc_ngan, by=seeded.staff, number="Dự thảo", title="x", start_year=2022, end_year=2022
    )
    assert selectors.plan_effective(organization=seeded.luc_ngan, year=2022) == later
    assert undated.is_current


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"number": "72-KH/HU"}, "number", "đã có kế hoạch số 72-KH/HU"),
        ({"start_year": 2023, "end_year": 2022}, "end_year", "Năm kết thúc"),
        (
            {"target": 25, "target_q1": 0, "target_q2": 4, "target_q3": 11, "target_q4": 9},
            "target_q1",
            "Tổng các quý (24)",
        ),
        (
            {"target": 25, "end_year": 2026, "target_q1": 0, "target_q2": 4, "target_q3": 11, "target_q4": 10},
            "target_q1",
            "một năm",
        ),
        (
            {"status": "issued", "issued_on": datetime.date.today() + datetime.timedelta(days=1)},
            "issued_on",
            "không thể có ngày ban hành sau hôm nay",
        ),
    ],
)
def test_plan_rules(seeded, fields, field, message):
    before = Plan.objects.count()
    data = {"number": "99-KH/HU", "title": "Thử", "start_year": 2022, "end_year": 2022, **fields}
    with pytest.raises(ValidationError) as caught:
        services.plan_create(organization=seeded.luc_ngan, by=seeded.staff, **data)
    assert any(message in m for m in caught.value.message_dict[field])
    assert Plan.objects.count() == before


def test_term_save_checks_term_total_and_figures(seeded):
    before = quota_state()
    row = services.TermInput(
        organization_id=seeded.org("LD-BL-X01").pk,
        years=dict.fromkeys(range(2021, 2026), 8),
        term_total=41,
        member_count=10,
        official_member_count=11,
    )
    with pytest.raises(ValidationError) as caught:
        services.term_save(plan=seeded.plan55, rows=[row], by=seeded.staff_bl)
    text = " ".join(caught.value.messages)
    assert "chỉ tiêu nhiệm kỳ (41) khác tổng các năm (40)" in text
    assert quota_state() == before
