"""The organization tree at any date (issue 14): each organization's versions (OrganizationVersion) with
the dates they held, recorded by the services that change structure, and the reads of "the tree as of
a date". The django-mptt tree is the tree of today; these are the tree of every other day.

A change recorded from a day D splits the version that holds D and holds from D until the field was
changed again by a later recorded change: renaming "Đảng bộ xã A" to "B" from 01/01/2024, recorded after
a move of 01/07/2025 was, renames the version after the move too, but a rename recorded for 2026 stays.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from .models import Organization, OrganizationVersion, Sector

# The fields an organization holds for a time; the rest (code, search name) are its identity.
DATED_FIELDS = ("parent_id", "name", "short_name", "kind", "sector", "position")


class _Always:
    def __repr__(self) -> str:
        return "ALWAYS"


# `on` for a correction: the value was always so (a typo in a name), not a change on a date.
ALWAYS = _Always()


def _ordered(versions: Iterable[OrganizationVersion]) -> list[OrganizationVersion]:
    return sorted(versions, key=lambda v: v.valid_from or datetime.date.min)


def _values(version: OrganizationVersion) -> dict:
    return {field: getattr(version, field) for field in DATED_FIELDS}


def _rewrite(organization: Organization, versions: list[OrganizationVersion]) -> None:
    """Store `versions` (in date order, contiguous) as the organization's versions, adjacent versions
    that say the same merged into one."""
    merged: list[OrganizationVersion] = []
    for version in versions:
        if merged and _values(merged[-1]) == _values(version):
            merged[-1].valid_to = version.valid_to
            continue
        merged.append(version)
    OrganizationVersion.objects.filter(organization=organization).delete()
    OrganizationVersion.objects.bulk_create(
        OrganizationVersion(organization=organization, valid_from=v.valid_from, valid_to=v.valid_to, **_values(v))
        for v in merged
    )


def version_created(organization: Organization) -> None:
    """A new organization's first version: what it is, over its whole life."""
    OrganizationVersion.objects.create(
        organization=organization,
        valid_from=organization.valid_from,
        valid_to=organization.valid_to,
        **{field: getattr(organization, field) for field in DATED_FIELDS},
    )


def versions_created_for(organizations, *, batch_size: int = 5000) -> int:
    """The first version of each of many organizations created without the services (generate_synthetic's
    bulk load): what each is, over its whole life. Returns how many were written."""
    fields = ("pk", "valid_from", "valid_to", *DATED_FIELDS)
    batch, written = [], 0
    for row in organizations.values(*fields).iterator(chunk_size=batch_size):
        pk = row.pop("pk")
        batch.append(OrganizationVersion(organization_id=pk, **row))
        if len(batch) >= batch_size:
            written += len(OrganizationVersion.objects.bulk_create(batch))
            batch = []
    written += len(OrganizationVersion.objects.bulk_create(batch))
    return written


def versions_of(organization: Organization) -> list[OrganizationVersion]:
    versions = _ordered(OrganizationVersion.objects.filter(organization=organization))
    if not versions:  # an organization from before the versions were kept and not migrated: its row
        versions = [
            OrganizationVersion(
                organization=organization,
                valid_from=organization.valid_from,
                valid_to=organization.valid_to,
                **{field: getattr(organization, field) for field in DATED_FIELDS},
            )
        ]
    return versions


def version_change(organization: Organization, *, on: datetime.date | _Always, changes: Mapping[str, object]) -> None:
    """Record that the organization's `changes` (dated fields) hold from `on` (ALWAYS: a correction of
    its whole life). A day before its first day changes it from its first day; a day after its last
    day is refused."""
    on = None if on is ALWAYS else on
    unknown = set(changes) - set(DATED_FIELDS)
    if unknown:
        raise TypeError(f"version_change() cannot date {sorted(unknown)}")
    versions = versions_of(organization)
    last_day = versions[-1].valid_to
    if on is not None and last_day is not None and on > last_day:
        raise ValidationError(
            {
                "on": _("“%(name)s” đã thôi hoạt động từ ngày %(day)s.")
                % {"name": organization.name, "day": f"{last_day + datetime.timedelta(days=1):%d/%m/%Y}"}
            }
        )
    first_day = versions[0].valid_from
    if on is None or (first_day is not None and on <= first_day):
        start = 0
    else:
        start = next(i for i, v in enumerate(versions) if v.holds_on(on))
        holding = versions[start]
        if holding.valid_from != on:  # split the version that holds `on`
            later = OrganizationVersion(organization=organization, **_values(holding))
            later.valid_from, later.valid_to = on, holding.valid_to
            holding.valid_to = on - datetime.timedelta(days=1)
            versions.insert(start + 1, later)
            start += 1
    for field, value in changes.items():
        before = getattr(versions[start], field)
        for version in versions[start:]:
            if getattr(version, field) != before:
                break  # changed again later: that change stands
            setattr(version, field, value)
    _rewrite(organization, versions)


def version_life(organization: Organization) -> None:
    """The organization's first and last day changed (an edit, a dissolution, a merge): its versions
    start and end with it. Versions wholly after its new last day go."""
    versions = versions_of(organization)
    first, last = organization.valid_from, organization.valid_to
    kept = [v for v in versions if last is None or v.valid_from is None or v.valid_from <= last]
    kept = [v for v in kept if first is None or v.valid_to is None or v.valid_to >= first] or versions[-1:]
    kept[0].valid_from = first
    kept[-1].valid_to = last
    _rewrite(organization, kept)


# ---------------------------------------------------------------- the tree of a date


def valid_on(day: datetime.date) -> Q:
    """The versions (or organizations, with prefix) that hold on `day`."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


@dataclass(frozen=True)
class Node:
    """An organization as it was on a day."""

    id: int
    parent_id: int | None
    name: str
    short_name: str
    kind: str
    sector: str
    position: int
    code: str


def _node(version: OrganizationVersion) -> Node:
    return Node(
        id=version.organization_id,
        parent_id=version.parent_id,
        name=version.name,
        short_name=version.short_name,
        kind=version.kind,
        sector=version.sector,
        position=version.position,
        code=version.organization.code,
    )


def as_of(organization: Organization | int, day: datetime.date) -> Node | None:
    """The organization as it was on `day`; None if it did not exist then. One query."""
    pk = organization if isinstance(organization, int) else organization.pk
    version = OrganizationVersion.objects.filter(valid_on(day), organization_id=pk).select_related("organization")
    version = version.first()
    return _node(version) if version is not None else None


def lineage_as_of(organization: Organization | int, day: datetime.date, *, levels: int = 16) -> list[Node]:
    """The organization and its ancestors as they were on `day`, the organization first (at most
    `levels` of them); empty if it did not exist then. One query per level (a tree is at most six
    levels deep)."""
    chain: list[Node] = []
    pk: int | None = organization if isinstance(organization, int) else organization.pk
    while pk is not None and len(chain) < levels:
        node = as_of(pk, day)
        if node is None:
            break
        chain.append(node)
        pk = node.parent_id
    return chain


def _report_order(versions) -> list[Node]:
    """Siblings as the biểu lists them (OrganizationQuerySet.in_report_order): communes and wards
    first, then the other sectors, each by position then name."""
    fields = ("organization_id", "parent_id", "name", "short_name", "kind", "sector", "position", "organization__code")
    nodes = [Node(*row) for row in versions.values_list(*fields)]  # rows, not model instances: many of them
    return sorted(nodes, key=lambda n: (n.sector != Sector.RESIDENTIAL, n.position, n.name, n.id))


def children_as_of(organization: Organization | int | None, day: datetime.date) -> list[Node]:
    """The organizations directly under `organization` (None: the top) on `day`, in biểu order. One query."""
    pk = organization if isinstance(organization, int) or organization is None else organization.pk
    return _report_order(OrganizationVersion.objects.filter(valid_on(day), parent_id=pk))


def subtree_as_of(organization: Organization | int, day: datetime.date) -> list[Node]:
    """The organization and every organization below it on `day`, parents before children. One query
    per level."""
    top = as_of(organization, day)
    if top is None:
        return []
    nodes, level = [top], [top.id]
    while level:
        found = _report_order(OrganizationVersion.objects.filter(valid_on(day), parent_id__in=level))
        nodes.extend(found)
        level = [node.id for node in found]
    return nodes


@dataclass(frozen=True)
class Names:
    """How a document of a given day names an organization and the one above it."""

    name: str
    short_name: str
    parent_name: str  # "" at the top


def names_on(organization: Organization, day: datetime.date | None) -> Names:
    """The organization's and its parent's names on `day` (a document of 11/02/2022 names the bodies of
    11/02/2022); the names of today when `day` is None or the organization did not exist then. At most
    two queries."""
    chain = lineage_as_of(organization, day, levels=2) if day is not None else []
    if not chain:
        parent = Organization.objects.filter(pk=organization.parent_id).only("name").first()
        return Names(organization.name, organization.short_name, parent.name if parent else "")
    return Names(chain[0].name, chain[0].short_name, chain[1].name if len(chain) > 1 else "")


@dataclass(frozen=True)
class Changes:
    """Whether the structure of an organization's subtree changed within a period or after its end."""

    during: bool
    after: bool


def changes_around(organization: Organization, *, start: datetime.date, day: datetime.date) -> Changes:
    """Structure changes in the organization's subtree (of today, and of any organization that was
    under one of them) after `start` and up to `day` (`during`), and after `day` (`after`): a version
    starting, or one ending, then. One query. When nothing changed after `day`, the tree of `day` is
    the tree of today for this subtree and the report of `day` can read today's tallies."""
    # Few versions start or end after a given day: those first (by the date indexes), then whether
    # they lie in the subtree, so the cost follows the changes, not the tree's size.
    inside = {"tree_id": organization.tree_id, "lft__gte": organization.lft, "lft__lte": organization.rght}
    versions = OrganizationVersion.objects.filter(Q(valid_from__gt=start) | Q(valid_to__gte=start)).filter(
        Q(**{f"organization__{k}": v for k, v in inside.items()}) | Q(**{f"parent__{k}": v for k, v in inside.items()})
    )
    counts = versions.aggregate(
        during=Count(
            "pk", filter=Q(valid_from__gt=start, valid_from__lte=day) | Q(valid_to__gte=start, valid_to__lt=day)
        ),
        after=Count("pk", filter=Q(valid_from__gt=day) | Q(valid_to__gte=day)),
    )
    return Changes(during=bool(counts["during"]), after=bool(counts["after"]))


MAX_CHANGED = 2000  # beyond this many changed organizations, read the whole tree of the day


def changed_since(day: datetime.date, *, limit: int = MAX_CHANGED) -> set[int] | None:
    """The organizations whose subtree on `day` is not their subtree of today: every organization that
    changed after `day` (a version starting after it, or one valid on it that ended since), with its
    ancestors of `day` and of today. Any other organization has the same organizations below it on both
    days, so today's tallies are right for it on `day`. Looked for in the whole country, not one
    subtree: what was below an organization on `day` may lie anywhere today. None when more than
    `limit` organizations changed. Queries: one, then one per level above the changes."""
    rows = list(
        OrganizationVersion.objects.filter(Q(valid_from__gt=day) | Q(valid_to__gte=day)).values_list(
            "organization_id", "parent_id"
        )[: limit + 1]
    )
    if len(rows) > limit:
        return None
    seen = {pk for row in rows for pk in row if pk is not None}
    frontier = set(seen)
    while frontier:
        today = Organization.objects.filter(pk__in=frontier, parent__isnull=False).order_by()
        then = OrganizationVersion.objects.filter(valid_on(day), organization_id__in=frontier, parent__isnull=False)
        today, then = (q.order_by().values_list("parent_id", flat=True) for q in (today, then))
        frontier = set(today.union(then)) - seen
        seen |= frontier
    return seen


def children_of_many(parent_ids: Iterable[int], day: datetime.date) -> list[Node]:
    """The organizations directly below any of `parent_ids` on `day`, in report order. One query."""
    return _report_order(OrganizationVersion.objects.filter(valid_on(day), parent_id__in=list(parent_ids)))
