"""Summary tables that keep the progress roll-up fast at national scale, and background report jobs.

The tallies are derived data: `reports.services` keeps them in step with the facts (admissions,
quotas, the tree) from the signals those apps send (`candidates.signals`, `quotas.signals`,
`organizations.signals`), and `manage.py rebuild_tallies` recomputes them from scratch. Nothing reads them as a source of truth for anything but the roll-up.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization, RestrictedQuerySet
from partytrack.fields import CleanCharField
from partytrack.models import AuditHistory, OneRowRules

QUARTERS = (1, 2, 3, 4)


class AdmissionTally(models.Model):
    """Counted admissions per organization and year, by quarter of the admission date.

    `own_qN`: admissions recorded at the organization itself; `sub_qN`: admissions anywhere in its
    subtree as the tree is now (itself included), so a report reads one row per child.
    Rows whose counts are all zero are not kept.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="admission_tallies")
    year = models.PositiveSmallIntegerField()
    own_q1 = models.PositiveIntegerField(default=0)
    own_q2 = models.PositiveIntegerField(default=0)
    own_q3 = models.PositiveIntegerField(default=0)
    own_q4 = models.PositiveIntegerField(default=0)
    sub_q1 = models.PositiveIntegerField(default=0)
    sub_q2 = models.PositiveIntegerField(default=0)
    sub_q3 = models.PositiveIntegerField(default=0)
    sub_q4 = models.PositiveIntegerField(default=0)

    organization_path = "organization"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("số kết nạp tổng hợp")
        verbose_name_plural = _("số kết nạp tổng hợp")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="admission_tally_one_per_org_year"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.year}: {self.subtree}"

    @property
    def own(self) -> tuple[int, int, int, int]:
        return (self.own_q1, self.own_q2, self.own_q3, self.own_q4)

    @property
    def subtree(self) -> tuple[int, int, int, int]:
        return (self.sub_q1, self.sub_q2, self.sub_q3, self.sub_q4)


class QuotaTally(models.Model):
    """For an organization with children: the sum of its children's quotas for a year, each child
    counting the quota its parent allocated to it or, failing that, its own such sum (recursively).
    It is the quota shown for an organization that its own parent allocated nothing to.

    `through_qN` is the cumulative target through quarter N; where a quota has no quarterly split
    the straight-line pace floor(total × N / 4) stands in and `estimated` is set.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="quota_tallies")
    year = models.PositiveSmallIntegerField()
    total = models.PositiveIntegerField()
    q1 = models.PositiveIntegerField(null=True)
    q2 = models.PositiveIntegerField(null=True)
    q3 = models.PositiveIntegerField(null=True)
    q4 = models.PositiveIntegerField(null=True)
    through_q1 = models.PositiveIntegerField()
    through_q2 = models.PositiveIntegerField()
    through_q3 = models.PositiveIntegerField()
    through_q4 = models.PositiveIntegerField()
    estimated = models.BooleanField(default=False)

    organization_path = "organization"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("chỉ tiêu tổng hợp")
        verbose_name_plural = _("chỉ tiêu tổng hợp")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="quota_tally_one_per_org_year"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.year}: {self.total}"


class ReportJob(models.Model):
    """A large report built by `manage.py report_worker` instead of the web worker."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel (.xlsx)"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang lập")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Lỗi")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="report_jobs", verbose_name=_("tổ chức")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    quarter = models.PositiveSmallIntegerField(_("quý"))
    detail = models.BooleanField(_("chi tiết mọi cấp"), default=False)
    format = models.CharField(_("định dạng"), max_length=8, choices=Format.choices)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)

    organization_path = "organization"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("yêu cầu lập báo cáo")
        verbose_name_plural = _("yêu cầu lập báo cáo")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="report_job_quarter_1_to_4"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_job_progress_0_to_100"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="report_job_queue")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}/Q{self.quarter} {self.format} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def content_type(self) -> str:
        if self.format == self.Format.PDF:
            return "application/pdf"
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
