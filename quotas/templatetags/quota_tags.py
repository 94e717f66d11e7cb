"""Template filters for quotas: Vietnamese numbers whatever the interface language."""

from django import template

from partytrack import documents

register = template.Library()


@register.filter
def vn_number(value, blank: str = ""):
    """1.234 style; None (no quota) prints `blank`."""
    if value is None or value == "":
        return blank
    return documents.format_number(value)


@register.filter
def vn_percent(value):
    return documents.format_percent(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def roman(quarter):
    return documents.roman_quarter(int(quarter))
