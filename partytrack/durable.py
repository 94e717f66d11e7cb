"""Rows that must be written even when the transaction around them rolls back: the log of a refused
request (a refusal rolls its write back, and must not take its own log with it).

`write_after(*rows)` queues unsaved model instances; the outermost `collect()` block writes them when it
ends, after whatever transactions ran inside it committed or rolled back. Open `collect()` outside
every transaction the request starts (a service decorator, the API's write dispatch)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models

_pending: ContextVar[list[models.Model] | None] = ContextVar("partytrack_durable_rows", default=None)


@contextmanager
def collect() -> Iterator[None]:
    """Write the rows queued inside this block when it ends; nested blocks leave it to the outermost."""
    if _pending.get() is not None:
        yield
        return
    pending: list[models.Model] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
        by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        for row in pending:
            by_model[type(row)].append(row)
        for model, rows in by_model.items():
            model.objects.bulk_create(rows)


def write_after(*rows: models.Model) -> bool:
    """Queue `rows` for the enclosing collect() block; False (nothing queued) outside one."""
    pending = _pending.get()
    if pending is None:
        return False
    pending.extend(rows)
    return True
