"""Writers of facts for the reports tests. Admissions go through candidates.services (the real writer,
which sends candidates.signals.admissions_changed in its transaction); plans and quotas, and corrections
no service offers, are saved here and send their signal exactly as a writer must."""

from __future__ import annotations

import datetime
import itertools

from django.db import transaction

from candidates import services as candidate_services
from candidates.models import Admission
from candidates.signals import admissions_changed
from organizations.models import Organization
from quotas.models import Plan, Quota
from quotas.signals import quotas_changed

_numbers = itertools.count(1)


def admit(organization: Organization, on: datetime.date | str, **fields) -> Admission:
    on = datetime.date.fromisoformat(on) if isinstance(on, str) else on
    n = next(_numbers)
    return candidate_services.admission_record(
        organization=organization,
        full_name=fields.pop("full_name", f"Nguyễn Văn Thử {n}"),
        gender=fields.pop("gender", "male"),
        birth_date=fields.pop("birth_date", datetime.date(1990, 1, 1) + datetime.timedelta(days=n)),
        decision_number=fields.pop("decision_number", f"{n}-QĐ/ĐU"),
        admitted_on=on,
        by=None,
        **fields,
    )


def cancel(admission: Admission) -> Admission:
    return candidate_services.admission_cancel(admission=admission, reason="Ghi nhầm", by=None)


@transaction.atomic
def redate(admission: Admission, *, on: datetime.date, organization: Organization | None = None) -> Admission:
    """Correct an admission's date (and cell): both the old and the new place and date are sent."""
    old_org, old_on = admission.organization_id, admission.admitted_on
    admission.admitted_on = on
    if organization is not None:
        admission.organization = organization
    admission.save()
    admissions_changed.send(sender=Admission, organization_ids={old_org, admission.organization_id}, dates={old_on, on})
    return admission


@transaction.atomic
def plan(
    organization: Organization,
    number: str,
    quotas: dict[Organization, tuple[int, ...] | int],
    *,
    year: int = 2025,
    end_year: int | None = None,
    issued_on: datetime.date | str | None = None,
    replaces: Plan | None = None,
    status: str = Plan.Status.ISSUED,
) -> Plan:
    """A plan of `organization` allocating `quotas` for `year`: {child: total} or {child: (total, q1..q4)}."""
    if isinstance(issued_on, str):
        issued_on = datetime.date.fromisoformat(issued_on)
    created = Plan.objects.create(
        organization=organization,
        number=number,
        issued_on=issued_on or datetime.date(year, 1, 15),
        issuing_body="Ban Thường vụ",
        title=f"Kế hoạch kết nạp đảng viên năm {year}",
        start_year=year,
        end_year=end_year or year,
        replaces=replaces,
        status=status,
    )
    for child, figures in quotas.items():
        figures = (figures,) if isinstance(figures, int) else tuple(figures)
        total, *quarters = figures
        q = dict(zip(("q1", "q2", "q3", "q4"), quarters or (None,) * 4, strict=True))
        Quota.objects.create(plan=created, organization=child, year=year, total=total, **q)
    quotas_changed.send(sender=Plan, plan_ids={created.pk} | ({replaces.pk} if replaces else set()))
    return created


@transaction.atomic
def set_quota(quota: Quota, **changes) -> Quota:
    for name, value in changes.items():
        setattr(quota, name, value)
    quota.save()
    quotas_changed.send(sender=Plan, plan_ids={quota.plan_id})
    return quota
