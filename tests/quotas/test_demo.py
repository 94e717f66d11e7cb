"""The demo data reproduces every plan and quota printed in the seeds, and loading twice changes nothing."""

from __future__ import annotations

import io

from organizations.models import Organization
from quotas import demo, selectors
from quotas.models import Plan, Quota
from tests.quotas.conftest import quota_state


def test_seed_000_two_tables_and_plan_72(seeded):
    allocation = selectors.allocation_for(organization=seeded.luc_ngan, year=2022)
    assert allocation.plan == seeded.plan72
    assert seeded.plan72.issued_on.isoformat() == "2022-02-11"
    assert (seeded.plan72.target, seeded.plan72.target_is_minimum) == (200, True)
    communes, institutions = allocation.groups
    assert [row.organization.code for row in communes.rows] == [f"BG-LN-X{i:02d}" for i in range(1, 30)]
    assert [row.organization.code for row in institutions.rows] == [f"BG-LN-C{i:02d}" for i in range(1, 27)]
    assert communes.sums.values == (178, 41, 54, 52, 31)
    assert institutions.sums.values == (42, 5, 17, 20, 0)
    assert allocation.sums.total == 220
    assert communes.rows[3].name == "Chũ" and communes.rows[3].values == (11, 2, 4, 3, 2)
    assert institutions.rows[25].values == (4, 0, 2, 2, 0)  # Chi bộ Công ty TNHH Y Dược Bắc Thăng Long
    # Allocated 220 against a target of at least 200: shown as a warning, not refused.
    assert any("+20" in warning for warning in allocation.warnings)


def test_seed_004_term_plan_55(seeded):
    table = selectors.term_table(plan=seeded.plan55)
    assert (seeded.plan55.start_year, seeded.plan55.end_year, seeded.plan55.target) == (2021, 2025, 80)
    totals = table.totals()
    assert totals["cell_count"] == 247 and totals["member_count"] == 3258 and totals["official_member_count"] == 3210
    assert totals["term_total"] == 400
    assert totals["years"] == {2021: 80, 2022: 80, 2023: 80, 2024: 80, 2025: 80}
    by_code = {row.organization.code: row for row in table.rows}
    assert by_code["LD-BL-X01"].term_total == 40 and by_code["LD-BL-X01"].figure.member_count == 502
    military = by_code["LD-BL-C02"]
    assert military.term_total == 0 and set(military.years.values()) == {None}
    assert by_code["LD-BL-C03"].figure.cell_count is None and by_code["LD-BL-C03"].term_total == 15
    kinds = {t.kind: (t.comparison, int(t.value)) for t in seeded.plan55.sub_targets.all()}
    assert kinds["youth_union_share"] == ("gt", 65) and kinds["private_business_owners"] == ("gte", 1)


def test_seed_003_ham_liem_replaced_plan_and_quarterly_targets(seeded):
    old = Plan.objects.get(organization=seeded.ham_liem, number="70-KH/ĐU")
    current = selectors.plan_effective(organization=seeded.ham_liem, year=2026)
    assert not old.is_current and current.replaces == old
    assert current.target == 25 and current.target_quarters == (0, 4, 11, 10)
    cumulative = [current.target_to_quarter(q) for q in (1, 2, 3, 4)]
    assert cumulative == [0, 4, 15, 25]
    assert [round(v * 100 / current.target) for v in cumulative] == [0, 16, 60, 100]
    assert "không in số" in current.note


def test_seeds_001_and_002_targets(seeded):
    cam_vu = selectors.plan_effective(organization=Organization.objects.get(code="HD-CG-X01"), year=2023)
    assert cam_vu.number == "41-KH/ĐU" and (cam_vu.start_year, cam_vu.end_year) == (2020, 2025)
    assert cam_vu.target_for_year(2022) == 3 and cam_vu.target_is_minimum
    phan_rang = selectors.plan_effective(organization=Organization.objects.get(code="NT-PR"), year=2023)
    assert phan_rang.target_for_year(2023) == 180 and not phan_rang.target_is_minimum


def test_loading_twice_changes_nothing(seeded):
    before = quota_state()
    plans_history = Plan.history.count()
    demo.load(stdout=io.StringIO())
    assert quota_state() == before
    assert Plan.history.count() == plans_history
    assert Quota.objects.filter(plan=seeded.plan72).count() == 55
