"""Figures on pages in the interface language: Vietnamese 1.234,5 and 88,0%, English 1,234.5 and
88.0%. Official documents are rendered in Vietnamese (partytrack.documents.in_official_language), so
the same helpers print Vietnamese figures in every PDF and .xlsx biểu whatever the interface language.

The apps' template filters (vn_number, vn_percent) and the messages built in Python both use these."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from partytrack.documents import format_number

# Vietnamese figures swap the English separators: 1.234,5 <-> 1,234.5.
_TO_ENGLISH = str.maketrans({".": ",", ",": "."})


def vietnamese_figures() -> bool:
    """Whether the active language writes figures the Vietnamese way (no active language: the
    default one, Vietnamese)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return language.split("-")[0].lower() == "vi"


def interface_number(value, decimals: int = 0) -> str:
    """1.234 / 46,5 in Vietnamese, 1,234 / 46.5 in English; None (no quota, no data) is "—"."""
    text = format_number(value, decimals)
    if value is None or vietnamese_figures():
        return text
    return text.translate(_TO_ENGLISH)


def interface_percent(value, decimals: int = 1) -> str:
    """46,5% in Vietnamese, 46.5% in English; None is "—"."""
    return "—" if value is None else f"{interface_number(value, decimals)}%"


def signed_number(value: int) -> str:
    """A difference with its sign: +12.360, -5, 0."""
    return f"+{interface_number(value)}" if value > 0 else interface_number(value)
