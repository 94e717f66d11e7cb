"""Rules of the organization tree the services apply on every write (pages, API, admin, demo loader).

Which kind of organization may sit directly under which (DOMAIN.md, "The organization tree"):

    Trung ương (national root)         only at the top
    Tỉnh ủy / Thành ủy trực thuộc TW    at the top, or under Trung ương
    Huyện ủy / Thành ủy / Thị ủy / Quận ủy (until 30/06/2025)   under a province
    Đảng ủy Công an / Quân sự / các cơ quan Đảng / UBND tỉnh (2025)   under a province
    Đảng ủy xã / phường / đặc khu       under a province (since 2025) or a district (before)
    Đảng bộ cơ sở, chi bộ cơ sở         under a province, a district, a commune committee or one of
                                        the province's committees above the grassroots
    Đảng bộ bộ phận                     under a đảng bộ cơ sở (a commune committee is one)
    Chi bộ trực thuộc                   under a đảng bộ cơ sở, a commune committee or a đảng bộ bộ phận

A child is always of a lower level than its parent. The rule is dated where the kinds are: no
district-level committee exists after 30/06/2025 (KIND_LAST_DAY), so none may be founded, or take that
kind, from a later day; trees from before the 2025 restructuring (with districts) still hold.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Kind, Organization, OrganizationVersion

ALLOWED_PARENT_KINDS: dict[str, frozenset[str | None]] = {
    Kind.CENTRAL: frozenset({None}),
    Kind.PROVINCE: frozenset({None, Kind.CENTRAL}),
    Kind.DISTRICT: frozenset({Kind.PROVINCE}),
    Kind.PROVINCE_COMMITTEE: frozenset({Kind.PROVINCE}),
    Kind.COMMUNE: frozenset({Kind.PROVINCE, Kind.DISTRICT}),
    Kind.GRASSROOTS_COMMITTEE: frozenset({Kind.PROVINCE, Kind.DISTRICT, Kind.COMMUNE, Kind.PROVINCE_COMMITTEE}),
    Kind.GRASSROOTS_CELL: frozenset({Kind.PROVINCE, Kind.DISTRICT, Kind.COMMUNE, Kind.PROVINCE_COMMITTEE}),
    Kind.SUB_COMMITTEE: frozenset({Kind.COMMUNE, Kind.GRASSROOTS_COMMITTEE}),
    Kind.CELL: frozenset({Kind.COMMUNE, Kind.GRASSROOTS_COMMITTEE, Kind.SUB_COMMITTEE}),
}

# The last day a kind existed: Quy định 294-QĐ/TW (in force 1/7/2025) organizes the Party without a
# district level.
KIND_LAST_DAY: dict[str, datetime.date] = {Kind.DISTRICT: datetime.date(2025, 6, 30)}


def check_kind_in_time(*, name: str, kind: str, on: datetime.date | None, field: str = "kind") -> None:
    """Refuse an organization of `kind` from a day after that kind ceased to exist."""
    last = KIND_LAST_DAY.get(kind)
    if last is None or on is None or on <= last:
        return
    raise ValidationError(
        {
            field: _(
                "“%(name)s”: loại hình “%(kind)s” không còn từ ngày %(day)s (Quy định 294-QĐ/TW, không tổ chức cấp "
                "huyện)."
            )
            % {"name": name, "kind": _kind_label(kind), "day": _d(last + datetime.timedelta(days=1))}
        }
    )


# How far ahead an organization may be given a start date (a decision taken now for next year).
MAX_START_AHEAD_YEARS = 1


def kind_allowed_under(kind: str, parent_kind: str | None) -> bool:
    return parent_kind in ALLOWED_PARENT_KINDS.get(kind, frozenset())


def kinds_allowed_under(parent_kind: str | None) -> list[str]:
    """The kinds that may be created directly under an organization of `parent_kind` (None: the top)."""
    return [kind for kind in Kind.values if kind_allowed_under(kind, parent_kind)]


def _kind_label(kind: str | None) -> str:
    return str(Kind(kind).label) if kind in Kind.values else str(kind)


def _allowed_parents_text(kind: str) -> str:
    """“ở cấp cao nhất hoặc trực thuộc “A”, “B””: where an organization of `kind` may be placed."""
    parents = ALLOWED_PARENT_KINDS.get(kind, frozenset())
    under = [f"“{_kind_label(parent)}”" for parent in Kind.values if parent in parents]
    places = [_("ở cấp cao nhất")] if None in parents else []
    if under:
        places.append(_("trực thuộc %(kinds)s") % {"kinds": ", ".join(under)})
    return f" {_('hoặc')} ".join(places)


def check_kind_under(*, name: str, kind: str, parent: Organization | None, field: str = "kind") -> None:
    """Refuse an organization `name` of `kind` directly under `parent` (None: at the top of a tree)."""
    parent_kind = parent.kind if parent is not None else None
    if kind_allowed_under(kind, parent_kind):
        return
    values = {"name": name, "kind": _kind_label(kind), "allowed": _allowed_parents_text(kind)}
    if parent is None:
        message = (
            _(
                "“%(name)s” thuộc loại hình “%(kind)s” nên không thể là tổ chức cấp cao nhất: loại hình này "
                "chỉ được đặt %(allowed)s."
            )
            % values
        )
    else:
        message = _(
            "“%(name)s” thuộc loại hình “%(kind)s” nên không được trực thuộc “%(parent)s” (%(parent_kind)s): "
            "loại hình này chỉ được đặt %(allowed)s."
        ) % {**values, "parent": parent.name, "parent_kind": _kind_label(parent_kind)}
    raise ValidationError({field: message})


def check_children_fit_kind(organization: Organization, kind: str) -> None:
    """A change of kind must leave every child (except sources merged into it, which stay in history
    under their target) of a kind allowed under the new kind."""
    children = Organization.objects.filter(parent=organization, merged_into__isnull=True).order_by("lft")
    misfits = [child for child in children.only("name", "kind") if not kind_allowed_under(child.kind, kind)]
    if misfits:
        names = ", ".join(f"{child.name} ({_kind_label(child.kind)})" for child in misfits[:5])
        raise ValidationError(
            {
                "kind": _(
                    "Không thể đổi loại hình thành “%(kind)s”: các tổ chức trực thuộc sau không được trực thuộc "
                    "loại hình đó (%(names)s)."
                )
                % {"kind": _kind_label(kind), "names": names}
            }
        )


def _d(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def check_parent_open(*, parent: Organization | None, field: str = "parent") -> None:
    """No organization is added or moved under one that has been dissolved (its end date has passed)."""
    if parent is None or parent.valid_to is None:
        return
    if parent.valid_to < timezone.localdate():
        raise ValidationError(
            {
                field: _(
                    "“%(parent)s” đã thôi hoạt động từ ngày %(day)s: không thể thêm hoặc chuyển tổ chức vào trực thuộc."
                )
                % {"parent": parent.name, "day": _d(parent.valid_to + datetime.timedelta(days=1))}
            }
        )


def check_outlives_not_parent(
    *, valid_to: datetime.date | None, parent: Organization | None, field: str = "parent"
) -> None:
    """Under a parent whose end date is set (a dissolution planned), a child must end by then too."""
    if parent is None or parent.valid_to is None:
        return
    if valid_to is None or valid_to > parent.valid_to:
        raise ValidationError(
            {
                field: _(
                    "“%(parent)s” chỉ hoạt động đến ngày %(day)s: tổ chức trực thuộc không thể hoạt động sau ngày đó."
                )
                % {"parent": parent.name, "day": _d(parent.valid_to)}
            }
        )


def latest_start(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + MAX_START_AHEAD_YEARS)
    except ValueError:  # 29/02 → 28/02 of the next year
        return today.replace(year=today.year + MAX_START_AHEAD_YEARS, day=28)


def check_start_not_too_late(valid_from: datetime.date | None) -> None:
    if valid_from is None:
        return
    latest = latest_start()
    if valid_from > latest:
        raise ValidationError(
            {
                "valid_from": _(
                    "Ngày bắt đầu hoạt động %(day)s quá xa: không được sau ngày %(latest)s (một năm kể từ hôm nay)."
                )
                % {"day": _d(valid_from), "latest": _d(latest)}
            }
        )


def check_change_day(
    organization: Organization,
    on: datetime.date,
    *,
    parent: Organization | None = None,
    closing: bool = False,
    field: str = "on",
    parent_field: str = "parent",
) -> None:
    """A change of structure dated `on` (a move, merge, rename or dissolution recorded late, or ahead)
    must fit the history already recorded: not before the organization began, under a parent that
    exists on that day, and, for a closing (merge, dissolution), not before a later change already
    recorded for it, which closing would erase (a later rename or move recorded earlier stands: the
    versions take an earlier change in between)."""
    if organization.valid_from and on < organization.valid_from:
        raise ValidationError(
            {
                field: _("“%(name)s” chỉ hoạt động từ ngày %(day)s: thay đổi phải có hiệu lực từ ngày đó trở đi.")
                % {"name": organization.name, "day": _d(organization.valid_from)}
            }
        )
    if closing:
        later = (
            OrganizationVersion.objects.filter(organization=organization, valid_from__gt=on)
            .order_by("valid_from")
            .first()
        )
        if later is not None:
            raise ValidationError(
                {
                    field: _(
                        "Đã ghi nhận một thay đổi của “%(name)s” có hiệu lực từ ngày %(day)s: không thể cho tổ chức "
                        "thôi hoạt động trước ngày đó (kiểm tra lại ngày có hiệu lực)."
                    )
                    % {"name": organization.name, "day": _d(later.valid_from)}
                }
            )
    if parent is not None and parent.valid_from and on < parent.valid_from:
        raise ValidationError(
            {
                parent_field: _(
                    "“%(parent)s” chỉ hoạt động từ ngày %(day)s: không thể chuyển tổ chức vào trước ngày đó."
                )
                % {"parent": parent.name, "day": _d(parent.valid_from)}
            }
        )
