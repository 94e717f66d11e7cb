"""Admission plans (kế hoạch) and the quotas (chỉ tiêu) they allocate to the organizations below."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization, RestrictedQuerySet
from partytrack.fields import CleanCharField, CleanTextField
from partytrack.models import AuditHistory


class PlanQuerySet(RestrictedQuerySet):
    def current(self) -> PlanQuerySet:
        """Plans no later plan has replaced: only these count in progress."""
        return self.filter(replaced_by__isnull=True)

    def covering(self, year: int) -> PlanQuerySet:
        return self.filter(start_year__lte=year, end_year__gte=year)

    def latest_first(self) -> PlanQuerySet:
        """Most recently issued first (undated drafts after dated plans), then the latest entered."""
        return self.order_by(F("issued_on").desc(nulls_last=True), "-pk")


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ISSUED = "issued", _("Đã ban hành")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="plans", verbose_name=_("cấp ủy ban hành")
    )
    number = CleanCharField(_("số, ký hiệu"), max_length=50, help_text=_("Ví dụ: 72-KH/HU"))
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuing_body = CleanCharField(
        _("cơ quan ban hành"), max_length=200, blank=True, help_text=_("Ví dụ: Ban Thường vụ Huyện ủy")
    )
    title = CleanCharField(_("trích yếu"), max_length=300)
    start_year = models.PositiveSmallIntegerField(_("từ năm"))
    end_year = models.PositiveSmallIntegerField(_("đến năm"))
    target = models.PositiveIntegerField(_("chỉ tiêu chung"), null=True, blank=True)
    target_is_minimum = models.BooleanField(_("chỉ tiêu là mức tối thiểu (trở lên)"), default=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.ISSUED)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("thay thế kế hoạch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    place = CleanCharField(_("địa danh"), max_length=100, blank=True, help_text=_("Ví dụ: Lục Ngạn"))
    signer_title = CleanCharField(_("chức vụ người ký"), max_length=100, blank=True)
    signer_name = CleanCharField(_("người ký"), max_length=100, blank=True)
    recipients = CleanTextField(_("nơi nhận"), blank=True, help_text=_("Mỗi dòng một nơi nhận."))
    target_per_year = models.BooleanField(
        _("chỉ tiêu chung tính cho mỗi năm"),
        default=True,
        help_text=_("Bỏ chọn khi chỉ tiêu chung là cho cả nhiệm kỳ."),
    )
    # The plan's own quarterly targets for a one-year plan (seed 003: 0 / 4 / 11 / 10 of 25).
    target_q1 = models.PositiveIntegerField(_("chỉ tiêu quý I"), null=True, blank=True)
    target_q2 = models.PositiveIntegerField(_("chỉ tiêu quý II"), null=True, blank=True)
    target_q3 = models.PositiveIntegerField(_("chỉ tiêu quý III"), null=True, blank=True)
    target_q4 = models.PositiveIntegerField(_("chỉ tiêu quý IV"), null=True, blank=True)
    note = CleanTextField(_("ghi chú"), blank=True)

    organization_path = "organization"
    objects = PlanQuerySet.as_manager()
    history = AuditHistory()

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-start_year", "-issued_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="plan_unique_number_per_issuer"),
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")),
                name="plan_period_ordered",
                violation_error_message=_("Năm kết thúc phải từ năm bắt đầu trở đi."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(target_q1__isnull=True, target_q2__isnull=True, target_q3__isnull=True, target_q4__isnull=True)
                    | Q(
                        target__isnull=False,
                        start_year=F("end_year"),
                        target=F("target_q1") + F("target_q2") + F("target_q3") + F("target_q4"),
                    )
                ),
                name="plan_target_quarters_sum_to_target",
                violation_error_message=_(
                    "Chỉ tiêu theo quý chỉ dùng cho kế hoạch một năm, điền đủ bốn quý và có tổng bằng chỉ tiêu chung."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(replaces=F("pk")),
                name="plan_does_not_replace_itself",
                violation_error_message=_("Kế hoạch không thể thay thế chính nó."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    @property
    def is_term(self) -> bool:
        return self.end_year > self.start_year

    @property
    def is_current(self) -> bool:
        """Not replaced by a later plan (reads the reverse one-to-one, cached after the first call)."""
        try:
            return self.replaced_by is None
        except Plan.DoesNotExist:
            return True

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)

    @property
    def target_quarters(self) -> tuple[int | None, int | None, int | None, int | None]:
        return (self.target_q1, self.target_q2, self.target_q3, self.target_q4)

    @property
    def has_target_quarters(self) -> bool:
        return self.target_q1 is not None

    def target_to_quarter(self, quarter: int) -> int | None:
        """The plan's own cumulative target through `quarter` (seed 003: 0 / 4 / 15 / 25)."""
        if not self.has_target_quarters:
            return None
        return sum(self.target_quarters[:quarter])

    def target_for_year(self, year: int) -> int | None:
        """The overall target that applies to one year of the plan (None when the plan sets one for
        the whole term only)."""
        if self.target is None or (self.is_term and not self.target_per_year):
            return None
        return self.target

    @property
    def recipient_lines(self) -> tuple[str, ...]:
        return tuple(line.strip().lstrip("-").strip() for line in self.recipients.splitlines() if line.strip())

    def clean(self) -> None:
        quarters = self.target_quarters
        if any(q is not None for q in quarters):
            if self.is_term:
                raise ValidationError({"target_q1": _("Chỉ tiêu theo quý chỉ dùng cho kế hoạch một năm.")})
            if any(q is None for q in quarters):
                raise ValidationError({"target_q1": _("Điền đủ bốn quý hoặc để trống cả bốn.")})
            if self.target is None or sum(quarters) != self.target:
                raise ValidationError(
                    {
                        "target_q1": _("Tổng các quý (%(sum)s) phải bằng chỉ tiêu chung (%(target)s).")
                        % {"sum": sum(quarters), "target": self.target if self.target is not None else "—"}
                    }
                )


class SubTarget(models.Model):
    """A further target a plan sets beside the number of admissions (seeds 000, 001, 004)."""

    class Kind(models.TextChoices):
        YOUTH_UNION_SHARE = "youth_union_share", _("Tỷ lệ đoàn viên thanh niên trong số kết nạp")
        PRIVATE_BUSINESS_OWNERS = "private_business_owners", _("Số chủ doanh nghiệp tư nhân được kết nạp")
        MIN_PER_UNIT = "min_per_unit", _("Số kết nạp tối thiểu mỗi năm của mỗi đơn vị")
        CELL_MIN_MEMBERS = "cell_min_members", _("Số đảng viên tối thiểu của mỗi chi bộ")
        VILLAGE_HEAD_SHARE = "village_head_share", _("Tỷ lệ trưởng thôn, tổ trưởng tổ dân phố là đảng viên")
        STALLED_CELL_YEARS = "stalled_cell_years", _("Số năm liền chi bộ không kết nạp được đảng viên cần theo dõi")
        OTHER = "other", _("Chỉ tiêu khác")

    class Comparison(models.TextChoices):
        AT_LEAST = "gte", _("từ … trở lên (≥)")
        ABOVE = "gt", _("trên (>)")
        AT_MOST = "lte", _("không quá (≤)")
        EXACTLY = "eq", _("bằng (=)")

    PERCENT_KINDS = frozenset({Kind.YOUTH_UNION_SHARE, Kind.VILLAGE_HEAD_SHARE})
    SYMBOLS = {"gte": "≥", "gt": ">", "lte": "≤", "eq": "="}

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sub_targets", verbose_name=_("kế hoạch"))
    kind = models.CharField(_("loại chỉ tiêu"), max_length=32, choices=Kind.choices)
    comparison = models.CharField(_("so sánh"), max_length=3, choices=Comparison.choices, default=Comparison.AT_LEAST)
    value = models.DecimalField(_("giá trị"), max_digits=7, decimal_places=2)
    description = CleanCharField(_("diễn giải"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    history = AuditHistory()

    organization_path = "plan__organization"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("chỉ tiêu phụ")
        verbose_name_plural = _("chỉ tiêu phụ")
        ordering = ["plan", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="sub_target_not_negative",
                violation_error_message=_("Giá trị không được âm."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.display_value}"

    @property
    def is_percent(self) -> bool:
        return self.kind in self.PERCENT_KINDS

    @property
    def display_value(self) -> str:
        number = f"{self.value.normalize():f}".replace(".", ",")
        return f"{self.SYMBOLS[self.comparison]} {number}{' %' if self.is_percent else ''}"

    def clean(self) -> None:
        if self.is_percent and self.value is not None and self.value > 100:
            raise ValidationError({"value": _("Tỷ lệ không được quá 100 %.")})


class QuotaQuerySet(RestrictedQuerySet):
    def effective(self) -> QuotaQuerySet:
        """Quotas that count: those of the effective plan of their plan's organization for their year
        (quotas.plans, where the definition lives)."""
        from django.db.models import OuterRef

        from .plans import plan_effective_subquery

        return self.filter(plan=plan_effective_subquery(OuterRef("plan__organization"), OuterRef("year")))


class Quota(models.Model):
    """What a plan allocates to one organization for one year: a total and, optionally, quarters.

    Cumulative quarterly targets and percentages are derived (see properties), never stored.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="quotas", verbose_name=_("kế hoạch"))
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="quotas", verbose_name=_("tổ chức được giao")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    total = models.PositiveIntegerField(_("tổng số"))
    q1 = models.PositiveIntegerField(_("quý I"), null=True, blank=True)
    q2 = models.PositiveIntegerField(_("quý II"), null=True, blank=True)
    q3 = models.PositiveIntegerField(_("quý III"), null=True, blank=True)
    q4 = models.PositiveIntegerField(_("quý IV"), null=True, blank=True)

    # The receiving organization: a commune sees its own quota from the district's plan.
    organization_path = "organization"
    objects = QuotaQuerySet.as_manager()
    history = AuditHistory()

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        constraints = [
            models.UniqueConstraint(fields=["plan", "organization", "year"], name="quota_one_per_plan_org_year"),
            models.CheckConstraint(
                condition=(
                    Q(q1__isnull=True, q2__isnull=True, q3__isnull=True, q4__isnull=True)
                    | Q(
                        q1__isnull=False,
                        q2__isnull=False,
                        q3__isnull=False,
                        q4__isnull=False,
                        total=F("q1") + F("q2") + F("q3") + F("q4"),
                    )
                ),
                name="quota_quarters_sum_to_total",
                violation_error_message=_("Các quý phải để trống cả bốn, hoặc điền đủ bốn quý có tổng bằng tổng số."),
            ),
        ]
        indexes = [models.Index(fields=["organization", "year"], name="quota_org_year")]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}: {self.total}"

    @property
    def quarters(self) -> tuple[int | None, int | None, int | None, int | None]:
        return (self.q1, self.q2, self.q3, self.q4)

    @property
    def has_quarters(self) -> bool:
        return self.q1 is not None
