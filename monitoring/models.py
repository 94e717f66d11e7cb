"""What the committees above watch (issue 6): the periodic reports each organization sends to the
level above and when they are due, and the thresholds of the alerts.

The tables kept their names from the reports app they were split out of (issue 13), then were renamed
to this app's by migration 0002; the history tables likewise."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization, RestrictedQuerySet
from partytrack.fields import CleanCharField
from partytrack.models import AuditHistory, OneRowRules


class ReportSubmission(models.Model):
    """An organization's periodic report (month, quarter, 6 months, year) sent to the level above.
    One per organization and period; it is never deleted (history keeps who sent it and when)."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Tháng")
        QUARTER = "quarter", _("Quý")
        HALF = "half", _("6 tháng")
        YEAR = "year", _("Năm")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="report_submissions", verbose_name=_("tổ chức")
    )
    kind = models.CharField(_("loại báo cáo"), max_length=8, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveSmallIntegerField(
        _("kỳ"), default=1, help_text=_("Tháng 1–12, quý 1–4; 1 với 6 tháng, năm")
    )
    submitted_at = models.DateTimeField(_("gửi lúc"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = CleanCharField(_("ghi chú"), max_length=300, blank=True)

    history = AuditHistory()

    organization_path = "organization"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo định kỳ đã gửi")
        verbose_name_plural = _("báo cáo định kỳ đã gửi")
        ordering = ["organization", "year", "kind", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "year", "number"],
                name="report_submission_once_per_period",
                violation_error_message=_("Báo cáo kỳ này đã được gửi."),
            ),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=12), name="report_submission_number"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.kind} {self.number}/{self.year}"


class ReportingDeadline(models.Model):
    """When a plan's periodic reports are due: day `day` of the `months_after`-th month after the period
    ends (default: the 15th of the following month, seed 004). Without a row, the default applies."""

    plan = models.OneToOneField(
        "quotas.Plan", on_delete=models.CASCADE, related_name="reporting_deadline", verbose_name=_("kế hoạch")
    )
    day = models.PositiveSmallIntegerField(
        _("hạn nộp: ngày"), default=15, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    months_after = models.PositiveSmallIntegerField(
        _("của tháng thứ … sau kỳ báo cáo"), default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )

    history = AuditHistory()

    organization_path = "plan__organization"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hạn gửi báo cáo định kỳ")
        verbose_name_plural = _("hạn gửi báo cáo định kỳ")
        constraints = [
            models.CheckConstraint(condition=Q(day__gte=1, day__lte=28), name="reporting_deadline_day_1_to_28"),
            models.CheckConstraint(
                condition=Q(months_after__gte=1, months_after__lte=3), name="reporting_deadline_months_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.day} (+{self.months_after})"


class AlertRules(OneRowRules):
    """The thresholds of the alerts, one row (pk=1), used where no plan in force sets them as a
    sub-target (seed 004: every cell ≥ 9 members; cells that admitted nobody for 3 years or more).
    Without a row the defaults apply; a change is an edit in the admin, not a release."""

    stalled_cell_years = models.PositiveSmallIntegerField(
        _("chi bộ không kết nạp được đảng viên từ … năm liền"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    min_cell_members = models.PositiveSmallIntegerField(
        _("số đảng viên tối thiểu của một chi bộ"), default=9, validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    certificate_expiry_months = models.PositiveSmallIntegerField(
        _("báo chứng nhận lớp bồi dưỡng sắp hết hạn trước (tháng)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = AuditHistory()

    class Meta:
        verbose_name = _("ngưỡng cảnh báo")
        verbose_name_plural = _("ngưỡng cảnh báo")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="alert_rules_single_row"),
            models.CheckConstraint(
                condition=Q(stalled_cell_years__gte=1, stalled_cell_years__lte=20), name="alert_rules_years_1_to_20"
            ),
            models.CheckConstraint(
                condition=Q(min_cell_members__gte=1, min_cell_members__lte=999), name="alert_rules_members_1_to_999"
            ),
            models.CheckConstraint(
                condition=Q(certificate_expiry_months__gte=1, certificate_expiry_months__lte=24),
                name="alert_rules_months_1_to_24",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Ngưỡng cảnh báo"))
