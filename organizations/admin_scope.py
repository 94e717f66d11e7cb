"""The admin base of every model that belongs to an organization: administrators of a subtree see
and change only that subtree in /admin/, and an organization outside it is never named."""

from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from partytrack.history import OUTSIDE_SCOPE
from partytrack.text import clean_text, fold

from .models import Organization, Role, Scope


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """Django's raw-id input, naming the object beside the id only when it is one the user may
    choose: `?organization=<id of another subtree>` on an add page showed that organization's name."""

    def __init__(self, rel, admin_site, *, queryset, **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            if not self.queryset.filter(**{key: value}).exists():
                return "", ""  # what Django shows for an id that does not exist
        except (ValueError, TypeError):
            return "", ""
        return super().label_and_url_for_value(value)


def hide_outside_scope(obj, user) -> None:
    """Make the organizations `obj` refers to that `user` may not see (a parent above their subtree)
    read as OUTSIDE_SCOPE wherever the admin prints them (read-only fields), not by name."""
    if obj is None:
        return
    refs = {
        field: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.is_relation and field.related_model is Organization and getattr(obj, field.attname) is not None
    }
    if not refs:
        return
    visible = set(Organization.objects.visible_to(user).filter(pk__in=refs.values()).values_list("pk", flat=True))
    for field, pk in refs.items():
        if pk not in visible:
            field.set_cached_value(obj, Organization(pk=pk, name=str(OUTSIDE_SCOPE)))


class ScopedAdmin(admin.ModelAdmin):
    """The model's rows through its restricting queryset (`restrict(user, "administer")`)."""

    @property
    def organization_path(self) -> str:
        """The model's path to its Organization as a lookup prefix ("" for Organization itself)."""
        path = self.model.organization_path
        return f"{path}__" if path else ""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """An organization field offers (and names, in a raw-id input) only the organizations of the
        administrator's subtree; another one is refused like one that does not exist."""
        if db_field.related_model is Organization and "queryset" not in kwargs:
            kwargs["queryset"] = Organization.objects.restrict(request.user, "administer")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Organization:
            field.error_messages["invalid_choice"] = _("Tổ chức không có hoặc nằm ngoài phạm vi bạn quản trị.")
        if field is not None and type(field.widget) is ForeignKeyRawIdWidget:
            field.widget = ScopedRawIdWidget(
                field.widget.rel, field.widget.admin_site, queryset=field.queryset, using=field.widget.db
            )
        return field

    def hide_outside_scope(self, obj, user) -> None:
        hide_outside_scope(obj, user)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        hide_outside_scope(obj, request.user)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.restrict(request.user, "administer")

    def has_module_permission(self, request):
        return request.user.is_superuser or bool(Scope.of(request.user).organization_ids({Role.ADMIN}))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_change_permission = has_view_permission
    has_add_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is hard-deleted: organizations are dissolved, candidates withdrawn

    def get_search_results(self, request, queryset, search_term):
        """The search term read as the pages read it (partytrack.text): invisible characters dropped,
        and its folded form tried too, so "luc ngan" finds "Lục Ngạn" through the folded columns."""
        term = clean_text(search_term)
        found, duplicates = super().get_search_results(request, queryset, term)
        folded = fold(term)
        if folded and folded != term:
            more, more_duplicates = super().get_search_results(request, queryset, folded)
            found, duplicates = found | more, duplicates or more_duplicates
        return found, duplicates

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index with "does not exist"; outside the scope we answer 404 like
        # every other page, so an object's existence is not revealed.
        raise Http404
