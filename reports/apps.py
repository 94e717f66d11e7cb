from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo")

    def ready(self):
        # The tallies follow every admission, quota and tree write inside the writer's transaction.
        from partytrack import hooks

        from . import services

        hooks.admissions_changed.connect(services.tallies_admissions_changed)
        hooks.quotas_changed.connect(services.tallies_quotas_changed)
        hooks.tree_changed.connect(services.tallies_tree_changed)
