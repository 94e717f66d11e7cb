"""The period a report covers: year and quarter (and, for exports, every level below or not)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import MAX_YEAR, MIN_YEAR, Structure, current_period

QUARTER_CHOICES = [(1, _("Quý I")), (2, _("Quý II")), (3, _("Quý III")), (4, _("Quý IV"))]


class PeriodForm(forms.Form):
    year = forms.IntegerField(
        label=_("Năm"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={"invalid": _("Năm phải là một số, ví dụ 2026.")},
    )
    quarter = forms.TypedChoiceField(
        label=_("Quý"),
        choices=QUARTER_CHOICES,
        coerce=int,
        error_messages={"invalid_choice": _("Quý phải là 1, 2, 3 hoặc 4.")},
    )
    detail = forms.BooleanField(label=_("Chi tiết đến mọi cấp"), required=False)
    structure = forms.ChoiceField(
        label=_("Cơ cấu tổ chức"),
        choices=Structure.CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Cơ cấu phải là “then” (tại thời điểm báo cáo) hoặc “now” (hiện nay).")},
    )

    @classmethod
    def from_query(cls, data) -> PeriodForm:
        """Missing values default to the current year and quarter; given ones are validated."""
        year, quarter = current_period()
        values = {"year": year, "quarter": quarter}
        for name in ("year", "quarter", "detail", "structure"):
            if data.get(name, "") != "":
                values[name] = data.get(name)
        return cls(values)

    @property
    def period(self) -> tuple[int, int, bool]:
        data = self.cleaned_data
        return data["year"], data["quarter"], data.get("detail", False)

    @property
    def tree(self) -> str:
        """The tree the report follows: the tree at the end of the period unless "now" is asked for."""
        return self.cleaned_data.get("structure") or Structure.THEN

    def query_string(self, **overrides) -> str:
        year, quarter, detail = self.period
        values = {"year": year, "quarter": quarter, **({"detail": 1} if detail else {})}
        if self.tree != Structure.THEN:
            values["structure"] = self.tree
        values.update(overrides)
        return "&".join(f"{key}={value}" for key, value in values.items() if value not in (None, "", False))
