from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotasConfig(AppConfig):
    name = "quotas"
    verbose_name = _("Chỉ tiêu kết nạp")

    def ready(self):
        from django.db.models import Q
        from django.urls import reverse

        from organizations.models import Organization
        from organizations.signals import restructuring_impact
        from partytrack import history

        from . import receivers
        from .models import Plan, Quota
        from .selectors import plan_get_visible, quotas_visible

        def plans(*, user):
            """Plans of the user's subtree, and those that allocated a quota the user sees (a district's
            own quota names the province's plan on every quota page)."""
            visible = Organization.objects.visible_to(user)
            return Plan.objects.filter(Q(organization__in=visible) | Q(quotas__organization__in=visible)).distinct()

        restructuring_impact.connect(receivers.restructuring_impact, dispatch_uid="quotas")
        history.register(
            Plan, get=plan_get_visible, url=lambda o: reverse("quotas:plan_detail", args=[o.pk]), visible=plans
        )
        history.register(
            Quota,
            get=lambda *, user, pk: quotas_visible(user=user).select_related("organization", "plan").get(pk=pk),
            url=lambda o: reverse("quotas:allocation", args=[o.organization_id, o.year]),
            visible=quotas_visible,
        )
