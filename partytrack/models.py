"""Model bases shared by the apps."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext, gettext_lazy
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


def check_text_lengths(instance: models.Model) -> None:
    """Refuse, field by field, text longer than its column, before a save: PostgreSQL fails such a
    save with a server error (SQLite stores it whole). For rows a service composes itself (two
    introducers' names joined into one field), where no form field has checked the length."""
    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        limit = getattr(field, "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            errors.setdefault(field.name, []).append(
                gettext("%(field)s dài %(count)s ký tự, quá mức tối đa %(max)s ký tự.")
                % {"field": capfirst(field.verbose_name), "count": len(value), "max": limit}
            )
    if errors:
        raise ValidationError(errors)
