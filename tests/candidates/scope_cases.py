"""Scope-matrix cases of the candidates pages and API. Personal data: secretaries (their cell), staff
and administrators (their subtree); leaders get the aggregated index only and 404 elsewhere."""

from candidates.choices import Step
from tests.scope.cases import READ_ALL, Case

from .factories import make_admission, make_candidate

PERSONAL = {"staff": 200, "secretary": 200, "leader": 404, "admin": 200, "superuser": 200}
MANAGE_ONLY = {"staff": 200, "secretary": 404, "leader": 404, "admin": 200, "superuser": 200}


def candidate_pk(step=Step.SYMPATHIZER):
    return lambda w: (
        {"pk": make_candidate(w.cell_a, step=step).pk},
        {"pk": make_candidate(w.cell_b, step=step).pk},
    )


def admission_pk():
    return lambda w: ({"pk": make_admission(w.cell_a).pk}, {"pk": make_admission(w.cell_b).pk})


CASES = [
    Case("candidates:index", None, expect=dict(READ_ALL), outside=False),
    Case("candidates:index", None, expect=dict(READ_ALL), query="deadline=overdue&step=decision", outside=False),
    Case("candidates:create", None, expect=PERSONAL, outside=False),
    Case("candidates:detail", candidate_pk(), expect=PERSONAL),
    Case("candidates:edit", candidate_pk(), expect=PERSONAL),
    Case("candidates:advance", candidate_pk(), expect=PERSONAL),
    Case("candidates:advance", candidate_pk(Step.REFERENCES), expect=PERSONAL),
    Case("candidates:extend", candidate_pk(Step.CELL_RESOLUTION), expect=PERSONAL),
    Case("candidates:close", candidate_pk(), expect=PERSONAL),
    Case("candidates:undo", candidate_pk(Step.AWARENESS_CLASS), expect=PERSONAL),
    Case("candidates:renew_certificate", candidate_pk(Step.AWARENESS_CLASS), expect=PERSONAL),
    Case("candidates:admissions", None, expect=PERSONAL, outside=False),
    Case("candidates:admission_create", None, expect=PERSONAL, outside=False),
    Case("candidates:admission_import", None, expect=PERSONAL, outside=False),
    Case("candidates:admission_import_template", None, expect=PERSONAL, outside=False),
    Case("candidates:admission_detail", admission_pk(), expect=PERSONAL),
    Case("candidates:admission_cancel", admission_pk(), expect=MANAGE_ONLY),
    # API: lists are scoped (a leader's are empty, tested in test_api); objects outside are 404.
    Case("candidate-list", None, outside=False, api=True),
    Case("candidate-detail", candidate_pk(), expect=PERSONAL, api=True),
    Case("candidate-steps", candidate_pk(), expect=PERSONAL, api=True),
    Case("admission-list", None, outside=False, api=True),
    Case("admission-detail", admission_pk(), expect=PERSONAL, api=True),
]
