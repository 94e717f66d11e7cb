"""Writers of facts for the reports tests, behaving as the real writers must: save, then fire the hook
inside the same transaction so the report tallies follow."""

from __future__ import annotations

import datetime
import itertools

from django.db import transaction
from django.utils import timezone

from candidates.models import Admission
from organizations.models import Organization
from partytrack import hooks
from quotas.models import Plan, Quota

_numbers = itertools.count(1)


@transaction.atomic
def admit(organization: Organization, on: datetime.date | str, **fields) -> Admission:
    on = datetime.date.fromisoformat(on) if isinstance(on, str) else on
    n = next(_numbers)
    admission = Admission.objects.create(
        organization=organization,
        full_name=fields.pop("full_name", f"Nguyễn Văn {n}"),
        gender=fields.pop("gender", "male"),
        birth_date=fields.pop("birth_date", datetime.date(1995, 1, 1)),
        decision_number=fields.pop("decision_number", f"{n}-QĐ/ĐU"),
        admitted_on=on,
        **fields,
    )
    hooks.admissions_changed.fire(organization_ids={organization.pk}, dates={on})
    return admission


@transaction.atomic
def cancel(admission: Admission) -> Admission:
    admission.cancelled_at = timezone.now()
    admission.cancel_reason = "Ghi nhầm"
    admission.save()
    hooks.admissions_changed.fire(organization_ids={admission.organization_id}, dates={admission.admitted_on})
    return admission


@transaction.atomic
def redate(admission: Admission, *, on: datetime.date, organization: Organization | None = None) -> Admission:
    """Correct an admission's date (and cell): both the old and the new place and date are fired."""
    old_org, old_on = admission.organization_id, admission.admitted_on
    admission.admitted_on = on
    if organization is not None:
        admission.organization = organization
    admission.save()
    hooks.admissions_changed.fire(organization_ids={old_org, admission.organization_id}, dates={old_on, on})
    return admission


@transaction.atomic
def plan(
    organization: Organization,
    number: str,
    quotas: dict[Organization, tuple[int, ...] | int],
    *,
    year: int = 2026,
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
    hooks.quotas_changed.fire(plan_ids={created.pk} | ({replaces.pk} if replaces else set()))
    return created


@transaction.atomic
def set_quota(quota: Quota, **changes) -> Quota:
    for name, value in changes.items():
        setattr(quota, name, value)
    quota.save()
    hooks.quotas_changed.fire(plan_ids={quota.plan_id})
    return quota
