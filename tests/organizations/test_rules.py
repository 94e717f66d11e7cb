"""The rules of the tree, enforced by the services for pages, API and admin alike: which kind sits under
which, no child under a dissolved organization, plausible start dates, no dissolution while candidates
are still followed; and the move page and admin list that show the tree."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from organizations import services
from organizations.models import Kind, Organization, Sector
from organizations.tree_check import kind_problems, tree_problems
from organizations.validators import ALLOWED_PARENT_KINDS, latest_start
from tests.factories import OrganizationFactory
from tests.organizations.test_tree import snapshot

pytestmark = pytest.mark.django_db

D = datetime.date


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def messages_of(error: pytest.ExceptionInfo) -> dict:
    return error.value.message_dict


# --- 1. Which kind may sit under which -------------------------------------------------------------


def test_every_kind_has_allowed_parents_of_a_higher_level_only():
    order = list(Kind.values)  # declared from the top (Trung ương) down to the cell
    assert set(ALLOWED_PARENT_KINDS) == set(order)
    for kind, parents in ALLOWED_PARENT_KINDS.items():
        assert parents, kind
        for parent in parents - {None}:
            assert order.index(parent) < order.index(kind), (kind, parent)
    assert ALLOWED_PARENT_KINDS[Kind.PROVINCE] == {None, Kind.CENTRAL}
    assert Kind.PROVINCE in ALLOWED_PARENT_KINDS[Kind.COMMUNE]  # since the 2025 restructuring
    assert Kind.DISTRICT in ALLOWED_PARENT_KINDS[Kind.COMMUNE]  # before it


def test_a_province_under_a_commune_is_refused_and_nothing_is_written(world):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.organization_create(
            parent=world.commune_a, name="Tỉnh ủy Sai Chỗ", code="BAD", kind=Kind.PROVINCE, by=world.staff
        )
    message = messages_of(error)["kind"][0]
    assert "Tỉnh ủy / Thành ủy trực thuộc Trung ương" in message and "Đảng bộ xã Biên Sơn" in message
    assert "ở cấp cao nhất" in message
    assert snapshot() == before


@pytest.mark.parametrize(
    ("parent", "kind"),
    [
        ("commune_a", Kind.DISTRICT),
        ("commune_a", Kind.COMMUNE),
        ("district_a", Kind.CELL),
        ("district_a", Kind.SUB_COMMITTEE),
        ("cell_a", Kind.CELL),
        ("school_a", Kind.CELL),  # a chi bộ cơ sở has no cells of its own
        ("province", Kind.PROVINCE),
    ],
)
def test_wrong_shapes_are_refused(world, parent, kind):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.organization_create(parent=getattr(world, parent), name="Tổ chức mới", code="NEW", kind=kind)
    assert "kind" in messages_of(error)
    assert snapshot() == before


def test_only_a_province_or_the_national_level_stands_at_the_top(world):
    with pytest.raises(ValidationError) as error:
        services.organization_create(parent=None, name="Chi bộ mồ côi", code="ROOTCELL", kind=Kind.CELL)
    assert "không thể là tổ chức cấp cao nhất" in messages_of(error)["kind"][0]
    central = services.organization_create(parent=None, name="Trung ương", code="TW", kind=Kind.CENTRAL)
    services.organization_move(organization=world.province, new_parent=central)
    assert tree_problems() == [] and kind_problems() == []


def test_the_shapes_of_both_eras_are_accepted(world):
    # 2025: a commune directly under the province, a grassroots committee with a sub-committee and cells.
    commune = OrganizationFactory(
        name="Đảng ủy xã Mới", code="N1", kind=Kind.COMMUNE, parent=world.province, valid_from=D(2025, 7, 1)
    )
    school = OrganizationFactory(
        name="Đảng bộ Trường", code="N2", kind=Kind.GRASSROOTS_COMMITTEE, sector=Sector.SCHOOL, parent=commune
    )
    branch = OrganizationFactory(name="Đảng bộ bộ phận Khối 1", code="N3", kind=Kind.SUB_COMMITTEE, parent=school)
    OrganizationFactory(name="Chi bộ Tổ 1", code="N4", kind=Kind.CELL, parent=branch)
    OrganizationFactory(name="Chi bộ Tổ 2", code="N5", kind=Kind.CELL, parent=school)
    OrganizationFactory(name="Chi bộ Công an tỉnh", code="N6", kind=Kind.GRASSROOTS_CELL, parent=world.province)
    OrganizationFactory(name="Đảng bộ bộ phận Thôn", code="N7", kind=Kind.SUB_COMMITTEE, parent=world.commune_a)
    assert kind_problems() == []


def test_the_create_page_refuses_a_province_under_a_commune(world, client):
    client.force_login(world.staff)
    url = reverse("organizations:create", args=[world.commune_a.pk])
    offered = [value for value, _label in client.get(url).context["form"].fields["kind"].choices]
    assert Kind.PROVINCE not in offered and Kind.CELL in offered
    before = snapshot()
    response = client.post(
        url, {"name": "Tỉnh ủy Sai Chỗ", "code": "BAD", "kind": "province", "sector": "residential", "position": 0}
    )
    assert response.status_code == 200
    assert "không được trực thuộc “Đảng bộ xã Biên Sơn”" in response.content.decode()
    assert not Organization.objects.filter(code="BAD").exists() and snapshot() == before


def test_the_create_page_under_a_district_proposes_a_kind_it_allows(world, client):
    client.force_login(world.staff)
    form = client.get(reverse("organizations:create", args=[world.district_a.pk])).context["form"]
    assert form.initial["kind"] == Kind.COMMUNE


def test_the_api_refuses_wrong_shapes_on_create_move_and_kind_change(world):
    client = api(world.staff)
    before = snapshot()
    response = client.post(
        "/api/v1/organizations/",
        {"code": "BAD", "name": "Tỉnh ủy Sai Chỗ", "kind": "province", "parent": world.commune_a.pk},
        format="json",
    )
    assert response.status_code == 400 and "kind" in response.json(), response.json()
    response = client.patch(f"/api/v1/organizations/{world.cell_a.pk}/", {"parent": world.school_a.pk}, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    assert "Chi bộ Thôn 1" in response.json()["parent"][0]
    response = client.patch(f"/api/v1/organizations/{world.cell_a.pk}/", {"kind": "province"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    assert snapshot() == before
    assert Organization.objects.get(pk=world.cell_a.pk).kind == Kind.CELL


def test_moving_under_a_wrong_kind_is_refused(world):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.organization_move(organization=world.commune_a, new_parent=world.commune_b)
    assert "Đảng bộ xã Lộc An" in messages_of(error)["parent"][0]
    with pytest.raises(ValidationError):
        services.organization_move(organization=world.district_a, new_parent=world.district_b)
    assert snapshot() == before
    services.organization_move(organization=world.commune_a, new_parent=world.province)  # 2025: no district
    assert kind_problems() == []


def test_a_change_of_kind_must_fit_the_parent_and_the_children(world):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.organization_update(organization=world.cell_a, kind=Kind.DISTRICT)
    assert "kind" in messages_of(error)
    with pytest.raises(ValidationError) as error:
        services.organization_update(organization=world.commune_a, kind=Kind.GRASSROOTS_CELL)
    assert "Chi bộ Thôn 1" in messages_of(error)["kind"][0]  # its cells could not stay under a chi bộ cơ sở
    assert snapshot() == before
    assert Organization.objects.get(pk=world.commune_a.pk).kind == Kind.COMMUNE
    # A commune that is a đảng bộ cơ sở of an agency: same place, same children.
    services.organization_update(organization=world.commune_a, kind=Kind.GRASSROOTS_COMMITTEE)
    assert kind_problems() == []


def test_a_merge_refuses_a_target_that_cannot_hold_the_sources_children(world):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.organization_merge(sources=[world.commune_a], target=world.school_a, on=D(2025, 7, 1))
    assert "target" in messages_of(error) and "Chi bộ Thôn 1" in messages_of(error)["target"][0]
    assert snapshot() == before


def test_a_merge_keeps_the_source_in_history_under_a_target_of_the_same_kind(world):
    target = OrganizationFactory(name="Đảng ủy xã Mới", code="A9", kind=Kind.COMMUNE, parent=world.district_a)
    services.organization_merge(sources=[world.commune_a], target=target, on=D(2025, 7, 1))
    source = Organization.objects.get(pk=world.commune_a.pk)
    assert source.parent_id == target.pk and source.merged_into_id == target.pk
    assert kind_problems() == []  # a commune under a commune, but as a merged source


def test_the_demo_tree_and_the_synthetic_tree_have_allowed_shapes(db):
    from organizations import demo

    demo.load(stdout=StringIO())
    assert Organization.objects.count() > 90
    assert kind_problems() == []
    call_command("generate_synthetic", "--orgs", "40", "--admissions", "0", "--provinces", "2", "--grassroots", "3")
    assert Organization.objects.get(code="SYN").kind == Kind.CENTRAL
    assert kind_problems() == [] and tree_problems() == []


# --- 2. No child under a dissolved organization ----------------------------------------------------


def _dissolved_cell_parent(world) -> Organization:
    """A commune with no active child, closed yesterday."""
    commune = OrganizationFactory(name="Đảng bộ xã Đã Giải Thể", code="A7", kind=Kind.COMMUNE, parent=world.district_a)
    return services.organization_dissolve(organization=commune, on=timezone.localdate())


def test_no_child_is_added_under_a_dissolved_organization(world, client):
    closed = _dissolved_cell_parent(world)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.organization_create(parent=closed, name="Chi bộ Mới", code="A7C", kind=Kind.CELL)
    assert "đã thôi hoạt động" in messages_of(error)["parent"][0]
    response = api(world.staff).post(
        "/api/v1/organizations/", {"code": "A7C", "name": "Chi bộ Mới", "kind": "cell", "parent": closed.pk}
    )
    assert response.status_code == 400 and "parent" in response.json()
    assert snapshot() == before


def test_nothing_is_moved_under_a_dissolved_organization(world, client):
    closed = _dissolved_cell_parent(world)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.organization_move(organization=world.cell_a, new_parent=closed)
    assert "Đảng bộ xã Đã Giải Thể" in messages_of(error)["parent"][0]
    response = api(world.staff).patch(f"/api/v1/organizations/{world.cell_a.pk}/", {"parent": closed.pk}, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    assert snapshot() == before


def test_under_an_organization_closing_later_a_child_must_close_by_then(world):
    end = timezone.localdate() + datetime.timedelta(days=30)
    commune = OrganizationFactory(name="Đảng bộ xã Sắp Nhập", code="A8", kind=Kind.COMMUNE, parent=world.district_a)
    services.organization_update(organization=commune, valid_to=end)
    with pytest.raises(ValidationError) as error:
        services.organization_create(parent=commune, name="Chi bộ Thôn 1", code="A8C", kind=Kind.CELL)
    assert "valid_to" in messages_of(error)
    services.organization_create(parent=commune, name="Chi bộ Thôn 1", code="A8C", kind=Kind.CELL, valid_to=end)


# --- 3. Plausible start dates ----------------------------------------------------------------------


def test_a_start_date_far_in_the_future_is_refused(world, client):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.organization_create(
            parent=world.commune_a, name="Chi bộ Thôn 9", code="A1X", kind=Kind.CELL, valid_from=D(2099, 1, 1)
        )
    assert "01/01/2099" in messages_of(error)["valid_from"][0]
    with pytest.raises(ValidationError) as error:
        services.organization_update(organization=world.cell_a, valid_from=D(2099, 1, 1))
    assert "valid_from" in messages_of(error)
    client.force_login(world.staff)
    response = client.post(
        reverse("organizations:create", args=[world.commune_a.pk]),
        {"name": "Chi bộ Thôn 9", "code": "A1X", "kind": "cell", "sector": "residential", "position": 0,
         "valid_from": "2099-01-01"},
    )  # fmt: skip
    assert response.status_code == 200 and "quá xa" in response.content.decode()
    response = api(world.staff).patch(
        f"/api/v1/organizations/{world.cell_a.pk}/", {"valid_from": "2099-01-01"}, format="json"
    )
    assert response.status_code == 400 and "valid_from" in response.json()
    assert snapshot() == before
    # Up to one year ahead is a decision taken in advance: accepted.
    services.organization_create(
        parent=world.commune_a, name="Chi bộ Thôn 9", code="A1X", kind=Kind.CELL, valid_from=latest_start()
    )


def test_a_cell_older_than_its_2025_commune_keeps_its_founding_date(world):
    """The 2025 restructuring put cells founded decades ago under communes created on 01/07/2025:
    their history is recorded and corrected as it was (DOMAIN.md), not refused."""
    commune = OrganizationFactory(
        name="Đảng ủy xã Mới", code="N1", kind=Kind.COMMUNE, parent=world.province, valid_from=D(2025, 7, 1)
    )
    cell = services.organization_create(
        parent=commune, name="Chi bộ Thôn 5", code="N1C", kind=Kind.CELL, valid_from=D(1995, 3, 1)
    )
    assert cell.valid_from == D(1995, 3, 1)
    moved = services.organization_update(organization=world.cell_a, valid_from=D(2010, 1, 1))
    moved = services.organization_move(organization=moved, new_parent=commune)
    assert services.organization_update(organization=moved, valid_from=D(2011, 1, 1)).valid_from == D(2011, 1, 1)


# --- 4. No dissolution while candidates are followed -----------------------------------------------


def test_dissolving_a_cell_with_active_candidates_is_refused(world, client):
    from candidates.models import Candidate
    from tests.candidates.factories import make_candidate

    make_candidate(world.cell_a)
    make_candidate(world.cell_a)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.organization_dissolve(organization=world.cell_a, on=D(2026, 1, 1))
    assert "Còn 2 quần chúng" in error.value.messages[0] and "Chi bộ Thôn 1" in error.value.messages[0]
    # The same through the end date (edit page, API, admin), and from the page.
    with pytest.raises(ValidationError) as error:
        services.organization_update(organization=world.cell_a, valid_to=D(2025, 12, 31))
    assert "Còn 2 quần chúng" in messages_of(error)["valid_to"][0]
    client.force_login(world.staff)
    response = client.post(reverse("organizations:dissolve", args=[world.cell_a.pk]), {"on": "2026-01-01"})
    assert response.status_code == 200 and "Còn 2 quần chúng" in response.content.decode()
    assert snapshot() == before
    assert Organization.objects.get(pk=world.cell_a.pk).valid_to is None
    assert Candidate.objects.active().filter(organization=world.cell_a).count() == 2


def test_dissolving_a_committee_counts_the_candidates_of_its_whole_subtree(world):
    from tests.candidates.factories import make_candidate

    make_candidate(world.cell_a)
    services.organization_dissolve(organization=world.cell_a2, on=D(2026, 1, 1))  # no candidates: fine
    # A cell closed before this rule existed, its candidate still active, blocks its committee.
    Organization.objects.filter(pk=world.cell_a.pk).update(valid_to=D(2025, 12, 31))
    with pytest.raises(ValidationError) as error:
        services.organization_dissolve(organization=world.commune_a, on=D(2026, 1, 1))
    assert "Còn 1 quần chúng" in error.value.messages[0]


def test_withdrawn_candidates_do_not_block_a_dissolution(world):
    from candidates import services as candidate_services
    from tests.candidates.factories import make_candidate

    candidate = make_candidate(world.cell_a)
    candidate_services.candidate_close(
        candidate=candidate, outcome="withdrawn", on=D(2025, 3, 1), reason="Chuyển công tác", by=None
    )
    services.organization_dissolve(organization=world.cell_a, on=D(2026, 1, 1))
    assert Organization.objects.get(pk=world.cell_a.pk).valid_to == D(2025, 12, 31)


# --- 5. The move page offers neither the organization nor what lies below it ------------------------


def test_the_move_form_leaves_out_the_organization_and_its_descendants(world, client):
    # Even where an old tree has a descendant of a kind that could hold it.
    Organization.objects.filter(pk=world.cell_a.pk).update(kind=Kind.DISTRICT)
    client.force_login(world.admin)
    response = client.get(reverse("organizations:move", args=[world.commune_a.pk]))
    offered = set(response.context["form"].fields["new_parent"].queryset.values_list("code", flat=True))
    assert offered.isdisjoint({"A1", "A1C", "A1D"})
    assert "A" in offered
    assert "Chi bộ Thôn 1" not in response.content.decode()


# --- 6. The admin list shows the tree without inline styles ----------------------------------------


def test_the_admin_list_indents_by_level_without_inline_styles(world, client):
    client.force_login(world.superuser)
    response = client.get(reverse("admin:organizations_organization_changelist"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "— — — Chi bộ Thôn 1" in html and "— — Đảng bộ xã Biên Sơn" in html and "— Huyện ủy Lục Ngạn" in html
    table = html[html.index('id="result_list"') : html.index("</table>")]
    assert "style=" not in table
    names = [row.name for row in response.context["cl"].result_list]
    assert names.index("Huyện ủy Lục Ngạn") < names.index("Đảng bộ xã Biên Sơn") < names.index("Chi bộ Thôn 2")


def test_the_admin_list_keeps_the_administrators_scope(world, client):
    client.force_login(world.admin)
    response = client.get(reverse("admin:organizations_organization_changelist"))
    html = response.content.decode()
    assert "— Huyện ủy Lục Ngạn" in html and "Bảo Lâm" not in html


def _admin_post(client, org: Organization, **changes):
    data = {
        "name": org.name,
        "short_name": org.short_name,
        "code": org.code,
        "kind": org.kind,
        "sector": org.sector,
        "position": org.position,
        "valid_from": "",
        "valid_to": "",
        **changes,
    }
    return client.post(reverse("admin:organizations_organization_change", args=[org.pk]), data)


def test_the_admin_edit_shows_the_services_refusals_on_the_form(world, client):
    from tests.candidates.factories import make_candidate

    make_candidate(world.cell_a)
    client.force_login(world.admin)
    before = snapshot()
    response = _admin_post(client, world.cell_a, kind="province")
    assert response.status_code == 200
    assert "không được trực thuộc “Đảng bộ xã Biên Sơn”" in response.content.decode()
    response = _admin_post(client, world.cell_a, valid_from="2099-01-01")
    assert response.status_code == 200 and "quá xa" in response.content.decode()
    response = _admin_post(client, world.cell_a, valid_to="2025-12-31")
    assert response.status_code == 200 and "Còn 1 quần chúng" in response.content.decode()
    assert snapshot() == before
    assert Organization.objects.get(pk=world.cell_a.pk).valid_to is None
    response = _admin_post(client, world.cell_a, name="Chi bộ Thôn 1 (mới)")
    assert response.status_code == 302
    assert Organization.objects.get(pk=world.cell_a.pk).name == "Chi bộ Thôn 1 (mới)"


# ---------------------------------------------------------------- the kinds of 2026 (issue 14, item 5)


def test_a_province_committee_above_the_grassroots_holds_grassroots_organizations(world):
    police = services.organization_create(
        parent=world.province,
        name="Đảng ủy Công an tỉnh",
        code="P-CA",
        kind=Kind.PROVINCE_COMMITTEE,
        sector=Sector.POLICE,
        valid_from=D(2025, 7, 1),
    )
    station = services.organization_create(
        parent=police,
        name="Đảng bộ Phòng Cảnh sát giao thông",
        code="P-CA-GT",
        kind=Kind.GRASSROOTS_COMMITTEE,
        sector=Sector.POLICE,
    )
    assert station.parent_id == police.pk
    with pytest.raises(ValidationError, match="không được trực thuộc"):
        services.organization_create(parent=police, name="Chi bộ Thôn 1", code="P-CA-X", kind=Kind.CELL)
    with pytest.raises(ValidationError, match="không được trực thuộc"):
        services.organization_create(
            parent=world.district_a, name="Đảng ủy Quân sự", code="A-QS", kind=Kind.PROVINCE_COMMITTEE
        )


def test_no_district_level_committee_is_founded_after_june_2025(world):
    commune = OrganizationFactory(name="Đảng ủy xã Mới", code="P-XM", kind=Kind.COMMUNE, parent=world.province)
    before = snapshot()
    with pytest.raises(ValidationError, match="không còn từ ngày 01/07/2025"):
        services.organization_create(
            parent=world.province, name="Huyện ủy Mới", code="P-HM", kind=Kind.DISTRICT, valid_from=D(2025, 7, 1)
        )
    with pytest.raises(ValidationError, match="không còn từ ngày 01/07/2025"):
        services.organization_update(organization=commune, kind=Kind.DISTRICT)
    assert snapshot() == before
    # A district of before the restructuring is still recorded as it was.
    old = services.organization_create(
        parent=world.province, name="Huyện ủy Cũ", code="P-HC", kind=Kind.DISTRICT, valid_from=D(2020, 1, 1)
    )
    assert old.kind == Kind.DISTRICT
