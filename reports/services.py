"""Every write of the reports app: keeping the tallies in step with the facts, and report jobs.

The tallies (`AdmissionTally`, `QuotaTally`) are maintained inside the writers' transactions from the
signals of candidates, quotas and organizations (receivers connected in `ReportsConfig.ready`). Each
maintenance step takes the tally lock of the trees it touches (partytrack.locks.TALLIES), so two
writers never interleave read-modify-write on the same ancestor rows; on SQLite writers are serialised anyway. `tallies_rebuild` recomputes everything
from the facts (`manage.py rebuild_tallies`).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Admission
from organizations.models import Organization
from partytrack import locks
from partytrack.documents import in_official_language
from quotas.models import Plan, Quota
from quotas.plans import measured_against, plan_targets

from .models import AdmissionTally, QuotaTally, ReportJob
from .selectors import MAX_YEAR, MIN_YEAR, QuotaFigures, allocations

logger = logging.getLogger(__name__)

SUB_FIELDS = ("sub_q1", "sub_q2", "sub_q3", "sub_q4")
OWN_FIELDS = ("own_q1", "own_q2", "own_q3", "own_q4")
QUOTA_FIELDS = ("total", "q1", "q2", "q3", "q4", "through_q1", "through_q2", "through_q3", "through_q4", "estimated")
CHUNK = 500


def _tally_lock(organizations=None) -> None:
    """Serialise tally writers of the trees these organizations (a queryset) are in until the
    transaction ends; without organizations, of every tree (a rebuild)."""

    def tree_ids() -> set[int] | None:
        if organizations is None:
            return None
        return set(organizations.values_list("tree_id", flat=True).distinct())

    locks.trees(locks.TALLIES, tree_ids)


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------- admission tallies


def _own_counts(org_ids: Iterable[int] | None, years: set[int] | None) -> dict[tuple[int, int], list[int]]:
    """Counted admissions recorded at each organization, by (organization, year) and quarter."""
    admissions = Admission.objects.counted()
    if org_ids is not None:
        admissions = admissions.filter(organization_id__in=list(org_ids))
    if years:
        admissions = admissions.filter(
            admitted_on__gte=datetime.date(min(years), 1, 1), admitted_on__lte=datetime.date(max(years), 12, 31)
        )
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    grouped = (
        admissions.annotate(y=ExtractYear("admitted_on"), q=ExtractQuarter("admitted_on"))
        .values("organization_id", "y", "q")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "y", "q", "n")
    )
    for org_id, year, quarter, n in grouped:
        if years is None or year in years:
            counts[(org_id, year)][quarter - 1] += n
    return counts


def _save_admission_rows(rows: dict[tuple[int, int], AdmissionTally], changed: set[tuple[int, int]]) -> None:
    create, update, delete = [], [], []
    for key in changed:
        tally = rows[key]
        empty = not any(tally.own) and not any(tally.subtree)
        if tally.pk is None:
            if not empty:
                create.append(tally)
        elif empty:
            delete.append(tally.pk)
        else:
            update.append(tally)
    if delete:
        AdmissionTally.objects.filter(pk__in=delete).delete()
    if update:
        AdmissionTally.objects.bulk_update(update, OWN_FIELDS + SUB_FIELDS, batch_size=1000)
    if create:
        AdmissionTally.objects.bulk_create(create, batch_size=1000)


def _ancestors_or_self(org_ids: Iterable[int]) -> dict[int, list[int]]:
    """For each organization, its ancestors and itself (two queries whatever their number)."""
    nodes = list(Organization.objects.filter(pk__in=list(org_ids)).values_list("pk", "tree_id", "lft", "rght"))
    if not nodes:
        return {}
    enclosing = Q(pk__in=[])
    for _pk, tree_id, lft, rght in nodes:
        enclosing |= Q(tree_id=tree_id, lft__lte=lft, rght__gte=rght)
    candidates = list(Organization.objects.filter(enclosing).values_list("pk", "tree_id", "lft", "rght"))
    return {
        pk: [
            a_pk for a_pk, a_tree, a_lft, a_rght in candidates if a_tree == tree_id and a_lft <= lft and a_rght >= rght
        ]
        for pk, tree_id, lft, rght in nodes
    }


def tallies_admissions_changed(*, organization_ids: Iterable[int], dates: Iterable[datetime.date], **_) -> None:
    """Admissions were added, changed or cancelled at these organizations on these dates: recount
    them there (every quarter of the years concerned) and pass the difference up the tree."""
    org_ids = {int(pk) for pk in organization_ids}
    years = {day.year for day in dates if day is not None}
    if not org_ids or not years:
        return
    with transaction.atomic():
        _tally_lock(Organization.objects.filter(pk__in=org_ids))
        fresh = _own_counts(org_ids, years)
        rows = {
            (t.organization_id, t.year): t
            for t in AdmissionTally.objects.filter(organization_id__in=org_ids, year__in=years)
        }
        deltas = {}
        for org_id in org_ids:
            for year in years:
                old = rows[(org_id, year)].own if (org_id, year) in rows else (0, 0, 0, 0)
                new = fresh.get((org_id, year), [0, 0, 0, 0])
                delta = [n - o for n, o in zip(new, old, strict=True)]
                if any(delta):
                    deltas[(org_id, year)] = delta
        if not deltas:
            return
        lineage = _ancestors_or_self({org_id for org_id, _year in deltas})
        touched = {a for chain in lineage.values() for a in chain}
        rows.update(
            {
                (t.organization_id, t.year): t
                for t in AdmissionTally.objects.filter(organization_id__in=touched, year__in=years)
            }
        )
        changed = set()
        for (org_id, year), delta in deltas.items():
            for ancestor in lineage.get(org_id, []):
                key = (ancestor, year)
                tally = rows.setdefault(key, AdmissionTally(organization_id=ancestor, year=year))
                for i, field in enumerate(SUB_FIELDS):
                    setattr(tally, field, getattr(tally, field) + delta[i])
                if ancestor == org_id:
                    for i, field in enumerate(OWN_FIELDS):
                        setattr(tally, field, getattr(tally, field) + delta[i])
                changed.add(key)
        _save_admission_rows(rows, changed)


def _recompute_subtree_counts(node_ids: list[int]) -> None:
    """sub = own + the children's sub, for these nodes (their children's rows must be right)."""
    if not node_ids:
        return
    sums: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    grouped = (
        AdmissionTally.objects.filter(organization__parent_id__in=node_ids)
        .values("organization__parent_id", "year")
        .annotate(s1=Sum("sub_q1"), s2=Sum("sub_q2"), s3=Sum("sub_q3"), s4=Sum("sub_q4"))
        .values_list("organization__parent_id", "year", "s1", "s2", "s3", "s4")
    )
    for parent_id, year, *quarters in grouped:
        sums[(parent_id, year)] = [int(n or 0) for n in quarters]
    rows = {(t.organization_id, t.year): t for t in AdmissionTally.objects.filter(organization_id__in=node_ids)}
    changed = set()
    for key in set(rows) | set(sums):
        tally = rows.setdefault(key, AdmissionTally(organization_id=key[0], year=key[1]))
        children = sums.get(key, [0, 0, 0, 0])
        new = [own + child for own, child in zip(tally.own, children, strict=True)]
        if list(tally.subtree) != new:
            for field, value in zip(SUB_FIELDS, new, strict=True):
                setattr(tally, field, value)
            changed.add(key)
    _save_admission_rows(rows, changed)


# ---------------------------------------------------------------- quota tallies


def _recompute_derived_quotas(node_ids: list[int], years: set[int] | None = None) -> None:
    """QuotaTally of these nodes = what each is measured against when its parent allocated it nothing:
    the sum over its children of (allocated quota, else the child's own QuotaTally), else its own
    effective plan's target (quotas.plans.plan_targets). Their children's QuotaTally rows must be right."""
    if not node_ids:
        return
    children = list(Organization.objects.filter(parent_id__in=node_ids).values_list("pk", "parent_id"))
    child_ids = [pk for pk, _parent in children]
    allocated = {}
    if child_ids:
        # The children's own allocations and those of organizations merged into them (which lie in
        # their subtrees), from these nodes' effective plans.
        allocated = allocations(
            Q(organization_id__in=child_ids), years, allocators=Q(plan__organization_id__in=node_ids)
        )
    child_tallies = QuotaTally.objects.filter(organization_id__in=child_ids)
    existing = QuotaTally.objects.filter(organization_id__in=node_ids)
    if years is not None:
        child_tallies = child_tallies.filter(year__in=years)
        existing = existing.filter(year__in=years)
    derived = {(t.organization_id, t.year): QuotaFigures.from_tally(t) for t in child_tallies}
    parts = _quota_parts(node_ids, dict(children), allocated=allocated, derived=derived, years=years)
    _save_quota_tallies({(t.organization_id, t.year): t for t in existing}, parts)


def _quota_parts(
    node_ids: list[int], parent_of: dict[int, int], *, allocated: dict, derived: dict, years: set[int] | None
) -> dict[tuple[int, int], list[QuotaFigures]]:
    """Per (node, year), what each child is measured against, else the node's own plan target."""
    parts: dict[tuple[int, int], list[QuotaFigures]] = defaultdict(list)
    for child_id, year in set(allocated) | set(derived):
        if child_id not in parent_of:
            continue  # credited to an organization that is not one of these nodes' children
        figures = measured_against(allocated=allocated.get((child_id, year)), derived=derived.get((child_id, year)))
        parts[(parent_of[child_id], year)].append(figures)
    for (org_id, year), plan in plan_targets(Q(organization_id__in=node_ids), years).items():
        if (org_id, year) not in parts:  # a committee planning against its own target (seed 003)
            parts[(org_id, year)].append(QuotaFigures.of(plan.target_for_year(year), plan.target_quarters))
    return parts


def _tally_values(figures: QuotaFigures) -> dict:
    return {
        "total": figures.total,
        **dict(zip(("q1", "q2", "q3", "q4"), figures.quarters or (None,) * 4, strict=True)),
        **dict(zip(("through_q1", "through_q2", "through_q3", "through_q4"), figures.through, strict=True)),
        "estimated": figures.estimated,
    }


def _save_quota_tallies(
    rows: dict[tuple[int, int], QuotaTally], parts: dict[tuple[int, int], list[QuotaFigures]]
) -> None:
    """Bring the QuotaTally rows of these (organization, year) keys in line with their combined parts:
    create, update only what differs, delete where nothing is left."""
    create, update, delete = [], [], []
    for key in set(rows) | set(parts):
        figures = QuotaFigures.combine(parts.get(key, []))
        tally = rows.get(key)
        if figures is None:
            if tally is not None:
                delete.append(tally.pk)
            continue
        values = _tally_values(figures)
        if tally is None:
            create.append(QuotaTally(organization_id=key[0], year=key[1], **values))
        elif any(getattr(tally, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(tally, name, value)
            update.append(tally)
    if delete:
        QuotaTally.objects.filter(pk__in=delete).delete()
    if update:
        QuotaTally.objects.bulk_update(update, QUOTA_FIELDS, batch_size=1000)
    if create:
        QuotaTally.objects.bulk_create(create, batch_size=1000)


def _bottom_up(node_ids: Iterable[int], *, admissions: bool, quotas: bool, years: set[int] | None = None) -> None:
    """Recompute these nodes and all their ancestors, deepest first."""
    lineage = _ancestors_or_self(node_ids)
    everything = {a for chain in lineage.values() for a in chain}
    by_level: dict[int, list[int]] = defaultdict(list)
    for pk, level in Organization.objects.filter(pk__in=everything).values_list("pk", "level"):
        by_level[level].append(pk)
    for level in sorted(by_level, reverse=True):
        for chunk in _chunks(sorted(by_level[level])):
            if admissions:
                _recompute_subtree_counts(chunk)
            if quotas:
                _recompute_derived_quotas(chunk, years)


def tallies_tree_changed(*, organization_ids: Iterable[int], **_) -> None:
    """Organizations moved or merged: the subtrees of these organizations (and their ancestors)
    changed, so their admission counts and derived quotas are recomputed from their children."""
    org_ids = {int(pk) for pk in organization_ids}
    if not org_ids:
        return
    with transaction.atomic():
        _tally_lock(Organization.objects.filter(pk__in=org_ids))
        _bottom_up(org_ids, admissions=True, quotas=True)


def tallies_quotas_changed(*, plan_ids: Iterable[int], **_) -> None:
    """Quotas of these plans (or which plan is current) changed: the allocating organizations'
    derived quotas change, and so do their ancestors'."""
    plan_ids = {int(pk) for pk in plan_ids}
    if not plan_ids:
        return
    with transaction.atomic():
        _tally_lock(Organization.objects.filter(plans__in=plan_ids))
        plans = list(Plan.objects.filter(pk__in=plan_ids).values_list("organization_id", "start_year", "end_year"))
        years = {year for _org, start, end in plans for year in range(start, end + 1)}
        years |= set(Quota.objects.filter(plan_id__in=plan_ids).values_list("year", flat=True).distinct())
        if plans:
            _bottom_up({org for org, _s, _e in plans}, admissions=False, quotas=True, years=years)


@transaction.atomic
def tallies_rebuild(*, stdout=None) -> dict[str, int]:
    """Recompute every tally from the facts, in bounded memory (chunks of organizations)."""
    _tally_lock()
    AdmissionTally.objects.all().delete()
    QuotaTally.objects.all().delete()

    # Own counts first (with sub = own), computed and written by the database in one statement.
    admissions = _insert_own_counts()

    # Then every organization with children, and those whose own plans may set a target, deepest first.
    inner = Organization.objects.filter(
        Q(rght__gt=F("lft") + 1) | Exists(Plan.objects.filter(organization=OuterRef("pk")))
    )
    top = inner.aggregate(deepest=Max("level"))["deepest"]
    for level in range(top if top is not None else -1, -1, -1):
        ids = list(inner.filter(level=level).order_by("pk").values_list("pk", flat=True))
        for chunk in _chunks(ids):
            _recompute_subtree_counts(chunk)
            _recompute_derived_quotas(chunk)
    counts = {
        "admissions": admissions,
        "admission_tallies": AdmissionTally.objects.count(),
        "quota_tallies": QuotaTally.objects.count(),
    }
    if stdout is not None:
        stdout.write(
            _(
                "Đã tính lại: %(admissions)s lượt kết nạp, %(admission_tallies)s dòng tổng hợp kết nạp, "
                "%(quota_tallies)s dòng tổng hợp chỉ tiêu."
            )
            % counts
        )
    return counts


def _insert_own_counts() -> int:
    """INSERT … SELECT of every organization's counted admissions per year and quarter; the SELECT
    is compiled by the ORM, so it is right for SQLite and PostgreSQL alike. Returns the admissions
    counted."""
    counted = Admission.objects.counted()
    grouped = (
        counted.annotate(y=ExtractYear("admitted_on"))
        .values("organization_id", "y")
        .annotate(**{f"c{q}": Count("pk", filter=Q(admitted_on__quarter=q)) for q in (1, 2, 3, 4)})
        .order_by()
    )
    select_sql, params = grouped.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("organization_id", "year", *OWN_FIELDS, *SUB_FIELDS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(AdmissionTally._meta.db_table)} ({columns}) "
            f"SELECT t.organization_id, t.y, t.c1, t.c2, t.c3, t.c4, t.c1, t.c2, t.c3, t.c4 FROM ({select_sql}) t",
            params,
        )
    return counted.count()


def tallies_snapshot() -> dict:
    """The stored tallies as plain values, for comparing with a rebuild."""
    return {
        "admissions": {(t.organization_id, t.year): (t.own, t.subtree) for t in AdmissionTally.objects.all()},
        "quotas": {
            (t.organization_id, t.year): tuple(getattr(t, name) for name in QUOTA_FIELDS)
            for t in QuotaTally.objects.all()
        },
    }


def tallies_drift() -> list[str]:
    """Differences between the stored tallies and a recount from the facts (nothing is changed)."""
    before = tallies_snapshot()
    try:
        with transaction.atomic():
            tallies_rebuild()
            after = tallies_snapshot()
            raise _Rollback
    except _Rollback:
        pass
    problems = []
    for kind in ("admissions", "quotas"):
        for key in sorted(set(before[kind]) | set(after[kind])):
            if before[kind].get(key) != after[kind].get(key):
                problems.append(f"{kind} {key}: stored {before[kind].get(key)} ≠ recount {after[kind].get(key)}")
    return problems


class _Rollback(Exception):
    pass


# ---------------------------------------------------------------- report jobs


def _check_period(year: int, quarter: int) -> None:
    if not (MIN_YEAR <= year <= MAX_YEAR):
        raise ValidationError({"year": _("Năm phải từ %(min)s đến %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}})
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("Quý phải là 1, 2, 3 hoặc 4.")})


@transaction.atomic
def report_job_request(
    *, organization: Organization, year: int, quarter: int, detail: bool, format: str, by, structure: str = "then"
) -> ReportJob:
    """Queue a report for the background worker; an identical one still waiting or running is reused."""
    _check_period(year, quarter)
    if structure not in ("then", "now"):
        raise ValidationError({"structure": _("Cơ cấu phải là “then” (tại thời điểm báo cáo) hoặc “now” (hiện nay).")})
    if format not in ReportJob.Format.values:
        raise ValidationError({"format": _("Định dạng không hợp lệ.")})
    if not Organization.objects.visible_to(by).filter(pk=organization.pk).exists():
        raise PermissionDenied
    pending = ReportJob.objects.filter(
        organization=organization,
        year=year,
        quarter=quarter,
        detail=detail,
        structure=structure,
        format=format,
        requested_by=by,
        status__in=[ReportJob.Status.QUEUED, ReportJob.Status.RUNNING],
    ).first()
    if pending is not None:
        return pending
    return ReportJob.objects.create(
        organization=organization,
        year=year,
        quarter=quarter,
        detail=detail,
        structure=structure,
        format=format,
        requested_by=by,
    )


# A running job whose worker has said nothing for this long is given to another worker.
STALE_AFTER = datetime.timedelta(minutes=10)


def report_job_claim() -> ReportJob | None:
    """Take the oldest waiting job (or one whose worker died). Safe with several workers: the claim
    is a conditional update that only one of them wins."""
    stale = timezone.now() - STALE_AFTER
    waiting = ReportJob.objects.filter(
        Q(status=ReportJob.Status.QUEUED) | Q(status=ReportJob.Status.RUNNING, updated_at__lt=stale)
    ).order_by("created_at", "pk")
    for job in waiting.only("pk", "status", "updated_at")[:10]:
        won = ReportJob.objects.filter(pk=job.pk, status=job.status, updated_at=job.updated_at).update(
            status=ReportJob.Status.RUNNING, progress=0, started_at=timezone.now(), updated_at=timezone.now()
        )
        if won:
            return ReportJob.objects.get(pk=job.pk)
    return None


def _job_progress(job: ReportJob) -> Callable[[int], None]:
    def report(percent: int) -> None:
        percent = max(0, min(99, int(percent)))
        ReportJob.objects.filter(pk=job.pk).update(progress=percent, updated_at=timezone.now())

    return report


@in_official_language
def report_job_run(*, job: ReportJob) -> ReportJob:
    """Build the job's file (outside any long transaction: progress is visible while it runs)."""
    from . import exporters  # the PDF/xlsx stack is only needed here and in the views
    from .selectors import progress_header, progress_report

    progress = _job_progress(job)
    try:
        progress(5)
        report = progress_report(
            organization=job.organization,
            year=job.year,
            quarter=job.quarter,
            detail=job.detail,
            structure=job.structure,
        )
        header = progress_header(organization=job.organization, year=job.year, quarter=job.quarter)
        progress(20)
        if job.format == ReportJob.Format.PDF:
            content = exporters.progress_pdf(report, header, progress=progress)
        else:
            content = exporters.progress_xlsx(report, header, progress=progress)
        filename = exporters.filename(report, job.format)
    except Exception as exc:
        logger.exception("report job %s failed", job.pk)
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
    else:
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportJob.Status.DONE,
            progress=100,
            content=content,
            filename=filename,
            row_count=report.line_count,
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job
