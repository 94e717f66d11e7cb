"""Shared fixtures: a small two-district world with one user per role, used by the scope matrix;
the markers `browser`, `fuzz` and `postgres` given by path and fixture (see pytest_collection_modifyitems)."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from pytest_django.plugin import validate_django_db

from organizations.models import Kind, Role, Sector

from .factories import OrganizationFactory, UserFactory, grant

ROLES = ("staff", "secretary", "leader", "admin", "superuser")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _build_world() -> SimpleNamespace:
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


# ---------------------------------------------------------------------------------- the shared world
# Most tests that ask for `world` only read it and write inside their own transaction. For those the
# world is built once, inside an outer transaction held open while such tests run one after another
# (they are ordered to run together, below); each test runs in a savepoint inside it, rolled back after
# it, and gets its own deep copy of the Python objects (as Django's setUpTestData does). The outer
# transaction is rolled back before any other test runs, so no other test ever sees the world's rows.
# Tests that commit (transaction=True, the live server), use another database alias or a module-wide
# transaction of their own (`seeded`) build their world per test, as before.


def _shares_world(item) -> bool:
    if item is None or "world" not in getattr(item, "fixturenames", ()):
        return False
    if {"transactional_db", "live_server", "django_db_reset_sequences", "_seeded_db"} & set(item.fixturenames):
        return False
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return True
    transactional, reset_sequences, databases, serialized_rollback, _apps = validate_django_db(marker)
    if transactional or reset_sequences or serialized_rollback:
        return False
    return databases is None or set(databases) == {"default"}


class _SharedWorld:
    def __init__(self):
        self.blocker = None
        self.atomic = None
        self.world = None

    def open(self) -> None:
        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.world = _build_world()

    def close(self) -> None:
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = self.world = None


_shared = _SharedWorld()


@pytest.fixture(scope="session")
def _shared_world(request, django_db_setup, django_db_blocker):
    """Session-scoped, so that pytest sets it up before any function-scoped fixture (the test's own
    transaction included): the world's transaction must enclose it."""
    _shared.blocker = django_db_blocker
    if _shares_world(request._pyfuncitem) and _shared.atomic is None:
        _shared.open()
    yield _shared
    if _shared.atomic is not None:
        _shared.close()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Reopened when a later run of sharing tests starts (the session fixture opens the first one).
    if _shared.blocker is not None and _shared.atomic is None and _shares_world(item):
        _shared.open()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if _shared.atomic is not None and not _shares_world(nextitem):
        _shared.close()
    return result


@pytest.fixture
def world(request, _shared_world, db):
    """P (province) > A (district) > A1 (commune) > A1c, A1d (cells); A > A2 (school cell);
    P > B (district) > B1 (commune) > B1c (cell). Users hold roles in A's subtree only."""
    if _shared_world.atomic is not None and _shares_world(request.node):
        return copy.deepcopy(_shared_world.world)
    return _build_world()


# ------------------------------------------------------------------------------------------- markers


def _marker_for(item) -> list[str]:
    path = item.path.relative_to(item.config.rootpath).as_posix()
    names = []
    if path.startswith("tests/browser/") or path.endswith("_browser.py"):
        names.append("browser")
    if path.startswith("tests/trust/") and "fuzz" in item.path.name:
        names.append("fuzz")
    if "postgres_only" in item.fixturenames:
        names.append("postgres")
    return names


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Markers by path and fixture; then the tests that share the world are moved together, at the
    head of pytest-django's group of non-transactional database tests (an otherwise stable order)."""
    for item in items:
        for name in _marker_for(item):
            if item.get_closest_marker(name) is None:
                item.add_marker(name)
    first_db = next((i for i, item in enumerate(items) if "_django_db_helper" in item.fixturenames), None)
    if first_db is None:
        return
    sharing = [item for item in items[first_db:] if _shares_world(item)]
    if sharing:
        rest = [item for item in items[first_db:] if not _shares_world(item)]
        items[first_db:] = sharing + rest


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgres://…; CI runs it)")
