"""Template filters for quotas: figures in the interface language on pages (1.234 in Vietnamese,
1,234 in English), Vietnamese in the biểu, which are rendered in Vietnamese
(partytrack.documents.in_official_language)."""

from django import template

from partytrack import documents
from partytrack.figures import interface_number, interface_percent

register = template.Library()


@register.filter
def vn_number(value, blank: str = ""):
    """1.234 (1,234 in English); None (no quota) prints `blank`."""
    if value is None or value == "":
        return blank
    return interface_number(value)


@register.filter
def vn_percent(value):
    return interface_percent(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def roman(quarter):
    return documents.roman_quarter(int(quarter))
