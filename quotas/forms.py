"""Forms of the quota pages: a plan and its sub-targets, the file upload, and the allocation grid
(one form of many number cells, parsed here, checked again by quotas.services)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partytrack import uploads
from partytrack.fields import CleanFormField

from .models import Plan, SubTarget
from .rules import NotANumber, parse_number, with_total
from .selectors import FIELD_LABELS, FIELDS, Values
from .services import QuotaInput, SubTargetInput, TermInput

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER_INPUT = forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = [
            "number",
            "issued_on",
            "issuing_body",
            "title",
            "status",
            "start_year",
            "end_year",
            "target",
            "target_is_minimum",
            "target_per_year",
            "target_q1",
            "target_q2",
            "target_q3",
            "target_q4",
            "place",
            "signer_title",
            "signer_name",
            "recipients",
            "note",
        ]
        widgets = {
            "issued_on": DATE_INPUT,
            "recipients": forms.Textarea(attrs={"rows": 4}),
            "note": forms.Textarea(attrs={"rows": 3}),
            "target": NUMBER_INPUT,
            "target_q1": NUMBER_INPUT,
            "target_q2": NUMBER_INPUT,
            "target_q3": NUMBER_INPUT,
            "target_q4": NUMBER_INPUT,
        }

    def _post_clean(self):
        """Model validation is the service's job: it knows the issuing organization and checks the
        whole plan (number per issuer, period, quarterly targets) with readable messages."""


class ReplacePlanForm(PlanForm):
    copy_quotas = forms.BooleanField(
        label=gettext_lazy("Chép chỉ tiêu của kế hoạch cũ sang kế hoạch mới"), required=False, initial=True
    )


class SubTargetForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Loại chỉ tiêu"), choices=[("", "—"), *SubTarget.Kind.choices], required=False
    )
    comparison = forms.ChoiceField(
        label=gettext_lazy("So sánh"), choices=SubTarget.Comparison.choices, initial=SubTarget.Comparison.AT_LEAST
    )
    value = forms.DecimalField(
        label=gettext_lazy("Giá trị"), min_value=0, max_digits=7, decimal_places=2, required=False
    )
    description = CleanFormField(label=gettext_lazy("Diễn giải"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("value") is None:
            self.add_error("value", _("Nhập giá trị."))
        if data.get("value") is not None and not data.get("kind"):
            self.add_error("kind", _("Chọn loại chỉ tiêu."))
        return data


SubTargetFormSet = forms.formset_factory(SubTargetForm, extra=2, max_num=20)


def sub_target_initial(plan: Plan | None) -> list[dict]:
    if plan is None:
        return []
    return [
        {"kind": t.kind, "comparison": t.comparison, "value": t.value, "description": t.description}
        for t in plan.sub_targets.all()
    ]


def sub_target_inputs(formset) -> list[SubTargetInput]:
    return [
        SubTargetInput(
            kind=form.cleaned_data["kind"],
            comparison=form.cleaned_data["comparison"],
            value=form.cleaned_data["value"],
            description=form.cleaned_data.get("description", ""),
        )
        for form in formset
        if form.cleaned_data.get("kind")
    ]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp biểu (.xlsx)"),
        help_text=gettext_lazy(
            "Biểu tải về từ trang này, hoặc biểu cùng mẫu: cột TT, tên đảng bộ, chi bộ, các cột số."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Chỉ nhận tệp Excel .xlsx."))
        try:
            uploads.check_upload_size(upload)  # the content is checked by the importer (partytrack.uploads)
        except uploads.UploadRefused as exc:
            raise forms.ValidationError(exc.message) from None
        return upload


# ------------------------------------------------------------------------------------ grid


def field_name(column: str, organization_id: int) -> str:
    return f"{column}-{organization_id}"


@dataclass
class GridData:
    """A posted grid: what the user typed (kept verbatim to show again), the parsed rows, and the
    problems found before anything reaches the service."""

    typed: dict[int, list[str]] = field(default_factory=dict)
    rows: list[QuotaInput] = field(default_factory=list)
    errors: dict[int, list[str]] = field(default_factory=dict)

    def values(self, organization_id: int) -> Values | None:
        for row in self.rows:
            if row.organization_id == organization_id:
                return row.values
        return None


def parse_grid(data, organization_ids: list[int], names: dict[int, str]) -> GridData:
    grid = GridData()
    for org_id in organization_ids:
        typed = [str(data.get(field_name(column, org_id), "")).strip() for column in FIELDS]
        grid.typed[org_id] = typed
        values: list[int | None] = []
        for column, text in zip(FIELDS, typed, strict=True):
            try:
                value = parse_number(text)
            except NotANumber as exc:
                grid.errors.setdefault(org_id, []).append(f"{names[org_id]}, {FIELD_LABELS[column]}: {exc}.")
                value = None
            values.append(value)
        grid.rows.append(QuotaInput(org_id, *with_total(values)))
    return grid


def parse_term_grid(data, organization_ids: list[int], years: list[int], names: dict[int, str]):
    """The term grid's yearly totals: (typed by organization, rows, errors)."""
    typed: dict[int, list[str]] = {}
    rows: list[TermInput] = []
    errors: dict[int, list[str]] = {}
    for org_id in organization_ids:
        cells = [str(data.get(field_name(f"y{year}", org_id), "")).strip() for year in years]
        typed[org_id] = cells
        parsed: dict[int, int | None] = {}
        for year, text in zip(years, cells, strict=True):
            try:
                parsed[year] = parse_number(text)
            except NotANumber as exc:
                errors.setdefault(org_id, []).append(f"{names[org_id]}, năm {year}: {exc}.")
                parsed[year] = None
        rows.append(TermInput(organization_id=org_id, years=parsed))
    return typed, rows, errors


# What the user loaded, carried through the form: signed so a posted state cannot be forged.
_BASE_SALT = "quotas.grid.base"


def sign_base(*, plan_id: int | None, token: str, values: dict) -> str:
    encoded = {str(key) if not isinstance(key, tuple) else f"{key[0]}:{key[1]}": list(v) for key, v in values.items()}
    return signing.dumps({"plan": plan_id, "token": token, "values": encoded}, salt=_BASE_SALT, compress=True)


def read_base(text: str) -> dict:
    """The state signed by sign_base; raises signing.BadSignature when it was tampered with."""
    data = signing.loads(text, salt=_BASE_SALT)
    values = {}
    for key, value in data["values"].items():
        if ":" in key:
            org, year = key.split(":")
            values[(int(org), int(year))] = tuple(value)
        else:
            values[int(key)] = tuple(value)
    return {"plan": data["plan"], "token": data["token"], "values": values}
