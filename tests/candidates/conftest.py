"""Fixtures of the candidates tests: a listener that records admissions_changed calls."""

from __future__ import annotations

import pytest

from candidates.signals import admissions_changed


@pytest.fixture
def fired():
    """Every admissions_changed call made during the test, as (organization_ids, dates)."""
    calls: list[tuple[set, set]] = []

    def listener(*, organization_ids, dates, **_):
        calls.append((set(organization_ids), set(dates)))

    admissions_changed.connect(listener)
    yield calls
    admissions_changed.disconnect(listener)
