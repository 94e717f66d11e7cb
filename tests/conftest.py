"""Shared fixtures: a small two-district world with one user per role, used by the scope matrix."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection

from organizations.models import Kind, Role, Sector

from .factories import OrganizationFactory, UserFactory, grant

ROLES = ("staff", "secretary", "leader", "admin", "superuser")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """P (province) > A (district) > A1 (commune) > A1c, A1d (cells); A > A2 (school cell);
    P > B (district) > B1 (commune) > B1c (cell). Users hold roles in A's subtree only."""
    w = SimpleNamespace()
    w.province = OrganizationFactory(name="Tỉnh ủy Thử Nghiệm", code="P", kind=Kind.PROVINCE)
    w.district_a = OrganizationFactory(name="Huyện ủy Lục Ngạn", code="A", kind=Kind.DISTRICT, parent=w.province)
    w.commune_a = OrganizationFactory(name="Đảng bộ xã Biên Sơn", code="A1", kind=Kind.COMMUNE, parent=w.district_a)
    w.cell_a = OrganizationFactory(name="Chi bộ Thôn 1", code="A1C", kind=Kind.CELL, parent=w.commune_a)
    w.cell_a2 = OrganizationFactory(name="Chi bộ Thôn 2", code="A1D", kind=Kind.CELL, parent=w.commune_a)
    w.school_a = OrganizationFactory(
        name="Chi bộ Trường THPT số 1",
        code="A2",
        kind=Kind.GRASSROOTS_CELL,
        sector=Sector.SCHOOL,
        parent=w.district_a,
        position=1,
    )
    w.district_b = OrganizationFactory(name="Huyện ủy Bảo Lâm", code="B", kind=Kind.DISTRICT, parent=w.province)
    w.commune_b = OrganizationFactory(name="Đảng bộ xã Lộc An", code="B1", kind=Kind.COMMUNE, parent=w.district_b)
    w.cell_b = OrganizationFactory(name="Chi bộ Thôn 1", code="B1C", kind=Kind.CELL, parent=w.commune_b)

    w.staff = grant(UserFactory(username="staff"), w.district_a, Role.STAFF)
    w.secretary = grant(UserFactory(username="secretary"), w.cell_a, Role.SECRETARY)
    w.leader = grant(UserFactory(username="leader"), w.district_a, Role.LEADER)
    w.admin = grant(UserFactory(username="admin_a"), w.district_a, Role.ADMIN)
    w.superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    w.users = {role: getattr(w, role) for role in ROLES}
    for org in (
        "province",
        "district_a",
        "commune_a",
        "cell_a",
        "cell_a2",
        "school_a",
        "district_b",
        "commune_b",
        "cell_b",
    ):
        getattr(w, org).refresh_from_db()
    return w


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgres://…; CI runs it)")
