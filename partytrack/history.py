"""One history page for every audited object: /history/<app_label>/<model>/<pk>/.

django-simple-history keeps a row per save (who, when, +/~/-); this page compares each row with the
one before it (simple_history's diff_against) and shows field by field the old and the new value,
foreign keys and choices turned into readable labels. Each app registers its audited models
(`register`, in its AppConfig.ready) with its own scoped selector, so the history is visible exactly
to those who may see the object (404 otherwise): candidates and admissions (personal data) only to
secretaries, staff and administrators of their organization, never to leaders."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

HISTORY_LIMIT = 300
# Bookkeeping that changes on every save and says nothing a reader needs.
SKIPPED_FIELDS = {"id", "created_at", "updated_at", "search_name", "folded_name"}

KIND_LABELS = {"+": gettext_lazy("Tạo mới"), "~": gettext_lazy("Sửa"), "-": gettext_lazy("Xóa")}


@dataclass(frozen=True)
class Audited:
    """How to fetch one kind of object for a user (raising DoesNotExist outside their scope), where
    its own page is, which of them the user may see (to name them when another object's history
    refers to them), and, for people's personal data, how the read is logged (request, object)."""

    get: Callable[..., models.Model]
    url: Callable[[models.Model], str]
    visible: Callable[..., models.QuerySet]
    on_read: Callable[..., None] | None = None


# Filled by each app in its AppConfig.ready (register): partytrack imports no app.
AUDITED: dict[tuple[str, str], Audited] = {}


def register(
    model: type[models.Model],
    *,
    get: Callable[..., models.Model],
    url: Callable[[models.Model], str],
    visible: Callable[..., models.QuerySet],
    on_read: Callable[..., None] | None = None,
) -> None:
    """Give `model` a history page: `get(user=, pk=)` fetches one object in the user's scope (raising
    DoesNotExist outside it), `url(obj)` is its own page, `visible(user=)` the objects the user may
    see, `on_read(request, obj)` logs the read of personal data."""
    AUDITED[(model._meta.app_label, model._meta.model_name)] = Audited(get, url, visible, on_read)


# What a history shows for a related object the reader may not see (a parent above their subtree,
# the district an organization was moved from): not its name, nor whether it still exists.
OUTSIDE_SCOPE = gettext_lazy("(ngoài phạm vi của bạn)")


def _scoped(model: type[models.Model]) -> Audited | None:
    return AUDITED.get((model._meta.app_label, model._meta.model_name))


def history_url(obj: models.Model) -> str:
    return reverse("history:object", args=[obj._meta.app_label, obj._meta.model_name, obj.pk])


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    kind: str
    kind_label: str
    reason: str = ""
    changes: list[Change] = field(default_factory=list)


def _user_label(user) -> str:
    if user is None:
        return _("hệ thống")
    return user.get_full_name() or user.get_username()


class _Labels:
    """Turns stored values into what a reader understands, looking foreign keys up once per model
    (those of `records` in one query per model; any other on first use). With `user`, a related
    object of an audited kind (AUDITED) is named only if the user may see it (OUTSIDE_SCOPE else)."""

    def __init__(self, model: type[models.Model], records, *, user=None):
        self.model = model
        self.user = user
        self.fields = {f.name: f for f in model._meta.concrete_fields}
        wanted: dict[type[models.Model], set] = {}
        for model_field in self.fields.values():
            if model_field.is_relation and model_field.related_model is not None:
                ids = {getattr(r, model_field.attname, None) for r in records} - {None}
                if ids:
                    wanted.setdefault(model_field.related_model, set()).update(ids)
        self.related = {related: self._readable(related).in_bulk(ids) for related, ids in wanted.items()}

    def _readable(self, related: type[models.Model]) -> models.QuerySet:
        audited = _scoped(related)
        if self.user is None or audited is None:
            return related._base_manager.all()
        return audited.visible(user=self.user)

    def _hidden(self, related: type[models.Model]) -> bool:
        return self.user is not None and _scoped(related) is not None

    def label(self, name: str) -> str:
        model_field = self.fields.get(name)
        return str(model_field.verbose_name) if model_field is not None else name

    def _related(self, related: type[models.Model], pk):
        known = self.related.setdefault(related, {})
        if pk not in known:
            known[pk] = self._readable(related).filter(pk=pk).first()
        return known[pk]

    def value(self, name: str, value) -> str:
        model_field = self.fields.get(name)
        if value is None or value == "":
            return "—"
        related = model_field.related_model if model_field is not None and model_field.is_relation else None
        if isinstance(value, DeletedObject):  # simple_history's stand-in for a deleted related row
            if related is not None and self._hidden(related):
                return str(OUTSIDE_SCOPE)  # gone or outside: the same answer
            return _("(đã xóa, mã %(pk)s)") % {"pk": value.pk}
        if related is not None:
            return self._related_value(related, value)
        if model_field is not None and model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        return _formatted(value)

    def _related_value(self, related: type[models.Model], value) -> str:
        """A related object by name, if the reader may see it."""
        pk = value.pk if isinstance(value, models.Model) else value
        obj = self._related(related, pk) if self._hidden(related) or not isinstance(value, models.Model) else value
        if obj is None and self._hidden(related):
            return str(OUTSIDE_SCOPE)
        if obj is None:
            return _("(đã xóa, mã %(pk)s)") % {"pk": value}
        if isinstance(obj, get_user_model()):
            return _user_label(obj)
        return str(obj)


def _formatted(value) -> str:
    """A plain value as the history page shows it: Có/Không, dd/mm/yyyy, grouped numbers."""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, datetime.datetime):
        return value.strftime("%H:%M %d/%m/%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | Decimal | float):
        return number_format(value, force_grouping=True)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


class ReadableHistoryContextHelper(HistoricalRecordContextHelper):
    """The "Thay đổi" column of django-simple-history's admin history page with the values of the
    history page above: choice labels ("Học lớp nhận thức về Đảng", not "awareness_class"), dates
    as dd/mm/yyyy, related objects by name. An admin uses it by returning it from
    SimpleHistoryAdmin.get_historical_record_context_helper."""

    def __init__(self, model, historical_record, *, user=None):
        super().__init__(model, historical_record)
        self.user = user

    def prepare_delta_change_value(self, change, value):
        model_field = self.model._meta.get_field(change.field)
        if model_field.many_to_many:
            return super().prepare_delta_change_value(change, value)
        if not hasattr(self, "_labels"):
            # Related objects come resolved from the admin; with the reader's scope they are named
            # only if the reader may see them.
            self._labels = _Labels(self.model, [], user=self.user)
        return self._labels.value(change.field, value)


def _tracked(record) -> list[str]:
    return [f.name for f in record.tracked_fields if f.editable and f.name not in SKIPPED_FIELDS]


def history_entries(obj: models.Model, *, limit: int = HISTORY_LIMIT, user=None) -> list[Entry]:
    """Every recorded change of `obj`, newest first, each with its field-by-field differences, related
    objects named as `user` may see them. Two queries: the history rows (with their users) and one
    per referenced model."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    records.reverse()  # oldest first: each row is compared with the one before it
    labels = _Labels(type(obj), records, user=user)
    entries: list[Entry] = []
    previous = None
    for record in records:
        names = _tracked(record)
        changes: list[Change] = []
        if previous is None or record.history_type == "+":
            if previous is None and len(records) > limit:
                previous = record  # the oldest row only anchors the comparison of the next one
                continue
            for name in names:
                new = getattr(record, labels.fields[name].attname if name in labels.fields else name, None)
                if new not in (None, "", False):
                    changes.append(Change(labels.label(name), "—", labels.value(name, new)))
        else:
            delta = record.diff_against(previous, included_fields=names)
            order = {name: index for index, name in enumerate(names)}
            for change in sorted(delta.changes, key=lambda c: order.get(c.field, 0)):
                changes.append(
                    Change(
                        labels.label(change.field),
                        labels.value(change.field, change.old),
                        labels.value(change.field, change.new),
                    )
                )
        previous = record
        if record.history_type == "~" and not changes and not record.history_change_reason:
            continue  # a save that changed nothing the reader sees
        entries.append(
            Entry(
                when=record.history_date,
                who=_user_label(record.history_user),
                kind=record.history_type,
                kind_label=str(KIND_LABELS.get(record.history_type, record.history_type)),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    entries.reverse()
    return entries


@login_required
@require_safe
def object_history(request, app_label: str, model: str, pk: int):
    audited = AUDITED.get((app_label, model))
    if audited is None:
        raise Http404
    try:
        obj = audited.get(user=request.user, pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    if audited.on_read is not None:
        audited.on_read(request, obj)
    return render(
        request,
        "history/object.html",
        {
            "object": obj,
            "verbose_name": obj._meta.verbose_name,
            "back": audited.url(obj),
            "entries": history_entries(obj, user=request.user),
            "limit": HISTORY_LIMIT,
        },
    )


app_name = "history"
urlpatterns = [
    path("<slug:app_label>/<slug:model>/<int:pk>/", object_history, name="object"),
]
