"""Every write to the organization tree: create, update, move, merge, dissolve, membership figures.

django-mptt rewrites lft/rght across a whole tree on each insert or move and renumbers the roots'
tree_id when one is inserted or moved, so two writers at once can corrupt the tree. Each service
therefore takes the tree lock (partytrack.locks.TREE) of the trees it writes, inside its transaction
before touching any row; writers of different provinces run side by side (SQLite serialises writers
on its own).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from partytrack import locks, login_throttle, versions
from partytrack.text import clean_text, fold

from . import signals, structure, validators
from .models import MembershipFigure, Organization, OrganizationVersion, Role, RoleAssignment, Scope

logger = logging.getLogger(__name__)

TREE_FIELDS = ("name", "short_name", "code", "kind", "sector", "position", "valid_from", "valid_to")


def tree_lock(*organizations: Organization, under: Iterable[Organization | None] = ()) -> None:
    """Serialise writers of the trees of these organizations (written or moved) and of the parents
    written `under` until the transaction ends. Writing a root, or under None (the top level: a new
    root, a move to the top), locks every tree, as does a call without arguments (a rebuild): django-mptt
    then renumbers the roots' tree_id."""
    under = list(under)
    whole = not (organizations or under) or any(parent is None for parent in under)
    pks = {organization.pk for organization in organizations}
    parent_pks = {parent.pk for parent in under if parent is not None}

    def tree_ids() -> set[int] | None:
        if whole:
            return None
        rows = list(Organization.objects.filter(pk__in=pks | parent_pks).values_list("pk", "tree_id", "parent_id"))
        if any(pk in pks and parent_id is None for pk, _tree_id, parent_id in rows):
            return None  # a root written: its save or move may renumber the other roots
        return {tree_id for _pk, tree_id, _parent_id in rows}

    locks.trees(locks.TREE, tree_ids)


def _check_sibling_name(*, parent: Organization | None, name: str, exclude_pk: int | None = None) -> None:
    siblings = Organization.objects.filter(parent=parent, valid_to__isnull=True)
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    folded = fold(name)
    for sibling in siblings.only("name"):
        if fold(sibling.name) == folded:
            where = parent.name if parent else _("cấp cao nhất")
            raise ValidationError(
                {"name": _("Đã có tổ chức “%(name)s” trực thuộc %(parent)s.") % {"name": sibling.name, "parent": where}}
            )


def _ensure_editable(by, organization: Organization) -> None:
    """Scope is checked again after the write, inside the transaction: a write that would leave the
    user's subtree is rolled back."""
    Scope.forget(by)
    if by is not None and not Organization.objects.editable_by(by).filter(pk=organization.pk).exists():
        raise PermissionDenied


def _ensure_parent_allowed(by, parent: Organization | None) -> None:
    if by is None:
        return
    Scope.forget(by)
    if parent is None:
        if not by.is_superuser:
            raise PermissionDenied
    elif not Organization.objects.parents_for(by).filter(pk=parent.pk).exists():
        raise PermissionDenied


def _full_clean(organization: Organization) -> None:
    # Uniqueness against siblings is checked by _check_sibling_name with a readable message.
    organization.full_clean(exclude=["parent", "lft", "rght", "tree_id", "level"], validate_constraints=False)


@transaction.atomic
def organization_create(
    *,
    parent: Organization | None,
    name: str,
    code: str,
    kind: str,
    by=None,
    sector: str = "residential",
    short_name: str = "",
    position: int = 0,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> Organization:
    tree_lock(under=[parent])
    if parent is not None:
        parent = Organization.objects.get(pk=parent.pk)  # fresh lft/rght under the lock
    _ensure_parent_allowed(by, parent)
    organization = Organization(
        parent=parent,
        name=clean_text(name),
        code=clean_text(code),
        kind=kind,
        sector=sector,
        short_name=clean_text(short_name),
        position=position,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    _full_clean(organization)
    validators.check_parent_open(parent=parent)
    validators.check_kind_under(name=organization.name, kind=organization.kind, parent=parent)
    validators.check_kind_in_time(name=organization.name, kind=organization.kind, on=organization.valid_from)
    validators.check_outlives_not_parent(valid_to=organization.valid_to, parent=parent, field="valid_to")
    validators.check_start_not_too_late(organization.valid_from)
    _check_sibling_name(parent=parent, name=organization.name)
    organization._history_user = by
    organization.save()
    structure.version_created(organization)
    _ensure_parent_allowed(by, organization)
    return organization


def _effective_day(on) -> datetime.date | structure._Always:
    """The day a structural change takes effect: today unless given (a decision recorded late, or
    one taking effect later), or structure.ALWAYS for a correction."""
    if on is None:
        return timezone.localdate()
    if on is not structure.ALWAYS and not isinstance(on, datetime.date):
        raise ValidationError({"on": _("Ngày có hiệu lực không hợp lệ.")})
    return on


def _is_future(on) -> bool:
    return on is not structure.ALWAYS and on > timezone.localdate()


@transaction.atomic
def organization_update(*, organization: Organization, by=None, on=None, **changes) -> Organization:
    """Change an organization's own fields (not its place in the tree: see organization_move). A change
    of name, short name, kind, sector or position takes effect `on` (default today; structure.ALWAYS:
    a correction, for every date): from a later day it is recorded now and applied to the tree of
    today on that day (structure_apply)."""
    unknown = set(changes) - set(TREE_FIELDS)
    if unknown:
        raise TypeError(f"organization_update() cannot change {sorted(unknown)}")
    on = _effective_day(on)
    tree_lock(organization)
    organization = Organization.objects.get(pk=organization.pk)
    _ensure_editable(by, organization)
    changes = {field: clean_text(value) if isinstance(value, str) else value for field, value in changes.items()}
    closing = "valid_to" in changes and changes["valid_to"] is not None and changes["valid_to"] != organization.valid_to
    changed = {field for field, value in changes.items() if getattr(organization, field) != value}
    dated = {field: changes[field] for field in changed if field in structure.DATED_FIELDS}
    later = _is_future(on)
    if dated and on is not structure.ALWAYS:
        validators.check_change_day(organization, on)
    original = {field: getattr(organization, field) for field in dated}
    for field, value in changes.items():
        setattr(organization, field, value)
    _full_clean(organization)
    parent = organization.parent
    if "kind" in changed:
        validators.check_kind_under(name=organization.name, kind=organization.kind, parent=parent)
        validators.check_children_fit_kind(organization, organization.kind)
        validators.check_kind_in_time(
            name=organization.name, kind=organization.kind, on=None if on is structure.ALWAYS else on
        )
    if "valid_from" in changed:
        validators.check_start_not_too_late(organization.valid_from)
    if "valid_to" in changed:
        validators.check_outlives_not_parent(valid_to=organization.valid_to, parent=parent, field="valid_to")
    if closing:
        # Closing an organization by editing its end date follows the same rule as dissolving it.
        _check_no_active_children(organization, on=organization.valid_to + datetime.timedelta(days=1), field="valid_to")
        signals.organization_closing.send(
            sender=Organization,
            organization=organization,
            on=organization.valid_to + datetime.timedelta(days=1),
            field="valid_to",
        )
    if organization.valid_to is None:
        _check_sibling_name(parent=organization.parent, name=organization.name, exclude_pk=organization.pk)
    if later:  # the tree of today keeps its values until the day comes
        for field, value in original.items():
            setattr(organization, field, value)
    organization._history_user = by
    organization.save()
    if {"valid_from", "valid_to"} & changed:
        structure.version_life(organization)
    if dated:
        structure.version_change(organization, on=on, changes=dated)
    _ensure_editable(by, organization)
    return organization


def _sibling_name_taken(*, parent: Organization | None, name: str, exclude_pk: int) -> bool:
    try:
        _check_sibling_name(parent=parent, name=name, exclude_pk=exclude_pk)
    except ValidationError:
        return True
    return False


def _check_move(organization: Organization, new_parent: Organization | None) -> Organization | None:
    """Refuse a move of `organization` under `new_parent` that the tree's rules forbid; the parent read
    fresh under the tree lock."""
    if new_parent is not None:
        new_parent = Organization.objects.get(pk=new_parent.pk)
        if new_parent.pk == organization.pk or new_parent.is_descendant_of(organization):
            raise ValidationError(
                {
                    "parent": _("Không thể chuyển “%(name)s” vào chính nó hoặc một tổ chức cấp dưới của nó.")
                    % {"name": organization.name}
                }
            )
    validators.check_parent_open(parent=new_parent)
    if organization.merged_into_id is None:
        # A source merged into its target is kept, closed, under the target whatever its kind (history).
        validators.check_kind_under(name=organization.name, kind=organization.kind, parent=new_parent, field="parent")
    validators.check_outlives_not_parent(valid_to=organization.valid_to, parent=new_parent)
    if organization.valid_to is None:
        _check_sibling_name(parent=new_parent, name=organization.name, exclude_pk=organization.pk)
    return new_parent


def _move(
    organization: Organization,
    new_parent: Organization | None,
    by,
    *,
    on,
    former_parent: Organization | None = None,
) -> Organization:
    """Move under `new_parent`, recorded as from `on` (None: a merged source, closed before it, whose
    move under its target is today's tree only). With `former_parent` (a merge), a name already used
    under the new parent gets the former parent's name added ("Chi bộ Thôn 1 (xã Lộc An)") instead of
    being refused: merged communes usually both have a "Thôn 1", and the merge must go through."""
    renamed = former_parent is not None and organization.valid_to is None
    if renamed and _sibling_name_taken(parent=new_parent, name=organization.name, exclude_pk=organization.pk):
        suffix = former_parent.short_name or former_parent.name
        organization.name = f"{organization.name} ({suffix})"
        if organization.short_name:
            organization.short_name = f"{organization.short_name} ({suffix})"
    new_parent = _check_move(organization, new_parent)
    organization.parent = new_parent
    organization._history_user = by
    organization.save()
    if on is not None:
        dated = {field: getattr(organization, field) for field in ("parent_id", "name", "short_name")}
        structure.version_change(organization, on=on, changes=dated)
    return Organization.objects.get(pk=organization.pk)


@transaction.atomic
def organization_move(*, organization: Organization, new_parent: Organization | None, by=None, on=None) -> Organization:
    """Move an organization under `new_parent` from `on` (default today): from a later day the move is
    recorded now and made in the tree of today on that day (structure_apply)."""
    on = _effective_day(on)
    tree_lock(organization, under=[new_parent])
    organization = Organization.objects.get(pk=organization.pk)
    _ensure_editable(by, organization)
    _ensure_parent_allowed(by, new_parent)
    validators.check_change_day(organization, on, parent=new_parent)
    if _is_future(on):
        new_parent = _check_move(organization, new_parent)
        structure.version_change(organization, on=on, changes={"parent_id": new_parent.pk if new_parent else None})
        return organization
    old_ancestors = list(organization.get_ancestors().values_list("pk", flat=True))
    organization = _move(organization, new_parent, by, on=on)
    _ensure_editable(by, organization)
    new_ancestors = list(organization.get_ancestors().values_list("pk", flat=True))
    signals.tree_changed.send(sender=Organization, organization_ids={organization.pk, *old_ancestors, *new_ancestors})
    return organization


_UNCHANGED = object()


@transaction.atomic
def organization_change(
    *,
    organization: Organization,
    by=None,
    parent=_UNCHANGED,
    expected_version: versions.Expected = None,
    on=None,
    **changes,
) -> Organization:
    """A move and a change of fields in one write (the API's PATCH): both happen or neither. With
    `expected_version` (the API's If-Match) nothing is written unless the organization is still at a
    version the caller read (versions.StaleVersion), checked under the tree lock and the row's."""
    if expected_version is not None:
        tree_lock(organization, under=[] if parent is _UNCHANGED else [parent])
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        _ensure_editable(by, organization)
        versions.check(organization, expected_version)
    if parent is not _UNCHANGED and parent != organization.parent:
        organization = organization_move(organization=organization, new_parent=parent, by=by, on=on)
    if changes:
        organization = organization_update(organization=organization, by=by, on=on, **changes)
    return organization


@transaction.atomic
def organization_merge(
    *, sources: Iterable[Organization], target: Organization, on: datetime.date, by=None
) -> Organization:
    """Merge several organizations into `target` from date `on` (2025: communes joined into one).

    Each source's active children move under the target; the source itself moves under the target
    too, closed the day before `on` and marked as merged, so its admissions and quotas stay where
    they happened and every roll-up of the target includes them.
    """
    sources = list(sources)
    tree_lock(*sources, under=[target])
    target = Organization.objects.get(pk=target.pk)
    sources = list(Organization.objects.filter(pk__in=[s.pk for s in sources]).order_by("tree_id", "lft"))
    if not sources:
        raise ValidationError({"sources": _("Chọn ít nhất một tổ chức để hợp nhất.")})
    _ensure_parent_allowed(by, target)
    validators.check_parent_open(parent=target, field="target")
    for source in sources:
        _ensure_editable(by, source)
        if source.pk == target.pk:
            raise ValidationError({"sources": _("Không thể hợp nhất một tổ chức vào chính nó.")})
        if target.is_descendant_of(source):
            raise ValidationError(
                {
                    "target": _("“%(target)s” là tổ chức cấp dưới của “%(source)s”.")
                    % {"target": target.name, "source": source.name}
                }
            )
        validators.check_change_day(source, on, parent=target, closing=True, field="on", parent_field="target")
        if not source.is_active(on):
            raise ValidationError({"sources": _("“%(name)s” không còn hoạt động.") % {"name": source.name}})
        # Its own admissions and candidates (not its children's, which move) may not outlive it.
        signals.organization_closing.send(sender=Organization, organization=source, on=on, field="sources", own=True)
        for child in Organization.objects.filter(parent=source).active(on).order_by("lft"):
            # The children move under the target: each must be of a kind the target may hold.
            validators.check_kind_under(name=child.name, kind=child.kind, parent=target, field="target")
            validators.check_change_day(child, on, parent=target, field="sources", parent_field="target")
    closing_day = on - datetime.timedelta(days=1)
    affected = {target.pk, *target.get_ancestors().values_list("pk", flat=True)}
    for source in sources:
        affected |= {source.pk, *source.get_ancestors().values_list("pk", flat=True)}
    for source in sources:
        for child in Organization.objects.filter(parent=source).active(on).order_by("lft"):
            _move(child, target, by, on=on, former_parent=source)
        source = Organization.objects.get(pk=source.pk)
        source.valid_to = closing_day
        source.merged_into = target
        source._history_user = by
        source.save()
        structure.version_life(source)
        _move(Organization.objects.get(pk=source.pk), target, by, on=None)
    target = Organization.objects.get(pk=target.pk)
    _ensure_parent_allowed(by, target)
    signals.tree_changed.send(sender=Organization, organization_ids=affected)
    return target


def _check_no_active_children(organization: Organization, *, on: datetime.date, field: str | None = None) -> None:
    active_children = Organization.objects.filter(parent=organization).active(on)
    if active_children.exists():
        names = ", ".join(active_children.order_by("lft").values_list("name", flat=True)[:5])
        message = _("Còn tổ chức trực thuộc đang hoạt động (%(names)s): chuyển hoặc giải thể các tổ chức đó trước.") % {
            "names": names
        }
        raise ValidationError({field: message} if field else message)


@transaction.atomic
def organization_dissolve(*, organization: Organization, on: datetime.date, by=None) -> Organization:
    """Close an organization from `on` (last active day is the day before); it stays in history."""
    tree_lock(organization)
    organization = Organization.objects.get(pk=organization.pk)
    _ensure_editable(by, organization)
    validators.check_change_day(organization, on, closing=True)
    _check_no_active_children(organization, on=on)
    signals.organization_closing.send(sender=Organization, organization=organization, on=on, field=None)
    closing_day = on - datetime.timedelta(days=1)
    if organization.valid_from and closing_day < organization.valid_from:
        raise ValidationError({"on": _("Ngày giải thể phải sau ngày bắt đầu hoạt động.")})
    organization.valid_to = closing_day
    organization._history_user = by
    organization.save()
    structure.version_life(organization)
    return organization


def structure_apply(*, today: datetime.date | None = None, by=None) -> list[Organization]:
    """Bring the tree of today in line with the changes recorded for a day that has now come (a move or
    a rename recorded ahead): each organization whose version of today differs from its row is moved
    (with the tree's checks, lock and signal) or changed; its versions already say so. Run nightly
    (docs/deployment.md) and harmless to run again. Returns the organizations changed."""
    today = today or timezone.localdate()
    fields = structure.DATED_FIELDS
    versions = OrganizationVersion.objects.filter(structure.valid_on(today))
    differs = Q(parent__isnull=True, organization__parent__isnull=False)
    differs |= Q(parent__isnull=False, organization__parent__isnull=True)
    differs |= Q(parent__isnull=False, organization__parent__isnull=False) & ~Q(parent_id=F("organization__parent_id"))
    for field in fields:
        if field != "parent_id":
            differs |= ~Q(**{field: F(f"organization__{field}")})
    due = list(versions.filter(differs).order_by("organization__level", "organization_id"))
    changed = []
    for version in due:
        with transaction.atomic():
            parent = Organization.objects.get(pk=version.parent_id) if version.parent_id else None
            tree_lock(Organization(pk=version.organization_id), under=[parent])
            organization = Organization.objects.get(pk=version.organization_id)
            if version.parent_id != organization.parent_id:
                old_ancestors = set(organization.get_ancestors().values_list("pk", flat=True))
                # The versions already hold the move: only today's tree changes.
                organization = _move(organization, parent, by, on=None)
                new_ancestors = set(organization.get_ancestors().values_list("pk", flat=True))
                signals.tree_changed.send(
                    sender=Organization, organization_ids={organization.pk, *old_ancestors, *new_ancestors}
                )
            own = {field: getattr(version, field) for field in fields if field != "parent_id"}
            if any(getattr(organization, field) != value for field, value in own.items()):
                for field, value in own.items():
                    setattr(organization, field, value)
                _full_clean(organization)
                organization._history_user = by
                organization.save()
            changed.append(organization)
    return changed


@transaction.atomic
def membership_figure_record(
    *,
    organization: Organization,
    as_of: datetime.date,
    member_count: int,
    official_member_count: int,
    cell_count: int | None = None,
    by=None,
) -> MembershipFigure:
    _ensure_editable(by, organization)
    figure = MembershipFigure.objects.filter(organization=organization, as_of=as_of).first() or MembershipFigure(
        organization=organization, as_of=as_of
    )
    unchanged = figure.pk and (figure.member_count, figure.official_member_count, figure.cell_count) == (
        member_count,
        official_member_count,
        cell_count,
    )
    if unchanged:
        return figure  # no history row for a figure recorded again as it was
    figure.member_count = member_count
    figure.official_member_count = official_member_count
    figure.cell_count = cell_count
    figure.full_clean()
    figure._history_user = by
    figure.save()
    return figure


@transaction.atomic
def role_grant(*, user, organization: Organization, role: str, by=None) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ: %(role)s") % {"role": role}})
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, organization=organization, role=role)
    if role == Role.ADMIN and not user.is_staff:
        user.is_staff = True  # administrators work in the Django admin, scoped to their subtree
        user.save(update_fields=["is_staff"])
    return assignment


@transaction.atomic
def login_unlock(*, user, by) -> int:
    """Lift an account's login lock before it ends: its failed logins from every address are
    forgotten. For superusers and the administrators of a subtree the account holds a role in;
    recorded in the admin log (the account's history) and the application log. Returns how many
    failure records were removed. An address's own lock (many accounts tried from it) stays."""
    if not by.is_superuser and not user.role_assignments.restrict(by, "administer").exists():
        raise PermissionDenied
    removed = login_throttle.unlock_account(user.get_username())
    message = _("Mở khóa đăng nhập (xóa %(count)d bản ghi đăng nhập sai).") % {"count": removed}
    LogEntry.objects.log_actions(
        user_id=by.pk, queryset=[user], action_flag=CHANGE, change_message=message, single_object=True
    )
    logger.warning(
        "login unlocked: account %r by %r, %d failure records removed", user.get_username(), by.get_username(), removed
    )
    return removed
