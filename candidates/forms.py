"""Forms of the candidates pages: one per step with only that step's fields; every write goes through
candidates.services."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization
from partytrack import uploads
from partytrack.fields import CleanFormField

from .choices import Introduction, RuleException, Status, Step, step_index
from .labels import exception_choices
from .models import MAX_VOTERS, Admission, Candidate, StepEvent
from .rules import STEP_EXCEPTIONS
from .services import PERSON_FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PERSON_WIDGETS = {"birth_date": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 3})}


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        parent = obj.parent.short_name or obj.parent.name if obj.parent_id else ""
        return f"{obj.name} — {parent}" if parent else obj.name


class CandidateForm(forms.ModelForm):
    """Personal data and the attributes statistics count; on creation also the cell and the date it
    put the person on its sympathizer list."""

    class Meta:
        model = Candidate
        fields = [*PERSON_FIELDS, "helper_name", "notes"]
        widgets = PERSON_WIDGETS

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields = {
                "organization": OrganizationChoiceField(queryset=organizations, label=_("Chi bộ")),
                "listed_on": forms.DateField(
                    label=_("Ngày chi bộ đưa vào danh sách cảm tình Đảng"),
                    widget=DATE_INPUT,
                    initial=timezone.localdate,
                ),
                "document_number": CleanFormField(
                    label=_("Số nghị quyết, biên bản của chi bộ"), required=False, max_length=100
                ),
                **self.fields,
            }
            if organizations.count() == 1:
                self.fields["organization"].initial = organizations.first()

    def _post_clean(self):
        pass  # the service validates the model (with the cell) and says which rule is broken

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        return data


class StepForm(forms.Form):
    """The fields of one step. Built by `step_form(step)`; `service_kwargs` maps them to
    candidate_advance's arguments."""

    step: str = ""

    def __init__(
        self,
        *args,
        rules=None,
        official_members: int | None = None,
        figure_on: datetime.date | None = None,
        meeting_known: bool = False,
        **kwargs,
    ):
        """`official_members` is the cell's figure as of `figure_on`: the meeting date once the form
        has been sent with one (`meeting_known`), else today, and the hint says which."""
        super().__init__(*args, **kwargs)
        self.official_members = official_members
        if "exception" in self.fields and rules is not None:
            self.fields["exception"].choices = [("", _("Không")), *exception_choices(STEP_EXCEPTIONS[self.step], rules)]
        if "voters_total" not in self.fields or self.step == Step.REVIEW or figure_on is None:
            return
        field = self.fields["voters_total"]
        day = f"{figure_on:%d/%m/%Y}"
        if official_members is None:
            if meeting_known:
                field.help_text = _("Chi bộ chưa có số liệu đảng viên đến ngày họp %(day)s: nhập tổng số.") % {
                    "day": day
                }
            return
        # The cell's membership figure on the meeting date decides; typing is only for a cell without one.
        field.required = False
        field.widget.attrs["placeholder"] = str(official_members)
        if meeting_known:
            field.help_text = _(
                "Theo số liệu của chi bộ đến ngày họp %(day)s: %(count)s đảng viên chính thức; số này được dùng."
            ) % {"day": day, "count": official_members}
        else:
            field.help_text = _(
                "Theo số liệu mới nhất của chi bộ (đến hôm nay, %(day)s): %(count)s đảng viên chính thức. Khi ghi "
                "nhận, số liệu đến ngày họp được dùng."
            ) % {"day": day, "count": official_members}

    @classmethod
    def sent_date(cls, data) -> datetime.date | None:
        """The date sent with the form, if it is a valid one (before the form is validated)."""
        if "on" not in cls.base_fields or not data:
            return None
        try:
            return cls.base_fields["on"].clean(data.get("on"))
        except forms.ValidationError:
            return None

    def service_kwargs(self) -> dict:
        data = {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}
        people = [data.pop(name) for name in ("introducer_1", "introducer_2", "mentor") if name in data]
        if people:
            data["people"] = people
        return data


def _on(label):
    return forms.DateField(label=label, widget=DATE_INPUT, initial=timezone.localdate)


def _text(label, column: str, *, required=False, help_text="", model=StepEvent):
    """A text field as long as the column it is stored in (`model.column`), so a longer text is
    refused on the form, named, instead of failing the save; stored clean like the model fields."""
    max_length = model._meta.get_field(column).max_length
    return CleanFormField(label=label, required=required, max_length=max_length, help_text=help_text)


def _votes():
    return forms.IntegerField(label=_("Số tán thành"), min_value=0, max_value=MAX_VOTERS)


def _exceptions(step):
    choices = [("", _("Không"))] + [
        (value.value, value.label) for value in RuleException if value in STEP_EXCEPTIONS[step]
    ]
    return {
        "exception": forms.ChoiceField(
            label=_("Ngoại lệ có văn bản cho phép (nếu có)"), choices=choices, required=False
        ),
        "exception_note": _text(_("Số, ngày văn bản cho phép ngoại lệ"), "exception_note"),
    }


def _step_fields(step: str) -> dict:
    if step == Step.AWARENESS_CLASS:
        return {
            "on": _on(_("Ngày cấp chứng nhận")),
            "document_number": _text(_("Số chứng nhận"), "document_number"),
            "acting_body": _text(_("Nơi mở lớp (trung tâm chính trị)"), "acting_body"),
        }
    if step == Step.APPLICATION:
        return {
            "on": _on(_("Ngày làm đơn xin vào Đảng")),
            "introduction": forms.ChoiceField(label=_("Hình thức giới thiệu"), choices=Introduction.choices),
            "introducer_1": _text(_("Đảng viên giới thiệu thứ nhất"), "helper_name", model=Candidate, required=True),
            "introducer_2": _text(_("Đảng viên giới thiệu thứ hai"), "helper_name", model=Candidate),
            "document_number": _text(_("Số nghị quyết giới thiệu của Đoàn / Công đoàn (nếu có)"), "document_number"),
        }
    if step == Step.VERIFICATION:
        return {
            "on": _on(_("Ngày có kết quả thẩm tra")),
            "document_number": _text(_("Số văn bản kết luận thẩm tra"), "document_number"),
            "acting_body": _text(_("Cấp ủy thẩm tra"), "acting_body"),
        }
    if step == Step.REFERENCES:
        return {
            "on": _on(_("Ngày tổng hợp ý kiến")),
            "document_number": _text(_("Số tổng hợp nhận xét (mẫu 5-KNĐ)"), "document_number"),
        }
    if step == Step.CELL_RESOLUTION:
        return {
            "on": _on(_("Ngày chi bộ họp xét")),
            "document_number": _text(_("Số nghị quyết (mẫu 6-KNĐ)"), "document_number", required=True),
            "votes_for": _votes(),
            "voters_total": forms.IntegerField(
                label=_("Tổng số đảng viên chính thức của chi bộ"), min_value=1, max_value=MAX_VOTERS
            ),
            **_exceptions(step),
        }
    if step == Step.REVIEW:
        return {
            "on": _on(_("Ngày thẩm định")),
            "document_number": _text(_("Số báo cáo thẩm định (mẫu 7-KNĐ, 8-KNĐ)"), "document_number", required=True),
            "acting_body": _text(_("Cấp ủy thẩm định"), "acting_body", required=True),
            "votes_for": _votes(),
            "voters_total": forms.IntegerField(label=_("Tổng số ủy viên cấp ủy"), min_value=1, max_value=MAX_VOTERS),
        }
    if step == Step.DECISION:
        return {
            "on": _on(_("Ngày quyết định (là ngày kết nạp)")),
            "document_number": _text(
                _("Số quyết định kết nạp (mẫu 9-KNĐ)"), "decision_number", required=True, model=Admission
            ),
            "acting_body": _text(_("Cấp ủy quyết định"), "acting_body", required=True),
            **_exceptions(step),
        }
    if step == Step.CEREMONY:
        return {
            "on": _on(_("Ngày lễ kết nạp")),
            "received_on": forms.DateField(
                label=_("Ngày chi bộ nhận quyết định"),
                widget=DATE_INPUT,
                required=False,
                help_text=_("Để trống nếu nhận ngay ngày quyết định."),
            ),
            **_exceptions(step),
        }
    if step == Step.PROBATION:
        return {
            "on": _on(_("Ngày phân công")),
            "mentor": _text(
                _("Đảng viên chính thức giúp đỡ đảng viên dự bị"), "mentor_name", model=Candidate, required=True
            ),
        }
    if step == Step.FULL_MEMBERSHIP:
        return {
            "on": _on(_("Ngày chi bộ xét công nhận")),
            "document_number": _text(_("Số nghị quyết / quyết định công nhận"), "document_number", required=True),
            "votes_for": _votes(),
            "voters_total": forms.IntegerField(
                label=_("Tổng số đảng viên chính thức của chi bộ"), min_value=1, max_value=MAX_VOTERS
            ),
            **_exceptions(step),
        }
    raise ValueError(step)


def step_form(step: str) -> type[StepForm]:
    return type(f"{Step(step).name.title().replace('_', '')}Form", (StepForm,), {"step": step, **_step_fields(step)})


class ExtendForm(forms.Form):
    on = _on(_("Ngày gia hạn"))
    working_days = forms.IntegerField(label=_("Số ngày làm việc gia hạn"), min_value=1, initial=30)
    document_number = _text(_("Số văn bản gia hạn"), "document_number")
    acting_body = _text(_("Cấp ủy gia hạn"), "acting_body")


class CertificateForm(forms.Form):
    """A new awareness-class certificate, recorded without touching the steps after the first one."""

    on = _on(_("Ngày cấp chứng nhận mới"))
    document_number = _text(_("Số chứng nhận"), "document_number", required=True)
    acting_body = _text(_("Nơi mở lớp (trung tâm chính trị)"), "acting_body")


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Kết quả"), choices=[])
    on = _on(_("Ngày"))
    reason = CleanFormField(label=_("Lý do"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    document_number = _text(_("Số văn bản (nếu có)"), "document_number")

    def __init__(self, *args, candidate: Candidate, **kwargs):
        super().__init__(*args, **kwargs)
        if step_index(candidate.step) >= step_index(Step.DECISION):
            outcomes = [Status.REMOVED]
        else:
            outcomes = [Status.WITHDRAWN, Status.REJECTED]
        self.fields["outcome"].choices = [(status.value, status.label) for status in outcomes]


class ReasonForm(forms.Form):
    reason = CleanFormField(label=_("Lý do"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class AdmissionForm(forms.ModelForm):
    """A historical admission entered directly, without the earlier steps."""

    organization = OrganizationChoiceField(queryset=Organization.objects.none(), label=_("Chi bộ"))

    class Meta:
        model = Admission
        fields = ["organization", "decision_number", "admitted_on", "deciding_body", *PERSON_FIELDS, "age_consent"]
        widgets = {**PERSON_WIDGETS, "admitted_on": DATE_INPUT}

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations

    def _post_clean(self):
        pass  # the service validates and refuses duplicates with a readable message


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp .xlsx"), help_text=_("Theo mẫu; tối đa 5 MB."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            uploads.check_upload_size(upload)  # the content is checked by the importer (partytrack.uploads)
        except uploads.UploadRefused as exc:
            raise forms.ValidationError(exc.message) from None
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Chọn tệp Excel .xlsx."))
        return upload
