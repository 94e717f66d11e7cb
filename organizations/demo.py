"""Demo organizations from fixtures/demo_organizations.json, created through the tree services.

Idempotent: an organization is found by its code and updated, never created twice; once the demo's
restructuring (organizations.demo_restructuring) is recorded, existing organizations are left as it
made them.
"""

from __future__ import annotations

import datetime
import json

from django.conf import settings
from django.db import transaction

from . import demo_restructuring, services
from .models import Organization

FIXTURE = settings.BASE_DIR / "fixtures" / "demo_organizations.json"
FIELDS = ("name", "short_name", "kind", "sector", "position", "valid_from")


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _load_node(node: dict, parent: Organization | None, counts: dict, *, settled: bool) -> None:
    values = {field: node.get(field, "" if field == "short_name" else None) for field in FIELDS}
    values["position"] = values["position"] or 0
    values["valid_from"] = _date(values["valid_from"])
    organization = Organization.objects.filter(code=node["code"]).first()
    if organization is None:
        organization = services.organization_create(parent=parent, code=node["code"], **values)
        counts["created"] += 1
    else:
        counts["kept"] += 1
        if not settled:
            if organization.parent_id != (parent.pk if parent else None):
                organization = services.organization_move(organization=organization, new_parent=parent)
            changed = {f: v for f, v in values.items() if getattr(organization, f) != v}
            if changed:
                organization = services.organization_update(organization=organization, **changed)
    for figure in node.get("figures", []):
        services.membership_figure_record(
            organization=organization,
            as_of=_date(figure["as_of"]),
            member_count=figure["member_count"],
            official_member_count=figure["official_member_count"],
            cell_count=figure.get("cell_count"),
        )
    for child in node.get("children", []):
        _load_node(child, organization, counts, settled=settled)


@transaction.atomic
def load(*, stdout) -> None:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    counts = {"created": 0, "kept": 0}
    # Once the demo's 2025 restructuring is recorded, the tree of today is its outcome: the fixture's
    # 2022 parents and names are history and must not be put back.
    settled = demo_restructuring.applied()
    for root in data["organizations"]:
        _load_node(root, None, counts, settled=settled)
    stdout.write(f"Tổ chức: {counts['created']} tạo mới, {counts['kept']} đã có.")
