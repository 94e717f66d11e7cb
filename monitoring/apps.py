from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Monitoring (issue 6, split from reports in issue 13): admission statistics, alerts, sub-targets
    and the periodic reports sent to the level above with their deadlines. It reads the roll-up of
    `reports`; nothing below imports it."""

    name = "monitoring"
    verbose_name = _("Giám sát")
