"""What "nothing was written" means: every table of the project's apps, history and tallies included."""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.db.models import Max

APPS = ("organizations", "quotas", "candidates", "reports", "monitoring")


def snapshot() -> dict[str, tuple[int, int | None, str]]:
    """For each model of the apps: the row count, the highest primary key and a hash of every row."""
    state = {}
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            manager = model._base_manager
            rows = list(manager.order_by("pk").values_list())
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
            state[model._meta.label] = (len(rows), manager.aggregate(top=Max("pk"))["top"], digest)
    return state


def changed(before: dict, after: dict) -> list[str]:
    """The models whose rows differ, with their counts: ["candidates.Candidate 1→2", …]."""
    return [f"{label} {before[label][0]}→{after[label][0]}" for label in before if before[label] != after[label]]
