"""One version for every object that can be changed: the REST API's ETag / If-Match and the quota
grid's conflict token are both made here, so a save through either one is seen by the other.

A row's version is a digest of the row as stored: every concrete field except the nested-set
bookkeeping that django-mptt rewrites when *other* organizations are added or moved (lft, rght,
tree_id, level; `parent` is the truth). There is no counter column to keep in step: whatever writes
the row (a service, the admin, the bulk update of deadlines after a rule change) changes its
version, and two people who read the same row hold the same version. A write that puts back
exactly the values read gives back the version read: nothing the reader saw has changed, so nothing
of theirs can be lost. A set of rows (a grid) has one version made of its rows' versions, which
changes when a row changes, appears or goes.

Checking is the writing service's job, inside its transaction: take its advisory lock, lock the
row (select_for_update), compare the version the caller read, then write. Two writers holding the
same version cannot both pass: the second waits for the first one's lock and then finds a new
version (StaleVersion: nothing is written).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from django.db import models

# The versions a caller read (an If-Match header may list several); None: the caller asks for no check.
Expected = frozenset[str] | None


class StaleVersion(Exception):
    """The row changed (or went) since the caller read it; nothing was written."""


def _digest(value) -> str:
    encoded = json.dumps(value, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()[:24]


def _tree_bookkeeping(model: type[models.Model]) -> set[str]:
    meta = getattr(model, "_mptt_meta", None)
    if meta is None:
        return set()
    return {meta.left_attr, meta.right_attr, meta.tree_id_attr, meta.level_attr}


def row_version(instance: models.Model) -> str:
    """The version of one row, from its stored values (read it from the database, not from an object
    a form has just filled)."""
    skipped = _tree_bookkeeping(type(instance))
    values = [
        [field.attname, getattr(instance, field.attname)]
        for field in instance._meta.concrete_fields
        if field.attname not in skipped
    ]
    return _digest([instance._meta.label, values])


def rows_version(key, instances: Iterable[models.Model]) -> str:
    """The version of a set of rows (`key` names the set, e.g. a plan): it changes when any row
    changes, is added or is removed."""
    return _digest([key, sorted((instance.pk, row_version(instance)) for instance in instances)])


def check(instance: models.Model | None, expected: Expected) -> None:
    """Refuse (StaleVersion) unless `instance`, read under the writer's lock, is at a version the
    caller read. `instance` None (the row has gone) never matches."""
    if expected is None:
        return
    if instance is None or row_version(instance) not in expected:
        raise StaleVersion
