from tests.scope.cases import MANAGE, READ_ALL, Case, org_pk

# Staff and administrators of district A change what lies below it; the secretary's cell is inside
# everyone's scope, so each role is tested on an object it could reach.
EDIT_CELL = {"staff": 200, "secretary": 404, "leader": 404, "admin": 200, "superuser": 200}

# The commune is above the secretary's cell: outside the secretary's scope.
ABOVE_CELL = {**READ_ALL, "secretary": 404}

CASES = [
    Case("home", None, outside=False),
    Case("organizations:tree", None, outside=False),
    Case("organizations:tree", None, query="q=thon", outside=False),
    Case("organizations:detail", org_pk()),
    Case("organizations:children", org_pk("commune_a", "commune_b"), expect=ABOVE_CELL),
    Case("organizations:create", org_pk("commune_a", "commune_b"), expect=MANAGE),
    Case("organizations:detail", org_pk("commune_a", "commune_b"), expect=ABOVE_CELL),
    Case("organizations:edit", org_pk(), expect=EDIT_CELL),
    Case("organizations:move", org_pk(), expect=EDIT_CELL),
    Case("organizations:merge", org_pk(), expect=EDIT_CELL),
    Case("organizations:dissolve", org_pk(), expect=EDIT_CELL),
    Case("organizations:figures", org_pk(), expect=EDIT_CELL),
    Case("organizations:restructure", org_pk(), expect=EDIT_CELL),
    Case("organization-list", None, outside=False, api=True),
    Case("organization-detail", org_pk(), api=True),
    Case("api-schema", None, outside=False, api=True),
    # The restructuring actions (issue 14) take POST only: a GET tells nobody anything, inside or out.
    # Their writes are in tests/scope/write_cases.py.
    *(
        Case(name, org_pk(), expect={role: 405 for role in READ_ALL}, outside=False, api=True)
        for name in ("organization-merge", "organization-move", "organization-dissolve")
    ),
]
__all__ = ["CASES", "READ_ALL"]
