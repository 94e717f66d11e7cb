"""Writes of the monitoring app that are not periodic reporting (monitoring.submissions): the alert
thresholds."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import AlertRules

ALERT_RULE_FIELDS = ("stalled_cell_years", "min_cell_members", "certificate_expiry_months")


@transaction.atomic
def alert_rules_update(*, by, **values) -> AlertRules:
    """Change the default alert thresholds (superusers; plans' sub-targets still take precedence).
    An invalid value is refused and nothing is written."""
    if by is not None and not by.is_superuser:
        raise PermissionDenied
    unknown = set(values) - set(ALERT_RULE_FIELDS)
    if unknown:
        raise ValidationError(_("Không có ngưỡng cảnh báo: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    rules = AlertRules.current()
    for field, value in values.items():
        setattr(rules, field, value)
    rules.full_clean()
    rules._history_user = by
    rules.save()
    return rules
