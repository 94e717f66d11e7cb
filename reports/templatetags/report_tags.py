"""Vietnamese figures in report templates, through the shared helpers of partytrack.documents."""

from django import template

from partytrack.documents import format_number, format_percent, roman_quarter

register = template.Library()


@register.filter
def vn_number(value, decimals=0):
    """1.234 or 46,5; None (no quota) is "—"."""
    return format_number(value, int(decimals))


@register.filter
def vn_percent(value):
    """46,5%; None (no quota) is "—"."""
    return format_percent(value)


@register.filter
def roman(quarter):
    return roman_quarter(int(quarter))


@register.filter
def svg_number(value):
    """A coordinate for an SVG attribute: always a dot, never localised."""
    return f"{float(value):.2f}"


@register.filter
def descendants_of(row, report):
    """A report row followed by every row below it (detail reports)."""
    return list(report.with_descendants(row))
