"""Every advisory lock of the application, each named once with how its key is derived (Saleor's
core/db/locks.py). A lock is a PostgreSQL transaction-level advisory lock, pg_advisory_xact_lock(int4
namespace, int4 key): it is released when the transaction ends, so every acquisition must be inside
`transaction.atomic()` (checked: LockOutsideTransaction), and it is taken before any row lock
(select_for_update) of the same transaction, so that two writers never hold a row and wait for each
other's advisory lock.

Tree-keyed locks (TREE, TALLIES) are per tree: the tree_id of the organization, that is its root (a
province). django-mptt renumbers the tree_id of other roots when a root is inserted, moved or
reordered (order_insertion_by), so every tree-keyed lock is taken under FOREST held shared, and a write
at the top level holds FOREST exclusively instead (and with it every tree).

On SQLite there are no advisory locks: SQLite serialises writers on its own. Only `allocation` does
something there (it takes the database's write lock at once, as it always did).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction


class LockOutsideTransaction(RuntimeError):
    """An advisory lock asked for outside transaction.atomic(): it would be released at once."""


@dataclass(frozen=True)
class Lock:
    name: str
    namespace: int  # the first int4 of pg_advisory_xact_lock(int4, int4); unique per lock

    def key(self, value: int | str) -> tuple[int, int]:
        """(namespace, key) for an int4 id, or for a text (its CRC-32, shifted into int4)."""
        if isinstance(value, str):
            value = zlib.crc32(value.encode()) - 2**31
        return (self.namespace, value)


# Held shared by every tree-keyed lock, exclusively by writes that renumber the trees (key 0).
FOREST = Lock("forest", 7_204_310)
# Writers of one organization tree (django-mptt rewrites lft/rght across the whole tree): tree_id.
TREE = Lock("tree", 7_204_312)
# Writers of the report tallies of one tree (they read-modify-write the ancestors' rows): tree_id.
# The one lock taken late: by the receivers of the writers' signals, after the writer's own locks
# (it guards only the tally rows, written under it). A transaction that writes again after it, such
# as an import of many admissions, can therefore wait for a person lock while holding it.
TALLIES = Lock("tallies", 7_204_313)
# Savers of one organization's allocation (the quotas it gives its children): organization id.
ALLOCATION = Lock("allocation", 0x51554F54)  # "QUOT"
# Writers about one person (identity key "name|birth date", and citizen ID): CRC-32 of each.
PERSON = Lock("person", 7_204_311)

REGISTRY = {lock.name: lock for lock in (FOREST, TREE, TALLIES, ALLOCATION, PERSON)}
assert len({lock.namespace for lock in REGISTRY.values()}) == len(REGISTRY), "two locks share a namespace"


def _connection(name: str):
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise LockOutsideTransaction(f"the {name} lock must be taken inside transaction.atomic()")
    return connection


def _acquire(connection, keys: Iterable[tuple[int, int]], *, shared: bool = False) -> None:
    # Sorted, so two writers wanting the same keys take them in the same order (no deadlock).
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        for namespace, key in sorted(set(keys)):
            cursor.execute(f"SELECT {function}(%s, %s)", [namespace, key])


def trees(lock: Lock, tree_ids: Callable[[], Iterable[int] | None]) -> None:
    """Take `lock` (TREE or TALLIES) for the trees `tree_ids()` names until the transaction ends;
    None means every tree (FOREST exclusively: a write that renumbers the roots, or a rebuild).

    `tree_ids` reads the numbers from the database. It is called once to choose shared or exclusive,
    and again once FOREST is held shared, when the numbers can no longer change before the per-tree
    locks are taken. (If the second answer is None, the tree became top-level in between: FOREST is
    then taken exclusively after all, a rare upgrade that PostgreSQL's deadlock check guards.)"""
    connection = _connection(lock.name)
    if connection.vendor != "postgresql":
        return
    if tree_ids() is None:
        _acquire(connection, [FOREST.key(0)])
        return
    _acquire(connection, [FOREST.key(0)], shared=True)
    ids = tree_ids()
    if ids is None:
        _acquire(connection, [FOREST.key(0)])
        return
    _acquire(connection, [lock.key(tree_id) for tree_id in ids])


def allocation(organization_id: int) -> None:
    """Serialise saves of one organization's allocation until the transaction ends."""
    connection = _connection(ALLOCATION.name)
    if connection.vendor == "postgresql":
        _acquire(connection, [ALLOCATION.key(organization_id)])
    else:
        # SQLite: take the database's write lock now, so the state read after cannot go stale before
        # this transaction writes (deferred transactions only lock on their first write). A write that
        # matches no row: `django_migrations` exists in every database and has no row with id -1.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE django_migrations SET app = app WHERE id = -1")


def person(*identities: str) -> None:
    """Serialise writers about the same person (any of their identity key and citizen ID) until the
    transaction ends, so the second of two requests at once sees the first's record and is refused.
    Empty identities (no citizen ID) are skipped."""
    connection = _connection(PERSON.name)
    if connection.vendor != "postgresql":
        return
    _acquire(connection, [PERSON.key(identity) for identity in identities if identity])
