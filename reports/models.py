"""Summary tables that keep the progress roll-up fast at national scale, and background report jobs.

The tallies are derived data: `reports.services` keeps them in step with the facts (admissions,
quotas, the tree) from the signals those apps send (`candidates.signals`, `quotas.signals`,
`organizations.signals`), and `manage.py rebuild_tallies` recomputes them from scratch. Nothing reads them as a source of truth for anything but the roll-up.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization, RestrictedQuerySet

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
    # Which tree the report follows (reports.selectors.Structure): "then" or "now".
    structure = models.CharField(_("cơ cấu tổ chức"), max_length=4, default="then")
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
