"""Compare the stored nested-set fields with what the parent links imply."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .models import Organization


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
