"""Labels that name a rule duration ("hồ sơ quá 12 tháng", "trên 60 tuổi"), written from the rules in
force (PipelineRules) rather than from the choice lists, whose stored labels name no duration."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .choices import DeadlineKind, RuleException


def exception_label(value: str, rules) -> str:
    """The documented exception `value` as the pages show it, with the durations of `rules`."""
    if value == RuleException.AGE_CONSENT:
        return _("Cấp ủy cấp tỉnh đồng ý kết nạp người trên %(age)s tuổi") % {"age": rules.max_age}
    if value == RuleException.INTRODUCTIONS_REDONE:
        return _("Đã giới thiệu lại (hồ sơ quá %(months)s tháng)") % {"months": rules.file_valid_months}
    return str(RuleException(value).label) if value in RuleException.values else value


def deadline_label(value: str, rules) -> str:
    """What the next deadline is for, with the durations of `rules`."""
    if value == DeadlineKind.FILE_EXPIRES:
        return _("Hồ sơ quá %(months)s tháng") % {"months": rules.file_valid_months}
    return str(DeadlineKind(value).label) if value in DeadlineKind.values else value


def exception_choices(values, rules) -> list[tuple[str, str]]:
    """Choices of a form's exception field, in the order of RuleException."""
    return [(choice.value, exception_label(choice.value, rules)) for choice in RuleException if choice in values]
