"""A restructuring decision applied as one operation (issue 14, item 4): its steps (found a new unit,
merge units into one, abolish a level, move, rename, dissolve) run in order through the tree services
with the decision's effective date, inside one transaction: all of them or none. A preview runs the
same steps and rolls them back, so what it shows is what confirming does.

Steps name organizations by code (a unit founded by an earlier step of the same decision can be named
by the code it was given):

    {"action": "found", "code": "BN", "name": "Tỉnh ủy Bắc Ninh", "kind": "province", "parent": null}
    {"action": "merge", "into": "BN", "sources": ["BG", "BN-OLD"]}
    {"action": "abolish", "organization": "BG-LN"}     # its children go to the level above; it closes
    {"action": "move", "organization": "HD-CG-X01", "parent": "HP"}
    {"action": "rename", "organization": "LD-HL", "name": "Đảng ủy xã Hàm Liêm"}
    {"action": "dissolve", "organization": "X"}

What else moves with the organizations (open candidates, plans and quotas of the year) is reported by
the apps that keep it, through organizations.signals.restructuring_impact; role assignments at an
organization that closed or moved are marked for an administrator's review.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services, signals
from .models import Organization, Restructuring, RoleAssignment

ACTIONS = {
    "found": gettext_lazy("Thành lập"),
    "merge": gettext_lazy("Hợp nhất"),
    "abolish": gettext_lazy("Bỏ cấp"),
    "move": gettext_lazy("Chuyển"),
    "rename": gettext_lazy("Đổi tên"),
    "dissolve": gettext_lazy("Giải thể"),
}
MAX_STEPS = 200


@dataclass
class Outcome:
    """What a restructuring changes: one line per step, what the other apps say moves with it, and
    the role assignments to review."""

    effects: list[str] = field(default_factory=list)
    impacts: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    restructuring: Restructuring | None = None


class _Preview(Exception):
    def __init__(self, outcome: Outcome):
        self.outcome = outcome


class _Steps:
    """Runs the steps of one decision, naming organizations by code."""

    def __init__(self, *, by, on: datetime.date):
        self.by, self.on = by, on
        self.outcome = Outcome()
        self.moved: dict[int, str] = {}  # organization id -> what happened to it (for role reviews)
        self.touched: set[int] = set()  # every organization whose place changed, with its subtree

    def org(self, code, what: str) -> Organization:
        code = str(code or "").strip()
        if not code:
            raise ValidationError(_("ghi mã %(what)s") % {"what": what})
        found = Organization.objects.filter(code=code).first()
        if found is None or (
            self.by is not None and not Organization.objects.visible_to(self.by).filter(pk=found.pk).exists()
        ):
            raise ValidationError(
                _("không tìm thấy %(what)s có mã “%(code)s” trong phạm vi của bạn") % {"what": what, "code": code}
            )
        return found

    def run(self, step: dict) -> None:
        action = step.get("action")
        if action not in ACTIONS:
            raise ValidationError(_("thao tác phải là một trong: %(actions)s") % {"actions": ", ".join(ACTIONS)})
        getattr(self, f"_{action}")(step)

    def _found(self, step: dict) -> None:
        parent = self.org(step["parent"], _("tổ chức cấp trên")) if step.get("parent") else None
        code = str(step.get("code") or "").strip()
        if not code:
            raise ValidationError(_("ghi mã của tổ chức mới"))
        if Organization.objects.filter(code=code).exists():
            raise ValidationError(_("mã “%(code)s” đã được dùng cho một tổ chức khác: chọn mã khác") % {"code": code})
        created = services.organization_create(
            parent=parent,
            name=step.get("name", ""),
            code=code,
            kind=step.get("kind", ""),
            sector=step.get("sector", "residential"),
            short_name=step.get("short_name", ""),
            valid_from=self.on,
            by=self.by,
        )
        where = f" {_('trực thuộc')} {parent.name}" if parent else ""
        self.outcome.effects.append(_("Thành lập %(name)s%(where)s.") % {"name": created.name, "where": where})

    def _merge(self, step: dict) -> None:
        target = self.org(step.get("into"), _("tổ chức hợp nhất vào"))
        sources = [self.org(code, _("tổ chức hợp nhất")) for code in step.get("sources") or []]
        if not sources:
            raise ValidationError(_("chọn ít nhất một tổ chức để hợp nhất"))
        self.touched |= set(
            Organization.objects.filter(parent__in=sources).active(self.on).values_list("pk", flat=True)
        )
        services.organization_merge(sources=sources, target=target, on=self.on, by=self.by)
        for source in sources:
            self.moved[source.pk] = _("đã hợp nhất vào %(name)s") % {"name": target.name}
        names = ", ".join(source.name for source in sources)
        self.outcome.effects.append(_("Hợp nhất %(names)s vào %(target)s.") % {"names": names, "target": target.name})

    def _abolish(self, step: dict) -> None:
        level = self.org(step.get("organization"), _("tổ chức bỏ cấp"))
        above = Organization.objects.filter(pk=level.parent_id).first()
        if above is None:
            raise ValidationError(
                _("“%(name)s” không có cấp trên để nhận các tổ chức trực thuộc") % {"name": level.name}
            )
        children = list(Organization.objects.filter(parent=level).active(self.on).order_by("lft"))
        for child in children:
            services.organization_move(organization=child, new_parent=above, on=self.on, by=self.by)
            self.moved[child.pk] = _("đã chuyển về trực thuộc %(name)s") % {"name": above.name}
        services.organization_dissolve(organization=Organization.objects.get(pk=level.pk), on=self.on, by=self.by)
        self.moved[level.pk] = _("đã thôi hoạt động (bỏ cấp)")
        self.outcome.effects.append(
            _("Bỏ cấp %(name)s: %(count)d tổ chức trực thuộc chuyển về %(above)s; %(name)s thôi hoạt động.")
            % {"name": level.name, "count": len(children), "above": above.name}
        )

    def _move(self, step: dict) -> None:
        organization = self.org(step.get("organization"), _("tổ chức chuyển"))
        parent = self.org(step.get("parent"), _("tổ chức cấp trên mới"))
        services.organization_move(organization=organization, new_parent=parent, on=self.on, by=self.by)
        self.moved[organization.pk] = _("đã chuyển về trực thuộc %(name)s") % {"name": parent.name}
        self.outcome.effects.append(
            _("Chuyển %(name)s về trực thuộc %(parent)s.") % {"name": organization.name, "parent": parent.name}
        )

    def _rename(self, step: dict) -> None:
        organization = self.org(step.get("organization"), _("tổ chức đổi tên"))
        if not str(step.get("name") or "").strip():
            raise ValidationError(_("ghi tên mới của “%(name)s”") % {"name": organization.name})
        changes = {"name": step.get("name", "")}
        if "short_name" in step:
            changes["short_name"] = step["short_name"]
        renamed = services.organization_update(organization=organization, on=self.on, by=self.by, **changes)
        self.outcome.effects.append(
            _("Đổi tên %(old)s thành %(new)s.") % {"old": organization.name, "new": renamed.name}
        )

    def _dissolve(self, step: dict) -> None:
        organization = self.org(step.get("organization"), _("tổ chức giải thể"))
        services.organization_dissolve(organization=organization, on=self.on, by=self.by)
        self.moved[organization.pk] = _("đã giải thể")
        self.outcome.effects.append(_("Giải thể %(name)s.") % {"name": organization.name})


def _check(*, number: str, issuing_body: str, decided_on, effective_on, steps) -> None:
    errors = {}
    if not str(number or "").strip():
        errors["number"] = _("Nhập số quyết định.")
    if not str(issuing_body or "").strip():
        errors["issuing_body"] = _("Nhập cơ quan ban hành.")
    if not isinstance(decided_on, datetime.date) or not isinstance(effective_on, datetime.date):
        errors["effective_on"] = _("Nhập ngày ban hành và ngày có hiệu lực.")
    elif effective_on < decided_on:
        errors["effective_on"] = _("Ngày có hiệu lực không được trước ngày ban hành.")
    if not isinstance(steps, list) or not steps or not all(isinstance(step, dict) for step in steps):
        errors["steps"] = _("Nhập ít nhất một bước.")
    elif len(steps) > MAX_STEPS:
        errors["steps"] = _("Một quyết định có nhiều nhất %(max)d bước.") % {"max": MAX_STEPS}
    if errors:
        raise ValidationError(errors)


def _label(index: int, step: dict) -> str:
    return _("Bước %(number)d (%(action)s)") % {"number": index, "action": ACTIONS.get(step.get("action"), "?")}


def restructuring_apply(
    *,
    organization: Organization,
    number: str,
    issuing_body: str,
    decided_on: datetime.date,
    effective_on: datetime.date,
    steps: list[dict],
    by,
    preview: bool = False,
) -> Outcome:
    """Apply a restructuring decision recorded at `organization` (one `by` manages: staff and
    administrators of it or above):
    every step or none. With `preview`, everything is done and then rolled back: the outcome says
    what confirming would change. A refused step names itself: "Bước 3 (Hợp nhất): …"."""
    _check(number=number, issuing_body=issuing_body, decided_on=decided_on, effective_on=effective_on, steps=steps)
    if by is not None and not Organization.objects.parents_for(by).filter(pk=organization.pk).exists():
        raise PermissionDenied
    if Restructuring.objects.filter(organization=organization, number=str(number).strip()).exists():
        raise ValidationError({"number": _("Quyết định số %(number)s đã được ghi nhận.") % {"number": number}})
    try:
        with transaction.atomic():
            outcome = _apply(organization, number, issuing_body, decided_on, effective_on, steps, by)
            if preview:
                raise _Preview(outcome)
    except _Preview as done:
        done.outcome.restructuring = None
        return done.outcome
    return outcome


def _apply(organization, number, issuing_body, decided_on, effective_on, steps, by) -> Outcome:
    runner = _Steps(by=by, on=effective_on)
    for index, step in enumerate(steps, start=1):
        try:
            runner.run(step)
        except ValidationError as exc:
            messages = [
                m for ms in (exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]) for m in ms
            ]
            raise ValidationError({"steps": f"{_label(index, step)}: {' '.join(messages)}"}) from exc
        except PermissionDenied as exc:
            raise ValidationError({"steps": f"{_label(index, step)}: {_('ngoài phạm vi của bạn')}"}) from exc
    outcome = runner.outcome
    affected = set(runner.moved)
    below = set()
    for org in Organization.objects.filter(pk__in=affected | runner.touched):
        below |= set(org.get_descendants(include_self=True).values_list("pk", flat=True))
    for _receiver, lines in signals.restructuring_impact.send(
        sender=Organization, organization_ids=below, on=effective_on
    ):
        outcome.impacts.extend(lines or [])
    note = _("Sau quyết định %(number)s") % {"number": number}
    for assignment in RoleAssignment.objects.filter(organization_id__in=affected).select_related(
        "organization", "user"
    ):
        assignment.review_note = f"{note}: {assignment.organization.name} {runner.moved[assignment.organization_id]}"[
            :300
        ]
        assignment._history_user = by
        assignment.save(update_fields=["review_note"])
        outcome.roles.append(
            _("%(user)s — %(role)s tại %(organization)s: %(what)s")
            % {
                "user": assignment.user.get_username(),
                "role": assignment.get_role_display(),
                "organization": assignment.organization.name,
                "what": runner.moved[assignment.organization_id],
            }
        )
    record = Restructuring(
        organization=organization,
        number=str(number).strip(),
        issuing_body=str(issuing_body).strip(),
        decided_on=decided_on,
        effective_on=effective_on,
        steps=steps,
        summary={"effects": outcome.effects, "impacts": outcome.impacts, "roles": outcome.roles},
        recorded_by=by,
    )
    record._history_user = by
    record.save()
    outcome.restructuring = record
    return outcome
