"""The home page: the user's organizations and what each role can do there."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from organizations.models import Organization, RoleAssignment


@login_required
def home(request):
    if request.user.is_superuser:
        assignments = []
        tops = Organization.objects.root_nodes()
    else:
        assignments = list(
            RoleAssignment.objects.filter(user=request.user)
            .select_related("organization")
            .order_by("organization__lft")
        )
        tops = []
    return render(request, "home.html", {"assignments": assignments, "tops": tops})
