"""The party-organization tree (django-mptt) and who may act where (role assignments)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from partytrack.fields import CleanCharField, NameCharField
from partytrack.models import AuditHistory
from partytrack.text import fold


class Kind(models.TextChoices):
    # The national level above the provinces: the root of a country-wide tree (generate_synthetic).
    CENTRAL = "central", _("Trung ương")
    PROVINCE = "province", _("Tỉnh ủy / Thành ủy trực thuộc Trung ương")
    DISTRICT = "district", _("Huyện ủy / Thành ủy / Thị ủy / Quận ủy")
    # Since 2025 (Quy định 294-QĐ/TW): the committees directly under a provincial committee that are
    # not communes, above grassroots organizations: Đảng ủy Công an tỉnh, Đảng ủy Quân sự tỉnh, Đảng
    # ủy các cơ quan Đảng tỉnh, Đảng ủy Ủy ban nhân dân tỉnh.
    PROVINCE_COMMITTEE = (
        "province_committee",
        _("Đảng ủy trực thuộc Tỉnh ủy (Công an, Quân sự, các cơ quan Đảng, Ủy ban nhân dân tỉnh)"),
    )
    COMMUNE = "commune", _("Đảng ủy xã / phường / thị trấn / đặc khu")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Đảng bộ cơ sở")
    GRASSROOTS_CELL = "grassroots_cell", _("Chi bộ cơ sở")
    SUB_COMMITTEE = "sub_committee", _("Đảng bộ bộ phận")
    CELL = "cell", _("Chi bộ trực thuộc")


# Kinds whose members meet as one cell: candidates are followed and admitted there.
CELL_KINDS = frozenset({Kind.GRASSROOTS_CELL, Kind.CELL})

# Kinds above the grassroots: they allocate and report, but follow no candidate themselves.
COMMITTEE_KINDS = frozenset({Kind.CENTRAL, Kind.PROVINCE, Kind.DISTRICT, Kind.PROVINCE_COMMITTEE})


class Sector(models.TextChoices):
    RESIDENTIAL = "residential", _("Khu dân cư (xã, phường, thị trấn, thôn, tổ dân phố)")
    AGENCY = "agency", _("Cơ quan, đoàn thể")
    SCHOOL = "school", _("Trường học")
    HEALTH = "health", _("Y tế")
    POLICE = "police", _("Công an")
    MILITARY = "military", _("Quân sự")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    OTHER = "other", _("Khác")


class ReportGroup(models.IntegerChoices):
    """The blocks a biểu lists children in, each closed by a "Cộng" row (seed 000's two tables)."""

    RESIDENTIAL = 1, _("Đảng bộ xã, phường, thị trấn")
    INSTITUTIONS = 2, _("Đảng bộ, chi bộ cơ quan, trường học, doanh nghiệp, lực lượng vũ trang")

    @classmethod
    def label_under(cls, group: int, parent_kind: str, child_kinds: Iterable[str] = ()) -> str:
        """The block's heading in the biểu of an organization of `parent_kind`: a commune's or a
        grassroots committee's children are cells (of villages and residential groups, then of
        agencies, schools, enterprises), not commune party committees; a province's districts (the
        tree before 1/7/2025, `child_kinds`) are districts."""
        if parent_kind in (Kind.COMMUNE, Kind.GRASSROOTS_COMMITTEE, Kind.SUB_COMMITTEE):
            return str(CELL_GROUP_LABELS[group])
        kinds = set(child_kinds)
        if group == cls.RESIDENTIAL and kinds and kinds <= {Kind.DISTRICT}:
            return str(DISTRICT_GROUP_LABEL)
        return str(cls(group).label)


DISTRICT_GROUP_LABEL = _("Đảng bộ huyện, thị xã, thành phố trực thuộc tỉnh")
CELL_GROUP_LABELS = {
    ReportGroup.RESIDENTIAL: _("Chi bộ thôn, bản, tổ dân phố, khu phố"),
    ReportGroup.INSTITUTIONS: _("Chi bộ cơ quan, trường học, doanh nghiệp, lực lượng vũ trang"),
}


class Role(models.TextChoices):
    STAFF = "staff", _("Cán bộ ban tổ chức")
    SECRETARY = "secretary", _("Bí thư chi bộ")
    LEADER = "leader", _("Lãnh đạo")
    ADMIN = "admin", _("Quản trị")


# What each kind of work needs. Reading is open to every role within its subtree.
MANAGE_ROLES = frozenset({Role.STAFF, Role.ADMIN})
CANDIDATE_ROLES = frozenset({Role.SECRETARY, Role.STAFF, Role.ADMIN})
ALL_ROLES = frozenset(Role)


class Scope:
    """The subtrees a user holds each role in, read once per request and turned into filters."""

    def __init__(self, user):
        self.is_superuser = bool(user.is_authenticated and user.is_superuser)
        self.assignments: list[tuple[str, int, int, int, int]] = []
        if user.is_authenticated and not self.is_superuser:
            self.assignments = list(
                RoleAssignment.objects.filter(user=user).values_list(
                    "role",
                    "organization_id",
                    "organization__tree_id",
                    "organization__lft",
                    "organization__rght",
                )
            )

    @classmethod
    def of(cls, user) -> Scope:
        scope = getattr(user, "_partytrack_scope", None)
        if scope is None:
            scope = cls(user)
            if user.is_authenticated:
                user._partytrack_scope = scope
        return scope

    @staticmethod
    def forget(user) -> None:
        """Drop the cached scope: tree writes shift lft/rght, so checks after a write re-read it."""
        if user is not None and hasattr(user, "_partytrack_scope"):
            del user._partytrack_scope

    def roles(self) -> set[str]:
        return {role for role, *_ in self.assignments}

    def organization_ids(self, roles=ALL_ROLES) -> list[int]:
        return [org_id for role, org_id, *_ in self.assignments if role in roles]

    def q(self, *, roles=ALL_ROLES, prefix: str = "", strict: bool = False) -> Q:
        """Rows whose organization (reached through `prefix`) lies in a subtree where the user has one
        of `roles`. `strict` leaves out the assigned organization itself (only what is below it).
        Only RestrictedQuerySet calls it: everywhere else a model's `.restrict(user, action)` does."""
        if self.is_superuser:
            return Q()
        condition = Q(pk__in=[])
        lower = "gt" if strict else "gte"
        for role, _org_id, tree_id, lft, rght in self.assignments:
            if role in roles:
                condition |= Q(
                    **{
                        f"{prefix}tree_id": tree_id,
                        f"{prefix}lft__{lower}": lft,
                        f"{prefix}rght__lte": rght,
                    }
                )
        return condition


# Which roles, held on an organization, allow an action on the rows of its subtree. Reading is open to
# every role; a model holding people's personal data narrows "view" (`scope_actions`), and "count" stays
# open for figures without names. An organization's own "change" is narrower still (editable_by).
ACTION_ROLES: dict[str, frozenset] = {
    "view": ALL_ROLES,
    "count": ALL_ROLES,
    "view_people": CANDIDATE_ROLES,
    "add": MANAGE_ROLES,
    "change": MANAGE_ROLES,
    "administer": frozenset({Role.ADMIN}),
}


class RestrictedQuerySet(models.QuerySet):
    """Rows of the organizations a user may act on (NetBox's RestrictedQuerySet.restrict()).

    The model names once its path to the organization it belongs to, `organization_path` ("" for
    Organization itself, "plan__organization" for a deadline), and may narrow an action's roles in
    `scope_actions`. Superusers are unrestricted; anonymous users get nothing. This is the one place
    that turns a Scope into a filter: views, the API, the admin and exports ask `.restrict()`.
    """

    def restrict(self, user, action: str = "view") -> Self:
        return self.filter(self.restriction(user, action))

    def restriction(self, user, action: str = "view") -> Q:
        """The condition itself, to exclude by or combine with others. A superuser's matches every row
        (not an empty Q(), which `.exclude()` and `|` would read as no condition at all)."""
        scope = Scope.of(user)
        if scope.is_superuser:
            return ~Q(pk__in=[])
        return self._condition(scope, action)

    def _condition(self, scope: Scope, action: str) -> Q:
        narrowed = getattr(self.model, "scope_actions", {})
        roles = narrowed[action] if action in narrowed else ACTION_ROLES[action]
        return scope.q(roles=roles, prefix=self._organization_prefix())

    def within(self, organization: Organization) -> Self:
        """Rows of the organization's subtree, itself included, as the tree is now."""
        prefix = self._organization_prefix()
        return self.filter(
            **{
                f"{prefix}tree_id": organization.tree_id,
                f"{prefix}lft__gte": organization.lft,
                f"{prefix}rght__lte": organization.rght,
            }
        )

    def _organization_prefix(self) -> str:
        path = self.model.organization_path
        return f"{path}__" if path else ""


class OrganizationQuerySet(RestrictedQuerySet, TreeQuerySet):
    def _condition(self, scope: Scope, action: str) -> Q:
        if action == "change":
            # Staff change the organizations below their own, administrators their own too: a
            # committee does not rename or move itself.
            return scope.q(roles={Role.STAFF}, strict=True) | scope.q(roles={Role.ADMIN})
        return super()._condition(scope, action)

    def visible_to(self, user) -> OrganizationQuerySet:
        """What the user may see: every subtree they hold any role in."""
        return self.restrict(user, "view")

    def editable_by(self, user) -> OrganizationQuerySet:
        """What the user may change: the organizations below their own (staff), or their own too
        (administrators)."""
        return self.restrict(user, "change")

    def parents_for(self, user) -> OrganizationQuerySet:
        """Where the user may create or move an organization to: their whole managed subtree."""
        return self.restrict(user, "add")

    def in_report_order(self) -> OrganizationQuerySet:
        """Siblings as the biểu lists them: communes and wards first, then agencies, schools, enterprises
        and armed forces (ReportGroup), each by position then name."""
        group = Case(
            When(sector=Sector.RESIDENTIAL, then=Value(ReportGroup.RESIDENTIAL.value)),
            default=Value(ReportGroup.INSTITUTIONS.value),
        )
        return self.order_by(group, "position", "name")

    def active(self, on: datetime.date | None = None) -> OrganizationQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )

    def search(self, text: str) -> OrganizationQuerySet:
        """Name, short name or code, with or without diacritics: "luc ngan" finds "Lục Ngạn".
        Every word must begin a word of the name, so "thon 1" finds "Thôn 1" but not "Thôn 2 (A1D)"."""
        queryset = self
        for word in fold(text).split():
            queryset = queryset.filter(Q(search_name__startswith=word) | Q(search_name__contains=f" {word}"))
        return queryset


class OrganizationManager(TreeManager.from_queryset(OrganizationQuerySet)):
    pass


code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9._-]*$",
    _("Mã chỉ gồm chữ in hoa không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới."),
)


class Organization(MPTTModel):
    name = NameCharField(_("tên"), max_length=255)
    short_name = CleanCharField(_("tên ngắn"), max_length=100, blank=True)
    code = CleanCharField(_("mã"), max_length=50, unique=True, validators=[code_validator])
    kind = models.CharField(_("loại hình"), max_length=32, choices=Kind.choices)
    sector = models.CharField(_("khối"), max_length=16, choices=Sector.choices, default=Sector.RESIDENTIAL)
    parent = TreeForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=0, help_text=_("Thứ tự trong biểu, trong cùng nhóm."))
    valid_from = models.DateField(_("hoạt động từ"), null=True, blank=True)
    valid_to = models.DateField(_("hoạt động đến"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("đã hợp nhất vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    # Folded copy of name, short name and code, so search ignores case and diacritics on any database.
    search_name = models.CharField(max_length=420, editable=False, default="")

    organization_path = ""
    objects = OrganizationManager()
    history = AuditHistory(excluded_fields=["lft", "rght", "tree_id", "level", "search_name"])

    class MPTTMeta:
        order_insertion_by = ["position", "name"]

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=Q(valid_to__isnull=True),
                name="organization_unique_active_sibling_name",
                violation_error_message=_("Đã có một tổ chức cùng tên trực thuộc cùng cấp."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True, valid_to__isnull=True),
                name="organization_unique_active_root_name",
                violation_error_message=_("Đã có một tổ chức cấp cao nhất cùng tên."),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="organization_valid_period",
                violation_error_message=_("Ngày kết thúc hoạt động phải sau ngày bắt đầu."),
            ),
        ]
        indexes = [
            models.Index(fields=["tree_id", "lft"], name="organization_tree_lft"),
            # The few closed organizations (reports.selectors.inherited_allocations starts from them).
            models.Index(fields=["valid_to"], name="organization_closed", condition=models.Q(valid_to__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Ngày kết thúc hoạt động phải sau ngày bắt đầu hoạt động.")})

    def save(self, *args, **kwargs):
        self.search_name = fold(f"{self.name} {self.short_name} {self.code}")
        super().save(*args, **kwargs)

    @property
    def is_cell(self) -> bool:
        return self.kind in CELL_KINDS

    @property
    def report_group(self) -> ReportGroup:
        return ReportGroup.RESIDENTIAL if self.sector == Sector.RESIDENTIAL else ReportGroup.INSTITUTIONS

    def is_active(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or self.valid_to >= on)


class OrganizationVersion(models.Model):
    """What an organization was between two dates: its parent, names, kind, sector and place in the biểu
    (issue 14). An organization's versions follow one another without gap or overlap from its first
    day (`valid_from`, None: since before the records) to its last (`valid_to`, None: still active);
    the tree of a date is the versions valid on it (organizations.structure). The django-mptt tree is
    the tree of today; the services that change structure record each change here with the date it
    takes effect (organizations.structure.record)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="versions", verbose_name=_("tổ chức")
    )
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    parent = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="child_versions",
        verbose_name=_("trực thuộc"),
    )
    name = NameCharField(_("tên"), max_length=255)
    short_name = CleanCharField(_("tên ngắn"), max_length=100, blank=True)
    kind = models.CharField(_("loại hình"), max_length=32, choices=Kind.choices)
    sector = models.CharField(_("khối"), max_length=16, choices=Sector.choices, default=Sector.RESIDENTIAL)
    position = models.PositiveIntegerField(_("thứ tự"), default=0)

    organization_path = "organization"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ cấu theo thời gian")
        verbose_name_plural = _("cơ cấu theo thời gian")
        ordering = ["organization", F("valid_from").asc(nulls_first=True)]
        constraints = [
            models.UniqueConstraint(fields=["organization", "valid_from"], name="organization_version_one_start"),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(valid_from__isnull=True), name="organization_version_one_first"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="organization_version_period",
            ),
        ]
        indexes = [
            models.Index(fields=["parent", "valid_from"], name="organization_version_parent"),
            models.Index(fields=["valid_from"], name="organization_version_from"),
            models.Index(fields=["valid_to"], name="organization_version_to"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from or '…'} – {self.valid_to or '…'})"

    def holds_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class Restructuring(models.Model):
    """A restructuring decision as a committee recorded it (issue 14): its number, dates and issuing body,
    and the steps it took (merge, abolish a level, move, rename, found, dissolve), applied together on
    `effective_on` by organizations.restructuring, all or nothing."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="restructurings",
        verbose_name=_("tổ chức ghi nhận"),
    )
    number = CleanCharField(_("số quyết định"), max_length=100)
    issuing_body = CleanCharField(_("cơ quan ban hành"), max_length=200)
    decided_on = models.DateField(_("ngày ban hành"))
    effective_on = models.DateField(_("ngày có hiệu lực"))
    steps = models.JSONField(_("các bước"), default=list)
    summary = models.JSONField(_("những gì đã thay đổi"), default=dict)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)

    organization_path = "organization"
    objects = RestrictedQuerySet.as_manager()
    history = AuditHistory()

    class Meta:
        verbose_name = _("quyết định sắp xếp tổ chức")
        verbose_name_plural = _("quyết định sắp xếp tổ chức")
        ordering = ["-effective_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="restructuring_number_once"),
            models.CheckConstraint(
                condition=Q(effective_on__gte=F("decided_on")), name="restructuring_effective_after_decision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.effective_on:%d/%m/%Y})"


class MembershipFigure(models.Model):
    """An organization's size as reported on a date (seed 004's "Thực trạng" columns)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="membership_figures", verbose_name=_("tổ chức")
    )
    as_of = models.DateField(_("tính đến ngày"))
    cell_count = models.PositiveIntegerField(_("số chi bộ trực thuộc"), null=True, blank=True)
    member_count = models.PositiveIntegerField(_("tổng số đảng viên"))
    official_member_count = models.PositiveIntegerField(_("đảng viên chính thức"))

    organization_path = "organization"
    objects = RestrictedQuerySet.as_manager()
    history = AuditHistory()

    class Meta:
        verbose_name = _("số liệu đảng viên")
        verbose_name_plural = _("số liệu đảng viên")
        ordering = ["organization", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "as_of"], name="membership_figure_one_per_date"),
            models.CheckConstraint(
                condition=Q(official_member_count__lte=F("member_count")),
                name="membership_official_not_above_total",
                violation_error_message=_("Số đảng viên chính thức không được lớn hơn tổng số đảng viên."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} @ {self.as_of:%d/%m/%Y}"


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("người dùng"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("tổ chức")
    )
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices)
    granted_at = models.DateTimeField(_("ngày giao"), auto_now_add=True)
    # Set by a restructuring that closed or moved the organization: an administrator reviews the role.
    review_note = CleanCharField(_("cần xem lại"), max_length=300, blank=True)

    organization_path = "organization"
    objects = RestrictedQuerySet.as_manager()
    history = AuditHistory()

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organization}"
