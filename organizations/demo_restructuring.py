"""The demo tree of today (issue 14, item 6): the 2025 restructuring applied to the seeds' 2022 tree as
recorded decisions, from fixtures/demo_restructuring.json, after the plans, quotas, candidates and
admissions of the years before were recorded in the tree they were made in.

Each decision runs through organizations.restructuring (preview-free, all or nothing, audited), so the
demo is built the way a committee would record it. A decision already recorded (same organization and
number) is skipped: running `load_demo` twice changes nothing.
"""

from __future__ import annotations

import datetime
import json

from django.conf import settings

from .models import Organization, Restructuring
from .restructuring import restructuring_apply

FIXTURE = settings.BASE_DIR / "fixtures" / "demo_restructuring.json"


def decisions() -> list[dict]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))["decisions"]


def applied() -> bool:
    """Whether the demo's restructuring has been recorded (organizations.demo then leaves the tree alone)."""
    return Restructuring.objects.filter(number__in=[d["number"] for d in decisions()]).exists()


def load(*, stdout) -> None:
    done = 0
    for decision in decisions():
        organization = Organization.objects.get(code=decision["organization"])
        if Restructuring.objects.filter(organization=organization, number=decision["number"]).exists():
            continue
        restructuring_apply(
            organization=organization,
            number=decision["number"],
            issuing_body=decision["issuing_body"],
            decided_on=datetime.date.fromisoformat(decision["decided_on"]),
            effective_on=datetime.date.fromisoformat(decision["effective_on"]),
            steps=decision["steps"],
            by=None,
        )
        done += 1
    stdout.write(f"Sắp xếp tổ chức 2025: {done} quyết định ghi nhận mới, {len(decisions()) - done} đã có.")
