"""The pipeline's rules as pure functions of dates and the rule durations (PipelineRules): which step
may come next, the next deadline, and the checks `candidate_advance` runs, listed per step in `STEPS`.
No database access here: the service reads the facts a check needs into its `StepRecord`."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.models import Kind
from partytrack.periods import add_months
from partytrack.text import spelling_key

from .choices import DeadlineKind, Introduction, RuleException, Step, step_index
from .workdays import add_working_days


def age_in_months(birth_date: datetime.date, on: datetime.date) -> int:
    """Completed months of age on `on` (the regulations count age by month): the largest n with
    birth date + n months <= on."""
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    if add_months(birth_date, months) > on:
        months -= 1
    return months


def review_is_optional(organization) -> bool:
    """A cell under a grassroots committee has its resolution reviewed (thẩm định, 7-KNĐ/8-KNĐ)
    before the decision; a grassroots cell or committee sends it straight to the deciding committee."""
    return organization.kind != Kind.CELL


def next_steps(*, step: str, organization) -> list[str]:
    """The steps that may be recorded after `step`, the usual one first."""
    index = step_index(step)
    if step == Step.FULL_MEMBERSHIP:
        return []
    following = Step.values[index + 1]
    if following == Step.REVIEW and review_is_optional(organization):
        return [Step.DECISION, Step.REVIEW]
    return [following]


def check_next_step(candidate, step: str) -> None:
    """Only an active candidate advances, and only to a step that may come next."""
    if not candidate.is_active:
        raise ValidationError(
            _("Quần chúng này đã kết thúc quy trình (%(status)s).") % {"status": candidate.get_status_display()}
        )
    allowed = next_steps(step=candidate.step, organization=candidate.organization)
    if step not in allowed:
        raise ValidationError(
            {
                "step": _("Bước tiếp theo của “%(name)s” là: %(steps)s.")
                % {"name": candidate.full_name, "steps": ", ".join(str(Step(s).label) for s in allowed) or "—"}
            }
        )


# The steps after which the decision is awaited: its deadline runs from the cell resolution.
AWAITING_DECISION = (Step.CELL_RESOLUTION, Step.REVIEW)


def extension_refusal(candidate, *, extended: bool) -> str | None:
    """Why the decision deadline cannot be extended now (None: it can). It is extended once, after
    the cell resolution and before the decision."""
    if not candidate.is_active or candidate.step not in AWAITING_DECISION:
        return _("Chỉ gia hạn khi chi bộ đã xét và chưa có quyết định kết nạp.")
    if extended:
        return _("Quy tắc gia hạn: chỉ được gia hạn một lần.")
    return None


def may_extend_decision(candidate, *, extended: bool) -> bool:
    """Whether the page offers the extension: the service refuses it exactly when this is False."""
    return extension_refusal(candidate, extended=extended) is None


def may_renew_certificate(candidate) -> bool:
    """A new awareness-class certificate is recorded after the first one and before the cell
    resolution checks it (a certificate older than the rule allows is refused there)."""
    index = step_index(candidate.step)
    return candidate.is_active and step_index(Step.AWARENESS_CLASS) <= index < step_index(Step.CELL_RESOLUTION)


def approval_needed(total: int, rules) -> int:
    """Smallest number of votes that is at least numerator/denominator of `total` (2/3 of 22 = 15)."""
    return -(-total * rules.approval_numerator // rules.approval_denominator)


@dataclass(frozen=True)
class Deadline:
    on: datetime.date | None
    kind: str = ""

    def __bool__(self) -> bool:
        return self.on is not None


def decision_deadline(*, resolution_on: datetime.date, extension_days: int, rules) -> datetime.date:
    return add_working_days(resolution_on, rules.decision_working_days + (extension_days or 0))


def ceremony_deadline(*, received_on: datetime.date, rules) -> datetime.date:
    return add_working_days(received_on, rules.ceremony_working_days)


def recognition_deadline(*, probation_ends_on: datetime.date, rules) -> datetime.date:
    return add_working_days(probation_ends_on, rules.recognition_working_days)


def file_deadline(*, file_opened_on: datetime.date, rules) -> datetime.date:
    return add_months(file_opened_on, rules.file_valid_months)


def certificate_deadline(*, certificate_on: datetime.date, rules) -> datetime.date:
    return add_months(certificate_on, rules.certificate_valid_months)


def next_deadline(candidate, *, rules, extension_days: int = 0, received_on: datetime.date | None = None) -> Deadline:
    """What the candidate must reach next and by when, from its recorded dates."""
    step = candidate.step
    index = step_index(step)
    if not candidate.is_active:
        return Deadline(None)
    if step_index(Step.AWARENESS_CLASS) <= index < step_index(Step.CELL_RESOLUTION):
        options = []
        if candidate.certificate_on:
            options.append(
                Deadline(
                    certificate_deadline(certificate_on=candidate.certificate_on, rules=rules),
                    DeadlineKind.CERTIFICATE_EXPIRES,
                )
            )
        if candidate.file_opened_on:
            options.append(
                Deadline(file_deadline(file_opened_on=candidate.file_opened_on, rules=rules), DeadlineKind.FILE_EXPIRES)
            )
        return min(options, key=lambda d: d.on) if options else Deadline(None)
    if step in (Step.CELL_RESOLUTION, Step.REVIEW):
        return Deadline(
            decision_deadline(resolution_on=candidate.resolution_on, extension_days=extension_days, rules=rules),
            DeadlineKind.DECISION_DUE,
        )
    if step == Step.DECISION:
        return Deadline(
            ceremony_deadline(received_on=received_on or candidate.decision_on, rules=rules), DeadlineKind.CEREMONY_DUE
        )
    if step in (Step.CEREMONY, Step.PROBATION):
        return Deadline(
            recognition_deadline(probation_ends_on=candidate.probation_ends_on, rules=rules),
            DeadlineKind.RECOGNITION_DUE,
        )
    return Deadline(None)


# Checks: each raises ValidationError on the field at fault, naming the rule.


def check_certificate(*, certificate_on: datetime.date | None, meeting_on: datetime.date, rules) -> None:
    if certificate_on is None:
        raise ValidationError({"on": _("Quy tắc chứng nhận lớp bồi dưỡng: chưa ghi nhận lớp nhận thức về Đảng.")})
    expires = certificate_deadline(certificate_on=certificate_on, rules=rules)
    if meeting_on > expires:
        raise ValidationError(
            {
                "on": _(
                    "Quy tắc chứng nhận lớp bồi dưỡng: chứng nhận cấp ngày %(issued)s chỉ có giá trị %(months)s tháng "
                    "(đến %(expires)s); quần chúng phải học lại lớp nhận thức về Đảng, rồi ghi nhận chứng nhận mới "
                    "ở hồ sơ quần chúng."
                )
                % {
                    "issued": f"{certificate_on:%d/%m/%Y}",
                    "months": rules.certificate_valid_months,
                    "expires": f"{expires:%d/%m/%Y}",
                }
            }
        )


def check_age(*, birth_date: datetime.date, meeting_on: datetime.date, rules, exception: str) -> None:
    from .choices import RuleException

    months = age_in_months(birth_date, meeting_on)
    if months < rules.min_age * 12:
        raise ValidationError(
            {
                "on": _("Quy tắc tuổi: ngày chi bộ xét %(day)s, quần chúng chưa đủ %(age)s tuổi.")
                % {"day": f"{meeting_on:%d/%m/%Y}", "age": rules.min_age}
            }
        )
    if months > rules.max_age * 12 and exception != RuleException.AGE_CONSENT:
        raise ValidationError(
            {
                "on": _(
                    "Quy tắc tuổi: ngày chi bộ xét %(day)s, quần chúng đã quá %(age)s tuổi; cần ghi nhận văn bản "
                    "đồng ý của cấp ủy cấp tỉnh (ngoại lệ)."
                )
                % {"day": f"{meeting_on:%d/%m/%Y}", "age": rules.max_age}
            }
        )


def check_file_age(*, file_opened_on: datetime.date | None, meeting_on: datetime.date, rules, exception: str) -> None:
    from .choices import RuleException

    if file_opened_on is None:
        return
    limit = file_deadline(file_opened_on=file_opened_on, rules=rules)
    if meeting_on > limit and exception != RuleException.INTRODUCTIONS_REDONE:
        raise ValidationError(
            {
                "on": _(
                    "Quy tắc thời hạn hồ sơ: hồ sơ làm ngày %(opened)s đã quá %(months)s tháng khi chi bộ xét; "
                    "phải giới thiệu lại và ghi nhận ngoại lệ “đã giới thiệu lại”."
                )
                % {"opened": f"{file_opened_on:%d/%m/%Y}", "months": rules.file_valid_months}
            }
        )


def check_votes(*, votes_for: int | None, total: int | None, rules, body: str) -> None:
    if total is None or total <= 0:
        raise ValidationError({"voters_total": _("Nhập tổng số %(body)s.") % {"body": body}})
    if votes_for is None:
        raise ValidationError({"votes_for": _("Nhập số tán thành.")})
    if votes_for > total:
        raise ValidationError(
            {
                "votes_for": _("Số tán thành (%(votes)s) lớn hơn tổng số (%(total)s).")
                % {"votes": votes_for, "total": total}
            }
        )
    needed = approval_needed(total, rules)
    if votes_for < needed:
        raise ValidationError(
            {
                "votes_for": _(
                    "Quy tắc biểu quyết: cần ít nhất %(num)s/%(den)s %(body)s tán thành, tức %(needed)s trên "
                    "%(total)s; mới có %(votes)s."
                )
                % {
                    "num": rules.approval_numerator,
                    "den": rules.approval_denominator,
                    "body": body,
                    "needed": needed,
                    "total": total,
                    "votes": votes_for,
                }
            }
        )


# Steps as a table ---------------------------------------------------------------------------------


def _d(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


@dataclass(frozen=True)
class StepRecord:
    """A step about to be recorded, as its checks see it: the input cleaned, and the facts the service
    read for it (the cell's official members on the meeting date as `voters_total`, the decision
    deadline's extension)."""

    candidate: object
    step: str
    on: datetime.date
    rules: object
    exception: str = ""
    exception_note: str = ""
    document_number: str = ""
    acting_body: str = ""
    introduction: str = ""
    people: tuple[str, ...] = ()
    votes_for: int | None = None
    voters_total: int | None = None
    received_on: datetime.date | None = None
    extension_days: int | None = None  # working days of the recorded extension; None: not extended

    def excused(self, exception: str) -> bool:
        return self.exception == exception

    def event_fields(self) -> dict:
        """The event's fields; a step keeps only the optional fields it records."""
        rule = STEPS[self.step]
        return {
            "document_number": self.document_number,
            "acting_body": self.acting_body,
            "votes_for": self.votes_for if rule.votes else None,
            "voters_total": self.voters_total if rule.votes else None,
            "introduction": self.introduction if "introduction" in rule.records else "",
            "people": "; ".join(self.people),
            "received_on": self.received_on if "received_on" in rule.records else None,
            "exception": self.exception,
            "exception_note": self.exception_note if self.exception else "",
        }


def check_exception(record: StepRecord) -> None:
    """A documented exception belongs to a step and cites the document allowing it."""
    if not record.exception:
        return
    if record.exception not in STEPS[record.step].exceptions:
        raise ValidationError(
            {"exception": _("Ngoại lệ này không áp dụng cho bước “%(step)s”.") % {"step": Step(record.step).label}}
        )
    if not record.exception_note:
        raise ValidationError({"exception_note": _("Ghi số, ngày văn bản cho phép ngoại lệ.")})


def check_certificate_valid(record: StepRecord) -> None:
    check_certificate(certificate_on=record.candidate.certificate_on, meeting_on=record.on, rules=record.rules)


def check_age_at_meeting(record: StepRecord) -> None:
    check_age(
        birth_date=record.candidate.birth_date, meeting_on=record.on, rules=record.rules, exception=record.exception
    )


def check_file_fresh(record: StepRecord) -> None:
    check_file_age(
        file_opened_on=record.candidate.file_opened_on,
        meeting_on=record.on,
        rules=record.rules,
        exception=record.exception,
    )


def check_decision_after_resolution(record: StepRecord) -> None:
    resolution_on = record.candidate.resolution_on
    if record.on < resolution_on:
        raise ValidationError(
            {
                "on": _("Quy tắc quyết định: ngày quyết định không được trước ngày chi bộ xét (%(day)s).")
                % {"day": _d(resolution_on)}
            }
        )


def check_ceremony_after_decision(record: StepRecord) -> None:
    decision_on = record.candidate.decision_on
    if record.on < decision_on:
        raise ValidationError(
            {
                "on": _("Quy tắc lễ kết nạp: lễ kết nạp phải sau khi có quyết định kết nạp (%(day)s).")
                % {"day": _d(decision_on)}
            }
        )


def check_probation_over(record: StepRecord) -> None:
    ends_on = record.candidate.probation_ends_on
    if record.on < ends_on:
        raise ValidationError(
            {
                "on": _("Quy tắc dự bị: chỉ xét công nhận chính thức khi hết %(months)s tháng dự bị (%(day)s).")
                % {"months": record.rules.probation_months, "day": _d(ends_on)}
            }
        )


def check_introductions(record: StepRecord) -> None:
    introduction, people = record.introduction, record.people
    if not introduction:
        raise ValidationError({"introduction": _("Chọn hình thức giới thiệu.")})
    needed = 2 if introduction == Introduction.TWO_MEMBERS else 1
    # Same name up to case, spacing and invisible characters (Hùng and Hưng are two people).
    if len({spelling_key(name) for name in people}) < len(people):
        raise ValidationError(
            {"people": _("Quy tắc giới thiệu: hai người giới thiệu phải là hai đảng viên khác nhau.")}
        )
    if len(people) < needed:
        raise ValidationError(
            {
                "people": _("Quy tắc giới thiệu: cần %(count)s đảng viên chính thức giới thiệu (%(how)s).")
                % {"count": needed, "how": Introduction(introduction).label}
            }
        )
    if introduction == Introduction.YOUTH_UNION and not record.candidate.youth_union_member:
        raise ValidationError(
            {"introduction": _("Quy tắc giới thiệu: chỉ đoàn viên mới được Đoàn giới thiệu (mẫu 4-KNĐ).")}
        )


def check_step_votes(record: StepRecord) -> None:
    body = STEPS[record.step].votes.body
    check_votes(votes_for=record.votes_for, total=record.voters_total, rules=record.rules, body=body)


def check_decision_document(record: StepRecord) -> None:
    if not record.document_number:
        raise ValidationError({"document_number": _("Nhập số quyết định kết nạp.")})
    if not record.acting_body:
        raise ValidationError({"acting_body": _("Nhập cấp ủy ra quyết định.")})


def check_decision_in_time(record: StepRecord) -> None:
    rules, days = record.rules, record.extension_days or 0
    due = decision_deadline(resolution_on=record.candidate.resolution_on, extension_days=days, rules=rules)
    if record.on <= due or record.excused(RuleException.LATE_DECISION_ACCEPTED):
        return
    if record.extension_days is not None:
        message = _(
            "Quy tắc thời hạn quyết định: quá hạn %(days)s ngày làm việc kể cả gia hạn (hạn %(due)s); quyết "
            "định muộn hơn cần văn bản của cấp ủy cấp trên chấp thuận (ngoại lệ)."
        ) % {"days": rules.decision_working_days + days, "due": _d(due)}
    else:
        message = _(
            "Quy tắc thời hạn quyết định: quá %(days)s ngày làm việc kể từ nghị quyết chi bộ (hạn %(due)s). "
            "Nếu đã gia hạn trước hạn đó, ghi nhận gia hạn (tối đa %(extra)s ngày làm việc) trước; nếu không, "
            "cần văn bản của cấp ủy cấp trên chấp thuận quyết định muộn (ngoại lệ)."
        ) % {"days": rules.decision_working_days, "due": _d(due), "extra": rules.decision_extension_working_days}
    raise ValidationError({"on": message})


def check_ceremony_in_time(record: StepRecord) -> None:
    decision_on = record.candidate.decision_on
    received = record.received_on or decision_on
    if received < decision_on or received > record.on:
        raise ValidationError({"received_on": _("Ngày nhận quyết định phải từ ngày quyết định đến ngày lễ.")})
    due = ceremony_deadline(received_on=received, rules=record.rules)
    if record.on > due and not record.excused(RuleException.LATE_CEREMONY_CONSENT):
        raise ValidationError(
            {
                "on": _(
                    "Quy tắc lễ kết nạp: phải tổ chức trong %(days)s ngày làm việc kể từ khi nhận quyết định "
                    "(hạn %(due)s); muộn hơn cần cấp ủy cấp trên đồng ý (ngoại lệ)."
                )
                % {"days": record.rules.ceremony_working_days, "due": _d(due)}
            }
        )


def check_mentor(record: StepRecord) -> None:
    if not record.people:
        raise ValidationError({"people": _("Nhập đảng viên chính thức được phân công giúp đỡ đảng viên dự bị.")})


def check_recognition_in_time(record: StepRecord) -> None:
    due = recognition_deadline(probation_ends_on=record.candidate.probation_ends_on, rules=record.rules)
    if record.on > due and not record.excused(RuleException.LATE_RECOGNITION):
        raise ValidationError(
            {
                "on": _(
                    "Quy tắc công nhận chính thức: chi bộ phải xét trong %(days)s ngày làm việc sau khi hết dự "
                    "bị (hạn %(due)s); muộn hơn cần ghi lý do được cấp trên chấp thuận (ngoại lệ)."
                )
                % {"days": record.rules.recognition_working_days, "due": _d(due)}
            }
        )


@dataclass(frozen=True)
class Votes:
    """Who votes on a step, as the refusal names them; the cell's vote counts against its official
    members on the meeting date when the cell has a figure, else against the total typed."""

    body: Promise
    counted_from_cell: bool


CELL_VOTE = Votes(gettext_lazy("đảng viên chính thức của chi bộ"), counted_from_cell=True)
COMMITTEE_VOTE = Votes(gettext_lazy("ủy viên cấp ủy"), counted_from_cell=False)

Check = Callable[[StepRecord], None]


@dataclass(frozen=True)
class StepRule:
    """The checks of one step. `prerequisites` (the named rules of what must be recorded before)
    come first, then the order of dates (the service's), then `checks` (the step's entries and
    deadlines); `exceptions` are the documented exceptions the step accepts."""

    prerequisites: tuple[Check, ...] = ()
    checks: tuple[Check, ...] = ()
    exceptions: frozenset[str] = frozenset()
    votes: Votes | None = None
    records: frozenset[str] = frozenset()  # optional event fields the step keeps
    reads_extension: bool = False  # its deadline counts the decision deadline's extension
    admits: bool = False  # the decision: the admission is created, the cell has one member more
    recognises: bool = False  # full membership: the cell has one official member more

    def check_prerequisites(self, record: StepRecord) -> None:
        check_exception(record)
        for check in self.prerequisites:
            check(record)

    def check(self, record: StepRecord) -> None:
        for check in self.checks:
            check(record)


STEPS: dict[str, StepRule] = {
    Step.SYMPATHIZER: StepRule(),
    Step.AWARENESS_CLASS: StepRule(),
    Step.APPLICATION: StepRule(checks=(check_introductions,), records=frozenset({"introduction"})),
    Step.VERIFICATION: StepRule(),
    Step.REFERENCES: StepRule(),
    Step.CELL_RESOLUTION: StepRule(
        prerequisites=(check_certificate_valid, check_age_at_meeting, check_file_fresh),
        checks=(check_step_votes,),
        exceptions=frozenset({RuleException.AGE_CONSENT, RuleException.INTRODUCTIONS_REDONE}),
        votes=CELL_VOTE,
    ),
    Step.REVIEW: StepRule(checks=(check_step_votes,), votes=COMMITTEE_VOTE),
    Step.DECISION: StepRule(
        prerequisites=(check_decision_after_resolution,),
        checks=(check_decision_document, check_decision_in_time),
        exceptions=frozenset({RuleException.LATE_DECISION_ACCEPTED}),
        reads_extension=True,
        admits=True,
    ),
    Step.CEREMONY: StepRule(
        prerequisites=(check_ceremony_after_decision,),
        checks=(check_ceremony_in_time,),
        exceptions=frozenset({RuleException.LATE_CEREMONY_CONSENT}),
        records=frozenset({"received_on"}),
    ),
    Step.PROBATION: StepRule(checks=(check_mentor,)),
    Step.FULL_MEMBERSHIP: StepRule(
        prerequisites=(check_probation_over,),
        checks=(check_step_votes, check_recognition_in_time),
        exceptions=frozenset({RuleException.LATE_RECOGNITION}),
        votes=CELL_VOTE,
        recognises=True,
    ),
}

# Which documented exceptions each step accepts (the forms offer these).
STEP_EXCEPTIONS = {step: rule.exceptions for step, rule in STEPS.items() if rule.exceptions}
