"""The write half of the scope matrix: every URL that accepts POST, PUT, PATCH or DELETE, for every role.

A `WriteCase` names a URL and a method, builds (from the `world` fixture) a write that an allowed role
would really make inside its subtree, and says what each role gets. tests/scope/test_writes.py sends
it for every role and compares every table of the apps before and after: an allowed role's write
changes something, every refused write changes nothing.

Each case is also aimed elsewhere:
- `outside`: the same write on an object of district B, or for a list-create endpoint a payload naming
  an organization of district B. Every role but the superuser is refused (404 for objects; for list
  and create forms the status in `outside_expect`: a page re-shows its form with the error, the API
  answers 400 naming the field), and nothing is written;
- `neighbour`: the same write on the secretary's neighbouring cell (A1D), inside everybody else's
  subtree: the secretary is refused, the others are not.

READ_ONLY lists the pages that answer a POST like a GET (no method restriction on the view; PUT,
PATCH and DELETE are refused 405 for every page) and must never write anything, whoever sends it.
test_every_url_accepting_writes_is_in_the_matrix fails when a URL accepts a write method (anything
but 405 for the superuser) and is neither in WRITE_CASES for that method nor in READ_ONLY.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from candidates.choices import Step
from candidates.views import IMPORT_PREVIEW as ADMISSIONS_PREVIEW
from partytrack import previews
from quotas import forms as quota_forms
from quotas import selectors as quota_selectors
from quotas import views as quota_views
from tests.candidates.factories import make_admission, make_candidate
from tests.conftest import ROLES
from tests.factories import OrganizationFactory
from tests.quotas.scope_cases import YEAR, _plan, _quota

METHODS = ("post", "put", "patch", "delete")
IMPORT_SESSION_KEY = previews.SESSION_KEY
TODAY = datetime.date.today().isoformat()


@dataclass(frozen=True)
class Target:
    kwargs: dict | None
    data: dict = field(default_factory=dict)
    # For an import's confirm step: what the preview left in the session, under IMPORT_SESSION_KEY.
    session: dict | None = None


def _kept_preview(kind: str, data, where: str = "") -> tuple[str, dict]:
    """A preview as the upload keeps it (partytrack.previews): the token and the session's entry."""
    session: dict = {}
    token = previews.preview_store(session, kind=kind, data=data, where=where)
    return token, session[IMPORT_SESSION_KEY]


Build = Callable[[Any], Target]


def roles(ok: int, allowed: set[str], refused: int = 404) -> dict[str, int]:
    return {role: ok if role in allowed else refused for role in ROLES}


MANAGERS = {"staff", "admin", "superuser"}
PERSONAL = {"staff", "secretary", "admin", "superuser"}
EVERYONE = set(ROLES)


@dataclass(frozen=True)
class WriteCase:
    url_name: str
    method: str
    inside: Build
    expect: dict[str, int]
    # The status of a write that went through; an allowed role gets it and something is written.
    ok: int = 302
    outside: Build | None = None
    # Without it: 404 for every role but the superuser, who gets expect["superuser"].
    outside_expect: dict[str, int] | None = None
    neighbour: Build | None = None
    neighbour_expect: dict[str, int] | None = None
    api: bool = False
    # False for a step that answers `ok` and writes nothing (an upload's preview).
    writes: bool = True
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.url_name}{' ' + self.label if self.label else ''}"

    def variants(self) -> list[tuple[str, Build, dict[str, int]]]:
        found = [("inside", self.inside, self.expect)]
        if self.outside is not None:
            expect = self.outside_expect or {**{role: 404 for role in ROLES}, "superuser": self.expect["superuser"]}
            found.append(("outside", self.outside, expect))
        if self.neighbour is not None:
            found.append(("neighbour", self.neighbour, self.neighbour_expect or {**self.expect, "secretary": 404}))
        return found


def _pk(obj) -> dict:
    return {"pk": obj.pk}


# ------------------------------------------------------------------------------- organizations


def _new_cell(parent, code: str) -> dict:
    return {"name": "Chi bộ Thôn Mới", "code": code, "kind": "cell", "sector": "residential", "position": 9}


def _restructuring(code: str) -> dict:
    """The restructuring page's form, confirmed: one step renaming the organization `code`."""
    return {
        "number": f"1-QĐ/{code}",
        "issuing_body": "Ban Thường vụ",
        "decided_on": "2026-01-01",
        "effective_on": "2026-01-01",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "200",
        "steps-0-action": "rename",
        "steps-0-organizations": code,
        "steps-0-name": "Chi bộ Thôn Hai Mươi",
        "steps-0-sector": "residential",
        "confirm": "1",
    }


def _edited(org) -> dict:
    return {
        "name": f"{org.name} (sửa)",
        "short_name": "",
        "code": org.code,
        "kind": org.kind,
        "sector": org.sector,
        "position": org.position,
    }


def _merge(w, cell, parent, code: str) -> Target:
    other = OrganizationFactory(name="Chi bộ Thôn Nhập", code=code, kind="cell", parent=parent)
    return Target(_pk(cell), {"sources": [other.pk], "on": TODAY})


FIGURES = {"as_of": "2026-01-01", "cell_count": "", "member_count": 12, "official_member_count": 11}

ORGANIZATIONS = [
    WriteCase(
        "organizations:create",
        "post",
        lambda w: Target(_pk(w.commune_a), _new_cell(w.commune_a, "A1Z")),
        roles(302, MANAGERS),
        outside=lambda w: Target(_pk(w.commune_b), _new_cell(w.commune_b, "B1Z")),
    ),
    WriteCase(
        "organizations:edit",
        "post",
        lambda w: Target(_pk(w.cell_a), _edited(w.cell_a)),
        roles(302, MANAGERS),
        outside=lambda w: Target(_pk(w.cell_b), _edited(w.cell_b)),
    ),
    WriteCase(
        "organizations:move",
        "post",
        # A school's chi bộ cơ sở from the district to the commune; B's commune to the province (2025).
        lambda w: Target(_pk(w.school_a), {"new_parent": w.commune_a.pk}),
        roles(302, MANAGERS),
        outside=lambda w: Target(_pk(w.commune_b), {"new_parent": w.province.pk}),
    ),
    # Moving an organization of one's own subtree into district B: the form does not offer B.
    WriteCase(
        "organizations:move",
        "post",
        lambda w: Target(_pk(w.cell_a2), {"new_parent": w.commune_b.pk}),
        {"staff": 200, "secretary": 404, "leader": 404, "admin": 200, "superuser": 302},
        label="into district B",
    ),
    WriteCase(
        "organizations:merge",
        "post",
        lambda w: _merge(w, w.cell_a, w.commune_a, "A1M"),
        roles(302, MANAGERS),
        outside=lambda w: _merge(w, w.cell_b, w.commune_b, "B1M"),
    ),
    WriteCase(
        "organizations:dissolve",
        "post",
        lambda w: Target(_pk(w.cell_a), {"on": TODAY}),
        roles(302, MANAGERS),
        outside=lambda w: Target(_pk(w.cell_b), {"on": TODAY}),
    ),
    WriteCase(
        "organizations:figures",
        "post",
        lambda w: Target(_pk(w.cell_a), FIGURES),
        roles(302, MANAGERS),
        outside=lambda w: Target(_pk(w.cell_b), FIGURES),
    ),
    WriteCase(
        "organization-list",
        "post",
        lambda w: Target(None, {"code": "A1Y", "name": "Chi bộ Thôn 8", "kind": "cell", "parent": w.commune_a.pk}),
        roles(201, MANAGERS, refused=400),
        ok=201,
        outside=lambda w: Target(
            None, {"code": "B1Y", "name": "Chi bộ Thôn 8", "kind": "cell", "parent": w.commune_b.pk}
        ),
        outside_expect=roles(201, {"superuser"}, refused=400),
        api=True,
    ),
    WriteCase(
        "organization-detail",
        "patch",
        lambda w: Target(_pk(w.cell_a), {"name": "Chi bộ Thôn Một"}),
        roles(200, MANAGERS),
        ok=200,
        outside=lambda w: Target(_pk(w.cell_b), {"name": "Chi bộ Thôn Một"}),
        api=True,
    ),
    # Moving one's own cell into district B through the API: the parent is not one the caller manages.
    WriteCase(
        "organization-detail",
        "patch",
        lambda w: Target(_pk(w.cell_a2), {"parent": w.commune_b.pk}),
        {"staff": 400, "secretary": 404, "leader": 400, "admin": 400, "superuser": 200},
        ok=200,
        api=True,
        label="into district B",
    ),
    # A restructuring decision confirmed on its page (issue 14): a rename in the organization's subtree.
    WriteCase(
        "organizations:restructure",
        "post",
        lambda w: Target(_pk(w.commune_a), _restructuring("A1D")),
        roles(302, MANAGERS),
        outside=lambda w: Target(_pk(w.commune_b), _restructuring("B1C")),
    ),
    # Restructuring through the API (issue 14): the organization of the URL and every one the body
    # names must be the caller's to change.
    WriteCase(
        "organization-merge",
        "post",
        lambda w: Target(_pk(w.commune_a), {"sources": [w.cell_a2.pk], "on": "2026-01-01"}),
        roles(200, MANAGERS),
        ok=200,
        outside=lambda w: Target(_pk(w.commune_b), {"sources": [w.cell_b.pk], "on": "2026-01-01"}),
        api=True,
    ),
    WriteCase(
        "organization-move",
        "post",
        lambda w: Target(_pk(w.school_a), {"parent": w.commune_a.pk, "on": "2026-01-01"}),
        roles(200, MANAGERS),
        ok=200,
        outside=lambda w: Target(_pk(w.commune_b), {"parent": w.district_a.pk}),
        api=True,
    ),
    WriteCase(
        "organization-dissolve",
        "post",
        lambda w: Target(_pk(w.cell_a2), {"on": "2026-01-01"}),
        roles(200, MANAGERS),
        ok=200,
        outside=lambda w: Target(_pk(w.cell_b), {"on": "2026-01-01"}),
        api=True,
    ),
]


# ------------------------------------------------------------------------------------- quotas


def _grid(commune) -> Target:
    """District A's (or B's) commune allocating to its cells: the signed state and a number per cell."""
    allocation = quota_selectors.allocation_for(organization=commune, year=YEAR)
    data = {
        "base": quota_forms.sign_base(
            plan_id=allocation.plan.pk if allocation.plan else None,
            token=allocation.token,
            values=allocation.values_by_organization(),
        )
    }
    for row in allocation.rows:
        data[quota_forms.field_name("total", row.organization.pk)] = "3"
    return Target({"pk": commune.pk, "year": YEAR}, data)


def _import_payload(commune) -> Target:
    """The confirm step of a quota import, as the preview keeps it: 4 for each cell of the commune."""
    allocation = quota_selectors.allocation_for(organization=commune, year=YEAR)
    rows = [[row.organization.pk, 4, None, None, None, None] for row in allocation.rows]
    token, kept = _kept_preview(
        quota_views.IMPORT_PREVIEW,
        {"layout": "year", "plan": None, "token": allocation.token, "rows": rows},
        where=quota_views.import_preview_page(commune, YEAR),
    )
    return Target({"pk": commune.pk, "year": YEAR}, {"payload": token}, session=kept)


def _import_upload(commune) -> Target:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.quotas.conftest import seed_000_workbook

    data = seed_000_workbook([[(child.name, 2, 0, 0, 2, 0) for child in commune.get_children()]])
    return Target({"pk": commune.pk, "year": YEAR}, {"file": SimpleUploadedFile("bieu.xlsx", data)})


def _plan_post(number: str, **overrides) -> dict:
    data = {
        "number": number,
        "issued_on": "2026-02-11",
        "issuing_body": "Ban Thường vụ",
        "title": "Kết nạp đảng viên năm 2026",
        "status": "issued",
        "start_year": str(YEAR),
        "end_year": str(YEAR),
        "target": "20",
        "place": "Biên Sơn",
        "signer_title": "BÍ THƯ",
        "signer_name": "Nguyễn Văn A",
        "recipients": "Lưu",
        "sub-TOTAL_FORMS": "0",
        "sub-INITIAL_FORMS": "0",
        "sub-MIN_NUM_FORMS": "0",
        "sub-MAX_NUM_FORMS": "20",
    }
    return {**data, **overrides}


def _plan_target(commune, number: str) -> Target:
    return Target({"plan_pk": _plan(commune).pk}, _plan_post(number))


def _term(commune) -> Target:
    plan = _plan(commune)
    table = quota_selectors.term_table(plan=plan)
    data = {"base": quota_forms.sign_base(plan_id=plan.pk, token=table.token, values={})}
    for row in table.rows:
        for year in table.years:
            data[quota_forms.field_name(f"y{year}", row.organization.pk)] = "2"
    return Target({"plan_pk": plan.pk}, data)


QUOTAS = [
    WriteCase(
        "quotas:allocation",
        "post",
        lambda w: _grid(w.commune_a),
        roles(302, MANAGERS),
        outside=lambda w: _grid(w.commune_b),
    ),
    WriteCase(
        "quotas:import",
        "post",
        lambda w: _import_payload(w.commune_a),
        roles(302, MANAGERS),
        outside=lambda w: _import_payload(w.commune_b),
        label="confirm",
    ),
    WriteCase(
        "quotas:import",
        "post",
        lambda w: _import_upload(w.commune_a),
        roles(200, MANAGERS),
        ok=200,
        writes=False,
        outside=lambda w: _import_upload(w.commune_b),
        label="upload",
    ),
    WriteCase(
        "quotas:plan_create",
        "post",
        lambda w: Target(_pk(w.commune_a), _plan_post("5-KH/ĐU")),
        roles(302, MANAGERS),
        outside=lambda w: Target(_pk(w.commune_b), _plan_post("5-KH/ĐU")),
    ),
    WriteCase(
        "quotas:plan_edit",
        "post",
        lambda w: _plan_target(w.commune_a, "1-KH/A1"),
        roles(302, MANAGERS),
        outside=lambda w: _plan_target(w.commune_b, "1-KH/B1"),
    ),
    WriteCase(
        "quotas:plan_replace",
        "post",
        lambda w: _plan_target(w.commune_a, "2-KH/A1"),
        roles(302, MANAGERS),
        outside=lambda w: _plan_target(w.commune_b, "2-KH/B1"),
    ),
    WriteCase(
        "quotas:term",
        "post",
        lambda w: _term(w.commune_a),
        roles(302, MANAGERS),
        outside=lambda w: _term(w.commune_b),
    ),
    WriteCase(
        "quota-list",
        "post",
        lambda w: Target(None, {"organization": w.cell_a.pk, "year": YEAR, "total": 3}),
        roles(201, MANAGERS, refused=400),
        ok=201,
        outside=lambda w: Target(None, {"organization": w.cell_b.pk, "year": YEAR, "total": 3}),
        outside_expect=roles(201, {"superuser"}, refused=400),
        api=True,
    ),
    # District A's own quota comes from the province, above everyone's scope.
    WriteCase(
        "quota-list",
        "post",
        lambda w: Target(None, {"organization": w.district_a.pk, "year": YEAR, "total": 3}),
        roles(201, {"superuser"}, refused=400),
        ok=201,
        api=True,
        label="from the level above",
    ),
    WriteCase(
        "quota-detail",
        "put",
        lambda w: Target(_pk(_quota(w.commune_a, w.cell_a)), {"organization": w.cell_a.pk, "year": YEAR, "total": 5}),
        roles(200, MANAGERS),
        ok=200,
        outside=lambda w: Target(
            _pk(_quota(w.commune_b, w.cell_b)), {"organization": w.cell_b.pk, "year": YEAR, "total": 5}
        ),
        api=True,
    ),
]


# --------------------------------------------------------------------------------- candidates

PERSON = {
    "full_name": "Mới Thêm Văn A",
    "gender": "male",
    "birth_date": "2000-01-01",
    "ethnicity": "kinh",
    "religion": "none",
    "occupation": "farmer",
    "education_level": "upper_secondary",
    "professional_level": "none",
    "political_theory": "none",
}
CANDIDATE = {**PERSON, "listed_on": "2025-01-06", "helper_name": "Đảng viên Giúp"}
ADMISSION = {**PERSON, "decision_number": "99-QĐ/HU", "admitted_on": "2023-04-05", "deciding_body": "BTV Huyện ủy"}
API_CANDIDATE = {"full_name": "Qua API Văn A", "gender": "male", "birth_date": "2001-02-03", "listed_on": "2025-01-06"}
API_ADMISSION = {
    "full_name": "Lịch Sử Thị A",
    "gender": "female",
    "birth_date": "1997-07-07",
    "decision_number": "5-QĐ/HU",
    "admitted_on": "2022-05-05",
}
# Leaders never reach personal data: 404 on every candidates page; the API's organization field
# offers them nothing (400).
FORM_REFUSED = {"staff": 200, "secretary": 200, "leader": 404, "admin": 200, "superuser": 302}


def _candidate(cell, step=Step.SYMPATHIZER, data: dict | None = None) -> Target:
    return Target(_pk(make_candidate(cell, step=step)), data or {})


def _step(step: str, **fields) -> dict:
    return {"step": step, **fields}


def _on_candidates(step, data: dict, **kw) -> dict:
    """inside/outside/neighbour builders for a write on one candidate at `step`."""
    return {
        "inside": lambda w: _candidate(w.cell_a, step, data),
        "outside": lambda w: _candidate(w.cell_b, step, data),
        "neighbour": lambda w: _candidate(w.cell_a2, step, data),
        **kw,
    }


def _import_confirm(cell) -> Target:
    row = {
        "row": 2,
        "organization": cell.pk,
        "full_name": "Nhập Tệp Văn A",
        "gender": "male",
        "birth_date": "1999-01-01",
        "decision_number": "12-QĐ/HU",
        "admitted_on": "2022-02-14",
    }
    token, kept = _kept_preview(ADMISSIONS_PREVIEW, [row])
    return Target(None, {"confirm": "1", "token": token}, session=kept)


def _import_file(cell) -> Target:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.trust.conftest import HEADER, xlsx

    content = xlsx([HEADER, [1, cell.code, "Nhập Tệp Văn A", "Nam", "01/01/1999", "12-QĐ/HU", "14/02/2022"]])
    return Target(None, {"file": SimpleUploadedFile("ket-nap.xlsx", content)})


CANDIDATES = [
    WriteCase(
        "candidates:create",
        "post",
        lambda w: Target(None, {**CANDIDATE, "organization": w.cell_a.pk}),
        roles(302, PERSONAL),
        outside=lambda w: Target(None, {**CANDIDATE, "organization": w.cell_b.pk}),
        outside_expect=FORM_REFUSED,
        neighbour=lambda w: Target(None, {**CANDIDATE, "organization": w.cell_a2.pk}),
        neighbour_expect={**roles(302, PERSONAL), "secretary": 200},
    ),
    WriteCase(
        "candidates:edit",
        "post",
        expect=roles(302, PERSONAL),
        **_on_candidates(Step.SYMPATHIZER, {**PERSON, "full_name": "Đã Sửa Văn A", "helper_name": "Đảng viên B"}),
    ),
    WriteCase(
        "candidates:advance",
        "post",
        expect=roles(302, PERSONAL),
        **_on_candidates(Step.SYMPATHIZER, _step(Step.AWARENESS_CLASS, on="2025-02-10", document_number="1/CN")),
    ),
    WriteCase(
        "candidates:extend",
        "post",
        expect=roles(302, PERSONAL),
        **_on_candidates(Step.CELL_RESOLUTION, {"on": "2025-05-26", "working_days": 30, "document_number": "9/GH"}),
    ),
    WriteCase(
        "candidates:renew_certificate",
        "post",
        expect=roles(302, PERSONAL),
        **_on_candidates(Step.APPLICATION, {"on": "2025-03-20", "document_number": "88/CN", "acting_body": "TTCT"}),
    ),
    WriteCase(
        "candidates:close",
        "post",
        expect=roles(302, PERSONAL),
        **_on_candidates(Step.SYMPATHIZER, {"outcome": "withdrawn", "on": "2025-02-01", "reason": "Chuyển đi"}),
    ),
    WriteCase(
        "candidates:undo",
        "post",
        expect=roles(302, PERSONAL),
        **_on_candidates(Step.AWARENESS_CLASS, {"reason": "Ghi nhầm"}),
    ),
    WriteCase(
        "candidates:admission_create",
        "post",
        lambda w: Target(None, {**ADMISSION, "organization": w.cell_a.pk}),
        roles(302, PERSONAL),
        outside=lambda w: Target(None, {**ADMISSION, "organization": w.cell_b.pk}),
        outside_expect=FORM_REFUSED,
        neighbour=lambda w: Target(None, {**ADMISSION, "organization": w.cell_a2.pk}),
        neighbour_expect={**roles(302, PERSONAL), "secretary": 200},
    ),
    WriteCase(
        "candidates:admission_cancel",
        "post",
        lambda w: Target(_pk(make_admission(w.cell_a)), {"reason": "Ghi nhầm"}),
        roles(302, MANAGERS),
        outside=lambda w: Target(_pk(make_admission(w.cell_b)), {"reason": "Ghi nhầm"}),
    ),
    # The confirm step re-checks every row's organization against the user's scope at the moment
    # of writing (a role revoked since the preview, a session from before).
    WriteCase(
        "candidates:admission_import",
        "post",
        lambda w: _import_confirm(w.cell_a),
        roles(302, PERSONAL),
        outside=lambda w: _import_confirm(w.cell_b),
        outside_expect=FORM_REFUSED,
        neighbour=lambda w: _import_confirm(w.cell_a2),
        neighbour_expect={**roles(302, PERSONAL), "secretary": 200},
        label="confirm",
    ),
    WriteCase(
        "candidates:admission_import",
        "post",
        lambda w: _import_file(w.cell_a),
        roles(200, PERSONAL),
        ok=200,
        writes=False,
        outside=lambda w: _import_file(w.cell_b),
        outside_expect=roles(200, PERSONAL),
        label="upload",
    ),
    # Downloading personal data is recorded (candidates.PersonalDataAccess), by a POST too: the view
    # answers POST like a GET (pages answer PUT, PATCH and DELETE 405, PageMethodsMiddleware). A file
    # of nobody is not a read of personal data: the cell has one admission.
    WriteCase(
        "candidates:admissions_xlsx",
        "post",
        lambda w: (make_admission(w.cell_a), Target(None))[1],
        roles(200, PERSONAL),
        ok=200,
    ),
    WriteCase(
        "candidate-list",
        "post",
        lambda w: Target(None, {**API_CANDIDATE, "organization": w.cell_a.pk}),
        roles(201, PERSONAL, refused=400),
        ok=201,
        outside=lambda w: Target(None, {**API_CANDIDATE, "organization": w.cell_b.pk}),
        outside_expect=roles(201, {"superuser"}, refused=400),
        neighbour=lambda w: Target(None, {**API_CANDIDATE, "organization": w.cell_a2.pk}),
        neighbour_expect={**roles(201, PERSONAL, refused=400), "secretary": 400},
        api=True,
    ),
    WriteCase(
        "candidate-steps",
        "post",
        expect=roles(201, PERSONAL),
        ok=201,
        api=True,
        **_on_candidates(Step.SYMPATHIZER, {"on": "2025-02-10"}),
    ),
    WriteCase(
        "admission-list",
        "post",
        lambda w: Target(None, {**API_ADMISSION, "organization": w.cell_a.pk}),
        roles(201, PERSONAL, refused=400),
        ok=201,
        outside=lambda w: Target(None, {**API_ADMISSION, "organization": w.cell_b.pk}),
        outside_expect=roles(201, {"superuser"}, refused=400),
        neighbour=lambda w: Target(None, {**API_ADMISSION, "organization": w.cell_a2.pk}),
        neighbour_expect={**roles(201, PERSONAL, refused=400), "secretary": 400},
        api=True,
    ),
]


# ------------------------------------------------------------------------------------ reports

PERIOD = {"year": YEAR, "quarter": 2}
SUBMISSION = {"kind": "quarter", "year": YEAR, "number": 1, "note": ""}
DEADLINE = {"day": 10, "months_after": 1}

REPORTS = [
    # Asking for a report to be built in the background: every role may, for what it sees.
    WriteCase(
        "reports:progress-pdf",
        "post",
        lambda w: Target(_pk(w.cell_a), PERIOD),
        roles(302, EVERYONE),
        outside=lambda w: Target(_pk(w.cell_b), PERIOD),
    ),
    WriteCase(
        "reports:progress-xlsx",
        "post",
        lambda w: Target(_pk(w.cell_a), PERIOD),
        roles(302, EVERYONE),
        outside=lambda w: Target(_pk(w.cell_b), PERIOD),
    ),
    # Sending the cell's periodic report: those who record its candidates, not leaders.
    WriteCase(
        "monitoring:submit",
        "post",
        lambda w: Target(_pk(w.cell_a), SUBMISSION),
        roles(302, PERSONAL),
        outside=lambda w: Target(_pk(w.cell_b), SUBMISSION),
        neighbour=lambda w: Target(_pk(w.cell_a2), SUBMISSION),
    ),
    # When a plan's periodic reports are due: staff and administrators of the plan's organization or
    # above. The secretary sees her cell's plan but may not set it.
    WriteCase(
        "monitoring:deadline-set",
        "post",
        lambda w: Target({"plan_pk": _plan(w.cell_a).pk}, DEADLINE),
        roles(302, MANAGERS),
        outside=lambda w: Target({"plan_pk": _plan(w.cell_b).pk}, DEADLINE),
    ),
]

WRITE_CASES: list[WriteCase] = [*ORGANIZATIONS, *QUOTAS, *CANDIDATES, *REPORTS]

# Pages that show things and answer POST, PUT, PATCH and DELETE like a GET (their views do not
# restrict the method): whoever sends a write there, nothing is written.
READ_ONLY = {
    "home",
    "organizations:tree",
    "organizations:detail",
    "organizations:children",
    "quotas:index",
    "quotas:history",
    "quotas:allocation_pdf",
    "quotas:allocation_xlsx",
    "quotas:plans",
    "quotas:plan_detail",
    "quotas:term_xlsx",
    "quotas:term_pdf",
    "candidates:index",
    "candidates:detail",
    "candidates:admissions",
    "candidates:personal_data_log",
    "candidates:admission_detail",
    "candidates:admission_import_template",
    "history:object",
}

__all__ = ["IMPORT_SESSION_KEY", "METHODS", "READ_ONLY", "WRITE_CASES", "Target", "WriteCase"]
