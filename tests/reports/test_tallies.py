"""The summary tables never drift from the facts: after admissions, cancellations, corrections,
moves, merges and quota changes, they equal a from-scratch recount, and the roll-up equals a naive
count made straight from the admissions and quotas."""

from __future__ import annotations

import datetime
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from candidates.models import Admission
from organizations import services as org_services
from organizations.models import Organization
from quotas.models import Plan, Quota
from reports import services
from reports.models import AdmissionTally, QuotaTally
from reports.selectors import Structure, progress_report

from .factories import admit, cancel, plan, redate, set_quota

TODAY = datetime.date(2025, 11, 1)


def naive_admitted(organization: Organization, year: int) -> tuple[int, int, int, int]:
    """Counted admissions in the organization's subtree, straight from the facts."""
    organization.refresh_from_db()
    counts = [0, 0, 0, 0]
    for day in (
        Admission.objects.counted()
        .filter(
            organization__tree_id=organization.tree_id,
            organization__lft__gte=organization.lft,
            organization__rght__lte=organization.rght,
            admitted_on__year=year,
        )
        .values_list("admitted_on", flat=True)
    ):
        counts[(day.month - 1) // 3] += 1
    return tuple(counts)


def merged_into(organization: Organization) -> list[Organization]:
    """The organization and every organization merged into it, directly or through a chain of merges."""
    found, queue = [], [organization]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(Organization.objects.filter(merged_into=current))
    return found


def naive_quota(organization: Organization, year: int) -> int | None:
    """The rule of issue 5, one organization at a time: what the parent's effective plan allocated to
    it and to the organizations merged into it, else the sum of the children's quotas, recursively."""
    if organization.parent_id is not None:
        plans = [
            p
            for p in Plan.objects.filter(organization_id=organization.parent_id, status="issued")
            if not is_replaced(p) and p.start_year <= year <= p.end_year
        ]
        plans.sort(key=lambda p: (p.issued_on or datetime.date.min, p.pk), reverse=True)
        if plans:
            quotas = Quota.objects.filter(plan=plans[0], organization__in=merged_into(organization), year=year)
            if quotas:
                return sum(quota.total for quota in quotas)
    totals = [naive_quota(child, year) for child in Organization.objects.filter(parent=organization)]
    totals = [t for t in totals if t is not None]
    return sum(totals) if totals else None


def is_replaced(p: Plan) -> bool:
    return Plan.objects.filter(replaces=p).exists()


def assert_consistent(*organizations: Organization, year: int = 2025):
    """The tallies against a recount in today's tree (the report in today's structure: writes dated
    today come after the period)."""
    assert services.tallies_drift() == []
    for organization in organizations:
        organization.refresh_from_db()
        report = progress_report(organization=organization, year=year, quarter=4, today=TODAY, structure=Structure.NOW)
        children = {c.pk: c for c in Organization.objects.filter(parent=organization)}
        for row in report.rows:
            child = children[row.organization.id]
            assert row.admitted_by_quarter == naive_admitted(child, year), row.label
            assert row.quota_total == naive_quota(child, year), row.label
        assert report.total.admitted_by_quarter == naive_admitted(organization, year)
        assert report.subject.quota_total == naive_quota(organization, year)


def test_fixture_tallies_match_a_recount(tree):
    assert_consistent(tree.province, tree.district, tree.x1, tree.x3)
    # Admissions at X1a roll up to every ancestor; the cancelled one and 2024 are elsewhere or nowhere.
    x1a = AdmissionTally.objects.get(organization=tree.x1a, year=2025)
    assert (x1a.own, x1a.subtree) == ((1, 2, 0, 0), (1, 2, 0, 0))
    root = AdmissionTally.objects.get(organization=tree.province, year=2025)
    assert (root.own, root.subtree) == ((0, 0, 0, 0), (4, 3, 2, 2))
    assert AdmissionTally.objects.get(organization=tree.province, year=2024).subtree == (0, 0, 0, 1)


def test_admit_cancel_and_correct(tree):
    late = admit(tree.x2a, "2025-12-31")
    assert_consistent(tree.district, tree.x2)
    redate(late, on=datetime.date(2026, 1, 1), organization=tree.x1b)  # another year and another cell
    assert_consistent(tree.district, tree.x1)
    assert AdmissionTally.objects.get(organization=tree.x1b, year=2026).subtree == (1, 0, 0, 0)
    cancel(late)
    assert_consistent(tree.district)
    assert not AdmissionTally.objects.filter(year=2026).exists()  # empty rows are not kept


def test_move_and_merge(tree):
    org_services.organization_move(organization=tree.x1b, new_parent=tree.x2)
    assert_consistent(tree.province, tree.district, tree.x1, tree.x2)
    org_services.organization_merge(sources=[tree.x3], target=tree.x2, on=datetime.date(2025, 7, 1))
    assert_consistent(tree.province, tree.district, tree.x2)
    # The district's summary keeps everything it allocated: Một 10 + Hai 6 + Ba (merged into Hai) 4
    # + the school 2 = 22, with quarters to date through Q4 equal to the totals.
    district = QuotaTally.objects.get(organization=tree.district, year=2025)
    assert (district.total, district.through_q4, district.estimated) == (22, 22, True)
    # Moving a whole commune to another district keeps everything below it.
    district_2 = org_services.organization_create(
        parent=tree.province, name="Huyện ủy Khác", code="T-D2", kind="district"
    )
    org_services.organization_move(organization=tree.x2, new_parent=district_2)
    assert_consistent(tree.province, tree.district, district_2)


def test_quota_changes(tree):
    quota = Quota.objects.get(plan=tree.plan_x1, organization=tree.x1a)
    set_quota(quota, total=8, q1=2, q2=2, q3=2, q4=2)
    assert_consistent(tree.x1, tree.district)
    plan(tree.district, "80-KH/HU", {tree.x2: 5}, issued_on="2025-05-01", replaces=tree.plan_d)
    tree.plan_p.quotas.all().delete()
    plan(tree.province, "2-KH/TU", {}, issued_on="2025-05-01", replaces=tree.plan_p)
    assert_consistent(tree.province, tree.district)
    assert progress_report(organization=tree.province, year=2025, quarter=1).rows[0].quota_total == 8 + 5 + 5


def test_random_writes_never_drift(tree):
    """A fixed random sequence of every kind of write, checked against the recount as it goes."""
    rng = random.Random(5)
    cells = [tree.x1a, tree.x1b, tree.x2a, tree.x3a, tree.school]
    communes = [tree.x1, tree.x2, tree.x3]
    for step in range(30):
        action = rng.choice(["admit", "admit", "cancel", "redate", "move", "quota"])
        if action == "admit":
            admit(rng.choice(cells), datetime.date(2025, rng.randint(1, 12), rng.randint(1, 28)))
        elif action == "cancel":
            admission = Admission.objects.counted().order_by("?").first()
            cancel(admission)
        elif action == "redate":
            admission = Admission.objects.counted().order_by("?").first()
            redate(
                admission,
                on=datetime.date(rng.choice([2024, 2025]), rng.randint(1, 12), 15),
                organization=rng.choice(cells),
            )
        elif action == "move":
            cell = rng.choice(cells[:4])
            target = rng.choice([c for c in communes if c.pk != cell.parent_id] or communes)
            cell.refresh_from_db()
            if target.pk != cell.parent_id:
                org_services.organization_move(organization=cell, new_parent=target)
        else:
            quota = Quota.objects.filter(plan__replaced_by__isnull=True).order_by("?").first()
            total = rng.randint(0, 9)
            set_quota(quota, total=total, q1=total, q2=0, q3=0, q4=0)
        if step % 6 == 5:
            assert_consistent(tree.district, *communes)
    assert_consistent(tree.province, tree.district, *communes)


def test_rebuild_command_repairs_drift(tree, capsys):
    AdmissionTally.objects.filter(organization=tree.district).update(sub_q1=999)
    with pytest.raises(CommandError, match="lệch"):
        call_command("rebuild_tallies", "--check")
    call_command("rebuild_tallies")
    call_command("rebuild_tallies", "--check")
    assert "khớp" in capsys.readouterr().out
    assert AdmissionTally.objects.get(organization=tree.district, year=2025).sub_q1 == 4


def test_a_failing_write_leaves_no_tally_behind(tree):
    before = services.tallies_snapshot()
    with pytest.raises(RuntimeError), transaction.atomic():
        admit(tree.x1a, "2025-02-02")
        raise RuntimeError("the writer fails after firing the hook")
    assert services.tallies_snapshot() == before
    assert not Admission.objects.filter(admitted_on="2025-02-02").exists()


def test_demo_step_repairs_and_is_idempotent(tree):
    from reports import demo

    class Out:
        lines: list[str] = []

        def write(self, text):
            self.lines.append(text)

    AdmissionTally.objects.filter(organization=tree.x1).delete()
    demo.load(stdout=Out())
    assert "đã tính lại" in Out.lines[-1]
    snapshot = services.tallies_snapshot()
    demo.load(stdout=Out())
    assert "đã khớp" in Out.lines[-1]
    assert services.tallies_snapshot() == snapshot


def test_merges_and_quota_changes_after_a_merge(tree):
    """Ba into Hai, then Hai into Một: every tally equals a recount at each step, and a later change of
    the district's allocation to Ba (4 → 7) reaches Một's row and the district's summary (22 → 25)."""
    org_services.organization_merge(sources=[tree.x3], target=tree.x2, on=datetime.date(2025, 7, 1))
    assert_consistent(tree.province, tree.district, tree.x2)
    org_services.organization_merge(sources=[tree.x2], target=tree.x1, on=datetime.date(2025, 10, 1))
    assert_consistent(tree.province, tree.district, tree.x1)
    assert QuotaTally.objects.get(organization=tree.district, year=2025).total == 22
    set_quota(Quota.objects.get(plan=tree.plan_d, organization=tree.x3), total=7)
    assert_consistent(tree.province, tree.district, tree.x1)
    assert QuotaTally.objects.get(organization=tree.district, year=2025).total == 25
    assert progress_report(organization=tree.district, year=2025, quarter=4, today=TODAY).rows[0].quota_total == 23
    # A merged commune's summary row is gone (its children moved away); the recount agrees.
    assert not QuotaTally.objects.filter(organization=tree.x3).exists()
    call_command("rebuild_tallies", "--check")
