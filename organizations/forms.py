"""Forms for the organization pages; every write goes through organizations.services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from mptt.forms import TreeNodeChoiceField

from . import restructuring, validators
from .models import Kind, MembershipFigure, Organization, Sector

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganizationForm(forms.ModelForm):
    """With `parent` (the create page), the kinds offered are those allowed directly under it; the
    services check the same rule for every write (API, admin, moves)."""

    class Meta:
        model = Organization
        fields = ["name", "short_name", "code", "kind", "sector", "position", "valid_from"]
        widgets = {"valid_from": DATE_INPUT}

    def __init__(self, *args, parent: Organization | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if parent is not None:
            allowed = validators.kinds_allowed_under(parent.kind)
            field = self.fields["kind"]
            field.choices = [(value, label) for value, label in field.choices if value in allowed]
            field.error_messages["invalid_choice"] = _(
                "Loại hình này không được trực thuộc “%(parent)s”: chọn một loại hình trong danh sách."
            ) % {"parent": parent.name.replace("%", "%%")}  # Django formats this message again
            if self.initial.get("kind") not in allowed and allowed:
                self.initial["kind"] = Kind.CELL if Kind.CELL in allowed else allowed[0]


class EffectiveDateMixin(forms.Form):
    """When a change of structure takes effect (issue 14): today unless a decision says otherwise (an
    earlier day for a decision recorded late, a later one for a decision taking effect later)."""

    effective_on = forms.DateField(
        label=_("Có hiệu lực từ ngày"),
        widget=DATE_INPUT,
        required=False,
        initial=timezone.localdate,
        help_text=_("Để trống: hôm nay. Báo cáo các kỳ trước ngày này giữ cơ cấu cũ."),
    )

    def effective_day(self):
        return self.cleaned_data.get("effective_on") or timezone.localdate()


class OrganizationEditForm(EffectiveDateMixin, OrganizationForm):
    correction = forms.BooleanField(
        label=_("Sửa sai (áp dụng cho mọi thời kỳ)"),
        required=False,
        help_text=_("Chọn khi sửa lỗi ghi nhầm tên: các văn bản, báo cáo trước đây cũng dùng tên đã sửa."),
    )

    def changes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("effective_on", "correction")}

    def effective_day(self):
        from .structure import ALWAYS

        return ALWAYS if self.cleaned_data.get("correction") else super().effective_day()


class OrganizationMoveForm(EffectiveDateMixin, forms.Form):
    new_parent = TreeNodeChoiceField(queryset=Organization.objects.none(), label=_("Chuyển về trực thuộc"))

    def __init__(self, *args, user, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        # Neither the organization nor anything below it (a cycle the service refuses anyway; listed, they
        # showed indented under an unrelated organization since the moved one is hidden), and only kinds
        # that may hold it.
        own_subtree = organization.get_descendants(include_self=True)
        allowed_parents = [kind for kind in Kind.values if validators.kind_allowed_under(organization.kind, kind)]
        self.fields["new_parent"].queryset = (
            Organization.objects.parents_for(user)
            .active()
            .exclude(pk__in=own_subtree.values("pk"))
            .filter(kind__in=allowed_parents)
            .order_by("tree_id", "lft")
        )


class OrganizationMergeForm(forms.Form):
    sources = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.none(),
        label=_("Các tổ chức hợp nhất vào tổ chức này"),
        widget=forms.CheckboxSelectMultiple,
    )
    on = forms.DateField(label=_("Ngày hợp nhất có hiệu lực"), widget=DATE_INPUT, initial=timezone.localdate)

    def __init__(self, *args, user, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sources"].queryset = (
            Organization.objects.editable_by(user)
            .active()
            .filter(parent_id=organization.parent_id)
            .exclude(pk=organization.pk)
            .in_report_order()
        )


class OrganizationDissolveForm(forms.Form):
    on = forms.DateField(label=_("Ngày giải thể có hiệu lực"), widget=DATE_INPUT, initial=timezone.localdate)


class MembershipFigureForm(forms.ModelForm):
    class Meta:
        model = MembershipFigure
        fields = ["as_of", "cell_count", "member_count", "official_member_count"]
        widgets = {"as_of": DATE_INPUT}

    def clean(self):
        data = super().clean()
        total, official = data.get("member_count"), data.get("official_member_count")
        if total is not None and official is not None and official > total:
            self.add_error("official_member_count", _("Số đảng viên chính thức không được lớn hơn tổng số đảng viên."))
        return data


class RestructuringForm(forms.Form):
    """A restructuring decision: its number, issuing body and dates (issue 14, item 4)."""

    number = forms.CharField(label=_("Số quyết định / nghị quyết"), max_length=100)
    issuing_body = forms.CharField(label=_("Cơ quan ban hành"), max_length=200)
    decided_on = forms.DateField(label=_("Ngày ban hành"), widget=DATE_INPUT)
    effective_on = forms.DateField(label=_("Ngày có hiệu lực"), widget=DATE_INPUT)


class RestructuringStepForm(forms.Form):
    """One step, organizations named by their code (the list offers the codes in the user's scope)."""

    ACTION_CHOICES = [("", "—"), *((key, label) for key, label in restructuring.ACTIONS.items())]

    action = forms.ChoiceField(label=_("Thao tác"), choices=ACTION_CHOICES, required=False)
    organizations = forms.CharField(
        label=_("Tổ chức (mã)"),
        required=False,
        max_length=2000,
        help_text=_("Hợp nhất: các mã cách nhau bởi dấu phẩy; thao tác khác: một mã. Thành lập: mã mới."),
    )
    target = forms.CharField(
        label=_("Vào / về (mã)"),
        required=False,
        max_length=50,
        help_text=_("Hợp nhất vào; chuyển về; thành lập trực thuộc."),
    )
    name = forms.CharField(label=_("Tên mới"), required=False, max_length=255)
    kind = forms.ChoiceField(label=_("Loại hình"), choices=[("", "—"), *Kind.choices], required=False)
    sector = forms.ChoiceField(label=_("Khối"), choices=Sector.choices, required=False, initial=Sector.RESIDENTIAL)

    def step(self) -> dict | None:
        """The step as organizations.restructuring takes it; None for an empty row."""
        data = self.cleaned_data
        action = data.get("action")
        if not action:
            return None
        codes = [code.strip() for code in (data.get("organizations") or "").split(",") if code.strip()]
        first = codes[0] if codes else ""
        target = (data.get("target") or "").strip()
        if action == "found":
            return {
                "action": action,
                "code": first,
                "name": data.get("name", ""),
                "kind": data.get("kind", ""),
                "sector": data.get("sector") or Sector.RESIDENTIAL,
                "parent": target or None,
            }
        if action == "merge":
            return {"action": action, "into": target, "sources": codes}
        if action == "move":
            return {"action": action, "organization": first, "parent": target}
        if action == "rename":
            return {"action": action, "organization": first, "name": data.get("name", "")}
        return {"action": action, "organization": first}


RestructuringStepFormSet = forms.formset_factory(
    RestructuringStepForm, extra=6, max_num=restructuring.MAX_STEPS, validate_max=True
)
