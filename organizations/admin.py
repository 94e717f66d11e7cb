from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from mptt.admin import MPTTModelAdmin

from partytrack import login_throttle
from partytrack.admin import HistoryAdmin

from . import services
from .admin_scope import ScopedAdmin
from .models import MembershipFigure, Organization, Role, RoleAssignment

# Text prefixed to a name once per level below the top in the change list (no inline style: the
# Content-Security-Policy allows only the application's own style files).
TREE_INDENT = "— "


@admin.register(Organization)
class OrganizationAdmin(ScopedAdmin, HistoryAdmin, MPTTModelAdmin):
    # django-mptt's change list indents the first column with style="padding-left: …" attributes, which
    # the CSP blocks; the plain Django change list with an indented name column shows the tree instead.
    change_list_template = "admin/change_list.html"
    list_display = ["tree_name", "code", "kind", "sector", "valid_from", "valid_to"]
    list_display_links = ["tree_name"]
    list_filter = ["kind", "sector"]
    search_fields = ["name", "code", "search_name"]
    readonly_fields = ["parent", "merged_into"]  # tree changes go through the move/merge pages

    @admin.display(description=_("tên"))
    def tree_name(self, obj):
        # Rows come in tree order (get_ordering: tree_id, lft), so the prefix reads as the hierarchy.
        return f"{TREE_INDENT * obj.level}{obj.name}"

    def has_add_permission(self, request):
        return False  # created from the organization pages, which take the tree lock

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class ServiceCheckedForm(form):
            def clean(self):
                """Try the change through the service in a savepoint that is always rolled back, so a
                refusal (tree rules, dates, candidates still followed) shows on the form, field by field,
                instead of failing the save; save_model then makes it for real."""
                data = super().clean()
                if self.instance.pk is None or self._errors:
                    return data
                changes = _tree_changes(self)
                if not changes:
                    return data
                try:
                    with transaction.atomic():
                        services.organization_update(organization=self.instance, by=request.user, **changes)
                        raise _DryRun
                except _DryRun:
                    pass
                except ValidationError as error:
                    if not hasattr(error, "error_dict"):
                        raise
                    for field, errors in error.error_dict.items():
                        self.add_error(field if field in self.fields else None, errors)
                return data

        return ServiceCheckedForm

    def save_model(self, request, obj, form, change):
        changes = _tree_changes(form)
        if changes:
            services.organization_update(organization=obj, by=request.user, **changes)


class _DryRun(Exception):
    pass


def _tree_changes(form) -> dict:
    return {field: form.cleaned_data[field] for field in form.changed_data if field in services.TREE_FIELDS}


NEW_ACCOUNT_FIELDS = ("new_username", "new_full_name", "new_password1", "new_password2")


class RoleAssignmentForm(forms.ModelForm):
    """Grant a role to an existing account, or create the account with its first password and grant
    the role in one step: a subtree administrator has no access to the user admin (people of other
    subtrees), so this is how they give a new cell secretary an account."""

    new_username = forms.CharField(
        label=_("Hoặc tạo tài khoản mới: tên đăng nhập"),
        required=False,
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Để trống nếu chọn người dùng có sẵn ở trên."),
    )
    new_full_name = forms.CharField(label=_("Họ và tên"), required=False, max_length=150)
    new_password1 = forms.CharField(
        label=_("Mật khẩu ban đầu"), required=False, strip=False, widget=forms.PasswordInput(render_value=False)
    )
    new_password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"), required=False, strip=False, widget=forms.PasswordInput(render_value=False)
    )

    class Meta:
        model = RoleAssignment
        fields = ["user", "organization", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and "user" in self.fields:
            self.fields["user"].required = False

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None:  # changing a grant: the account is the one granted
            return data
        username = (data.get("new_username") or "").strip()
        if bool(data.get("user")) == bool(username):
            raise ValidationError(
                _("Chọn một người dùng có sẵn hoặc nhập tên đăng nhập của tài khoản mới (một trong hai).")
            )
        if not username:
            return data
        User = get_user_model()
        if User.objects.filter(username__iexact=username).exists():
            self.add_error("new_username", _("Tên đăng nhập này đã có người dùng."))
        password, again = data.get("new_password1") or "", data.get("new_password2") or ""
        if not password:
            self.add_error("new_password1", _("Nhập mật khẩu ban đầu của tài khoản mới."))
        elif password != again:
            self.add_error("new_password2", _("Hai mật khẩu không khớp."))
        else:
            try:
                validate_password(password, User(username=username, first_name=data.get("new_full_name") or ""))
            except ValidationError as error:
                self.add_error("new_password1", error)
        return data


class LoginLockFilter(admin.SimpleListFilter):
    title = _("đăng nhập")
    parameter_name = "login"

    def lookups(self, request, model_admin):
        return [("locked", _("đang bị tạm khóa"))]

    def queryset(self, request, queryset):
        if self.value() == "locked":
            return queryset.filter(user__username__in=list(login_throttle.locked_accounts()))
        return queryset


class ReviewFilter(admin.SimpleListFilter):
    """The roles a restructuring marked for review (their organization closed or moved)."""

    title = _("cần xem lại")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("yes", _("Cần xem lại sau sắp xếp tổ chức"))]

    def queryset(self, request, queryset):
        return queryset.exclude(review_note="") if self.value() == "yes" else queryset


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedAdmin, HistoryAdmin):
    """Roles of the subtree's accounts; also where a subtree administrator sees whose login is locked
    (too many wrong passwords) and unlocks it (the lockout page sends people to them)."""

    form = RoleAssignmentForm
    list_display = ["user", "role", "organization", "granted_at", "review_note"]
    list_filter = ["role", ReviewFilter, LoginLockFilter]
    search_fields = ["user__username", "organization__name", "organization__code"]
    raw_id_fields = ["organization"]
    actions = ["unlock_login"]

    def get_list_display(self, request):
        locks = login_throttle.locked_accounts()  # one query for the page, however many rows

        @admin.display(description=_("tạm khóa đăng nhập đến"))
        def login_locked_until(assignment):
            until = locks.get(assignment.user.get_username())
            return format_date(timezone.localtime(until), "H:i d/m/Y") if until else ""

        return [*self.list_display, login_locked_until]

    @admin.action(description=_("Mở khóa đăng nhập của người được chọn"), permissions=["change"])
    def unlock_login(self, request, queryset):
        # Django leaves out of `queryset` what the admin's (scoped) queryset does not hold: a role
        # assignment outside the administrator's subtree answers 404, as if it did not exist.
        selected = set(request.POST.getlist(ACTION_CHECKBOX_NAME))
        found = {str(pk) for pk in queryset.values_list("pk", flat=True)}
        if request.POST.get("select_across") != "1" and selected != found:
            raise Http404
        users = get_user_model().objects.filter(role_assignments__in=queryset).distinct().order_by("username")
        for user in users:
            services.login_unlock(user=user, by=request.user)
        names = ", ".join(user.get_username() for user in users)
        self.message_user(
            request,
            ngettext(
                "Đã mở khóa đăng nhập của %(count)d tài khoản: %(names)s.",
                "Đã mở khóa đăng nhập của %(count)d tài khoản: %(names)s.",
                len(users),
            )
            % {"count": len(users), "names": names},
            messages.SUCCESS,
        )

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return [(None, {"fields": ["user", "organization", "role"]})]
        return [
            (None, {"fields": ["organization", "role"]}),
            (_("Người được giao"), {"fields": ["user", *NEW_ACCOUNT_FIELDS]}),
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and not request.user.is_superuser:
            # A subtree administrator chooses among the accounts of their subtree and accounts that
            # hold no role yet (new ones, e.g. made by `grant_role`), never other subtrees' people
            # nor the superusers.
            users = field.queryset
            in_scope = RoleAssignment.objects.restrict(request.user, "administer").values("user_id")
            field.queryset = (
                users.filter(Q(pk__in=in_scope) | ~Q(pk__in=RoleAssignment.objects.values("user_id")))
                .exclude(is_superuser=True)
                .order_by("username")
            )
        return field

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        allowed = Organization.objects.restrict(request.user, "administer")

        class ScopedForm(form):
            def clean_organization(self):
                organization = self.cleaned_data["organization"]
                if not allowed.filter(pk=organization.pk).exists():
                    raise ValidationError(_("Tổ chức này nằm ngoài phạm vi bạn quản trị."))
                return organization

        return ScopedForm

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            if obj.role == Role.ADMIN and not obj.user.is_staff:
                services.role_grant(user=obj.user, organization=obj.organization, role=obj.role, by=request.user)
            return
        data = form.cleaned_data
        if data.get("new_username"):  # the admin's view runs this in one transaction with the grant
            obj.user = get_user_model().objects.create_user(
                data["new_username"].strip(), password=data["new_password1"], first_name=data["new_full_name"]
            )
        # A new grant goes through the service, which also opens the admin to a new administrator.
        obj.pk = services.role_grant(user=obj.user, organization=obj.organization, role=obj.role, by=request.user).pk

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)  # revoking a role is not deleting history


@admin.register(MembershipFigure)
class MembershipFigureAdmin(ScopedAdmin, HistoryAdmin):
    list_display = ["organization", "as_of", "cell_count", "member_count", "official_member_count"]
    raw_id_fields = ["organization"]
