"""Filters of the board and the admissions list (django-filter); the querysets are already scoped."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import CELL_KINDS, Organization
from partytrack.text import clean_text, fold
from partytrack.years import YearFilter

from .choices import Step
from .models import Admission, Candidate, PipelineRules


class OrganizationFilter(django_filters.ModelChoiceFilter):
    """An organization of the user's scope; the rows of its whole subtree."""

    def filter(self, queryset, value):
        return queryset.within(value) if value else queryset


def organization_options(user):
    """Committees of the user's scope (and cells, which are few per committee). A select of every cell
    of a province would be unusable; the board shows the cell on each card."""
    return (
        Organization.objects.restrict(user, "view_people")
        .filter(Q(level__lte=3) | ~Q(kind__in=CELL_KINDS))
        .order_by("tree_id", "lft")
    )


class CandidateFilter(django_filters.FilterSet):
    organization = OrganizationFilter(queryset=Organization.objects.none(), label=_("Tổ chức"))
    step = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in Step if s != Step.FULL_MEMBERSHIP], label=_("Bước")
    )
    deadline = django_filters.ChoiceFilter(
        choices=[("overdue", _("Quá hạn")), ("soon", _("Quá hạn hoặc sắp đến hạn"))],
        method="filter_deadline",
        label=_("Thời hạn"),
    )
    q = django_filters.CharFilter(method="filter_name", label=_("Họ tên"))

    class Meta:
        model = Candidate
        fields = ["organization", "step"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["organization"].queryset = organization_options(user)
        self.form.fields["q"].widget = forms.TextInput(attrs={"type": "search"})

    def filter_deadline(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.filter(next_deadline__lt=today)
        if value == "soon":
            days = PipelineRules.current().due_soon_days
            return queryset.filter(next_deadline__lte=today + datetime.timedelta(days=days))
        return queryset

    def filter_name(self, queryset, name, value):
        for word in fold(value).split():
            queryset = queryset.filter(identity_key__contains=word)
        return queryset


class AdmissionFilter(django_filters.FilterSet):
    organization = OrganizationFilter(queryset=Organization.objects.none(), label=_("Tổ chức"))
    year = YearFilter(field_name="admitted_on", lookup_expr="year", label=_("Năm"))
    q = django_filters.CharFilter(method="filter_name", label=_("Họ tên, số quyết định"))
    cancelled = django_filters.BooleanFilter(
        field_name="cancelled_at", lookup_expr="isnull", exclude=True, label=_("Đã hủy")
    )

    class Meta:
        model = Admission
        fields = ["organization", "year"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["organization"].queryset = organization_options(user)

    def filter_name(self, queryset, name, value):
        condition = Q(decision_number__icontains=clean_text(value))
        words = fold(value).split()
        if words:
            by_name = Q()
            for word in words:
                by_name &= Q(identity_key__contains=word)
            condition |= by_name
        return queryset.filter(condition)
