"""A committee whose parent allocated nothing measures itself against its own plan (seed 003)."""

import pytest

from quotas.models import Plan
from reports.selectors import progress_report

pytestmark = pytest.mark.django_db


def test_own_plan_target_with_quarterly_targets_is_the_subjects_quota(world):
    Plan.objects.create(
        organization=world.commune_a,
        number="71-KH/ĐU",
        title="Phát triển đảng viên mới năm 2026 (điều chỉnh, bổ sung)",
        start_year=2026,
        end_year=2026,
        target=25,
        target_q1=0,
        target_q2=4,
        target_q3=11,
        target_q4=10,
    )
    report = progress_report(organization=world.commune_a, year=2026, quarter=3)
    assert report.subject.quota.total == 25
    assert report.subject.quota.through == (0, 4, 15, 25)  # 0 / 16 / 60 / 100 %
    assert [point["target"] for point in report.quarter_series] == [0, 4, 15, 25]
    # The children's rows are untouched: nothing was allocated to the cells.
    assert all(row.quota is None for row in report.rows)


def test_a_quota_from_the_parent_wins_over_the_own_target(world):
    from quotas.models import Quota

    parent_plan = Plan.objects.create(
        organization=world.district_a, number="72-KH/HU", title="Kết nạp 2026", start_year=2026, end_year=2026
    )
    Quota.objects.create(plan=parent_plan, organization=world.commune_a, year=2026, total=8)
    from quotas.signals import quotas_changed

    quotas_changed.send(sender=Plan, plan_ids={parent_plan.pk})  # as the quota services do
    Plan.objects.create(
        organization=world.commune_a, number="71-KH/ĐU", title="Riêng", start_year=2026, end_year=2026, target=25
    )
    report = progress_report(organization=world.commune_a, year=2026, quarter=3)
    assert report.subject.quota.total == 8
