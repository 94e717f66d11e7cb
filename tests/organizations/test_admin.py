"""The Django admin, for administrators, shows only their subtree."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_subtree_administrator_sees_only_their_subtree(world, client):
    client.force_login(world.admin)
    response = client.get(reverse("admin:organizations_organization_changelist"))
    assert response.status_code == 200
    codes = {org.code for org in response.context["cl"].queryset}
    assert codes == {"A", "A1", "A1C", "A1D", "A2"}
    response = client.get(reverse("admin:organizations_organization_change", args=[world.cell_b.pk]))
    assert response.status_code == 404
    response = client.get(reverse("admin:organizations_organization_change", args=[world.cell_a.pk]))
    assert response.status_code == 200


def test_administrator_cannot_grant_roles_outside_their_subtree(world, client):
    from organizations.models import RoleAssignment

    client.force_login(world.admin)
    url = reverse("admin:organizations_roleassignment_add")
    response = client.post(url, {"user": world.leader.pk, "organization": world.cell_b.pk, "role": "staff"})
    assert response.status_code == 200 and "ngoài phạm vi" in response.content.decode()
    assert not RoleAssignment.objects.filter(organization=world.cell_b).exists()
    response = client.post(url, {"user": world.leader.pk, "organization": world.cell_a.pk, "role": "staff"})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=world.leader, organization=world.cell_a, role="staff").exists()


def test_other_roles_have_no_admin(world, client):
    for user in (world.staff, world.secretary, world.leader):
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302  # not staff: sent to the admin login


def test_granting_the_admin_role_in_the_admin_opens_the_admin_to_that_user(world, client):
    from organizations.models import RoleAssignment

    client.force_login(world.admin)
    assert not world.leader.is_staff
    url = reverse("admin:organizations_roleassignment_add")
    response = client.post(url, {"user": world.leader.pk, "organization": world.commune_a.pk, "role": "admin"})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=world.leader, organization=world.commune_a, role="admin").exists()
    world.leader.refresh_from_db()
    assert world.leader.is_staff
    client.force_login(world.leader)
    assert client.get(reverse("admin:organizations_organization_changelist")).status_code == 200
