"""generate_synthetic with tiny numbers: a valid tree, quotas at every level, tallies that match."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from benchmarks import rollup as rollup_benchmark
from candidates.models import Admission
from organizations.models import Organization
from organizations.tree_check import tree_problems
from quotas.models import Quota
from reports import services
from reports.selectors import progress_report


def test_generate_synthetic_small(db, capsys):
    call_command(
        "generate_synthetic",
        "--orgs",
        "40",
        "--admissions",
        "300",
        "--provinces",
        "2",
        "--grassroots",
        "3",
        "--years",
        "4",
        "--last-year",
        "2026",
    )
    root = Organization.objects.get(code="SYN")
    assert Organization.objects.filter(tree_id=root.tree_id).count() == 40
    assert root.get_children().count() == 2
    assert Organization.objects.filter(tree_id=root.tree_id, level=2).count() == 6
    assert tree_problems() == []
    assert Admission.objects.count() == 300
    # Cells, grassroots and (in the last three years only) provinces have quotas.
    assert Quota.objects.filter(year=2026, organization__level=1).count() == 2
    assert Quota.objects.filter(year=2023, organization__level=1).count() == 0
    assert Quota.objects.filter(year=2026).count() == 39
    assert services.tallies_drift() == []
    for year in (2023, 2026):
        report = progress_report(organization=root, year=year, quarter=4)
        assert report.total.admitted_to_date == Admission.objects.counted().filter(admitted_on__year=year).count()
        assert (
            report.total.quota_total
            == Quota.objects.filter(year=year, organization__level=3).aggregate(
                s=__import__("django.db.models", fromlist=["Sum"]).Sum("total")
            )["s"]
        )
    # The benchmark runs on it and agrees with django-mptt's add_related_count, child by child.
    for parent in (root, root.get_children().first()):
        result = rollup_benchmark.measure(parent, year=2026, quarter=3, runs=1)
        assert result["agree"] and result["admitted"] > 0
    assert rollup_benchmark.main(["--runs", "1", "--no-documents", "--year", "2026"]) in (0, 1)
    assert "add_related_count" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Đã có cây mô phỏng"):
        call_command("generate_synthetic", "--orgs", "40", "--provinces", "2", "--grassroots", "3")


def test_generate_synthetic_refuses_impossible_sizes(db):
    with pytest.raises(CommandError, match="quá nhỏ"):
        call_command("generate_synthetic", "--orgs", "10", "--provinces", "2", "--grassroots", "3")
    assert not Organization.objects.exists()
