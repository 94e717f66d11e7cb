"""Time the progress roll-up at national scale against django-mptt's add_related_count.

    createdb -h 127.0.0.1 -U postgres bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python manage.py generate_synthetic \\
        --orgs 190000 --admissions 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/rollup.py

For the root's children and for one province's children it reports the median of several runs of
`reports.selectors.progress_report` (quotas, four quarters, subtotals: the whole report) next to
`add_related_count(..., cumulative=True)` counting the same children's admissions of the year, the
ratio, and the process's peak resident memory. It also checks that both give the same counts.

Each report is timed in both structures (issue 14): `then` (the tree at the end of the period, the
default) and `now` (today's tree). Without a structure change after the period both read today's
tallies; `--restructure` also records, inside a transaction rolled back at the end, a restructuring of
the province from the day after the period (two villages' cells of a commune merged into a new cell),
so the `then` report has to read the tree of that day where it changed:

    DATABASE_URL=... .venv/bin/python benchmarks/rollup.py --restructure
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partytrack.settings")
    import django

    django.setup()

from django.db import connection

from candidates.models import Admission
from organizations.models import Organization
from reports.selectors import progress_report


def timed(function, runs: int, warmup: int = 2) -> tuple[list[float], object]:
    result = None
    for _ in range(warmup):
        result = function()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples, result


def mptt_counts(parent: Organization, year: int) -> dict[int, int]:
    children = Organization.objects.filter(parent=parent)
    annotated = Organization.objects.add_related_count(
        children,
        Admission,
        "organization",
        "admitted",
        cumulative=True,
        extra_filters={"admitted_on__year": year, "cancelled_at__isnull": True},
    )
    return {org.pk: org.admitted for org in annotated}


def measure(parent: Organization, *, year: int, quarter: int, runs: int, structure: str = "then") -> dict:
    ours, report = timed(
        lambda: progress_report(organization=parent, year=year, quarter=quarter, structure=structure), runs
    )
    baseline, counts = timed(lambda: mptt_counts(parent, year), runs)
    full_year = progress_report(organization=parent, year=year, quarter=4, structure="now")
    ours_counts = {row.organization.id: row.admitted_to_date for row in full_year.rows}
    # add_related_count also lists closed children, which the report folds into its "Khác" line.
    agree = bool(ours_counts) and all(counts.get(pk) == n for pk, n in ours_counts.items())
    return {
        "parent": parent,
        "children": len(report.rows),
        "ours_ms": statistics.median(ours),
        "ours_p90_ms": sorted(ours)[int(0.9 * (len(ours) - 1))],
        "mptt_ms": statistics.median(baseline),
        "ratio": statistics.median(baseline) / statistics.median(ours),
        "agree": agree,
        "admitted": sum(ours_counts.values()),
    }


def _print_row(label: str, result: dict) -> None:
    print(
        f"{label:<34} {result['children']:>5} {result['ours_ms']:>9.1f} {result['ours_p90_ms']:>8.1f} "
        f"{result['mptt_ms']:>18.1f} {result['ratio']:>6.0f}×  {'agree' if result['agree'] else 'DIFFER'}"
    )


def restructured(root: Organization, province: Organization, *, year: int, quarter: int, runs: int) -> None:
    """Time the reports in both structures after a restructuring dated the day after the period,
    inside a transaction that is rolled back."""
    import datetime

    from django.db import transaction

    from organizations.restructuring import restructuring_apply
    from reports.selectors import quarter_bounds

    effective = quarter_bounds(year, quarter)[1] + datetime.timedelta(days=1)
    # Two villages' cells of one commune merged into a new one: a change after the period inside the
    # province, small enough that django-mptt's renumbering of the single national tree (issue 17) does
    # not dominate the run.
    commune = Organization.objects.filter(parent=province, kind="commune").order_by("position").first()
    cells = list(
        Organization.objects.filter(parent=commune, kind="cell")
        .exclude(admissions__admitted_on__gte=effective)  # a merge may not precede recorded admissions
        .exclude(candidates__isnull=False)
        .order_by("position")[:2]
    )

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            restructuring_apply(
                organization=province,
                number="BENCH-1",
                issuing_body="benchmark",
                decided_on=effective,
                effective_on=effective,
                steps=[
                    {
                        "action": "found",
                        "code": f"{commune.code}-NEW",
                        "name": "Chi bộ thôn Mới (benchmark)",
                        "kind": "cell",
                        "parent": commune.code,
                    },
                    {"action": "merge", "into": f"{commune.code}-NEW", "sources": [c.code for c in cells]},
                ],
                by=None,
            )
            province.refresh_from_db()
            root.refresh_from_db()
            for structure in ("then", "now"):
                for label, parent in (("root's children", root), (f"province {province.code}'s children", province)):
                    samples, report = timed(
                        lambda p=parent, s=structure: progress_report(
                            organization=p, year=year, quarter=quarter, structure=s
                        ),
                        runs,
                        warmup=1,
                    )
                    print(
                        f"{label + ' (' + structure + ')':<34} {len(report.rows):>5} "
                        f"{statistics.median(samples):>9.1f} {max(samples):>8.1f}",
                        flush=True,
                    )
            raise Rollback
    except Rollback:
        pass


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except OSError:
        memory_kb = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        database = cursor.fetchone()[0].split(" on ")[0]
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory_kb / 1024 / 1024:.1f} GiB RAM; "
        f"Python {platform.python_version()}; {connection.vendor} {database}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default="SYN", help="code of the root organization (generate_synthetic: SYN)")
    parser.add_argument("--province", default="", help="code of the province (default: the one with most children)")
    parser.add_argument("--year", type=int, default=None, help="default: the latest year with admissions")
    parser.add_argument("--quarter", type=int, default=3)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-documents", dest="documents", action="store_false", help="skip the PDF/xlsx timings")
    parser.add_argument(
        "--restructure", action="store_true", help="also time the reports across a restructuring (rolled back)"
    )
    args = parser.parse_args(argv)

    root = Organization.objects.get(code=args.root)
    if args.province:
        province = Organization.objects.get(code=args.province)
    else:
        province = max(
            root.get_children(), key=lambda child: (Organization.objects.filter(parent=child).count(), -child.pk)
        )
    year = args.year or Admission.objects.order_by("-admitted_on").values_list("admitted_on__year", flat=True)[0]
    descendants = Organization.objects.filter(tree_id=root.tree_id).count()
    admissions = Admission.objects.count()

    print(f"Machine: {machine()}")
    print(
        f"Data: {descendants:,} organizations under {root.code}, {admissions:,} admissions; year {year} Q{args.quarter}"
    )
    print(f"Runs: {args.runs} after 2 warm-up runs each; times in ms (median)")
    print()
    print(f"{'report':<34} {'rows':>5} {'roll-up':>9} {'p90':>8} {'add_related_count':>18} {'ratio':>7}  counts")
    results = []
    for structure in ("then", "now"):
        for label, parent in (("root's children", root), (f"province {province.code}'s children", province)):
            result = measure(parent, year=year, quarter=args.quarter, runs=args.runs, structure=structure)
            results.append(result)
            _print_row(f"{label} ({structure})", result)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"Peak resident memory of this process: {peak_mb:.0f} MB")
    goal = all(r["ours_ms"] <= 50 and r["ratio"] >= 13 and r["agree"] for r in results) and peak_mb < 200
    print(f"Goal (≤ 50 ms, ≥ 13× add_related_count, same counts, < 200 MB): {'met' if goal else 'NOT met'}")
    if args.restructure:  # after the goal: the tree of a day at national scale is read into memory
        print()
        print("Across a restructuring of the province dated the day after the period (rolled back; 3 runs):")
        print(f"{'report':<34} {'rows':>5} {'roll-up':>9} {'max':>8}", flush=True)
        restructured(root, province, year=year, quarter=args.quarter, runs=3)
        print(f"Peak resident memory after it: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if args.documents:
        documents(root, province, year=year, quarter=args.quarter)
    return 0 if goal else 1


def documents(root: Organization, province: Organization, *, year: int, quarter: int) -> None:
    """The quarterly report files (after the roll-up's memory was measured: WeasyPrint is heavy)."""
    from reports import exporters
    from reports.selectors import progress_header

    print()
    print("Quarterly report files (one run each, ms):")
    for label, parent, detail, formats in (
        ("root's children", root, False, ("pdf", "xlsx")),
        (f"province {province.code}'s children", province, False, ("pdf", "xlsx")),
        (f"province {province.code}, every level", province, True, ("xlsx",)),
    ):
        start = time.perf_counter()
        report = progress_report(organization=parent, year=year, quarter=quarter, detail=detail)
        header = progress_header(organization=parent, year=year, quarter=quarter)
        selected = (time.perf_counter() - start) * 1000
        timings = []
        for fmt in formats:
            start = time.perf_counter()
            content = (exporters.progress_pdf if fmt == "pdf" else exporters.progress_xlsx)(report, header)
            timings.append(f"{fmt} {(time.perf_counter() - start) * 1000:,.0f} ({len(content) / 1024:,.0f} KiB)")
        print(f"  {label:<34} {report.line_count:>5} lines: roll-up {selected:,.0f}; " + "; ".join(timings))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Peak resident memory after the files: {peak_mb:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
