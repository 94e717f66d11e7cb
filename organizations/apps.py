from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Tổ chức đảng")

    def ready(self):
        from django.urls import reverse

        from partytrack import history

        from .models import Organization
        from .selectors import organization_get_visible

        history.register(
            Organization,
            get=organization_get_visible,
            url=lambda o: reverse("organizations:detail", args=[o.pk]),
            visible=lambda *, user: Organization.objects.visible_to(user),
        )
