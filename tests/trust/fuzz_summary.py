"""What the two fuzz runs of `make test` did (tests/trust/test_api_fuzz.py over the OpenAPI schema,
tests/trust/test_page_fuzz.py over every page form), printed at the end of the run by
tests/trust/conftest.py and, when PARTYTRACK_FUZZ_SUMMARY names a file, written there as JSON."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection

APPS = ("organizations", "quotas", "candidates", "reports", "monitoring")


def footprint() -> tuple:
    """Rows and highest id of every table of the apps, their history tables included, in one query:
    a cheap "did anything get written" for the fuzzers (every write of a service leaves a history
    row or a new row; tests/scope/snapshot.py compares every value, at a hundred times the cost)."""
    quote = connection.ops.quote_name
    tables = [
        (model._meta.db_table, model._meta.pk.column) for app in APPS for model in apps.get_app_config(app).get_models()
    ]
    parts = [f"(SELECT COUNT(*) FROM {quote(t)}), (SELECT MAX({quote(pk)}) FROM {quote(t)})" for t, pk in tables]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return tuple((table, row[2 * i], row[2 * i + 1]) for i, (table, _pk) in enumerate(tables))


def written(before: tuple, after: tuple) -> list[str]:
    return [f"{b[0]} {b[1]}→{a[1]}" for b, a in zip(before, after, strict=True) if b != a]


@dataclass
class Run:
    name: str
    targets: set[str] = field(default_factory=set)  # operations or forms
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    server_errors: int = 0
    seconds: float = 0.0
    started: float | None = None

    def record(self, target: str, status: int) -> None:
        self.targets.add(target)
        self.requests += 1
        self.statuses[status // 100 * 100] += 1
        if status >= 500:
            self.server_errors += 1

    def timing(self):
        run = self

        class _Timer:
            def __enter__(self):
                run.started = time.monotonic()

            def __exit__(self, *exc):
                run.seconds += time.monotonic() - run.started

        return _Timer()

    def as_dict(self) -> dict:
        return {
            "targets": len(self.targets),
            "requests": self.requests,
            "server_errors": self.server_errors,
            "by_status": {f"{k // 100}xx": v for k, v in sorted(self.statuses.items())},
            "seconds": round(self.seconds, 1),
        }


API = Run("API (schemathesis, every operation of the OpenAPI schema, every role)")
PAGES = Run("pages (hypothesis, every form of every page)")
RUNS = (API, PAGES)


def lines() -> list[str]:
    found = []
    for run in RUNS:
        if run.requests:
            data = run.as_dict()
            statuses = ", ".join(f"{k}: {v}" for k, v in data["by_status"].items())
            found.append(
                f"{run.name}: {data['targets']} targets, {data['requests']} requests ({statuses}), "
                f"{data['server_errors']} server errors, {data['seconds']} s"
            )
    return found


def write(path: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump({run.name: run.as_dict() for run in RUNS if run.requests}, out, ensure_ascii=False, indent=2)
