"""Every write of the candidates app: candidates and their steps, admissions (from the pipeline,
entered directly or imported), and the rule durations.

Each service runs in one transaction, checks the acting user's scope before and again after writing
(a write that leaves the scope rolls back), and sends `signals.admissions_changed` after any change to
an admission. The same person is admitted once: see `_check_not_admitted` and the constraints on
Admission; on PostgreSQL an advisory lock per person makes two concurrent requests for the same
person run one after the other, so the second sees the first and is refused.

Outside the user's scope a duplicate is never described: the refusal says only that the person has a
record in another organization and which committee to ask (`_record_elsewhere`); each such refusal is
logged and a user gets at most `PrivacyRules.record_elsewhere_per_day` of them a day (`identity_checked`).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Iterable
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from organizations.models import CANDIDATE_ROLES, COMMITTEE_KINDS, Kind, MembershipFigure, Organization, Scope
from organizations.selectors import organization_common_ancestor
from organizations.services import membership_figure_record
from partytrack import durable, locks, versions
from partytrack.models import check_text_lengths
from partytrack.text import clean_compact, clean_lines, clean_text, fold

from . import rules as pipeline
from . import signals
from .choices import (
    CLOSING_STATUSES,
    AdmissionSource,
    EventKind,
    Status,
    Step,
    step_index,
)
from .models import Admission, Candidate, PersonalDataAccess, PipelineRules, PrivacyRules, StepEvent, identity_key
from .selectors import cell_official_members, decision_extension

PERSON_FIELDS = (
    "full_name",
    "gender",
    "birth_date",
    "citizen_id",
    "ethnicity",
    "religion",
    "occupation",
    "education_level",
    "professional_level",
    "political_theory",
    "youth_union_member",
    "readmitted",
    "village_head",
    "discharged_soldier",
    "militia",
    "non_state_enterprise",
)
CANDIDATE_FIELDS = (*PERSON_FIELDS, "helper_name", "mentor_name", "notes")


def _today() -> datetime.date:
    return timezone.localdate()


def _d(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


# Scope ------------------------------------------------------------------------------------------


def _ensure_scope(by, organization: Organization) -> None:
    """Scope is read afresh (Scope.forget) so the check after a write sees the committed tree."""
    if by is None:
        return
    Scope.forget(by)
    if not Organization.objects.filter(pk=organization.pk).restrict(by, "view_people").exists():
        raise PermissionDenied


def _ensure_may_change(by, admission: Admission) -> None:
    """Staff and administrators of the admission's subtree; read afresh like _ensure_scope."""
    if by is None:
        return
    Scope.forget(by)
    if not Admission.objects.filter(pk=admission.pk).restrict(by, "change").exists():
        raise PermissionDenied


def _visible_to(by, organization_id: int) -> bool:
    if by is None:
        return True
    return Organization.objects.filter(pk=organization_id).restrict(by, "view_people").exists()


def admits_directly(organization: Organization, on: datetime.date) -> bool:
    """Candidates are followed, and admissions recorded, in a cell; or in a grassroots committee or
    commune that has no lower cell (the demo's communes without cells, seed 000's institutions)."""
    if organization.kind in COMMITTEE_KINDS:
        return False
    if organization.is_cell:
        return True
    return not Organization.objects.filter(parent=organization).active(on).exists()


def _check_organization(organization: Organization, on: datetime.date, field: str = "organization") -> None:
    if not organization.is_active(on):
        raise ValidationError(
            {field: _("“%(name)s” không hoạt động vào ngày %(day)s.") % {"name": organization.name, "day": _d(on)}}
        )
    if not admits_directly(organization, on):
        raise ValidationError(
            {
                field: _("“%(name)s” có chi bộ trực thuộc: chọn chi bộ nơi quần chúng sinh hoạt.")
                % {"name": organization.name}
            }
        )


# Identity ---------------------------------------------------------------------------------------


def _same_person(record, *, full_name: str, birth_date: datetime.date, citizen_id: str) -> bool:
    citizen_id, other_id = clean_compact(citizen_id), clean_compact(record.citizen_id)
    if citizen_id and other_id:
        return citizen_id == other_id  # two IDs decide: namesakes born the same day differ
    return record.birth_date == birth_date and fold(record.full_name) == fold(full_name)


# Records outside the scope: "a record elsewhere", logged and limited ------------------------------


class RefusalsExhausted(ValidationError):
    """The user has been told "a record elsewhere" as many times today as the rules allow: nothing
    that looks a person up is processed until tomorrow."""


@dataclasses.dataclass
class _RefusalBudget:
    """The "record elsewhere" refusals of one user: those already logged today, and those of the
    service running now (written once its transaction has ended)."""

    by: object
    limit: int
    used: int
    pending: list[PersonalDataAccess] = dataclasses.field(default_factory=list)


_refusals: ContextVar[_RefusalBudget | None] = ContextVar("candidates_record_elsewhere", default=None)


def _refusals_today(by) -> int:
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return PersonalDataAccess.objects.filter(
        user=by, kind=PersonalDataAccess.Kind.RECORD_ELSEWHERE, accessed_at__gte=midnight
    ).count()


def identity_checked(service):
    """For a service that looks a person up (is this person already a candidate, already admitted?):
    the refusals it gives about records outside the user's scope are logged after its transaction
    (and any transaction of the request around it, partytrack.durable) has ended, so the rollback of
    the refused write does not take its log with it. A service called
    from another (an import's rows) shares the outer one's budget and log."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        by = kwargs.get("by")
        if by is None or by.is_superuser or _refusals.get() is not None:
            return service(*args, **kwargs)
        budget = _RefusalBudget(by=by, limit=PrivacyRules.current().record_elsewhere_per_day, used=_refusals_today(by))
        with durable.collect():  # the outermost block (the API's write transaction, say) writes the log
            token = _refusals.set(budget)
            try:
                return service(*args, **kwargs)
            finally:
                _refusals.reset(token)
                durable.write_after(*budget.pending)

    return wrapper


def _province_committee(organization: Organization) -> Organization:
    """The province (or, in a tree without one, the root) above an organization: a committee every
    user under it knows."""
    return organization.get_ancestors(include_self=True).filter(kind=Kind.PROVINCE).first() or organization.get_root()


def _check_refusals_left(by) -> None:
    """Before any look-up: a user whose refusals of the day are used up learns nothing more today."""
    budget = _refusals.get()
    if budget is None or budget.used + len(budget.pending) < budget.limit:
        return
    ids = Scope.of(by).organization_ids(CANDIDATE_ROLES)
    own = Organization.objects.filter(pk__in=ids).order_by("level", "pk").first()
    committee = _province_committee(own) if own else None
    raise RefusalsExhausted(
        _(
            "Hôm nay bạn đã nhập %(count)s lần người đã có hồ sơ ở tổ chức đảng khác, bằng giới hạn trong ngày. Để "
            "bảo vệ thông tin cá nhân, đến hết hôm nay bạn không thêm hoặc sửa được quần chúng, kết nạp. Hãy liên hệ "
            "Ban Tổ chức %(committee)s."
        )
        % {"count": budget.limit, "committee": committee.name if committee else _("cấp ủy cấp trên")}
    )


def _record_elsewhere(by, *, organization: Organization, record, citizen_id: str) -> ValidationError:
    """The refusal for a duplicate outside the user's scope: no date, no organization, no step; only
    that the person has a record elsewhere and whom to ask: always the Ban Tổ chức of the province
    (the root of the tree) the user enters the person in. Never a committee that depends on where the
    record is (the lowest one above both would tell, refusal after refusal, which commune, district
    or province holds it). Logged with the identifier as a keyed hash."""
    committee = _province_committee(organization)
    by_citizen_id = bool(citizen_id and record.citizen_id)
    identifier = f"citizen_id:{citizen_id}" if by_citizen_id else f"identity_key:{record.identity_key}"
    entry = PersonalDataAccess(
        user=by,
        kind=PersonalDataAccess.Kind.RECORD_ELSEWHERE,
        organization=organization,
        filters=_("Trùng số căn cước") if by_citizen_id else _("Trùng họ tên và ngày sinh"),
        person_count=1,
        subject_hash=salted_hmac("candidates.record_elsewhere", identifier, algorithm="sha256").hexdigest(),
    )
    budget = _refusals.get()
    if budget is not None:
        budget.pending.append(entry)
    else:  # not inside an identity_checked service: logged in its transaction
        entry.save()
    return ValidationError(
        {
            "full_name": _("Người này đã có hồ sơ ở một tổ chức đảng khác. Hãy liên hệ Ban Tổ chức %(committee)s.")
            % {"committee": committee.name}
        }
    )


def _where(record) -> str:
    """Where a duplicate inside the user's scope is."""
    return _("tại %(org)s") % {"org": record.organization.name}


def _check_file_not_admitted(candidate: Candidate, by) -> None:
    """A file (new, corrected or reopened) is not for a person already admitted, unless it is a
    re-admission after that admission."""
    _check_not_admitted(
        full_name=candidate.full_name,
        birth_date=candidate.birth_date,
        citizen_id=candidate.citizen_id,
        readmitted=candidate.readmitted,
        admitted_on=None if not candidate.readmitted else _today(),
        by=by,
        organization=candidate.organization,
    )


def _check_not_admitted(
    *,
    full_name: str,
    birth_date: datetime.date,
    citizen_id: str,
    readmitted: bool,
    admitted_on: datetime.date | None,
    by,
    organization: Organization,
    exclude_pk: int | None = None,
) -> None:
    """The same person is not admitted twice. A re-admission (kết nạp lại) may follow an earlier
    admission of the same person, but not duplicate one on the same day or before it. An admission
    outside the user's scope refuses a re-admission whatever its date: answering by date would let the
    user find the date by trying."""
    _check_refusals_left(by)
    condition = Q(birth_date=birth_date)
    if citizen_id:
        condition |= Q(citizen_id=citizen_id)
    candidates = Admission.objects.counted().filter(condition).select_related("organization")
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    for record in candidates:
        if not _same_person(record, full_name=full_name, birth_date=birth_date, citizen_id=citizen_id):
            continue
        if not _visible_to(by, record.organization_id):
            raise _record_elsewhere(by, organization=organization, record=record, citizen_id=citizen_id)
        if readmitted and admitted_on and record.admitted_on < admitted_on:
            continue
        detail = {"day": _d(record.admitted_on), "where": _where(record), "number": record.decision_number}
        message = _(
            "Người này đã được kết nạp (quyết định số %(number)s ngày %(day)s %(where)s). Một người không "
            "được kết nạp hai lần; nếu là kết nạp lại, đánh dấu “kết nạp lại”."
        )
        if readmitted:
            message = _("Người này đã có quyết định kết nạp ngày %(day)s %(where)s, không trước ngày kết nạp lại.")
        raise ValidationError({"full_name": message % detail})


def _active_file(
    *,
    full_name: str,
    birth_date: datetime.date,
    citizen_id: str,
    exclude_pk: int | None = None,
    key: str = "",
) -> Candidate | None:
    """The person's active candidate file, if any (the same person as `_same_person` says, or, given
    `key`, the same identity key, which is what the database allows once among active files)."""
    condition = Q(birth_date=birth_date)
    if citizen_id:
        condition |= Q(citizen_id=citizen_id)
    if key:
        condition |= Q(identity_key=key)
    others = Candidate.objects.active().filter(condition).select_related("organization").order_by("pk")
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    for other in others:
        if (key and other.identity_key == key) or _same_person(
            other, full_name=full_name, birth_date=birth_date, citizen_id=citizen_id
        ):
            return other
    return None


def _check_not_candidate(
    *,
    full_name: str,
    birth_date: datetime.date,
    citizen_id: str,
    by,
    organization: Organization,
    exclude_pk: int | None = None,
) -> None:
    _check_refusals_left(by)
    other = _active_file(full_name=full_name, birth_date=birth_date, citizen_id=citizen_id, exclude_pk=exclude_pk)
    if other is None:
        return
    if not _visible_to(by, other.organization_id):
        raise _record_elsewhere(by, organization=organization, record=other, citizen_id=citizen_id)
    raise ValidationError(
        {"full_name": _("Người này đang có trong danh sách quần chúng %(where)s.") % {"where": _where(other)}}
    )


def _check_no_active_file_for_admission(
    *, full_name: str, birth_date: datetime.date, citizen_id: str, by, organization: Organization
) -> None:
    """A person followed in the pipeline is admitted by the decision step of their file: an admission
    entered directly beside it would leave the file stuck before a decision it can no longer record."""
    _check_refusals_left(by)
    other = _active_file(full_name=full_name, birth_date=birth_date, citizen_id=citizen_id)
    if other is None:
        return
    if not _visible_to(by, other.organization_id):
        raise _record_elsewhere(by, organization=organization, record=other, citizen_id=citizen_id)
    message = _(
        "Người này đang có hồ sơ quần chúng đang theo dõi tại %(org)s (vào danh sách ngày %(listed)s, đang ở "
        "bước “%(step)s”): không nhập kết nạp trực tiếp; ghi bước “%(decision)s” ở hồ sơ đó để kết nạp."
    ) % {
        "org": other.organization.name,
        "listed": _d(other.listed_on),
        "step": other.get_step_display(),
        "decision": Step.DECISION.label,
    }
    raise ValidationError({"full_name": message})


# Membership figures -----------------------------------------------------------------------------


def _adjust_figures(organization: Organization, on: datetime.date, *, members: int = 0, official: int = 0) -> None:
    """Keep the cell's member counts in step with admissions, recognitions and removals: a figure
    as of `on` (from the latest one before it) and every later figure move by the same amount. A cell
    without any figure on or before `on` has no count to follow and is left alone."""
    base = MembershipFigure.objects.filter(organization=organization, as_of__lte=on).order_by("-as_of").first()
    if base is None:
        return
    figures = [base, *MembershipFigure.objects.filter(organization=organization, as_of__gt=on).order_by("as_of")]
    for index, figure in enumerate(figures):
        # The service checks staff scope; this is a derived count, written for the pipeline's own action.
        membership_figure_record(
            organization=organization,
            as_of=on if index == 0 else figure.as_of,
            member_count=max(figure.member_count + members, 0),
            official_member_count=max(min(figure.official_member_count + official, figure.member_count + members), 0),
            cell_count=figure.cell_count,
            by=None,
        )


# Candidates -------------------------------------------------------------------------------------


def _rebuild(candidate: Candidate, rules: PipelineRules, events: list[StepEvent] | None = None) -> Candidate:
    """Derive the candidate's step, dates, status and next deadline from its (non-voided) events,
    read unless given (in order of id)."""
    if events is None:
        events = list(candidate.events.filter(voided_at__isnull=True).order_by("id"))
    candidate.step = Step.SYMPATHIZER
    candidate.status = Status.ACTIVE
    candidate.certificate_on = candidate.file_opened_on = candidate.resolution_on = None
    candidate.decision_on = candidate.ceremony_on = candidate.probation_ends_on = None
    candidate.official_on = candidate.closed_on = None
    candidate.close_reason = ""
    for event in events:
        if event.kind in Step.values:
            candidate.step = event.kind
        _apply_event(candidate, event, rules)
    # The last extension counts; the day the decision was received only matters before the ceremony.
    extension_days = next((e.working_days or 0 for e in reversed(events) if e.kind == EventKind.EXTENSION), 0)
    received_on = None
    if candidate.step == Step.DECISION:
        decision = next((e for e in events if e.kind == EventKind.DECISION), None)
        received_on = decision.received_on if decision else None
    deadline = pipeline.next_deadline(candidate, rules=rules, extension_days=extension_days, received_on=received_on)
    candidate.next_deadline = deadline.on
    candidate.next_deadline_kind = deadline.kind
    return candidate


def _apply_event(candidate: Candidate, event: StepEvent, rules: PipelineRules) -> None:
    """What one event sets on the candidate."""
    kind = event.kind
    if kind == EventKind.SYMPATHIZER:
        candidate.listed_on = event.on
    elif kind == EventKind.AWARENESS_CLASS:
        candidate.certificate_on = event.on
    elif kind == EventKind.CERTIFICATE_RENEWED:
        # The newest certificate is the one the cell resolution checks.
        candidate.certificate_on = max(candidate.certificate_on or event.on, event.on)
    elif kind == EventKind.APPLICATION:
        candidate.file_opened_on = event.on
    elif kind == EventKind.CELL_RESOLUTION:
        candidate.resolution_on = event.on
    elif kind == EventKind.DECISION:
        candidate.decision_on = event.on
    elif kind == EventKind.CEREMONY:
        candidate.ceremony_on = event.on
        candidate.probation_ends_on = pipeline.add_months(event.on, rules.probation_months)
    elif kind == EventKind.PROBATION:
        if event.people:
            candidate.mentor_name = event.people
    elif kind == EventKind.FULL_MEMBERSHIP:
        candidate.official_on = event.on
        candidate.status = Status.OFFICIAL
        candidate.closed_on = event.on
    elif kind in CLOSING_STATUSES:
        candidate.status = kind
        candidate.closed_on = event.on
        candidate.close_reason = event.note


def _save(candidate: Candidate, by) -> Candidate:
    check_text_lengths(candidate)  # the mentor's name comes from the probation step's names
    candidate._history_user = by
    candidate.save()
    return candidate


def _record_event(**fields) -> StepEvent:
    """A new event, refused with the field named when a text (two introducers' names joined) is
    longer than its column."""
    event = StepEvent(**fields)
    check_text_lengths(event)
    event.save()
    return event


def _locked(candidate: Candidate, **changes) -> Candidate:
    """The candidate's row, locked for this transaction, after the person lock (partytrack.locks.PERSON)
    on who they are and, with `changes` to their name, birth date or citizen ID, who they become: the
    advisory lock comes before the row lock, as everywhere."""
    fields = ("full_name", "birth_date", "citizen_id")
    identity = Candidate.objects.values(*fields).get(pk=candidate.pk)
    locks.person(*_identities(identity, changes))
    locked = Candidate.objects.select_for_update().select_related("organization").get(pk=candidate.pk)
    if any(getattr(locked, name) != identity[name] for name in fields):
        # Changed by another writer between the two reads (rare): lock who they are now as well.
        locks.person(*_identities({name: getattr(locked, name) for name in fields}, changes))
    return locked


def _identities(identity: dict, changes: dict) -> list[str]:
    """The identity keys and citizen IDs of a person as stored and as `changes` make them."""
    after = {**identity, **_clean_person({name: changes[name] for name in identity if name in changes})}
    keys = [identity_key(identity["full_name"], identity["birth_date"]), identity["citizen_id"]]
    if isinstance(after["full_name"], str) and isinstance(after["birth_date"], datetime.date):
        keys.append(identity_key(after["full_name"], after["birth_date"]))
    if isinstance(after["citizen_id"], str):
        keys.append(after["citizen_id"])
    return keys


def _clean_person(values: dict) -> dict:
    """The name and citizen ID as they will be stored, so the checks compare what is stored."""
    values = dict(values)
    if "full_name" in values:
        values["full_name"] = clean_text(values["full_name"])
    if "citizen_id" in values:
        values["citizen_id"] = clean_compact(values["citizen_id"])
    return values


def _validate_person(instance, *, exclude: Iterable[str] = ()) -> None:
    try:
        instance.full_clean(
            exclude=["organization", "candidate", *exclude], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    if instance.birth_date and instance.birth_date >= _today():
        raise ValidationError({"birth_date": _("Ngày sinh phải trước hôm nay.")})


# Who can plausibly be on a sympathizer list: the awareness class is taken from about 16 (the cell
# admits from 18); a birth date giving more than 100 years is a typing error.
PLAUSIBLE_AGES = (16, 100)


def _check_listing_age(candidate: Candidate) -> None:
    years = pipeline.age_in_months(candidate.birth_date, candidate.listed_on) // 12
    youngest, oldest = PLAUSIBLE_AGES
    if not youngest <= years <= oldest:
        raise ValidationError(
            {
                "birth_date": _(
                    "Ngày sinh %(born)s: quần chúng %(years)s tuổi vào ngày đưa vào danh sách (%(listed)s); "
                    "chỉ từ %(youngest)s đến %(oldest)s tuổi — kiểm tra lại ngày sinh."
                )
                % {
                    "born": _d(candidate.birth_date),
                    "years": years,
                    "listed": _d(candidate.listed_on),
                    "youngest": youngest,
                    "oldest": oldest,
                }
            }
        )


@identity_checked
@transaction.atomic
def candidate_create(
    *,
    organization: Organization,
    full_name: str,
    gender: str,
    birth_date: datetime.date,
    listed_on: datetime.date,
    by,
    document_number: str = "",
    **fields,
) -> Candidate:
    """Step 0: the cell votes a person onto its sympathizer list and names an official member to
    follow and help them (helper_name)."""
    unknown = set(fields) - set(CANDIDATE_FIELDS)
    if unknown:
        raise TypeError(f"candidate_create() got unexpected fields {sorted(unknown)}")
    _ensure_scope(by, organization)
    rules = PipelineRules.current()
    values = _clean_person({"full_name": full_name, "gender": gender, "birth_date": birth_date, **fields})
    candidate = Candidate(organization=organization, listed_on=listed_on, **values)
    _validate_person(candidate)
    if listed_on > _today():
        raise ValidationError({"listed_on": _("Ngày không được sau hôm nay.")})
    if listed_on <= candidate.birth_date:
        raise ValidationError({"listed_on": _("Ngày vào danh sách phải sau ngày sinh.")})
    _check_listing_age(candidate)
    _check_organization(organization, listed_on)
    _check_organization(organization, _today())
    candidate.identity_key = identity_key(candidate.full_name, candidate.birth_date)
    locks.person(candidate.identity_key, candidate.citizen_id)
    _check_not_candidate(
        full_name=candidate.full_name,
        birth_date=candidate.birth_date,
        citizen_id=candidate.citizen_id,
        by=by,
        organization=organization,
    )
    _check_file_not_admitted(candidate, by)
    _save(candidate, by)
    _record_event(
        candidate=candidate,
        kind=EventKind.SYMPATHIZER,
        on=listed_on,
        document_number=clean_text(document_number),
        acting_body=organization.name[: StepEvent._meta.get_field("acting_body").max_length],
        people=candidate.helper_name,
        recorded_by=by,
    )
    _save(_rebuild(candidate, rules), by)
    _ensure_scope(by, candidate.organization)
    return candidate


@identity_checked
@transaction.atomic
def candidate_update(*, candidate: Candidate, by, **changes) -> Candidate:
    """Correct a candidate's personal data; an admission already recorded for them follows."""
    unknown = set(changes) - set(CANDIDATE_FIELDS)
    if unknown:
        raise TypeError(f"candidate_update() cannot change {sorted(unknown)}")
    candidate = _locked(candidate, **changes)
    _ensure_scope(by, candidate.organization)
    for field, value in _clean_person(changes).items():
        setattr(candidate, field, value)
    _validate_person(candidate)
    if "birth_date" in changes:
        _check_listing_age(candidate)
    candidate.identity_key = identity_key(candidate.full_name, candidate.birth_date)
    # Held since _locked, unless the values given were not yet of their type (then it is taken now).
    locks.person(candidate.identity_key, candidate.citizen_id)
    if candidate.is_active:
        _check_not_candidate(
            full_name=candidate.full_name,
            birth_date=candidate.birth_date,
            citizen_id=candidate.citizen_id,
            by=by,
            organization=candidate.organization,
            exclude_pk=candidate.pk,
        )
    admission = Admission.objects.counted().filter(candidate=candidate).first()
    if admission is not None:
        _check_not_admitted(
            full_name=candidate.full_name,
            birth_date=candidate.birth_date,
            citizen_id=candidate.citizen_id,
            readmitted=candidate.readmitted,
            admitted_on=admission.admitted_on,
            by=by,
            organization=candidate.organization,
            exclude_pk=admission.pk,
        )
        for field in (*PERSON_FIELDS, "identity_key"):
            setattr(admission, field, getattr(candidate, field))
        admission._history_user = by
        admission.save()
        signals.admissions_changed.send(
            sender=Admission, organization_ids={admission.organization_id}, dates={admission.admitted_on}
        )
    elif candidate.is_active:  # corrected into a person already admitted: refused, as on creation
        _check_file_not_admitted(candidate, by)
    _save(candidate, by)
    _ensure_scope(by, candidate.organization)
    return candidate


def _last_event(candidate: Candidate) -> StepEvent | None:
    return candidate.events.filter(voided_at__isnull=True).order_by("-id").first()


def _check_day(on: datetime.date, candidate: Candidate) -> None:
    if on > _today():
        raise ValidationError({"on": _("Ngày không được sau hôm nay.")})
    # The latest dated event, not the last recorded: a renewed certificate may be recorded after a
    # later step although received before it.
    last = candidate.events.filter(voided_at__isnull=True).order_by("-on", "-id").first()
    if last is not None and on < last.on:
        raise ValidationError(
            {
                "on": _("Ngày phải từ ngày của bước trước (%(step)s, %(day)s) trở đi.")
                % {"step": last.get_kind_display(), "day": _d(last.on)}
            }
        )


@identity_checked
@transaction.atomic
def candidate_advance(
    *,
    candidate: Candidate,
    step: str,
    on: datetime.date,
    by,
    document_number: str = "",
    acting_body: str = "",
    votes_for: int | None = None,
    voters_total: int | None = None,
    introduction: str = "",
    people: str | Iterable[str] = "",
    received_on: datetime.date | None = None,
    exception: str = "",
    exception_note: str = "",
    note: str = "",
    expected_version: versions.Expected = None,
) -> Candidate:
    """Record the next step of the pipeline, refusing it with the rule named when a rule of DOMAIN.md
    is broken and no documented exception is recorded (the step's checks: `rules.STEPS`). The decision
    creates the admission. With `expected_version` (the API's If-Match) nothing is recorded unless the
    candidate is still at a version the caller read (versions.StaleVersion)."""
    candidate = _locked(candidate)
    organization = candidate.organization
    _ensure_scope(by, organization)
    versions.check(candidate, expected_version)
    rules = PipelineRules.current()
    pipeline.check_next_step(candidate, step)
    rule = pipeline.STEPS[step]
    record = _step_record(
        candidate,
        step=step,
        on=on,
        rules=rules,
        people=people,
        votes_for=votes_for,
        voters_total=voters_total,
        document_number=document_number,
        acting_body=acting_body,
        introduction=introduction,
        received_on=received_on,
        exception=exception,
        exception_note=exception_note,
    )
    # The named rules of this step come first, then the generic order of dates, then its entries.
    rule.check_prerequisites(record)
    _check_day(on, candidate)
    rule.check(record)

    try:
        with transaction.atomic():
            _record_event(
                candidate=candidate, kind=step, on=on, note=clean_lines(note), recorded_by=by, **record.event_fields()
            )
    except IntegrityError as exc:
        raise ValidationError({"step": _("Bước này đã được ghi nhận.")}) from exc

    if rule.admits:
        _admission_create(
            organization=organization,
            values={field: getattr(candidate, field) for field in PERSON_FIELDS},
            decision_number=record.document_number,
            admitted_on=on,
            deciding_body=record.acting_body,
            source=AdmissionSource.PIPELINE,
            candidate=candidate,
            by=by,
        )
        _adjust_figures(organization, on, members=1)
    if rule.recognises:
        _adjust_figures(organization, on, official=1)
    _save(_rebuild(candidate, rules), by)
    _ensure_scope(by, candidate.organization)
    return candidate


def _step_record(
    candidate: Candidate,
    *,
    step: str,
    on: datetime.date,
    rules: PipelineRules,
    people: str | Iterable[str],
    votes_for: int | None,
    voters_total: int | None,
    **entries,
) -> pipeline.StepRecord:
    """The step as its checks see it: the texts cleaned, and the facts its rules read from the
    database (the cell's official members on the meeting date decide the vote's total when known)."""
    rule = pipeline.STEPS[step]
    names = people.split(";") if isinstance(people, str) else people
    if rule.votes is not None and rule.votes.counted_from_cell:
        figure = cell_official_members(candidate.organization, on)
        if figure is not None:
            voters_total = figure
    extension = decision_extension(candidate) if rule.reads_extension else None
    for name in ("document_number", "acting_body", "exception_note"):
        entries[name] = clean_text(entries[name])
    return pipeline.StepRecord(
        candidate=candidate,
        step=step,
        on=on,
        rules=rules,
        people=tuple(name for name in (clean_text(name) for name in names) if name),
        votes_for=votes_for,
        voters_total=voters_total,
        extension_days=extension.working_days if extension else None,
        **entries,
    )


@transaction.atomic
def candidate_extend_decision(
    *,
    candidate: Candidate,
    on: datetime.date,
    working_days: int,
    by,
    document_number: str = "",
    acting_body: str = "",
) -> Candidate:
    """The one extension of the decision deadline (at most 30 working days by default)."""
    candidate = _locked(candidate)
    _ensure_scope(by, candidate.organization)
    rules = PipelineRules.current()
    refusal = pipeline.extension_refusal(candidate, extended=decision_extension(candidate) is not None)
    if refusal:
        raise ValidationError(refusal)
    if not 1 <= working_days <= rules.decision_extension_working_days:
        raise ValidationError(
            {
                "working_days": _("Quy tắc gia hạn: tối đa %(days)s ngày làm việc.")
                % {"days": rules.decision_extension_working_days}
            }
        )
    due = pipeline.decision_deadline(resolution_on=candidate.resolution_on, extension_days=0, rules=rules)
    if on > due:
        raise ValidationError(
            {
                "on": _(
                    "Quy tắc gia hạn: phải gia hạn trước khi hết hạn ra quyết định (%(due)s); sau hạn này, quyết định "
                    "muộn cần văn bản chấp thuận của cấp ủy cấp trên (ngoại lệ ở bước quyết định kết nạp)."
                )
                % {"due": _d(due)}
            }
        )
    _check_day(on, candidate)
    _record_event(
        candidate=candidate,
        kind=EventKind.EXTENSION,
        on=on,
        working_days=working_days,
        document_number=clean_text(document_number),
        acting_body=clean_text(acting_body),
        recorded_by=by,
    )
    _save(_rebuild(candidate, rules), by)
    _ensure_scope(by, candidate.organization)
    return candidate


@transaction.atomic
def candidate_record_certificate(
    *,
    candidate: Candidate,
    on: datetime.date,
    document_number: str,
    by,
    acting_body: str = "",
    note: str = "",
) -> Candidate:
    """A new awareness-class certificate (the candidate took the class again, typically because the
    first one would be too old at the cell resolution). The earlier certificate and every later step
    stay; the new one is an event of the history, and the rules check the newest certificate."""
    candidate = _locked(candidate)
    _ensure_scope(by, candidate.organization)
    rules = PipelineRules.current()
    if not candidate.is_active:
        raise ValidationError(
            _("Quần chúng này đã kết thúc quy trình (%(status)s).") % {"status": candidate.get_status_display()}
        )
    if not pipeline.may_renew_certificate(candidate):
        raise ValidationError(
            _(
                "Chỉ ghi nhận chứng nhận mới khi quần chúng đã học lớp nhận thức về Đảng và trước khi chi bộ xét "
                "(bước hiện tại: “%(step)s”)."
            )
            % {"step": candidate.get_step_display()}
        )
    document_number = clean_text(document_number)
    if not document_number:
        raise ValidationError({"document_number": _("Nhập số chứng nhận.")})
    if on > _today():
        raise ValidationError({"on": _("Ngày không được sau hôm nay.")})
    if on <= candidate.certificate_on:
        raise ValidationError(
            {
                "on": _("Chứng nhận phải mới hơn chứng nhận đang có (cấp ngày %(day)s).")
                % {"day": _d(candidate.certificate_on)}
            }
        )
    _record_event(
        candidate=candidate,
        kind=EventKind.CERTIFICATE_RENEWED,
        on=on,
        document_number=document_number,
        acting_body=clean_text(acting_body),
        note=clean_lines(note),
        recorded_by=by,
    )
    _save(_rebuild(candidate, rules), by)
    _ensure_scope(by, candidate.organization)
    return candidate


@transaction.atomic
def candidate_close(
    *, candidate: Candidate, outcome: str, on: datetime.date, reason: str, by, document_number: str = ""
) -> Candidate:
    """Withdraw or reject a candidate before the decision, or remove (xóa tên) a probationary member
    who is not recognised. The candidate and every event stay; nothing is deleted."""
    candidate = _locked(candidate)
    _ensure_scope(by, candidate.organization)
    rules = PipelineRules.current()
    reason = clean_text(reason)
    if not candidate.is_active:
        raise ValidationError(
            _("Quần chúng này đã kết thúc quy trình (%(status)s).") % {"status": candidate.get_status_display()}
        )
    if outcome not in CLOSING_STATUSES:
        raise ValidationError({"outcome": _("Chọn kết quả.")})
    admitted = step_index(candidate.step) >= step_index(Step.DECISION)
    if outcome == Status.REMOVED and not admitted:
        raise ValidationError(
            {"outcome": _("Chỉ xóa tên đảng viên dự bị; quần chúng chưa kết nạp thì rút hoặc không kết nạp.")}
        )
    if outcome != Status.REMOVED and admitted:
        raise ValidationError(
            {"outcome": _("Đã có quyết định kết nạp: đảng viên dự bị không được công nhận thì xóa tên.")}
        )
    if not reason:
        raise ValidationError({"reason": _("Nhập lý do.")})
    _check_day(on, candidate)
    _record_event(
        candidate=candidate,
        kind=outcome,
        on=on,
        document_number=clean_text(document_number),
        note=reason,
        recorded_by=by,
    )
    if outcome == Status.REMOVED:
        _adjust_figures(candidate.organization, on, members=-1)
    _save(_rebuild(candidate, rules), by)
    _ensure_scope(by, candidate.organization)
    return candidate


@identity_checked
@transaction.atomic
def candidate_undo_last_step(*, candidate: Candidate, reason: str, by) -> Candidate:
    """Void the last recorded event (a mistake), keeping it in the history with the reason. Undoing a
    decision cancels its admission; undoing a recognition or removal restores the member counts."""
    candidate = _locked(candidate)
    _ensure_scope(by, candidate.organization)
    rules = PipelineRules.current()
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Nhập lý do.")})
    last = _last_event(candidate)
    if last is None or last.kind == EventKind.SYMPATHIZER:
        raise ValidationError(_("Không có bước nào để hủy; quần chúng không cần theo dõi nữa thì rút khỏi danh sách."))
    if not candidate.is_active:
        _check_can_reopen(candidate, last, by)
    last.voided_at = timezone.now()
    last.void_reason = reason
    last.save(update_fields=["voided_at", "void_reason"])
    if last.kind == EventKind.DECISION:
        for admission in Admission.objects.counted().filter(candidate=candidate):
            _cancel(admission, reason=reason, by=by)
        _adjust_figures(candidate.organization, last.on, members=-1)
    elif last.kind == EventKind.FULL_MEMBERSHIP:
        _adjust_figures(candidate.organization, last.on, official=-1)
    elif last.kind == EventKind.REMOVED:
        _adjust_figures(candidate.organization, last.on, members=1)
    _save(_rebuild(candidate, rules), by)
    _ensure_scope(by, candidate.organization)
    return candidate


def _check_can_reopen(candidate: Candidate, last: StepEvent, by) -> None:
    """Undoing the end of a file (withdrawal, rejection, removal, recognition) makes it active again:
    refused while the same person has another active file (one active file per person), and, for a
    file not yet through the decision, once the person has been admitted otherwise (as on creation).
    The person lock is held: taken by _locked."""
    if step_index(candidate.step) < step_index(Step.DECISION):
        _check_file_not_admitted(candidate, by)
    _check_refusals_left(by)
    other = _active_file(
        full_name=candidate.full_name,
        birth_date=candidate.birth_date,
        citizen_id=candidate.citizen_id,
        exclude_pk=candidate.pk,
        key=candidate.identity_key,
    )
    if other is None:
        return
    if not _visible_to(by, other.organization_id):
        refusal = _record_elsewhere(
            by, organization=candidate.organization, record=other, citizen_id=candidate.citizen_id
        )
        raise ValidationError(
            _("Không hủy được bước “%(step)s”: %(why)s")
            % {"step": last.get_kind_display(), "why": refusal.message_dict["full_name"][0]}
        )
    message = _(
        "Không hủy được bước “%(step)s”: người này đã có hồ sơ quần chúng khác đang theo dõi tại %(org)s (bước "
        "“%(other_step)s”, vào danh sách ngày %(listed)s). Mỗi người chỉ có một hồ sơ đang theo dõi: tiếp tục ở "
        "hồ sơ đó, hoặc kết thúc hồ sơ đó trước."
    ) % {
        "step": last.get_kind_display(),
        "org": other.organization.name,
        "other_step": other.get_step_display(),
        "listed": _d(other.listed_on),
    }
    raise ValidationError(message)


# Admissions -------------------------------------------------------------------------------------


def _admission_create(
    *,
    organization: Organization,
    values: dict,
    decision_number: str,
    admitted_on: datetime.date,
    deciding_body: str,
    source: str,
    by,
    candidate: Candidate | None = None,
    age_consent: bool = False,
) -> Admission:
    admission = Admission(
        organization=organization,
        candidate=candidate,
        decision_number=clean_text(decision_number),
        admitted_on=admitted_on,
        deciding_body=clean_text(deciding_body),
        source=source,
        recorded_by=by,
        age_consent=bool(age_consent),
        **_clean_person(values),
    )
    _validate_person(admission)
    if not admission.decision_number:
        raise ValidationError({"decision_number": _("Nhập số quyết định kết nạp.")})
    if admitted_on > _today():
        raise ValidationError({"admitted_on": _("Ngày quyết định không được sau hôm nay.")})
    rules = PipelineRules.current()
    age_months = pipeline.age_in_months(admission.birth_date, admitted_on)
    if age_months > PLAUSIBLE_AGES[1] * 12:
        raise ValidationError(
            {
                "birth_date": _("Ngày sinh %(born)s: hơn %(oldest)s tuổi vào ngày kết nạp — kiểm tra lại ngày sinh.")
                % {"born": _d(admission.birth_date), "oldest": PLAUSIBLE_AGES[1]}
            }
        )
    if age_months < rules.min_age * 12:
        raise ValidationError(
            {"birth_date": _("Quy tắc tuổi: chưa đủ %(age)s tuổi vào ngày kết nạp.") % {"age": rules.min_age}}
        )
    # Through the pipeline the cell resolution checked the maximum age (or recorded the consent).
    if candidate is None and age_months > rules.max_age * 12 and not admission.age_consent:
        raise ValidationError(
            {
                "birth_date": _(
                    "Quy tắc tuổi: quá %(age)s tuổi vào ngày kết nạp (%(years)s tuổi); chỉ ghi nhận khi có văn bản "
                    "đồng ý của cấp ủy cấp tỉnh (đánh dấu “%(consent)s”)."
                )
                % {
                    "age": rules.max_age,
                    "years": age_months // 12,
                    "consent": Admission._meta.get_field("age_consent").verbose_name,
                }
            }
        )
    if candidate is None:
        _check_organization(organization, admitted_on)
    admission.identity_key = identity_key(admission.full_name, admission.birth_date)
    if candidate is None:  # from a candidate's file, the person lock is held already (_locked)
        locks.person(admission.identity_key, admission.citizen_id)
    _check_not_admitted(
        full_name=admission.full_name,
        birth_date=admission.birth_date,
        citizen_id=admission.citizen_id,
        readmitted=admission.readmitted,
        admitted_on=admitted_on,
        by=by,
        organization=organization,
    )
    if candidate is None:
        _check_no_active_file_for_admission(
            full_name=admission.full_name,
            birth_date=admission.birth_date,
            citizen_id=admission.citizen_id,
            by=by,
            organization=organization,
        )
    admission._history_user = by
    try:
        with transaction.atomic():
            admission.save()
    except IntegrityError as exc:  # a concurrent writer got there first (the lock makes this rare)
        raise ValidationError({"full_name": _("Người này đã được kết nạp.")}) from exc
    signals.admissions_changed.send(sender=Admission, organization_ids={organization.pk}, dates={admitted_on})
    return admission


@identity_checked
@transaction.atomic
def admission_record(
    *,
    organization: Organization,
    full_name: str,
    gender: str,
    birth_date: datetime.date,
    decision_number: str,
    admitted_on: datetime.date,
    by,
    deciding_body: str = "",
    source: str = AdmissionSource.MANUAL,
    age_consent: bool = False,
    **fields,
) -> Admission:
    """A historical admission entered directly (name, cell, decision number and date, the statistical
    attributes) without the earlier steps. Over the maximum age it needs `age_consent` (the provincial
    committee's written consent)."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"admission_record() got unexpected fields {sorted(unknown)}")
    _ensure_scope(by, organization)
    admission = _admission_create(
        organization=organization,
        values={"full_name": full_name, "gender": gender, "birth_date": birth_date, **fields},
        decision_number=decision_number,
        admitted_on=admitted_on,
        deciding_body=deciding_body,
        source=source,
        by=by,
        age_consent=age_consent,
    )
    _ensure_scope(by, admission.organization)
    return admission


@identity_checked
def admissions_import(*, rows: list[dict], by, dry_run: bool = False) -> list[Admission]:
    """All or nothing: every row is recorded, or none is and the errors say the row and column.
    `dry_run` checks every row exactly as the real import would (duplicates within the file
    included), then rolls back: that is the preview. Once the user's "record elsewhere" refusals of
    the day are used up, the rows from there on are not looked up."""
    created, errors = [], []
    with transaction.atomic():
        for row in rows:
            values = dict(row)
            number = values.pop("row")
            organization = values.pop("organization")
            try:
                with transaction.atomic():
                    created.append(
                        admission_record(organization=organization, by=by, source=AdmissionSource.IMPORT, **values)
                    )
            except RefusalsExhausted as exc:  # the later rows are not looked up
                errors.append(RowError(row=number, field=None, message=exc.messages[0]))
                break
            except ValidationError as exc:
                found = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for field, messages in found.items():
                    errors.extend(RowError(row=number, field=field, message=message) for message in messages)
            except PermissionDenied:
                errors.append(RowError(row=number, field="organization", message=_("Tổ chức ngoài phạm vi của bạn.")))
        if errors:
            raise ValidationError([str(error) for error in errors])
        if dry_run:
            transaction.set_rollback(True)
    return created


class RowError:
    """One refused row of an import, said as "Dòng 5, cột “Ngày sinh”: …"."""

    def __init__(self, *, row: int, field: str | None, message: str):
        self.row, self.field, self.message = row, field, message

    def __str__(self) -> str:
        from .importers import column_label

        label = column_label(self.field) if self.field else None
        if label:
            return _("Dòng %(row)s, cột “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": label,
                "message": self.message,
            }
        return _("Dòng %(row)s: %(message)s") % {"row": self.row, "message": self.message}


def _cancel(admission: Admission, *, reason: str, by) -> Admission:
    admission.cancelled_at = timezone.now()
    admission.cancel_reason = reason[:300]
    admission._history_user = by
    admission.save()
    signals.admissions_changed.send(
        sender=Admission, organization_ids={admission.organization_id}, dates={admission.admitted_on}
    )
    return admission


@transaction.atomic
def admission_cancel(*, admission: Admission, reason: str, by) -> Admission:
    """Cancel an admission recorded in error (it stays, marked cancelled, and stops counting). An
    admission from the pipeline is cancelled by undoing the decision step on the candidate."""
    admission = Admission.objects.select_for_update().get(pk=admission.pk)
    _ensure_may_change(by, admission)
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Nhập lý do hủy.")})
    if admission.cancelled_at:
        raise ValidationError(_("Kết nạp này đã được hủy."))
    if admission.candidate_id and admission.source == AdmissionSource.PIPELINE:
        raise ValidationError(
            _("Kết nạp này thuộc hồ sơ quần chúng “%(name)s”: hủy bước quyết định kết nạp ở hồ sơ đó.")
            % {"name": admission.full_name}
        )
    _cancel(admission, reason=reason, by=by)
    _ensure_may_change(by, admission)
    return admission


# Rules ------------------------------------------------------------------------------------------


@transaction.atomic
def rules_update(*, by, **values) -> PipelineRules:
    """Change the rule durations (superusers); every active candidate's deadline is recomputed."""
    if by is not None and not by.is_superuser:
        raise PermissionDenied
    rules = PipelineRules.current()
    for field, value in values.items():
        setattr(rules, field, value)
    rules.full_clean()
    rules._history_user = by
    rules.save()
    deadlines_recompute(rules=rules)
    return rules


# Candidates read, and written, per query when every deadline is recomputed.
CHUNK = 500


def deadlines_recompute(*, rules: PipelineRules | None = None) -> int:
    """Recompute every active candidate's end of probation and next deadline (after a rule change or
    a holiday update)."""
    rules = rules or PipelineRules.current()
    # What the durations decide: the end of probation (checked at recognition) and the next deadline.
    derived = ("probation_ends_on", "next_deadline", "next_deadline_kind")
    # The events as _rebuild reads them, prefetched once per chunk of candidates (a filter on the
    # related manager would query again for each candidate).
    live = Prefetch("events", queryset=StepEvent.objects.filter(voided_at__isnull=True).order_by("id"), to_attr="live")
    changed: list[Candidate] = []
    count = 0
    for candidate in Candidate.objects.active().prefetch_related(live).iterator(chunk_size=CHUNK):
        before = [getattr(candidate, name) for name in derived]
        _rebuild(candidate, rules, candidate.live)
        if [getattr(candidate, name) for name in derived] != before:
            changed.append(candidate)
        if len(changed) == CHUNK:  # written as they come, so memory holds one chunk whatever the country
            Candidate.objects.bulk_update(changed, derived)
            count, changed = count + len(changed), []
    Candidate.objects.bulk_update(changed, derived)
    return count + len(changed)


@transaction.atomic
def privacy_rules_update(*, by, **values) -> PrivacyRules:
    """Change the privacy rules (superusers): the statistics threshold, the daily refusals."""
    if by is not None and not by.is_superuser:
        raise PermissionDenied
    rules = PrivacyRules.current()
    for name, value in values.items():
        setattr(rules, name, value)
    rules.full_clean()
    rules._history_user = by
    rules.save()
    return rules


# Personal-data access log -----------------------------------------------------------------------

# A read of more people keeps the first ones' ids and the exact count.
MAX_LOGGED_IDS = 1000


def personal_data_read_record(
    *,
    user,
    kind: str,
    people: int | Iterable,
    organization: Organization | None = None,
    filters: str = "",
    path: str = "",
) -> PersonalDataAccess | None:
    """Log one read of candidates' or admissions' personal data: one row per request, whatever the
    number of people. `people` is the records read (candidates or admissions, whose ids are kept) or,
    for figures computed from people's attributes, how many they were. The row names `organization`,
    else the lowest organization holding every person read, so the managers of that subtree (and of
    every subtree above it) read the row; a read of nobody is not logged."""
    if isinstance(people, int):
        count, ids, organization_ids = people, None, set()
    else:
        people = list(people)
        count = len(people)
        ids = [person.pk for person in people[:MAX_LOGGED_IDS]]
        organization_ids = {person.organization_id for person in people}
    if count == 0:
        return None
    organization_id = organization.pk if organization is not None else None
    if organization_id is None and len(organization_ids) == 1:  # one cell's people: no look-up
        organization_id = next(iter(organization_ids))
    elif organization_id is None and organization_ids:
        common = organization_common_ancestor(organization_ids)
        organization_id = common.pk if common else None
    if organization_id is None and not user.is_superuser:  # across trees: the user's own highest organization
        ids_in_scope = Scope.of(user).organization_ids(CANDIDATE_ROLES) or Scope.of(user).organization_ids()
        own = Organization.objects.filter(pk__in=ids_in_scope).order_by("level", "pk").first()
        organization_id = own.pk if own else None
    return PersonalDataAccess.objects.create(
        user=user,
        kind=kind,
        organization_id=organization_id,
        path=path[:300],
        filters=filters[:500],
        person_count=count,
        person_ids=ids,
    )
