"""The Django admin in the scope matrix: for every model registered in admin.site, a subtree
administrator (world.admin, administrator of district A) lists only their subtree and gets 404 on
district B's objects (change, delete and history pages; reading and posting), writing nothing there;
models that belong to no organization are closed to them; staff, secretaries and leaders have no
admin at all. simple_history's history pages are scoped too and read-only (partytrack.admin.HistoryAdmin, organizations.admin_scope.ScopedAdmin).
"""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from organizations import services as org_services
from organizations.admin_scope import ScopedAdmin
from organizations.models import Organization, Role, RoleAssignment
from tests.candidates.factories import make_admission, make_candidate
from tests.factories import UserFactory, grant
from tests.quotas.scope_cases import _plan, _quota

from .snapshot import changed, snapshot


def _figure(org):
    return org_services.membership_figure_record(
        organization=org, as_of=datetime.date(2026, 1, 1), member_count=12, official_member_count=11
    )


def _deadline(org):
    from monitoring.submissions import reporting_deadline_set

    return reporting_deadline_set(plan=_plan(org), day=10, by=None)


# An object inside district A (cell A1C) and one in district B (cell B1C), for every scoped model.
BUILDERS = {
    "organizations.Organization": lambda w: (w.cell_a, w.cell_b),
    "organizations.MembershipFigure": lambda w: (_figure(w.cell_a), _figure(w.cell_b)),
    "quotas.Plan": lambda w: (_plan(w.cell_a), _plan(w.cell_b)),
    "quotas.Quota": lambda w: (_quota(w.commune_a, w.cell_a), _quota(w.commune_b, w.cell_b)),
    "candidates.Candidate": lambda w: (make_candidate(w.cell_a), make_candidate(w.cell_b)),
    "candidates.Admission": lambda w: (make_admission(w.cell_a), make_admission(w.cell_b)),
    "monitoring.ReportingDeadline": lambda w: (_deadline(w.cell_a), _deadline(w.cell_b)),
}


def _role_assignments(w):
    grant(UserFactory(username="staff_b"), w.cell_b, Role.STAFF)
    return (
        RoleAssignment.objects.get(user=w.secretary, organization=w.cell_a),
        RoleAssignment.objects.get(user__username="staff_b", organization=w.cell_b),
    )


BUILDERS["organizations.RoleAssignment"] = _role_assignments

# Models that belong to no organization: only superusers (who hold Django's permissions) open them.
GLOBAL = {
    "auth.Group",
    "auth.User",
    "authtoken.TokenProxy",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "candidates.PipelineRules",
    "candidates.PrivacyRules",
    "monitoring.AlertRules",
}

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _organization(obj) -> Organization:
    """The organization an object belongs to, along its admin's organization_path ("plan__organization__")."""
    for name in admin.site._registry[type(obj)].organization_path.split("__")[:-1]:
        obj = getattr(obj, name)
    return obj


def _in_district_a(world, obj) -> bool:
    return _organization(obj).is_descendant_of(world.district_a, include_self=True)


def _label(value) -> str:
    return value._meta.label if hasattr(value, "_meta") else ""


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


SCOPED = [item for item in REGISTRY if isinstance(item[1], ScopedAdmin)]
WITH_HISTORY = [item for item in SCOPED if isinstance(item[1], SimpleHistoryAdmin)]
# Admins that refuse every change, even to a superuser: writes go through the services.
_SUPERUSER_REQUEST = SimpleNamespace(user=SimpleNamespace(is_superuser=True))
READ_ONLY_WITH_HISTORY = [item for item in WITH_HISTORY if not item[1].has_change_permission(_SUPERUSER_REQUEST)]


def test_every_registered_model_is_classified():
    labels = {model._meta.label for model, _admin in REGISTRY}
    scoped = {model._meta.label for model, _admin in SCOPED}
    assert scoped - set(BUILDERS) == set(), "scoped admin models without an inside/outside builder"
    assert labels - scoped - GLOBAL == set(), "admin models neither scoped (ScopedAdmin) nor listed in GLOBAL"
    assert scoped & GLOBAL == set()


@pytest.mark.parametrize(("model", "model_admin"), SCOPED, ids=_label)
def test_subtree_administrator_sees_only_their_subtree(world, model, model_admin):
    inside, outside = BUILDERS[model._meta.label](world)
    assert _in_district_a(world, inside) and not _in_district_a(world, outside)
    client = _client(world.admin)

    response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    listed = list(response.context["cl"].queryset)
    assert inside in listed and outside not in listed
    assert [obj for obj in listed if not _in_district_a(world, obj)] == []
    html = response.content.decode()
    assert _url(model, "change", inside.pk) in html and _url(model, "change", outside.pk) not in html

    assert client.get(_url(model, "change", inside.pk)).status_code == 200
    # Outside the subtree: 404, as if the object did not exist; 403 where the admin refuses the action
    # for every object of the model (read-only admins, nothing deleted), which reveals nothing either.
    request = RequestFactory().get("/")
    request.user = world.admin
    refused = 404 if model_admin.has_change_permission(request) else 403
    expected = {("GET", "change"): 404, ("POST", "change"): refused}
    refused = 404 if model_admin.has_delete_permission(request) else 403
    expected.update({("GET", "delete"): refused, ("POST", "delete"): refused})
    expected.update({("GET", "history"): 404, ("POST", "history"): 404})
    before = snapshot()
    answers = {}
    for method, view in expected:
        send = client.get if method == "GET" else client.post
        response = send(_url(model, view, outside.pk), {"post": "yes", "name": "Đổi", "organization": world.cell_a.pk})
        answers[method, view] = response.status_code
    assert answers == expected
    assert changed(before, snapshot()) == []


def _version_url(model, obj) -> str:
    return _url(model, "simple_history", obj.pk, obj.history.latest("history_date").history_id)


def _history_form_post(client, url: str, world, **changes) -> dict:
    """What a "revert" POST to simple_history's version page sends: the old version's form as the
    page fills it, moved into cell A1C and changed a little."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if value is not None:
            data[name] = value.pk if hasattr(value, "pk") else value
    wanted = {"organization": world.cell_a.pk, "name": "Đổi Tên", "member_count": 99, "as_of": "2026-02-01", **changes}
    data.update({key: value for key, value in wanted.items() if key in form.fields})
    return data


@pytest.mark.parametrize(("model", "model_admin"), WITH_HISTORY, ids=_label)
def test_history_pages_of_another_subtree_are_404_and_write_nothing(world, model, model_admin):
    _inside, outside = BUILDERS[model._meta.label](world)
    version = _version_url(model, outside)
    data = _history_form_post(_client(world.superuser), version, world)
    client = _client(world.admin)
    before = snapshot()
    answers = {
        "GET history": client.get(_url(model, "history", outside.pk)).status_code,
        "GET version": client.get(version).status_code,
        "POST version": client.post(version, data).status_code,
    }
    assert (answers, changed(before, snapshot())) == (dict.fromkeys(answers, 404), [])


@pytest.mark.parametrize(("model", "model_admin"), READ_ONLY_WITH_HISTORY, ids=_label)
def test_read_only_admins_cannot_be_written_through_their_history(world, model, model_admin):
    inside, _outside = BUILDERS[model._meta.label](world)
    client = _client(world.admin)
    version = _version_url(model, inside)
    data = _history_form_post(client, version, world, full_name="Tên Đã Bị Sửa", organization=world.cell_a2.pk)
    before = snapshot()
    status = client.post(version, data).status_code
    assert (status, changed(before, snapshot())) == (403, [])


@pytest.mark.parametrize(
    "model", [model for model, model_admin in REGISTRY if not isinstance(model_admin, ScopedAdmin)], ids=_label
)
def test_models_of_no_organization_are_closed_to_subtree_administrators(world, model):
    client = _client(world.admin)
    before = snapshot()
    assert client.get(_url(model, "changelist")).status_code == 403
    assert client.get(_url(model, "add")).status_code == 403
    if model._meta.label == "auth.User":
        assert client.get(_url(model, "change", world.staff.pk)).status_code == 403
        assert client.post(_url(model, "change", world.staff.pk), {"username": "x"}).status_code == 403
    assert changed(before, snapshot()) == []
    index = client.get(reverse("admin:index"))
    listed = {entry["object_name"] for app in index.context["app_list"] for entry in app["models"]}
    assert model._meta.object_name not in listed


@pytest.mark.parametrize("role", ["staff", "secretary", "leader"])
def test_other_roles_have_no_admin_access(world, role):
    client = _client(world.users[role])
    login = reverse("admin:login")
    candidate = make_candidate(world.cell_a)
    pages = [reverse("admin:index")] + [_url(model, "changelist") for model, _admin in REGISTRY]
    pages += [_url(Organization, "change", world.cell_a.pk), _version_url(type(candidate), candidate)]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith(login), page


def test_superuser_opens_every_registered_model(world):
    client = _client(world.superuser)
    for model, _admin in REGISTRY:
        assert client.get(_url(model, "changelist")).status_code == 200, model._meta.label


def test_role_grant_form_offers_only_accounts_of_the_subtree_or_without_a_role(world):
    """The user dropdown of "add role assignment" must not list the people of other subtrees."""
    grant(UserFactory(username="staff_b"), world.cell_b, Role.STAFF)
    UserFactory(username="moi_tao")  # a new account, no role yet (e.g. made by grant_role)
    both = grant(UserFactory(username="hai_noi"), world.cell_b, Role.LEADER)
    grant(both, world.cell_a, Role.LEADER)

    response = _client(world.admin).get(_url(RoleAssignment, "add"))
    offered = {user.username for user in response.context["adminform"].form.fields["user"].queryset}
    assert "staff_b" not in offered and world.superuser.username not in offered
    assert {"secretary", "moi_tao", "hai_noi"} <= offered
    html = response.content.decode()
    assert "staff_b" not in html and "moi_tao" in html

    superuser = _client(world.users["superuser"]).get(_url(RoleAssignment, "add"))
    assert "staff_b" in {user.username for user in superuser.context["adminform"].form.fields["user"].queryset}


def _grant_form(world, **overrides) -> dict:
    return {
        "user": "",
        "organization": world.cell_a.pk,
        "role": Role.SECRETARY,
        "new_username": "bithu.moi",
        "new_full_name": "Nguyễn Thị Mới",
        "new_password1": "Lúa-chiêm-2026-xanh",
        "new_password2": "Lúa-chiêm-2026-xanh",
        **overrides,
    }


def test_subtree_administrator_creates_an_account_with_its_role(world):
    """A new cell secretary gets an account and the role in one form; they can log in at once."""
    from django.contrib.auth import get_user_model

    response = _client(world.admin).post(_url(RoleAssignment, "add"), _grant_form(world))
    assert response.status_code == 302
    user = get_user_model().objects.get(username="bithu.moi")
    assert (user.first_name, user.is_staff, user.is_superuser) == ("Nguyễn Thị Mới", False, False)
    assert list(user.role_assignments.values_list("organization", "role")) == [(world.cell_a.pk, Role.SECRETARY)]
    login = Client().post(reverse("login"), {"username": "bithu.moi", "password": "Lúa-chiêm-2026-xanh"})
    assert login.status_code == 302 and "_auth_user_id" in login.wsgi_request.session


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"organization": "CELL_B"}, "ngoài phạm vi"),
        ({"new_password2": "khác"}, "không khớp"),
        ({"new_password1": "123", "new_password2": "123"}, "quá ngắn"),
        ({"new_password1": "", "new_password2": ""}, "mật khẩu ban đầu"),
        ({"new_username": "secretary"}, "đã có người dùng"),
        ({"new_username": "SECRETARY"}, "đã có người dùng"),
        ({"new_username": ""}, "một trong hai"),
        ({"user": "SECRETARY_PK"}, "một trong hai"),
        ({"new_username": "có dấu cách"}, "new_username"),
    ],
)
def test_a_refused_new_account_writes_nothing(world, overrides, message):
    from django.contrib.auth import get_user_model

    values = {"CELL_B": world.cell_b.pk, "SECRETARY_PK": world.secretary.pk}
    data = _grant_form(world, **{key: values.get(value, value) for key, value in overrides.items()})
    before = snapshot()
    users = get_user_model().objects.count()
    response = _client(world.admin).post(_url(RoleAssignment, "add"), data)
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors).lower()
    assert message in errors, errors
    assert (get_user_model().objects.count(), changed(before, snapshot())) == (users, [])


@pytest.mark.parametrize(("model", "model_admin"), WITH_HISTORY, ids=_label)
def test_a_version_page_lists_nothing_of_other_subtrees(world, model, model_admin):
    """simple_history's version page is a form: read-only here, so no choice list of every
    organization, candidate or account appears (district B's names stay off the page)."""
    inside, _outside = BUILDERS[model._meta.label](world)
    make_candidate(world.cell_b, full_name="Người Ngoài Phạm Vi")
    grant(UserFactory(username="nguoi_ngoai"), world.cell_b, Role.STAFF)
    response = _client(world.admin).get(_version_url(model, inside))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<select" not in html and "<textarea" not in html
    assert not re.search(r'<input[^>]+type="(text|number|password|checkbox|email|date|url)"', html)
    for name in (world.district_b.name, "Người Ngoài Phạm Vi", "nguoi_ngoai"):
        assert name not in html, name
