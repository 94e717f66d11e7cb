from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = _("Quần chúng và kết nạp")

    def ready(self):
        from organizations.signals import organization_closing

        from . import receivers

        # An organization is not closed while candidates are still followed in its subtree.
        organization_closing.connect(receivers.refuse_closing_with_active_candidates, dispatch_uid="candidates")
