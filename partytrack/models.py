"""Model bases shared by the apps."""

from __future__ import annotations

from django.db import models


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
