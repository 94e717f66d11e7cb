"""Reads of the organization tree, always through the user's scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from partytrack.text import clean_text

from .models import Organization, Scope


def organization_get_visible(*, user, pk: int) -> Organization:
    """The organization if the user may see it; Organization.DoesNotExist (a 404) otherwise."""
    return Organization.objects.visible_to(user).get(pk=pk)


def organization_top_for(*, user) -> QuerySet[Organization]:
    """The highest organizations the user sees: their assignments not inside another assignment."""
    if user.is_superuser:
        return Organization.objects.root_nodes()
    return (
        Organization.objects.filter(pk__in=Scope.of(user).organization_ids())
        .exclude(pk__in=Organization.objects.filter(pk__in=Scope.of(user).organization_ids()).get_descendants())
        .order_by("tree_id", "lft")
    )


def organization_children(*, user, organization: Organization) -> QuerySet[Organization]:
    return Organization.objects.visible_to(user).filter(parent=organization).in_report_order()


def organization_breadcrumbs(*, user, organization: Organization) -> list[Organization]:
    """Ancestors the user may see, then the organization itself."""
    ancestors = organization.get_ancestors().restrict(user)
    return [*ancestors, organization]


def organization_search(*, user, text: str, limit: int = 50) -> list[tuple[Organization, list[Organization]]]:
    """Matches with their visible path, in two queries whatever the number of matches."""
    matches = list(Organization.objects.visible_to(user).search(text).order_by("tree_id", "lft")[:limit])
    if not matches:
        return []
    enclosing = Q(pk__in=[])
    for match in matches:
        enclosing |= Q(tree_id=match.tree_id, lft__lt=match.lft, rght__gt=match.rght)
    ancestors = list(Organization.objects.visible_to(user).filter(enclosing).order_by("lft"))
    return [
        (
            match,
            [a for a in ancestors if a.tree_id == match.tree_id and a.lft < match.lft and a.rght > match.rght],
        )
        for match in matches
    ]


def organization_can_manage(*, user, organization: Organization) -> bool:
    """May the user add organizations below this one (staff and administrators of its subtree)?"""
    return Organization.objects.parents_for(user).filter(pk=organization.pk).exists()


def organization_can_edit(*, user, organization: Organization) -> bool:
    return Organization.objects.editable_by(user).filter(pk=organization.pk).exists()


def organization_common_ancestor(organization_ids) -> Organization | None:
    """The lowest organization whose subtree holds every one of `organization_ids` (one of them, when
    it holds the others); None when they lie in different trees or none is given. Two queries."""
    found = list(Organization.objects.filter(pk__in=set(organization_ids)).values("tree_id", "lft", "rght"))
    if not found or len({row["tree_id"] for row in found}) != 1:
        return None
    return (
        Organization.objects.filter(
            tree_id=found[0]["tree_id"],
            lft__lte=min(row["lft"] for row in found),
            rght__gte=max(row["rght"] for row in found),
        )
        .order_by("-level")
        .first()
    )


def organization_by_id_or_code(value: str) -> Organization | None:
    """An organization by code (compared case-insensitively) or by numeric id, as commands take it."""
    organization = Organization.objects.filter(code=clean_text(value).upper()).first()
    if organization is None and value.isascii() and value.isdigit():  # "²".isdigit() is true
        organization = Organization.objects.filter(pk=int(value)).first()
    return organization
