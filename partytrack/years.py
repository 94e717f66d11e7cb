"""The years the application accepts for admissions and quotas, and one field that reads a year typed
or sent as a query parameter (`?year=`): a whole number in the range, else a message naming the range.
(`?year=-1` once reached a year lookup, which cannot build the dates of year -1: a server error.)"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy

from .periods import FIRST_YEAR, LAST_YEAR


def _out_of_range(min_value: int, max_value: int) -> str:
    return gettext("Năm phải là số nguyên từ %(min)s đến %(max)s, ví dụ 2026.") % {"min": min_value, "max": max_value}


class YearField(forms.IntegerField):
    def __init__(self, *, min_value: int = FIRST_YEAR, max_value: int = LAST_YEAR, **kwargs):
        # Lazy: filters are declared at import, the message is read in the user's language.
        message = lazy(_out_of_range, str)(min_value, max_value)
        kwargs.setdefault("label", gettext_lazy("Năm"))
        kwargs["error_messages"] = {
            "invalid": message,
            "min_value": message,
            "max_value": message,
            **kwargs.get("error_messages", {}),
        }
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class YearFilter(django_filters.NumberFilter):
    """A filter on a year (a year field, or a date field with lookup_expr="year")."""

    field_class = YearField
