"""Model bases shared by the apps."""

from __future__ import annotations

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords


class OneRowRules(models.Model):
    """Rules kept as data with defaults (DOMAIN.md): one row, pk 1, edited by superusers through a
    service; until someone edits it the field defaults are the rules and nothing is written."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls):
        """The rules in force: the stored row, or the defaults (no write)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class AuditHistory(HistoricalRecords):
    """django-simple-history's records, named in the interface language: "lịch sử kết nạp" (its own
    "historical {}" is English and fixed at import)."""

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        if not self.user_set_verbose_name:
            options["verbose_name"] = format_lazy(gettext_lazy("lịch sử {}"), model._meta.verbose_name)
        if not self.user_set_verbose_name_plural:
            options["verbose_name_plural"] = format_lazy(gettext_lazy("lịch sử {}"), model._meta.verbose_name_plural)
        return options
