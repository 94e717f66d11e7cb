"""Fixtures of the candidates tests: a listener that records admissions_changed calls."""

from __future__ import annotations

import pytest

from partytrack import hooks


@pytest.fixture
def fired():
    """Every admissions_changed call made during the test, as (organization_ids, dates)."""
    calls: list[tuple[set, set]] = []

    def listener(*, organization_ids, dates):
        calls.append((set(organization_ids), set(dates)))

    hooks.admissions_changed.connect(listener)
    yield calls
    hooks.admissions_changed._listeners.remove(listener)
