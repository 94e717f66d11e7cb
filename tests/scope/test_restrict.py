"""The restricting querysets (organizations.models.RestrictedQuerySet): for every model that names its
path to an organization, `restrict(user, action)` returns exactly the rows of the subtrees the user holds
a role for that action in; superusers everything, anonymous users nothing. The expected rows are worked
out here from the `world` fixture's grants, not from Scope. And the subtree filter is written in one
module only: a grep over the source tree fails when another module builds it from a Scope by hand."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from candidates.choices import Step
from candidates.models import Admission, Candidate, PersonalDataAccess
from monitoring.models import ReportSubmission
from organizations import services as org_services
from organizations.models import Organization, OrganizationVersion, Restructuring, Role, RoleAssignment
from quotas.models import Plan, Quota, SubTarget
from reports.models import AdmissionTally, QuotaTally, ReportJob
from tests.candidates.factories import make_admission, make_candidate
from tests.conftest import WORLD_ORGANIZATIONS
from tests.factories import UserFactory, grant
from tests.quotas.scope_cases import _plan, _quota

ORGANIZATIONS = WORLD_ORGANIZATIONS
# Below and including district A, where staff, leader and administrator hold their roles.
SUBTREE_A = {"district_a", "commune_a", "cell_a", "cell_a2", "school_a"}
# Where each world user holds their one role: (role, organization, its subtree).
GRANTS = {
    "staff": (Role.STAFF, "district_a", SUBTREE_A),
    "secretary": (Role.SECRETARY, "cell_a", {"cell_a"}),
    "leader": (Role.LEADER, "district_a", SUBTREE_A),
    "admin": (Role.ADMIN, "district_a", SUBTREE_A),
}
USERS = ("staff", "secretary", "leader", "admin", "superuser", "anonymous")

EVERY_ROLE = frozenset(Role)
PEOPLE = frozenset({Role.SECRETARY, Role.STAFF, Role.ADMIN})
MANAGE = frozenset({Role.STAFF, Role.ADMIN})
# Who may do what by default, and where a model narrows it (people's personal data, the access log).
ACTIONS = {
    "view": EVERY_ROLE,
    "count": EVERY_ROLE,
    "view_people": PEOPLE,
    "add": MANAGE,
    "change": MANAGE,
    "administer": frozenset({Role.ADMIN}),
}
NARROWED = {
    "candidates.Candidate": {"view": PEOPLE},
    "candidates.Admission": {"view": PEOPLE},
    "candidates.StepEvent": {"view": PEOPLE},
    # The access log is the subtree administrator's to read (issue 12, item 5), not staff's.
    "candidates.PersonalDataAccess": {"view": frozenset({Role.ADMIN})},
}

# Rows at organizations inside and outside district A, above it, and at the edge (district A itself).
AROUND = ("province", "district_a", "cell_a", "school_a", "district_b", "cell_b")
# Candidates and admissions are recorded in cells.
CELLS = ("cell_a", "cell_a2", "school_a", "cell_b")


def _figure(org):
    return org_services.membership_figure_record(
        organization=org, as_of=datetime.date(2026, 1, 1), member_count=12, official_member_count=11
    )


def _role_assignment(org):
    user = grant(UserFactory(), org, Role.LEADER)
    return RoleAssignment.objects.get(user=user, organization=org)


def _step_event(org):
    return make_candidate(org, step=Step.AWARENESS_CLASS).events.first()


def _sub_target(org):
    return SubTarget.objects.create(plan=_plan(org), kind=SubTarget.Kind.OTHER, value=1)


def _deadline(org):
    from monitoring.submissions import reporting_deadline_set

    return reporting_deadline_set(plan=_plan(org), day=10, by=None)


def _access(org):
    user = UserFactory()
    return PersonalDataAccess.objects.create(
        user=user, kind=PersonalDataAccess.Kind.CANDIDATE_PAGE, organization=org, person_count=1
    )


BUILDERS = {
    "organizations.Organization": (lambda org: org, ORGANIZATIONS),
    "organizations.MembershipFigure": (_figure, AROUND),
    "organizations.Restructuring": (
        lambda org: Restructuring.objects.create(
            organization=org,
            number=f"1-QĐ/{org.code}",
            issuing_body="Ban Thường vụ",
            decided_on=datetime.date(2025, 6, 16),
            effective_on=datetime.date(2025, 7, 1),
        ),
        AROUND,
    ),
    # Every organization has its dated versions from its creation (issue 14).
    "organizations.OrganizationVersion": (
        lambda org: OrganizationVersion.objects.filter(organization=org).first(),
        ORGANIZATIONS,
    ),
    "organizations.RoleAssignment": (_role_assignment, AROUND),
    "quotas.Plan": (_plan, AROUND),
    "quotas.SubTarget": (_sub_target, AROUND),
    "quotas.Quota": (lambda org: _quota(org.parent or org, org), AROUND),
    "candidates.Candidate": (make_candidate, CELLS),
    "candidates.StepEvent": (_step_event, CELLS),
    "candidates.Admission": (make_admission, CELLS),
    "candidates.PersonalDataAccess": (_access, AROUND),
    "reports.AdmissionTally": (
        lambda org: AdmissionTally.objects.create(organization=org, year=2001, own_q1=1),
        AROUND,
    ),
    "reports.QuotaTally": (
        lambda org: QuotaTally.objects.create(
            organization=org, year=2001, total=4, through_q1=1, through_q2=2, through_q3=3, through_q4=4
        ),
        AROUND,
    ),
    "reports.ReportJob": (
        lambda org: ReportJob.objects.create(organization=org, year=2026, quarter=1, format=ReportJob.Format.PDF),
        AROUND,
    ),
    "monitoring.ReportSubmission": (
        lambda org: ReportSubmission.objects.create(
            organization=org, kind=ReportSubmission.Kind.YEAR, year=2026, number=1, submitted_at=timezone.now()
        ),
        AROUND,
    ),
    "monitoring.ReportingDeadline": (_deadline, AROUND),
}


def _restricted_models():
    return sorted(
        (model for model in apps.get_models() if hasattr(model, "organization_path")), key=lambda m: m._meta.label
    )


def test_every_model_with_an_organization_path_is_covered():
    assert {model._meta.label for model in _restricted_models()} == set(BUILDERS)


def test_every_model_that_belongs_to_an_organization_names_its_path():
    """A model with a foreign key to Organization (other than the tree's own links) is restricted."""
    own_links = {"parent", "merged_into"}
    for model in apps.get_models():
        if model._meta.app_label not in {"organizations", "quotas", "candidates", "reports", "monitoring"}:
            continue
        if model.__name__.startswith("Historical"):
            continue
        links = [
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is Organization and f.name not in own_links
        ]
        if links:
            assert hasattr(model, "organization_path"), f"{model._meta.label} belongs to an organization"
            assert hasattr(model.objects, "restrict"), f"{model._meta.label}.objects has no restrict()"


def _organization_of(obj):
    for name in filter(None, type(obj).organization_path.split("__")):
        obj = getattr(obj, name)
    return obj


def _expected_codes(world, label: str, user_name: str, action: str) -> set[str]:
    if user_name == "superuser":
        return {getattr(world, name).code for name in ORGANIZATIONS}
    if user_name == "anonymous":
        return set()
    role, where, subtree = GRANTS[user_name]
    if label == "organizations.Organization" and action == "change":
        # Staff change what lies below their committee, administrators their committee too.
        names = {"staff": subtree - {where}, "admin": subtree}.get(user_name, set())
    else:
        roles = NARROWED.get(label, {}).get(action, ACTIONS[action])
        names = subtree if role in roles else set()
    return {getattr(world, name).code for name in names}


@pytest.mark.parametrize("label", sorted(BUILDERS))
def test_restrict_returns_exactly_the_subtree_rows(world, label):
    model = apps.get_model(label)
    build, where = BUILDERS[label]
    for name in where:
        assert build(getattr(world, name)) is not None
    rows = list(model.objects.all())
    at = {row.pk: _organization_of(row) for row in rows}
    built_at = {org.code for org in at.values() if org is not None}
    assert built_at >= {getattr(world, name).code for name in where}
    users = {**world.users, "anonymous": AnonymousUser()}
    for user_name in USERS:
        for action in ACTIONS:
            codes = _expected_codes(world, label, user_name, action)
            expected = {
                pk for pk, org in at.items() if (org is not None and org.code in codes) or user_name == "superuser"
            }
            got = set(model.objects.restrict(users[user_name], action).values_list("pk", flat=True))
            assert got == expected, f"{label}.restrict({user_name}, {action!r})"
            # The condition alone excludes exactly the others.
            rest = set(
                model.objects.exclude(model.objects.restriction(users[user_name], action)).values_list("pk", flat=True)
            )
            assert rest == set(at) - expected, f"{label}: exclude(restriction({user_name}, {action!r}))"


def test_restrict_is_mixed_into_the_models_own_querysets(world):
    """The custom querysets keep their methods before and after restrict(): the tree's, plans', quotas'
    and candidates'; the reverse managers have it too."""
    staff = world.staff
    _quota(world.commune_a, world.cell_a)
    _quota(world.commune_b, world.cell_b)
    make_candidate(world.cell_a)
    make_candidate(world.cell_b)
    assert set(Organization.objects.restrict(staff).get_descendants().values_list("code", flat=True)) == {
        "A1",
        "A1C",
        "A1D",
        "A2",
    }
    assert [o.code for o in Organization.objects.restrict(staff).in_report_order().filter(parent=world.commune_a)] == [
        "A1C",
        "A1D",
    ]
    assert set(Plan.objects.current().restrict(staff).values_list("organization__code", flat=True)) == {"A1"}
    assert set(Quota.objects.restrict(staff).effective().values_list("organization__code", flat=True)) == {"A1C"}
    assert set(Candidate.objects.active().restrict(world.secretary).values_list("organization__code", flat=True)) == {
        "A1C"
    }
    assert not Candidate.objects.restrict(world.leader).exists()
    assert Candidate.objects.restrict(world.leader, "count").count() == 1
    assert world.district_a.candidates.restrict(staff).count() == 0
    assert world.cell_a.candidates.restrict(staff).count() == 1
    assert world.cell_b.candidates.restrict(staff).count() == 0
    assert world.secretary.role_assignments.restrict(world.admin, "administer").exists()
    outside = grant(UserFactory(username="staff_b"), world.cell_b, Role.STAFF)
    assert not outside.role_assignments.restrict(world.admin, "administer").exists()
    assert outside.role_assignments.restrict(world.superuser, "administer").exists()


def test_within_is_the_organization_subtree(world):
    make_candidate(world.cell_a)
    make_candidate(world.cell_a2)
    make_candidate(world.cell_b)
    assert set(Candidate.objects.within(world.commune_a).values_list("organization__code", flat=True)) == {
        "A1C",
        "A1D",
    }
    assert set(Candidate.objects.within(world.cell_a).values_list("organization__code", flat=True)) == {"A1C"}
    assert Candidate.objects.within(world.province).count() == 3
    assert set(Organization.objects.within(world.district_b).values_list("code", flat=True)) == {"B", "B1", "B1C"}
    assert not Admission.objects.within(world.province).exists()


# A Scope turned into a filter by hand: `Scope.of(user).q(...)` or `scope.q(...)` on a variable.
HAND_WRITTEN = re.compile(r"Scope\.of\([^)]*\)\s*\.q\(|\bscope\.q\(|\.q\(\s*(?:roles|prefix|strict)\s*=")
THE_ONE_MODULE = Path("organizations/models.py")
ROOT = Path(__file__).resolve().parents[2]
NOT_SOURCE = {"tests", "migrations", ".venv", "node_modules", "benchmarks"}


def _source_files():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if not NOT_SOURCE.intersection(relative.parts):
            yield relative, path.read_text(encoding="utf-8")


def test_the_subtree_filter_is_built_in_one_module():
    found = [
        f"{relative}:{text.count(chr(10), 0, match.start()) + 1}: {match.group(0)}"
        for relative, text in _source_files()
        if relative != THE_ONE_MODULE
        for match in HAND_WRITTEN.finditer(text)
    ]
    assert found == [], "filter through Model.objects.restrict(user, action), not Scope.q(): " + "; ".join(found)


def test_the_guard_sees_the_one_module():
    """The pattern does match the restricting queryset's own use of Scope.q(), so the guard is not blind."""
    text = dict(_source_files())[THE_ONE_MODULE]
    assert HAND_WRITTEN.search(text)
