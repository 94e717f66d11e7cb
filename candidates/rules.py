"""The pipeline's rules as pure functions of dates and the rule durations (PipelineRules): which step
may come next, the next deadline, and the checks `candidate_advance` runs. No database access here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from organizations.models import Kind
from partytrack.periods import add_months

from .choices import DeadlineKind, Step, step_index
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
