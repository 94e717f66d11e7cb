"""Compare the stored nested-set fields with what the parent links imply."""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from .models import Organization, OrganizationVersion
from .structure import DATED_FIELDS


@dataclass(frozen=True)
class TreeProblem:
    organization_id: int
    field: str
    stored: int
    expected: int


def tree_problems() -> list[TreeProblem]:
    """Rebuild tree_id/lft/rght/level in memory from `parent` (the source of truth), keeping the
    stored sibling order, and list every stored value that differs. Reads the table once."""
    rows = list(
        Organization.objects.order_by("tree_id", "lft").values_list(
            "id", "parent_id", "tree_id", "lft", "rght", "level"
        )
    )
    children: dict[int | None, list[int]] = defaultdict(list)
    stored = {}
    for pk, parent_id, tree_id, lft, rght, level in rows:
        children[parent_id].append(pk)
        stored[pk] = {"tree_id": tree_id, "lft": lft, "rght": rght, "level": level}
    expected: dict[int, dict[str, int]] = {}
    problems = []
    # A root keeps the tree_id it has (django-mptt leaves gaps when a root is moved under another
    # organization); what matters is that no two roots share one and every node carries its root's.
    roots_by_tree: dict[int, int] = {}
    for root in children[None]:
        tree_id = stored[root]["tree_id"]
        if tree_id in roots_by_tree:
            problems.append(TreeProblem(root, "tree_id", tree_id, 0))
        roots_by_tree.setdefault(tree_id, root)
    for root in children[None]:
        tree_index = stored[root]["tree_id"]
        counter = 1
        # Iterative depth-first walk: trees can be deep enough to exhaust Python's recursion limit.
        stack: list[tuple[int, int, bool]] = [(root, 0, False)]
        while stack:
            pk, level, closing = stack.pop()
            if closing:
                expected[pk]["rght"] = counter
                counter += 1
                continue
            expected[pk] = {"tree_id": tree_index, "lft": counter, "level": level}
            counter += 1
            stack.append((pk, level, True))
            for child in reversed(children.get(pk, [])):
                stack.append((child, level + 1, False))
    for pk, values in stored.items():
        if pk not in expected:  # unreachable from a root: a cycle in the parent links
            problems.append(TreeProblem(pk, "parent", 0, 0))
            continue
        for field in ("tree_id", "lft", "rght", "level"):
            if values[field] != expected[pk][field]:
                problems.append(TreeProblem(pk, field, values[field], expected[pk][field]))
    return problems


def kind_problems() -> list[tuple[int, str, str | None]]:
    """(id, kind, parent's kind) of every organization whose kind may not sit under its parent's
    (validators.ALLOWED_PARENT_KINDS). Sources merged into a target stay under it whatever their kind."""
    from .validators import kind_allowed_under

    kinds = dict(Organization.objects.values_list("id", "kind"))
    rows = Organization.objects.filter(merged_into__isnull=True).values_list("id", "kind", "parent_id")
    problems = []
    for pk, kind, parent_id in rows:
        parent_kind = kinds[parent_id] if parent_id is not None else None
        if not kind_allowed_under(kind, parent_kind):
            problems.append((pk, kind, parent_kind))
    return problems


def version_problems(today=None) -> list[tuple[int, str]]:
    """(id, what is wrong) for every organization whose dated versions (issue 14) do not follow one
    another without gap or overlap over exactly its life, or whose version of today is not its row
    (a change recorded ahead whose day has come: `manage.py apply_structure` makes it). Reads the two
    tables once."""
    today = today or timezone.localdate()
    rows = {row["id"]: row for row in Organization.objects.values("id", "valid_from", "valid_to", *DATED_FIELDS)}
    versions: dict[int, list[dict]] = defaultdict(list)
    for version in OrganizationVersion.objects.values("organization_id", "valid_from", "valid_to", *DATED_FIELDS):
        versions[version["organization_id"]].append(version)
    problems = []
    for pk, row in rows.items():
        own = sorted(versions.get(pk, []), key=lambda v: v["valid_from"] or datetime.date.min)
        if not own:
            problems.append((pk, "không có lịch sử cơ cấu"))
            continue
        if own[0]["valid_from"] != row["valid_from"] or own[-1]["valid_to"] != row["valid_to"]:
            problems.append((pk, "lịch sử cơ cấu không trùng thời gian hoạt động"))
        for before, after in itertools.pairwise(own):
            if before["valid_to"] is None or before["valid_to"] + datetime.timedelta(days=1) != after["valid_from"]:
                problems.append((pk, "lịch sử cơ cấu bị hở hoặc chồng lấn"))
                break
        current = [
            v
            for v in own
            if (v["valid_from"] is None or v["valid_from"] <= today)
            and (v["valid_to"] is None or today <= v["valid_to"])
        ]
        if current and any(current[0][field] != row[field] for field in DATED_FIELDS):
            problems.append((pk, "thay đổi cơ cấu đến hạn chưa được áp dụng (manage.py apply_structure)"))
    return problems
