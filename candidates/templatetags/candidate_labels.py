"""Template filters for labels that name a rule duration: `{{ value|deadline_label:rules }}`."""

from __future__ import annotations

from django import template

from candidates import labels

register = template.Library()


def _rules(rules):
    if rules:
        return rules
    from candidates.models import PipelineRules

    return PipelineRules.current()  # a page that forgot to pass them still says the right thing


@register.filter
def deadline_label(value: str, rules=None) -> str:
    return labels.deadline_label(value, _rules(rules)) if value else ""


@register.filter
def exception_label(value: str, rules=None) -> str:
    return labels.exception_label(value, _rules(rules)) if value else ""
