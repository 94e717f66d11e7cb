"""Candidates moving through the admission pipeline, and the admissions themselves."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organizations.models import Organization


class Gender(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class AdmissionQuerySet(models.QuerySet):
    def counted(self) -> AdmissionQuerySet:
        """Admissions that count toward quotas and statistics (not cancelled as recorded in error)."""
        return self.filter(cancelled_at__isnull=True)


class Admission(models.Model):
    """An admission decision (quyết định kết nạp, form 9-KNĐ). Its date is the admission date and
    counts toward the quota of the quarter it falls in, for the cell and everything above it."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="admissions", verbose_name=_("chi bộ")
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    gender = models.CharField(_("giới tính"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("ngày sinh"))
    decision_number = models.CharField(_("số quyết định"), max_length=50)
    admitted_on = models.DateField(_("ngày quyết định kết nạp"), db_index=True)
    deciding_body = models.CharField(_("cấp ủy quyết định"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    cancel_reason = models.CharField(_("lý do hủy"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AdmissionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kết nạp")
        verbose_name_plural = _("kết nạp")
        ordering = ["-admitted_on", "full_name"]
        indexes = [models.Index(fields=["organization", "admitted_on"], name="admission_org_date")]

    def __str__(self) -> str:
        return f"{self.full_name} — {self.decision_number} ({self.admitted_on:%d/%m/%Y})"
