"""View shortcuts shared by every app: the organization of a URL, within the user's scope."""

from django.shortcuts import get_object_or_404

from .models import Organization


def visible_organization_or_404(request, pk: int) -> Organization:
    """The organization if it lies in the user's scope; a 404 otherwise (never a 403: an organization
    outside the scope is not revealed to exist)."""
    return get_object_or_404(Organization.objects.visible_to(request.user), pk=pk)
