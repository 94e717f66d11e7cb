"""Every read of the candidates app, always through the user's scope. Candidates' personal data is
read by secretaries (their cell), staff and administrators (their subtree); leaders get counts only."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from organizations.models import CANDIDATE_ROLES, MANAGE_ROLES, MembershipFigure, Organization, Role, Scope

from .choices import EventKind, Status, Step
from .models import Admission, Candidate, PersonalDataAccess, PipelineRules, StepEvent
from .rules import next_steps

BOARD_STEPS = [step for step in Step if step != Step.FULL_MEMBERSHIP]
CARDS_PER_COLUMN = 50


def candidates_for(*, user) -> QuerySet[Candidate]:
    return Candidate.objects.restrict(user)


def candidate_get(*, user, pk: int) -> Candidate:
    """The candidate if the user may see their personal data; Candidate.DoesNotExist (a 404) otherwise."""
    return candidates_for(user=user).select_related("organization").get(pk=pk)


def can_read_candidates(*, user) -> bool:
    return user.is_superuser or bool(Scope.of(user).organization_ids(CANDIDATE_ROLES))


def can_read_people_in(*, user, organization: Organization) -> bool:
    """May the user see the personal data of everyone in the organization's subtree (secretaries,
    staff and administrators of a subtree holding it)? Leaders see counts only."""
    if user.is_superuser:
        return True
    return Organization.objects.filter(pk=organization.pk).restrict(user, "view_people").exists()


def can_manage(*, user) -> bool:
    return user.is_superuser or bool(Scope.of(user).organization_ids(MANAGE_ROLES))


def admissions_for(*, user) -> QuerySet[Admission]:
    return Admission.objects.restrict(user)


def admission_get(*, user, pk: int) -> Admission:
    return admissions_for(user=user).select_related("organization", "candidate").get(pk=pk)


def admission_can_cancel(*, user, admission: Admission) -> bool:
    return Admission.objects.filter(pk=admission.pk).restrict(user, "change").exists()


def organizations_for_entry(*, user, on: datetime.date | None = None) -> QuerySet[Organization]:
    """Where the user may add candidates or admissions: cells, and committees without a lower cell."""
    from organizations.models import COMMITTEE_KINDS, Kind

    on = on or timezone.localdate()
    with_children = Organization.objects.filter(parent__isnull=False).active(on).values("parent_id")
    return (
        Organization.objects.restrict(user, "view_people")
        .active(on)
        .exclude(kind__in=COMMITTEE_KINDS)
        .filter(Q(kind__in=[Kind.CELL, Kind.GRASSROOTS_CELL]) | ~Q(pk__in=with_children))
        .order_by("tree_id", "lft")
    )


# Overdue first, then due within the due-soon days, then later deadlines, then none.
URGENCY_ORDER = ("urgency", "next_deadline", "full_name", "pk")


def with_urgency(queryset: QuerySet[Candidate], *, today: datetime.date, soon_days: int) -> QuerySet[Candidate]:
    """Overdue first, then due within `soon_days`, then later deadlines, then none."""
    return queryset.annotate(
        urgency=Case(
            When(status=Status.ACTIVE, next_deadline__lt=today, then=Value(0)),
            When(status=Status.ACTIVE, next_deadline__lte=today + datetime.timedelta(days=soon_days), then=Value(1)),
            When(next_deadline__isnull=False, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    ).order_by(*URGENCY_ORDER)


def deadline_state(candidate: Candidate, *, today: datetime.date, soon_days: int) -> str:
    if not candidate.is_active or candidate.next_deadline is None:
        return "none"
    if candidate.next_deadline < today:
        return "overdue"
    if candidate.next_deadline <= today + datetime.timedelta(days=soon_days):
        return "soon"
    return "ok"


@dataclass
class Card:
    candidate: Candidate
    state: str
    days_left: int | None
    next_step: str | None
    next_step_label: str

    @property
    def days_overdue(self) -> int | None:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else None


@dataclass
class Column:
    step: str
    label: str
    total: int
    overdue: int
    cards: list[Card] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return self.total - len(self.cards)


def card_for(candidate: Candidate, *, today: datetime.date, soon_days: int) -> Card:
    following = next_steps(step=candidate.step, organization=candidate.organization) if candidate.is_active else []
    days_left = (candidate.next_deadline - today).days if candidate.next_deadline and candidate.is_active else None
    return Card(
        candidate=candidate,
        state=deadline_state(candidate, today=today, soon_days=soon_days),
        days_left=days_left,
        next_step=following[0] if following else None,
        next_step_label=str(Step(following[0]).label) if following else "",
    )


def board(
    *,
    queryset: QuerySet[Candidate],
    today: datetime.date | None = None,
    limit: int = CARDS_PER_COLUMN,
    rules: PipelineRules | None = None,
) -> list[Column]:
    """The active candidates of `queryset` (already scoped and filtered) by step, the `limit` most
    urgent of each column: two queries whatever the number of candidates or columns, the counts
    per step and the cards of every column (ranked within their step by a window function)."""
    today = today or timezone.localdate()
    rules = rules or PipelineRules.current()
    active = queryset.filter(status=Status.ACTIVE)
    counts = {
        row["step"]: row
        for row in active.values("step").annotate(
            total=Count("pk"), overdue=Count("pk", filter=Q(next_deadline__lt=today))
        )
    }
    columns = []
    for step in BOARD_STEPS:
        found = counts.get(step.value, {"total": 0, "overdue": 0})
        columns.append(Column(step=step.value, label=str(step.label), total=found["total"], overdue=found["overdue"]))
    if not counts:
        return columns
    ranked = (
        with_urgency(active, today=today, soon_days=rules.due_soon_days)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("step")], order_by=[F(name).asc() for name in URGENCY_ORDER])
        )
        .filter(rank__lte=limit)
        .select_related("organization__parent")
        .order_by("step", "rank")
    )
    by_step = {column.step: column for column in columns}
    for candidate in ranked:
        column = by_step.get(candidate.step)
        if column is not None:
            column.cards.append(card_for(candidate, today=today, soon_days=rules.due_soon_days))
    return columns


def attention(
    *,
    queryset: QuerySet[Candidate],
    today: datetime.date | None = None,
    limit: int = 20,
    rules: PipelineRules | None = None,
) -> list[Card]:
    """Overdue and due-soon candidates, most urgent first (the list above the board)."""
    today = today or timezone.localdate()
    rules = rules or PipelineRules.current()
    rows = (
        queryset.filter(status=Status.ACTIVE, next_deadline__lte=today + datetime.timedelta(days=rules.due_soon_days))
        .select_related("organization__parent")
        .order_by("next_deadline", "full_name", "pk")[:limit]
    )
    return [card_for(candidate, today=today, soon_days=rules.due_soon_days) for candidate in rows]


@dataclass
class StepCount:
    step: str
    label: str
    active: int
    overdue: int


def step_counts(
    *, user, organization: Organization | None = None, today: datetime.date | None = None
) -> list[StepCount]:
    """Aggregated figures without personal data (what leaders see): active candidates per step."""
    today = today or timezone.localdate()
    queryset = Candidate.objects.restrict(user, "count").filter(status=Status.ACTIVE)
    if organization is not None:
        queryset = queryset.within(organization)
    counts = {
        row["step"]: row
        for row in queryset.values("step").annotate(
            total=Count("pk"), overdue=Count("pk", filter=Q(next_deadline__lt=today))
        )
    }
    return [
        StepCount(
            step=step.value,
            label=str(step.label),
            active=counts.get(step.value, {}).get("total", 0),
            overdue=counts.get(step.value, {}).get("overdue", 0),
        )
        for step in BOARD_STEPS
    ]


def cell_official_members(organization: Organization, on: datetime.date) -> int | None:
    """Official members of the cell on a date: the latest membership figure on or before it. The
    vote rules and the step form's hint both read this, for the meeting date."""
    figure = MembershipFigure.objects.filter(organization=organization, as_of__lte=on).order_by("-as_of").first()
    return figure.official_member_count if figure else None


def decision_extension(candidate: Candidate) -> StepEvent | None:
    """The extension of the decision deadline, if one is recorded (there is at most one)."""
    return candidate.events.filter(kind=EventKind.EXTENSION, voided_at__isnull=True).first()


def candidate_events(*, candidate: Candidate) -> QuerySet[StepEvent]:
    return candidate.events.select_related("recorded_by").order_by("id")


def can_read_access_log(*, user) -> bool:
    """The personal-data access log is the administrators' (and superusers'), not the staff's."""
    return user.is_superuser or bool(Scope.of(user).organization_ids({Role.ADMIN}))


def personal_data_access_for(*, user) -> QuerySet[PersonalDataAccess]:
    """The personal-data access log, for administrators: reads (and refusals) about people of their
    subtree."""
    return (
        PersonalDataAccess.objects.restrict(user).select_related("user", "organization").order_by("-accessed_at", "-pk")
    )
