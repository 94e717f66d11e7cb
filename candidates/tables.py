"""The admissions list as a django-tables2 table: one column definition gives the headers, sorting and
pagination (the filter's query string is kept by the sort and page links)."""

from __future__ import annotations

import django_tables2 as tables
from django.core.paginator import Paginator
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

PER_PAGE = 100
MOST_PER_PAGE = 500  # what the page listed before it had pages: ?per_page= asks for fewer, never more


class AdmissionTable(tables.Table):
    admitted_on = tables.DateColumn(format="d/m/Y", verbose_name=_("Ngày quyết định"))
    full_name = tables.Column(verbose_name=_("Họ và tên"))
    organization = tables.Column(accessor="organization__name", verbose_name=_("Chi bộ"))
    decision_number = tables.Column(verbose_name=_("Số quyết định"))
    source = tables.Column(verbose_name=_("Nguồn"))

    class Meta:
        template_name = "tables/table.html"
        empty_text = _("Chưa có kết nạp nào.")
        row_attrs = {"class": lambda record: "voided" if record.cancelled_at else None}

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        # tables2 takes ?per_page= as given: 0 divides by zero, a huge one lists a whole country
        per_page = min(per_page if per_page and per_page > 0 else PER_PAGE, MOST_PER_PAGE)
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)

    def render_full_name(self, record, value):
        link = format_html('<a href="{}">{}</a>', reverse("candidates:admission_detail", args=[record.pk]), value)
        if record.cancelled_at:
            return format_html('{} <small class="badge">{}</small>', link, _("đã hủy"))
        return link


def filter_criteria(query: QueryDict) -> QueryDict:
    """The query string without the table's own parameters, so that ?page=2 alone is no filter."""
    criteria = query.copy()
    for name in ("sort", "page", "per_page"):
        criteria.pop(name, None)
    return criteria
