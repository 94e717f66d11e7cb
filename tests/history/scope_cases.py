"""Scope-matrix cases of the object history page and the personal-data export log: the history of an
object is visible exactly to those who see the object (candidates and admissions: not to leaders)."""

from tests.candidates.factories import make_admission, make_candidate
from tests.quotas.scope_cases import _plan, _quota
from tests.scope.cases import READ_ALL, Case

# The personal-data access log: the subtree's administrators and superusers only (issue 12, item 5).
ADMINISTER = {"staff": 404, "secretary": 404, "leader": 404, "admin": 200, "superuser": 200}
PERSONAL = {"staff": 200, "secretary": 200, "leader": 404, "admin": 200, "superuser": 200}


def history_of(app_label: str, model: str, build):
    """kwargs of /history/<app_label>/<model>/<pk>/ for an object built inside and one outside."""

    def kwargs(w):
        inside, outside = build(w)
        return (
            {"app_label": app_label, "model": model, "pk": inside.pk},
            {"app_label": app_label, "model": model, "pk": outside.pk},
        )

    return kwargs


CASES = [
    Case("history:object", history_of("organizations", "organization", lambda w: (w.cell_a, w.cell_b))),
    Case(
        "history:object",
        history_of("organizations", "organization", lambda w: (w.commune_a, w.commune_b)),
        expect={**READ_ALL, "secretary": 404},
    ),
    Case("history:object", history_of("quotas", "plan", lambda w: (_plan(w.cell_a), _plan(w.cell_b)))),
    Case(
        "history:object",
        history_of("quotas", "quota", lambda w: (_quota(w.commune_a, w.cell_a), _quota(w.commune_b, w.cell_b))),
    ),
    Case(
        "history:object",
        history_of("candidates", "candidate", lambda w: (make_candidate(w.cell_a), make_candidate(w.cell_b))),
        expect=PERSONAL,
    ),
    Case(
        "history:object",
        history_of("candidates", "admission", lambda w: (make_admission(w.cell_a), make_admission(w.cell_b))),
        expect=PERSONAL,
    ),
    Case("candidates:admissions_xlsx", None, expect=PERSONAL, outside=False),
    Case("candidates:personal_data_log", None, expect=ADMINISTER, outside=False),
]
