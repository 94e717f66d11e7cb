"""Inputs of the statistics, alerts and periodic-reporting pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.selectors import MAX_YEAR, MIN_YEAR

from .alerts import AlertKind
from .models import ReportSubmission
from .statistics import Period, PeriodKind

KIND_CHOICES = [
    (PeriodKind.QUARTER, _("Quý")),
    (PeriodKind.HALF, _("6 tháng")),
    (PeriodKind.NINE, _("9 tháng")),
    (PeriodKind.YEAR, _("Năm")),
    (PeriodKind.MONTH, _("Tháng")),
    (PeriodKind.CUSTOM, _("Từ ngày … đến ngày …")),
]


class StatisticsPeriodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kỳ"), choices=KIND_CHOICES)
    year = forms.IntegerField(label=_("Năm"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)
    number = forms.IntegerField(label=_("Quý / tháng"), min_value=1, max_value=12, required=False)
    start = forms.DateField(label=_("Từ ngày"), required=False)
    end = forms.DateField(label=_("Đến ngày"), required=False)

    @classmethod
    def from_query(cls, data) -> StatisticsPeriodForm:
        today = timezone.localdate()
        values = {"kind": PeriodKind.QUARTER, "year": today.year, "number": (today.month - 1) // 3 + 1}
        for name in ("kind", "year", "number", "start", "end"):
            if data.get(name, "") != "":
                values[name] = data.get(name)
        return cls(values)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == PeriodKind.CUSTOM:
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Nhập cả ngày bắt đầu và ngày kết thúc."))
            if end < start:
                raise forms.ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
            if not (start.year >= MIN_YEAR and end.year <= MAX_YEAR):
                raise forms.ValidationError(_("Ngày phải trong khoảng năm 2000–2100."))
            data["period"] = Period.custom(start, end)
        elif kind:
            if data.get("year") is None:
                raise forms.ValidationError(_("Nhập năm."))
            number = data.get("number") or 1
            if kind == PeriodKind.QUARTER and number > 4:
                raise forms.ValidationError(_("Quý phải là 1, 2, 3 hoặc 4."))
            if kind not in (PeriodKind.QUARTER, PeriodKind.MONTH):
                number = 1
            data["period"] = Period.of(kind, data["year"], number)
        return data

    @property
    def period(self) -> Period:
        return self.cleaned_data["period"]


class AlertFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Loại cảnh báo"),
        required=False,
        choices=[("", _("Tất cả"))] + [(k, AlertKind.LABELS[k]) for k in AlertKind.ORDER],
    )
    q = forms.CharField(label=_("Tên tổ chức"), required=False, max_length=100)

    @property
    def kinds(self) -> set[str] | None:
        kind = self.cleaned_data.get("kind")
        return {kind} if kind else None


class CompletenessForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại báo cáo"), choices=ReportSubmission.Kind.choices, required=False)
    year = forms.IntegerField(label=_("Năm"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)

    def values(self) -> tuple[str, int]:
        return (
            self.cleaned_data.get("kind") or ReportSubmission.Kind.MONTH,
            self.cleaned_data.get("year") or timezone.localdate().year,
        )


class SubmitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại báo cáo"), choices=ReportSubmission.Kind.choices)
    year = forms.IntegerField(label=_("Năm"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    number = forms.IntegerField(label=_("Kỳ (tháng 1–12, quý 1–4)"), min_value=1, max_value=12, initial=1)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=300)


MONTHS_AFTER_CHOICES = [
    (1, _("tháng sau kỳ báo cáo")),
    (2, _("tháng thứ hai sau kỳ báo cáo")),
    (3, _("tháng thứ ba sau kỳ báo cáo")),
]


class ReportingDeadlineForm(forms.Form):
    day = forms.IntegerField(
        label=_("Hạn gửi: ngày"),
        min_value=1,
        max_value=28,
        error_messages={
            "required": _("Nhập ngày hạn gửi (từ 1 đến 28)."),
            "invalid": _("Ngày hạn gửi phải là một số từ 1 đến 28."),
            "min_value": _("Ngày hạn gửi phải từ 1 đến 28."),
            "max_value": _("Ngày hạn gửi phải từ 1 đến 28 (để tháng nào cũng có ngày đó)."),
        },
    )
    months_after = forms.TypedChoiceField(
        label=_("của"),
        choices=MONTHS_AFTER_CHOICES,
        coerce=int,
        initial=1,
        error_messages={"invalid_choice": _("Chọn tháng sau kỳ báo cáo: thứ nhất, thứ hai hoặc thứ ba.")},
    )


class DeadlineYearForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)

    @property
    def year_value(self) -> int:
        return self.cleaned_data.get("year") or timezone.localdate().year
