"""Issue 14, item 1: every structural write is kept with the date it takes effect, and the tree of any
date reads back as it was (organizations.structure)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from organizations import demo as organizations_demo
from organizations import services, structure
from organizations.models import Kind, Organization, OrganizationVersion
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def periods(organization):
    return [
        (v.valid_from, v.valid_to, v.name, v.parent_id)
        for v in OrganizationVersion.objects.filter(organization=organization).order_by(
            F("valid_from").asc(nulls_first=True)  # PostgreSQL puts NULL last otherwise
        )
    ]


def names(nodes):
    return [node.name for node in nodes]


def test_a_new_organization_has_one_version_over_its_life(world):
    cell = OrganizationFactory(name="Chi bộ Thôn 9", code="A1X", parent=world.commune_a, valid_from=D(2024, 3, 1))
    assert periods(cell) == [(D(2024, 3, 1), None, "Chi bộ Thôn 9", world.commune_a.pk)]
    assert structure.as_of(cell, D(2024, 2, 29)) is None
    assert structure.as_of(cell, D(2024, 3, 1)).name == "Chi bộ Thôn 9"


def test_a_rename_recorded_late_splits_the_history_at_its_date(world):
    services.organization_update(organization=world.commune_a, name="Đảng bộ xã Biển Động", on=D(2025, 7, 1))
    world.commune_a.refresh_from_db()
    assert world.commune_a.name == "Đảng bộ xã Biển Động"  # the tree of today
    assert structure.as_of(world.commune_a, D(2025, 6, 30)).name == "Đảng bộ xã Biên Sơn"
    assert structure.as_of(world.commune_a, D(2025, 7, 1)).name == "Đảng bộ xã Biển Động"
    assert periods(world.commune_a) == [
        (None, D(2025, 6, 30), "Đảng bộ xã Biên Sơn", world.district_a.pk),
        (D(2025, 7, 1), None, "Đảng bộ xã Biển Động", world.district_a.pk),
    ]


def test_a_correction_changes_every_date(world):
    services.organization_update(organization=world.cell_a, name="Chi bộ thôn Một", on=structure.ALWAYS)
    assert periods(world.cell_a) == [(None, None, "Chi bộ thôn Một", world.commune_a.pk)]


def test_a_change_recorded_ahead_waits_for_its_day(world):
    today = timezone.localdate()
    ahead = today + datetime.timedelta(days=10)
    services.organization_move(organization=world.cell_a2, new_parent=world.commune_b, on=ahead)
    services.organization_update(organization=world.cell_a2, name="Chi bộ Thôn 5", on=ahead)
    world.cell_a2.refresh_from_db()
    assert (world.cell_a2.parent_id, world.cell_a2.name) == (world.commune_a.pk, "Chi bộ Thôn 2")
    assert structure.as_of(world.cell_a2, ahead).parent_id == world.commune_b.pk

    assert services.structure_apply(today=ahead - datetime.timedelta(days=1)) == []
    changed = services.structure_apply(today=ahead)
    assert [o.pk for o in changed] == [world.cell_a2.pk]
    world.cell_a2.refresh_from_db()
    assert (world.cell_a2.parent_id, world.cell_a2.name) == (world.commune_b.pk, "Chi bộ Thôn 5")
    assert services.structure_apply(today=ahead) == []  # once applied, nothing is due
    assert periods(world.cell_a2) == [
        (None, ahead - datetime.timedelta(days=1), "Chi bộ Thôn 2", world.commune_a.pk),
        (ahead, None, "Chi bộ Thôn 5", world.commune_b.pk),
    ]


def test_a_move_in_the_past_gives_each_date_its_parent(world):
    services.organization_move(organization=world.cell_a2, new_parent=world.commune_b, on=D(2024, 1, 1))
    assert names(structure.children_as_of(world.commune_a, D(2023, 12, 31))) == ["Chi bộ Thôn 1", "Chi bộ Thôn 2"]
    assert names(structure.children_as_of(world.commune_a, D(2024, 1, 1))) == ["Chi bộ Thôn 1"]
    assert "Chi bộ Thôn 2" in names(structure.children_as_of(world.commune_b, D(2024, 6, 1)))
    assert names(structure.lineage_as_of(world.cell_a2, D(2023, 6, 1))) == [
        "Chi bộ Thôn 2",
        "Đảng bộ xã Biên Sơn",
        "Huyện ủy Lục Ngạn",
        "Tỉnh ủy Thử Nghiệm",
    ]


def test_a_later_recorded_change_stands_over_an_earlier_one_recorded_after_it(world):
    services.organization_update(organization=world.cell_a, name="Chi bộ Thôn Mới", on=D(2026, 1, 1))
    services.organization_update(organization=world.cell_a, name="Chi bộ thôn Một", on=D(2024, 1, 1))
    assert [(f, n) for f, _t, n, _p in periods(world.cell_a)] == [
        (None, "Chi bộ Thôn 1"),
        (D(2024, 1, 1), "Chi bộ thôn Một"),
        (D(2026, 1, 1), "Chi bộ Thôn Mới"),
    ]


def test_a_merge_keeps_the_tree_before_it(world):
    target = OrganizationFactory(name="Đảng bộ xã Biển Động", code="A9", kind=Kind.COMMUNE, parent=world.district_a)
    services.organization_merge(sources=[world.commune_a], target=target, on=D(2025, 7, 1))
    before, after = D(2025, 6, 30), D(2025, 7, 1)
    assert names(structure.lineage_as_of(world.cell_a, before))[:2] == ["Chi bộ Thôn 1", "Đảng bộ xã Biên Sơn"]
    assert names(structure.lineage_as_of(world.cell_a, after))[:2] == ["Chi bộ Thôn 1", "Đảng bộ xã Biển Động"]
    assert "Đảng bộ xã Biên Sơn" in names(structure.children_as_of(world.district_a, before))
    assert "Đảng bộ xã Biên Sơn" not in names(structure.children_as_of(world.district_a, after))
    # The merged commune ends the day before; its place under the target is today's tree only.
    assert periods(world.commune_a) == [(None, before, "Đảng bộ xã Biên Sơn", world.district_a.pk)]
    assert [n.name for n in structure.subtree_as_of(world.district_a, before)][:2] == [
        "Huyện ủy Lục Ngạn",
        "Đảng bộ xã Biên Sơn",
    ]


def test_a_dissolution_ends_the_history(world):
    services.organization_dissolve(organization=world.cell_a2, on=D(2025, 1, 1))
    assert periods(world.cell_a2) == [(None, D(2024, 12, 31), "Chi bộ Thôn 2", world.commune_a.pk)]
    assert structure.as_of(world.cell_a2, D(2025, 1, 1)) is None
    with pytest.raises(ValidationError):
        services.organization_update(organization=world.cell_a2, name="Chi bộ Thôn 22", on=D(2025, 6, 1))
    assert periods(world.cell_a2) == [(None, D(2024, 12, 31), "Chi bộ Thôn 2", world.commune_a.pk)]


def test_every_organization_of_the_demo_has_its_history():
    organizations_demo.load(stdout=io.StringIO())
    assert Organization.objects.count() > 50
    without = Organization.objects.exclude(pk__in=OrganizationVersion.objects.values("organization_id"))
    assert list(without.values_list("name", flat=True)) == []


def _snapshot():
    rows = list(Organization.objects.order_by("pk").values_list("pk", "parent_id", "name", "valid_to", "lft", "rght"))
    versions = list(
        OrganizationVersion.objects.order_by("pk").values_list("organization_id", "valid_from", "parent_id")
    )
    return rows, versions


def test_the_api_merges_moves_and_dissolves_on_the_dates_given(world, client):
    client.force_login(world.staff)
    new = OrganizationFactory(name="Đảng bộ xã Biển Động", code="A9", kind=Kind.COMMUNE, parent=world.district_a)
    merged = client.post(
        f"/api/v1/organizations/{new.pk}/merge/",
        {"sources": [world.commune_a.pk], "on": "2025-07-01"},
        content_type="application/json",
    )
    assert merged.status_code == 200, merged.content
    assert structure.as_of(world.cell_a, D(2025, 7, 1)).parent_id == new.pk
    assert structure.as_of(world.cell_a, D(2025, 6, 30)).parent_id == world.commune_a.pk
    moved = client.post(
        f"/api/v1/organizations/{world.school_a.pk}/move/",
        {"parent": new.pk, "on": "2025-07-01"},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["parent"] == new.pk
    dissolved = client.post(
        f"/api/v1/organizations/{world.cell_a2.pk}/dissolve/", {"on": "2026-01-01"}, content_type="application/json"
    )
    assert dissolved.status_code == 200 and dissolved.json()["valid_to"] == "2025-12-31"


def test_a_refused_restructuring_answers_why_and_writes_nothing(world, client):
    client.force_login(world.staff)
    before = _snapshot()
    # The commune's cells cannot sit under a cell: the merge is refused at its last check.
    refused = client.post(
        f"/api/v1/organizations/{world.cell_a.pk}/merge/",
        {"sources": [world.commune_a.pk], "on": "2025-07-01"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "target" in refused.json()
    outside = client.post(
        f"/api/v1/organizations/{world.commune_a.pk}/merge/",
        {"sources": [world.commune_b.pk], "on": "2025-07-01"},
        content_type="application/json",
    )
    assert outside.status_code == 400 and "sources" in outside.json()
    not_mine = client.post(
        f"/api/v1/organizations/{world.cell_b.pk}/dissolve/", {"on": "2025-07-01"}, content_type="application/json"
    )
    assert not_mine.status_code == 404
    no_date = client.post(f"/api/v1/organizations/{world.cell_a.pk}/dissolve/", {}, content_type="application/json")
    assert no_date.status_code == 400 and "on" in no_date.json()
    assert _snapshot() == before
