"""Tree writes keep the nested set consistent and refuse bad moves and names without changing anything."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from organizations import services
from organizations.models import Kind, Organization
from organizations.tree_check import tree_problems
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def snapshot():
    return list(Organization.objects.order_by("pk").values_list("pk", "parent_id", "tree_id", "lft", "rght", "level"))


def test_create_places_children_inside_parent(world):
    new = services.organization_create(parent=world.commune_a, name="Chi bộ Thôn 9", code="A1X", kind=Kind.CELL)
    world.commune_a.refresh_from_db()
    assert new.tree_id == world.commune_a.tree_id
    assert world.commune_a.lft < new.lft < new.rght < world.commune_a.rght
    assert new.level == world.commune_a.level + 1
    assert tree_problems() == []


def test_move_keeps_invariants_and_subtree(world):
    services.organization_move(organization=world.commune_a, new_parent=world.district_b)
    world.commune_a.refresh_from_db()
    world.district_b.refresh_from_db()
    assert world.commune_a.parent_id == world.district_b.pk
    assert world.district_b.lft < world.commune_a.lft < world.commune_a.rght < world.district_b.rght
    cells = set(world.district_b.get_descendants().values_list("code", flat=True))
    assert {"A1", "A1C", "A1D"} <= cells
    assert tree_problems() == []


def test_move_into_own_subtree_is_refused_and_changes_nothing(world):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.organization_move(organization=world.district_a, new_parent=world.cell_a)
    assert "cấp dưới" in str(error.value)
    with pytest.raises(ValidationError):
        services.organization_move(organization=world.district_a, new_parent=world.district_a)
    assert snapshot() == before


def test_duplicate_sibling_name_is_refused_ignoring_case_and_diacritics(world):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.organization_create(parent=world.commune_a, name="chi bo thon 1", code="DUP", kind=Kind.CELL)
    assert "Chi bộ Thôn 1" in str(error.value)
    assert snapshot() == before
    # The same name under another parent is fine (district B also has a "Chi bộ Thôn 1").
    assert world.cell_b.name == world.cell_a.name


def test_moving_next_to_a_namesake_is_refused(world):
    before = snapshot()
    with pytest.raises(ValidationError):
        services.organization_move(organization=world.cell_b, new_parent=world.commune_a)
    assert snapshot() == before


def test_merge_moves_children_and_keeps_the_sources_in_history(world):
    target = OrganizationFactory(name="Đảng bộ xã Biên Sơn mới", code="A9", kind=Kind.COMMUNE, parent=world.district_a)
    merged = services.organization_merge(sources=[world.commune_a], target=target, on=datetime.date(2025, 7, 1))
    world.commune_a.refresh_from_db()
    assert world.commune_a.valid_to == datetime.date(2025, 6, 30)
    assert world.commune_a.merged_into_id == merged.pk
    assert world.commune_a.parent_id == merged.pk  # history stays inside the target's subtree
    assert set(Organization.objects.filter(parent=merged).values_list("code", flat=True)) == {"A1", "A1C", "A1D"}
    assert set(merged.get_descendants().values_list("code", flat=True)) == {"A1", "A1C", "A1D"}
    assert not world.commune_a.is_active(datetime.date(2025, 7, 1))
    assert world.commune_a.is_active(datetime.date(2025, 6, 30))
    assert tree_problems() == []


def test_merge_into_own_descendant_is_refused(world):
    before = snapshot()
    with pytest.raises(ValidationError):
        services.organization_merge(sources=[world.commune_a], target=world.cell_a, on=datetime.date(2025, 7, 1))
    assert snapshot() == before


def test_dissolve_needs_children_moved_first(world):
    with pytest.raises(ValidationError):
        services.organization_dissolve(organization=world.commune_a, on=datetime.date(2025, 7, 1))
    dissolved = services.organization_dissolve(organization=world.cell_a2, on=datetime.date(2025, 7, 1))
    assert dissolved.valid_to == datetime.date(2025, 6, 30)
    assert Organization.objects.filter(pk=dissolved.pk).exists()  # nothing is deleted


def test_a_write_leaving_the_users_scope_is_rolled_back(world):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.organization_move(organization=world.cell_a, new_parent=world.commune_b, by=world.staff)
    with pytest.raises(PermissionDenied):
        services.organization_create(parent=world.district_b, name="X", code="X", kind=Kind.CELL, by=world.staff)
    with pytest.raises(PermissionDenied):  # a committee does not move itself
        services.organization_move(organization=world.district_a, new_parent=world.district_b, by=world.staff)
    assert snapshot() == before


def test_check_org_tree_detects_and_rebuilds(world, capsys):
    from django.core.management import CommandError, call_command

    call_command("check_org_tree")
    Organization.objects.filter(pk=world.cell_a.pk).update(lft=999)  # corrupt on purpose
    with pytest.raises(CommandError):
        call_command("check_org_tree")
    call_command("check_org_tree", "--rebuild")
    assert tree_problems() == []
    assert "Đã dựng lại" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_concurrent_root_creations_get_distinct_tree_ids(postgres_only):
    """django-mptt computes a new root's tree_id as max + 1: without the advisory lock two writers
    at once can share one. Both threads start together on separate connections."""
    barrier = threading.Barrier(4)
    errors = []

    def create(index):
        try:
            barrier.wait()
            services.organization_create(
                parent=None, name=f"Tỉnh ủy song song {index}", code=f"PAR{index}", kind=Kind.PROVINCE
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    tree_ids = list(Organization.objects.filter(code__startswith="PAR").values_list("tree_id", flat=True))
    assert len(tree_ids) == 4 and len(set(tree_ids)) == 4
    assert tree_problems() == []


def test_merging_communes_whose_cells_share_a_name_keeps_both_cells(world):
    """2025: two communes both with a "Chi bộ Thôn 1" become one; the moved cell is told apart by
    its former commune's name instead of the merge being refused."""
    target = OrganizationFactory(name="Đảng bộ xã Biên Sơn mới", code="A9", kind=Kind.COMMUNE, parent=world.district_a)
    OrganizationFactory(name="Đảng bộ xã Lộc An", code="A3", kind=Kind.COMMUNE, parent=world.district_a)
    second = Organization.objects.get(code="A3")
    OrganizationFactory(name="Chi bộ Thôn 1", code="A3C", kind=Kind.CELL, parent=second)
    merged = services.organization_merge(sources=[world.commune_a, second], target=target, on=datetime.date(2025, 7, 1))
    names = dict(
        Organization.objects.filter(parent=merged).active(datetime.date(2025, 7, 1)).values_list("code", "name")
    )
    assert names == {"A1C": "Chi bộ Thôn 1", "A1D": "Chi bộ Thôn 2", "A3C": "Chi bộ Thôn 1 (Đảng bộ xã Lộc An)"}
    for source in (world.commune_a, second):
        source.refresh_from_db()
        assert (source.parent_id, source.merged_into_id, source.valid_to) == (
            merged.pk,
            merged.pk,
            datetime.date(2025, 6, 30),
        )
    # The rename is in the cell's history, with its old name.
    assert list(Organization.objects.get(code="A3C").history.values_list("name", flat=True))[:2] == [
        "Chi bộ Thôn 1 (Đảng bộ xã Lộc An)",
        "Chi bộ Thôn 1",
    ]
    assert tree_problems() == []


def test_closing_through_the_end_date_follows_the_dissolve_rule(world):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.organization_update(organization=world.commune_a, valid_to=datetime.date(2025, 6, 30))
    assert "Chi bộ Thôn 1" in str(error.value) and "valid_to" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.organization_update(
            organization=world.cell_a2, valid_from=datetime.date(2025, 1, 1), valid_to=datetime.date(2024, 12, 31)
        )
    assert "valid_to" in error.value.message_dict
    assert snapshot() == before
    assert Organization.objects.get(pk=world.commune_a.pk).valid_to is None
    closed = services.organization_update(organization=world.cell_a2, valid_to=datetime.date(2025, 6, 30))
    assert closed.valid_to == datetime.date(2025, 6, 30)


def test_check_org_tree_accepts_the_tree_id_gap_a_moved_root_leaves(world):
    """Moving a whole tree under another organization frees its tree_id; that is not corruption."""
    # Roots are numbered in name order: national 1, T 2, T2 3, the world's province 4.
    national = OrganizationFactory(name="Ban Chấp hành Trung ương", code="TW", kind=Kind.CENTRAL)
    loose = OrganizationFactory(name="Tỉnh ủy An", code="T", kind=Kind.PROVINCE)
    OrganizationFactory(name="Tỉnh ủy Cuối", code="T2", kind=Kind.PROVINCE)
    OrganizationFactory(name="Huyện ủy Tạm", code="TD", kind=Kind.DISTRICT, parent=loose)
    services.organization_move(organization=Organization.objects.get(code="T"), new_parent=national)
    assert sorted(Organization.objects.filter(parent=None).values_list("tree_id", flat=True)) == [1, 3, 4]
    assert tree_problems() == []
    # Two roots sharing a tree_id is corruption, and reported.
    world.province.refresh_from_db()  # new roots are numbered in name order: tree_ids shift
    Organization.objects.filter(code="T2").update(tree_id=world.province.tree_id)
    assert any(problem.field == "tree_id" for problem in tree_problems())


def test_recording_a_membership_figure_again_adds_no_history(world):
    figure = services.membership_figure_record(
        organization=world.cell_a, as_of=datetime.date(2026, 1, 1), member_count=12, official_member_count=11
    )
    for _ in range(2):
        services.membership_figure_record(
            organization=world.cell_a, as_of=datetime.date(2026, 1, 1), member_count=12, official_member_count=11
        )
    assert figure.history.count() == 1
    services.membership_figure_record(
        organization=world.cell_a, as_of=datetime.date(2026, 1, 1), member_count=13, official_member_count=11
    )
    assert figure.history.count() == 2
