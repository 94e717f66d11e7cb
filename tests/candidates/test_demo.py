"""The demo data: candidates at every step, admissions for the progress reports, fictional names,
the same every time (checked on a few cells and organizations to keep the test fast)."""

from __future__ import annotations

import io

import pytest

from candidates import demo
from candidates.choices import Status, Step
from candidates.models import Admission, Candidate
from organizations import demo as organizations_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_demo(monkeypatch):
    organizations_demo.load(stdout=io.StringIO())
    monkeypatch.setattr(demo, "DEMO_CELLS", ["BG-LN-X01-01", "LD-HL-01", "HD-CG-X01-01"])
    monkeypatch.setattr(
        demo,
        "LUC_NGAN_2022",
        {code: demo.LUC_NGAN_2022[code] for code in ("BG-LN-X01", "BG-LN-X04", "BG-LN-X20", "BG-LN-C26")},
    )


def test_demo_has_every_step_is_fictional_and_loads_once(small_demo):
    out = io.StringIO()
    demo.load(stdout=out)
    first = sorted(Candidate.objects.values_list("identity_key", "step", "status", "next_deadline"))
    admissions = sorted(Admission.objects.values_list("identity_key", "organization__code", "admitted_on"))

    for code in demo.DEMO_CELLS:
        steps = set(Candidate.objects.filter(organization__code=code).values_list("step", flat=True))
        assert steps == set(Step.values), code
        assert Candidate.objects.filter(organization__code=code, status=Status.WITHDRAWN).exists()
    assert all(" Demo " in name for name in Candidate.objects.values_list("full_name", flat=True))
    assert all(" Demo " in name for name in Admission.objects.values_list("full_name", flat=True))

    luc_ngan_2022 = Admission.objects.counted().filter(admitted_on__year=2022, organization__code__startswith="BG-LN")
    assert {a.quarter for a in luc_ngan_2022} == {1, 2, 3, 4}
    # Communes with cells record on their cells; a commune without cells and an institution directly.
    places = set(luc_ngan_2022.values_list("organization__code", flat=True))
    assert {"BG-LN-X20", "BG-LN-C26"} <= places
    assert any(code.startswith("BG-LN-X01-") for code in places) and "BG-LN-X01" not in places
    ham_liem_2026 = Admission.objects.counted().filter(admitted_on__year=2026, organization__code__startswith="LD-HL")
    assert ham_liem_2026.count() >= sum(demo.HAM_LIEM_2026)

    demo.load(stdout=out)
    assert sorted(Candidate.objects.values_list("identity_key", "step", "status", "next_deadline")) == first
    assert sorted(Admission.objects.values_list("identity_key", "organization__code", "admitted_on")) == admissions
    assert "0 tạo mới" in out.getvalue().splitlines()[-1]
