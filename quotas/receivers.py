"""What the quotas app answers to other apps' signals (connected in QuotasConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import Plan, Quota


def restructuring_impact(*, organization_ids, on, **_kwargs) -> list[str]:
    """Receiver of organizations.signals.restructuring_impact: the plans and quotas of the decision's
    year at the organizations a restructuring moves or closes. They stay with the organization they
    were made for: a report of that year reads them in either structure."""
    year = on.year
    plans = Plan.objects.current().filter(organization_id__in=organization_ids).covering(year).count()
    quotas = Quota.objects.filter(organization_id__in=organization_ids, year=year).count()
    lines = []
    if plans:
        lines.append(
            _("%(count)d kế hoạch năm %(year)d của các tổ chức được sắp xếp.") % {"count": plans, "year": year}
        )
    if quotas:
        lines.append(
            _("%(count)d chỉ tiêu năm %(year)d đã giao cho các tổ chức được sắp xếp.") % {"count": quotas, "year": year}
        )
    return lines
