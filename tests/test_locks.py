"""The lock registry (partytrack.locks): no lock outside a transaction, tree locks per tree (writers of
two provinces do not wait for each other, on PostgreSQL), and the person lock before the row lock."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.db.models.query import QuerySet

from candidates import services as candidate_services
from candidates.choices import Status, Step
from organizations import services as organization_services
from organizations.models import Kind
from partytrack import locks

from .candidates.factories import advance_to, make_admission, make_candidate
from .factories import OrganizationFactory

D = datetime.date


@pytest.mark.parametrize(
    "take",
    [
        lambda: locks.trees(locks.TREE, lambda: {1}),
        lambda: locks.trees(locks.TALLIES, lambda: None),
        lambda: locks.allocation(1),
        lambda: locks.person("nguyen van an|2000-02-01"),
        lambda: organization_services.tree_lock(),
    ],
    ids=["tree", "tallies", "allocation", "person", "tree_lock"],
)
def test_a_lock_taken_outside_a_transaction_is_refused(take):
    # No database access is needed to refuse: the check comes before any query.
    assert not transaction.get_connection().in_atomic_block
    with pytest.raises(locks.LockOutsideTransaction):
        take()


def test_each_lock_has_a_namespace_of_its_own_and_keys_per_value():
    namespaces = [lock.namespace for lock in locks.REGISTRY.values()]
    assert len(set(namespaces)) == len(namespaces)
    assert all(-(2**31) <= n < 2**31 for n in namespaces)  # int4, as pg_advisory_xact_lock(int4, int4)
    assert locks.TREE.key(3) != locks.TREE.key(4)
    assert locks.TREE.key(3) != locks.TALLIES.key(3)
    assert locks.PERSON.key("a|2000-01-01") == locks.PERSON.key("a|2000-01-01")
    assert -(2**31) <= locks.PERSON.key("ư" * 50)[1] < 2**31


def _second_province(world):
    province = OrganizationFactory(name="Tỉnh ủy Thứ Hai", code="Q", kind=Kind.PROVINCE)
    district = OrganizationFactory(name="Huyện ủy Thứ Hai", code="Q-A", kind=Kind.DISTRICT, parent=province)
    commune = OrganizationFactory(name="Đảng bộ xã Thứ Hai", code="Q-A1", kind=Kind.COMMUNE, parent=district)
    cell = OrganizationFactory(name="Chi bộ Thôn Hai", code="Q-A1C", kind=Kind.CELL, parent=commune)
    for organization in (world.cell_a, world.cell_b):
        organization.refresh_from_db()  # the new root sorts first: django-mptt renumbered the trees
    assert cell.tree_id != world.cell_a.tree_id == world.cell_b.tree_id
    return cell, province


def _holding(take) -> tuple[threading.Event, threading.Event, threading.Thread]:
    """A second connection that takes a lock inside its transaction and keeps it until released."""
    held, release = threading.Event(), threading.Event()

    def run():
        try:
            with transaction.atomic():
                take()
                held.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    assert held.wait(timeout=10)
    return held, release, thread


def _with_lock_timeout(write) -> None:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '1s'")
        write()


@pytest.mark.django_db(transaction=True)
def test_writers_of_two_trees_do_not_wait_for_each_other(world, postgres_only):
    other_cell, other_province = _second_province(world)
    _held, release, thread = _holding(lambda: organization_services.tree_lock(world.cell_a))
    try:
        # Another province's tree: written at once, a new district under its root too.
        _with_lock_timeout(lambda: organization_services.organization_update(organization=other_cell, short_name="T2"))
        _with_lock_timeout(
            lambda: OrganizationFactory(name="Huyện ủy Mới", code="Q-B", kind=Kind.DISTRICT, parent=other_province)
        )
        # The same tree, and the top level (which renumbers every tree): they wait for the holder.
        with pytest.raises(OperationalError):
            _with_lock_timeout(
                lambda: organization_services.organization_update(organization=world.cell_b, short_name="B")
            )
        with pytest.raises(OperationalError):
            _with_lock_timeout(lambda: organization_services.tree_lock(under=[None]))
    finally:
        release.set()
        thread.join(timeout=20)


@pytest.mark.django_db(transaction=True)
def test_admissions_in_two_trees_do_not_wait_for_each_others_tallies(world, postgres_only):
    """The tally lock is per tree: an admission elsewhere in the country does not wait for this one."""
    other_cell, _province = _second_province(world)
    tree_a = world.cell_a.tree_id
    _held, release, thread = _holding(lambda: locks.trees(locks.TALLIES, lambda: {tree_a}))
    try:
        _with_lock_timeout(lambda: make_admission(other_cell))
        with pytest.raises(OperationalError):
            _with_lock_timeout(lambda: make_admission(world.cell_b))
    finally:
        release.set()
        thread.join(timeout=20)


@pytest.fixture
def lock_order(monkeypatch) -> list[str]:
    """The order in which person locks and row locks (select_for_update) are asked for."""
    order: list[str] = []
    person, select_for_update = locks.person, QuerySet.select_for_update

    def record_person(*identities):
        order.append("person")
        return person(*identities)

    def record_row(self, *args, **kwargs):
        order.append(f"row:{self.model._meta.model_name}")
        return select_for_update(self, *args, **kwargs)

    monkeypatch.setattr(locks, "person", record_person)
    monkeypatch.setattr(QuerySet, "select_for_update", record_row)
    return order


def test_correcting_a_candidate_takes_the_person_lock_before_the_row_lock(world, lock_order):
    candidate = make_candidate(world.cell_a, full_name="Lò Văn Sửa", birth_date=D(2000, 1, 1))
    lock_order.clear()
    candidate_services.candidate_update(candidate=candidate, full_name="Lò Văn Sữa", by=world.secretary)
    assert lock_order[:2] == ["person", "row:candidate"], lock_order


def test_the_decision_takes_the_person_lock_before_the_row_lock_and_not_again(world, lock_order):
    candidate = make_candidate(world.cell_a, step=Step.REVIEW)
    lock_order.clear()
    candidate = advance_to(candidate, Step.DECISION)
    assert candidate.step == Step.DECISION
    assert lock_order == ["person", "row:candidate"], lock_order


def test_reopening_a_file_takes_the_person_lock_before_the_row_lock(world, lock_order):
    candidate = make_candidate(world.cell_a)
    candidate_services.candidate_close(
        candidate=candidate, outcome=Status.WITHDRAWN, on=D(2025, 2, 1), reason="x", by=None
    )
    lock_order.clear()
    candidate_services.candidate_undo_last_step(candidate=candidate, reason="Nhầm", by=None)
    assert lock_order == ["person", "row:candidate"], lock_order


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_advisory_lock_comes_before_select_for_update(world, postgres_only):
    from django.test.utils import CaptureQueriesContext

    candidate = make_candidate(world.cell_a, full_name="Lò Văn Thứ", birth_date=D(2000, 1, 1))
    with CaptureQueriesContext(connection) as queries:
        candidate_services.candidate_update(candidate=candidate, full_name="Lò Văn Thự", by=world.secretary)
    sql = [query["sql"] for query in queries.captured_queries]
    first_lock = next(i for i, text in enumerate(sql) if "pg_advisory_xact_lock" in text)
    first_row_lock = next(i for i, text in enumerate(sql) if "FOR UPDATE" in text)
    assert first_lock < first_row_lock
