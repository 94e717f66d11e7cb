"""Admission plans (kế hoạch) and the quotas (chỉ tiêu) they allocate to the organizations below."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organizations.models import Organization


class PlanQuerySet(models.QuerySet):
    def current(self) -> PlanQuerySet:
        """Plans no later plan has replaced: only these count in progress."""
        return self.filter(replaced_by__isnull=True)

    def covering(self, year: int) -> PlanQuerySet:
        return self.filter(start_year__lte=year, end_year__gte=year)


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ISSUED = "issued", _("Đã ban hành")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="plans", verbose_name=_("cấp ủy ban hành")
    )
    number = models.CharField(_("số, ký hiệu"), max_length=50, help_text=_("Ví dụ: 72-KH/HU"))
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuing_body = models.CharField(
        _("cơ quan ban hành"), max_length=200, blank=True, help_text=_("Ví dụ: Ban Thường vụ Huyện ủy")
    )
    title = models.CharField(_("trích yếu"), max_length=300)
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
    place = models.CharField(_("địa danh"), max_length=100, blank=True, help_text=_("Ví dụ: Lục Ngạn"))
    signer_title = models.CharField(_("chức vụ người ký"), max_length=100, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=100, blank=True)
    recipients = models.TextField(_("nơi nhận"), blank=True, help_text=_("Mỗi dòng một nơi nhận."))

    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords()

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
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    @property
    def is_term(self) -> bool:
        return self.end_year > self.start_year


class QuotaQuerySet(models.QuerySet):
    def effective(self) -> QuotaQuerySet:
        """Quotas of current (not replaced) plans."""
        return self.filter(plan__replaced_by__isnull=True)


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

    objects = QuotaQuerySet.as_manager()
    history = HistoricalRecords()

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

    def quota_to_quarter(self, quarter: int) -> int | None:
        """Cumulative target through `quarter` (seed 003: 0 / 4 / 15 / 25)."""
        if not self.has_quarters:
            return None
        return sum(self.quarters[:quarter])
