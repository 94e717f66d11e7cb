"""Shared fixtures: a small two-district world with one user per role, used by the scope matrix;
the markers `browser`, `fuzz` and `postgres` given by path and fixture (see pytest_collection_modifyitems)."""

from __future__ import annotations

import copy
import io
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test import override_settings
from pytest_django.plugin import validate_django_db

from organizations.models import Kind, Role, Sector

from .factories import OrganizationFactory, UserFactory, grant

ROLES = ("staff", "secretary", "leader", "admin", "superuser")
# The organizations of the `world` fixture, top down.
WORLD_ORGANIZATIONS = (
    "province",
    "district_a",
    "commune_a",
    "cell_a",
    "cell_a2",
    "school_a",
    "district_b",
    "commune_b",
    "cell_b",
)


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


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
    for org in WORLD_ORGANIZATIONS:
        getattr(w, org).refresh_from_db()
    return w


# ------------------------------------------------------------------------ data built once, shared
# Most tests that ask for `world` or `seeded` (the seeds' demo data, tests/quotas/conftest.py) only read
# it and write inside their own transaction. For those the data is built once, inside an outer
# transaction held open while such tests run one after another (they are ordered to run together, in
# pytest_collection_modifyitems); each test runs in a savepoint inside it, rolled back after it. The
# outer transaction is rolled back before any other test runs, so no other test sees those rows, and
# it is built again only if its tests are split (with pytest-xdist, once or a few times per worker).
# Tests that commit (transaction=True, the live server) or use another database alias build their
# data per test; a test that asks for both builds the world per test, inside the demo data.


def _in_one_transaction(item) -> bool:
    """The test runs in a transaction of its own on the default database, rolled back after it."""
    if {"transactional_db", "live_server", "django_db_reset_sequences"} & set(item.fixturenames):
        return False
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return True
    transactional, reset_sequences, databases, serialized_rollback, _apps = validate_django_db(marker)
    if transactional or reset_sequences or serialized_rollback:
        return False
    return databases is None or set(databases) == {"default"}


class _Shared:
    def __init__(self, fixture: str, build, *, unless: str | None = None):
        self.fixture, self.build, self.unless = fixture, build, unless
        self.blocker = None
        self.atomic = None
        self.data = None

    def shares(self, item) -> bool:
        names = getattr(item, "fixturenames", ())
        return self.fixture in names and self.unless not in names and _in_one_transaction(item)

    def open(self) -> None:
        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            # Built before the test's own fixtures: its users' passwords hashed as the tests check them.
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                self.data = self.build()

    def close(self) -> None:
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = self.data = None

    def session_fixture(self, request, blocker):
        """Called by a session-scoped fixture, which pytest sets up before any function-scoped one
        (the test's own transaction included): the shared transaction must enclose it."""
        self.blocker = blocker
        if self.atomic is None and self.shares(request._pyfuncitem):
            self.open()
        yield self
        if self.atomic is not None:
            self.close()

    def for_test(self, item):
        """The shared data, or None when this test builds its own."""
        return self.data if self.atomic is not None and self.shares(item) else None


def _load_demo() -> bool:
    from tests.quotas.conftest import load_seeded

    load_seeded()
    return True


def _load_demo_today() -> bool:
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    return True


_SHARED = [
    _Shared("_seeded_db", _load_demo),
    _Shared("world", _build_world, unless="_seeded_db"),
    _Shared("_demo_today_db", _load_demo_today, unless="_seeded_db"),
]
_shared_demo, _shared_world_data, _shared_demo_today = _SHARED


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # A later run of sharing tests opens its transaction here (the session fixtures open the first).
    for shared in _SHARED:
        if shared.blocker is not None and shared.atomic is None and shared.shares(item):
            shared.open()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    for shared in _SHARED:
        if shared.atomic is not None and not shared.shares(nextitem):
            shared.close()
    return result


@pytest.fixture(scope="session")
def _shared_world(request, django_db_setup, django_db_blocker):
    yield from _shared_world_data.session_fixture(request, django_db_blocker)


@pytest.fixture(scope="session")
def _seeded_db(request, django_db_setup, django_db_blocker):
    """The seeds' demo data (tests/quotas/conftest.py `seeded`), loaded once for the tests sharing it."""
    yield from _shared_demo.session_fixture(request, django_db_blocker)


@pytest.fixture(scope="session")
def _demo_today_db(request, django_db_setup, django_db_blocker):
    """`manage.py load_demo` as `make run` loads it (the 2025 restructuring applied), loaded once."""
    yield from _shared_demo_today.session_fixture(request, django_db_blocker)


@pytest.fixture
def demo_today(request, _demo_today_db, db):
    """The whole demo in the tree of today; a test that commits loads it for itself."""
    if _demo_today_db.for_test(request.node) is None:
        _load_demo_today()


@pytest.fixture
def world(request, _shared_world, db):
    """P (province) > A (district) > A1 (commune) > A1c, A1d (cells); A > A2 (school cell);
    P > B (district) > B1 (commune) > B1c (cell). Users hold roles in A's subtree only.
    Each test gets its own copy of the objects (as Django's setUpTestData does)."""
    shared = _shared_world.for_test(request.node)
    return copy.deepcopy(shared) if shared is not None else _build_world()


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


def pytest_itemcollected(item):
    # Here, not in pytest_collection_modifyitems: `-m` selects in that hook, which may run first.
    for name in _marker_for(item):
        if item.get_closest_marker(name) is None:
            item.add_marker(name)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The tests that share the demo data, and those that share the world, are moved together at the
    head of pytest-django's group of non-transactional database tests (where they all are), in an
    otherwise unchanged order."""
    first_db = next((i for i, item in enumerate(items) if "_django_db_helper" in item.fixturenames), None)
    if first_db is None:
        return

    def group(item) -> int:
        return next((i for i, shared in enumerate(_SHARED) if shared.shares(item)), len(_SHARED))

    items[first_db:] = sorted(items[first_db:], key=group)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgres://…; CI runs it)")
