from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Tổ chức đảng")

    def ready(self):
        from . import services, validators

        # An organization is not closed while candidates are still followed in its subtree.
        services.organization_closing.connect(validators.no_active_candidates)
