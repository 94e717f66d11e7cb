"""The admissions list and the personal-data access log as django-tables2 tables: one column definition
gives the headers, sorting and pages (the filter's query string is kept by the sort and page links)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from partytrack.tables import Table


class AdmissionTable(Table):
    admitted_on = tables.DateColumn(format="d/m/Y", verbose_name=_("Ngày quyết định"))
    full_name = tables.Column(verbose_name=_("Họ và tên"))
    organization = tables.Column(accessor="organization__name", verbose_name=_("Chi bộ"))
    decision_number = tables.Column(verbose_name=_("Số quyết định"))
    source = tables.Column(verbose_name=_("Nguồn"))

    class Meta(Table.Meta):
        empty_text = _("Chưa có kết nạp nào.")
        row_attrs = {"class": lambda record: "voided" if record.cancelled_at else None}

    def render_full_name(self, record, value):
        link = format_html('<a href="{}">{}</a>', reverse("candidates:admission_detail", args=[record.pk]), value)
        if record.cancelled_at:
            return format_html('{} <small class="badge">{}</small>', link, _("đã hủy"))
        return link


class PersonalDataAccessTable(Table):
    accessed_at = tables.DateTimeColumn(format="d/m/Y H:i", verbose_name=_("Lúc"))
    user = tables.Column(
        order_by=("user__last_name", "user__first_name", "user__username"), verbose_name=_("Người dùng")
    )
    kind = tables.Column(verbose_name=_("Loại"))
    organization = tables.Column(accessor="organization__name", default="—", verbose_name=_("Tổ chức"))
    what = tables.TemplateColumn(
        template_name="candidates/_access_what.html", orderable=False, verbose_name=_("Địa chỉ, bộ lọc")
    )
    person_count = tables.Column(attrs={"th": {"class": "num"}, "td": {"class": "num"}}, verbose_name=_("Số người"))

    class Meta(Table.Meta):
        empty_text = _("Chưa có lần truy cập nào.")

    def render_user(self, value):
        return value.get_full_name() or value.get_username()
