"""A small three-level tree with quotas at two levels and admissions on quarter boundaries.

P  Tỉnh ủy Thử Nghiệm ─ allocates D 20 (5, 5, 5, 5)
└─ D  Huyện ủy Sông Cầu ─ allocates X1 10 (2,3,3,2), X2 6 (1,2,2,1), X3 4 (no split), S 2 (0,1,1,0)
   ├─ X1 Đảng bộ xã Một ─ allocates X1a 6 (1,2,2,1), X1b 5 (1,1,2,1)
   │  ├─ X1a  31/03, 01/04, 30/06 (+ one cancelled 05/05)
   │  └─ X1b  01/01, 30/09, 01/10
   ├─ X2 Đảng bộ xã Hai
   │  └─ X2a  01/07
   ├─ X3 Đảng bộ xã Ba
   │  ├─ X3a  15/02, 20/05
   │  └─ X3z  01/03 (dissolved from 01/06/2025)
   └─ S  Chi bộ Trường THPT Sông Cầu (school: second group)  31/12 (and 31/12/2024)
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from organizations import services as org_services
from organizations.models import Kind, Sector
from tests.factories import OrganizationFactory

from .factories import admit, cancel, plan


@pytest.fixture
def tree(db):
    t = SimpleNamespace()
    t.province = OrganizationFactory(name="Tỉnh ủy Thử Nghiệm", code="T", kind=Kind.PROVINCE)
    t.district = OrganizationFactory(name="Huyện ủy Sông Cầu", code="T-D", kind=Kind.DISTRICT, parent=t.province)
    t.x1 = OrganizationFactory(
        name="Đảng bộ xã Một", short_name="Một", code="T-X1", kind=Kind.COMMUNE, parent=t.district, position=1
    )
    t.x2 = OrganizationFactory(
        name="Đảng bộ xã Hai", short_name="Hai", code="T-X2", kind=Kind.COMMUNE, parent=t.district, position=2
    )
    t.x3 = OrganizationFactory(
        name="Đảng bộ xã Ba", short_name="Ba", code="T-X3", kind=Kind.COMMUNE, parent=t.district, position=3
    )
    t.school = OrganizationFactory(
        name="Chi bộ Trường THPT Sông Cầu",
        code="T-S",
        kind=Kind.GRASSROOTS_CELL,
        sector=Sector.SCHOOL,
        parent=t.district,
        position=1,
    )
    t.x1a = OrganizationFactory(name="Chi bộ thôn A", code="T-X1A", parent=t.x1, position=1)
    t.x1b = OrganizationFactory(name="Chi bộ thôn B", code="T-X1B", parent=t.x1, position=2)
    t.x2a = OrganizationFactory(name="Chi bộ thôn C", code="T-X2A", parent=t.x2, position=1)
    t.x3a = OrganizationFactory(name="Chi bộ thôn D", code="T-X3A", parent=t.x3, position=1)
    t.x3z = OrganizationFactory(name="Chi bộ thôn Z", code="T-X3Z", parent=t.x3, position=2)

    t.plan_p = plan(t.province, "1-KH/TU", {t.district: (20, 5, 5, 5, 5)})
    t.plan_d_old = plan(t.district, "70-KH/HU", {t.x1: (99, 99, 0, 0, 0)}, issued_on="2025-01-05")
    t.plan_d = plan(
        t.district,
        "72-KH/HU",
        {t.x1: (10, 2, 3, 3, 2), t.x2: (6, 1, 2, 2, 1), t.x3: 4, t.school: (2, 0, 1, 1, 0)},
        issued_on="2025-02-11",
        replaces=t.plan_d_old,
    )
    t.plan_x1 = plan(t.x1, "5-KH/ĐU", {t.x1a: (6, 1, 2, 2, 1), t.x1b: (5, 1, 1, 2, 1)})

    for org, day in [
        (t.x1a, "2025-03-31"),
        (t.x1a, "2025-04-01"),
        (t.x1a, "2025-06-30"),
        (t.x1b, "2025-01-01"),
        (t.x1b, "2025-09-30"),
        (t.x1b, "2025-10-01"),
        (t.x2a, "2025-07-01"),
        (t.x3a, "2025-02-15"),
        (t.x3a, "2025-05-20"),
        (t.x3z, "2025-03-01"),
        (t.school, "2025-12-31"),
        (t.school, "2024-12-31"),
    ]:
        admit(org, day)
    cancel(admit(t.x1a, "2025-05-05"))
    org_services.organization_dissolve(organization=t.x3z, on=datetime.date(2025, 6, 1))
    for name in ("province", "district", "x1", "x2", "x3", "school", "x1a", "x1b", "x2a", "x3a", "x3z"):
        getattr(t, name).refresh_from_db()
    return t
