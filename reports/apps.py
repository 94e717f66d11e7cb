from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo")

    def ready(self):
        # The tallies follow every admission, quota and tree write inside the writer's transaction.
        from candidates.signals import admissions_changed
        from organizations.signals import tree_changed
        from quotas.signals import quotas_changed

        from . import services

        admissions_changed.connect(services.tallies_admissions_changed, dispatch_uid="reports.tallies")
        quotas_changed.connect(services.tallies_quotas_changed, dispatch_uid="reports.tallies")
        tree_changed.connect(services.tallies_tree_changed, dispatch_uid="reports.tallies")
