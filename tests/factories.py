"""factory_boy factories shared by every app's tests. Tree rows are created through the services."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from organizations import services
from organizations.models import Kind, Organization, Role, Sector


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("test-password-123")


class OrganizationFactory(factory.Factory):
    """Builds organizations with organization_create (tree lock, validation), never a bare save()."""

    class Meta:
        model = Organization

    parent = None
    name = factory.Sequence(lambda n: f"Chi bộ số {n}")
    code = factory.Sequence(lambda n: f"ORG-{n:05d}")
    kind = Kind.CELL
    sector = Sector.RESIDENTIAL
    position = 0

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.organization_create(**kwargs)


def grant(user, organization: Organization, role: Role | str):
    services.role_grant(user=user, organization=organization, role=role)
    return user
