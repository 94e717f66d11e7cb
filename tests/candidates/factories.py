"""Candidates at any step, built through the services with dates that satisfy every rule."""

from __future__ import annotations

import datetime
import itertools

from candidates import services
from candidates.choices import Gender, Introduction, Step
from candidates.models import Admission, Candidate

D = datetime.date
_numbers = itertools.count(1)

# A history that keeps every rule (certificate fresh, file < 12 months, decision within 60 working
# days, ceremony within 30, recognition right after the 12 months of probation).
STANDARD_DATES = {
    Step.SYMPATHIZER: D(2025, 1, 6),
    Step.AWARENESS_CLASS: D(2025, 2, 10),
    Step.APPLICATION: D(2025, 3, 10),
    Step.VERIFICATION: D(2025, 4, 21),
    Step.REFERENCES: D(2025, 5, 5),
    Step.CELL_RESOLUTION: D(2025, 5, 19),
    Step.REVIEW: D(2025, 5, 29),
    Step.DECISION: D(2025, 7, 1),
    Step.CEREMONY: D(2025, 7, 15),
    Step.PROBATION: D(2025, 7, 15),
    Step.FULL_MEMBERSHIP: D(2026, 7, 20),
}


def step_kwargs(step: str, n: int = 1) -> dict:
    if step == Step.APPLICATION:
        return {"introduction": Introduction.TWO_MEMBERS, "people": ["Đảng viên A", "Đảng viên B"]}
    if step in (Step.CELL_RESOLUTION, Step.FULL_MEMBERSHIP):
        return {"document_number": f"{n}-NQ/CB", "votes_for": 8, "voters_total": 10}
    if step == Step.REVIEW:
        return {"document_number": f"{n}-BC/ĐU", "acting_body": "Đảng ủy xã", "votes_for": 7, "voters_total": 9}
    if step == Step.DECISION:
        return {"document_number": f"{n}-QĐ/HU", "acting_body": "Ban Thường vụ Huyện ủy"}
    if step == Step.PROBATION:
        return {"people": ["Đảng viên giúp đỡ"]}
    return {"document_number": f"{n}/{step}"}


def make_candidate(cell, *, step: str = Step.SYMPATHIZER, by=None, dates: dict | None = None, **person) -> Candidate:
    n = next(_numbers)
    dates = {**STANDARD_DATES, **(dates or {})}
    values = {
        "full_name": f"Nguyễn Văn Thử {n:03d}",
        "gender": Gender.MALE,
        "birth_date": D(1998, 5, 20),
        "helper_name": "Đảng viên Giúp Đỡ",
        **person,
    }
    candidate = services.candidate_create(organization=cell, listed_on=dates[Step.SYMPATHIZER], by=by, **values)
    return advance_to(candidate, step, by=by, dates=dates)


def advance_to(candidate: Candidate, step: str, *, by=None, dates: dict | None = None) -> Candidate:
    dates = {**STANDARD_DATES, **(dates or {})}
    from candidates.rules import next_steps

    while candidate.step != step:
        following = next_steps(step=candidate.step, organization=candidate.organization)
        nxt = following[0] if following[0] != Step.DECISION or step != Step.REVIEW else Step.REVIEW
        kwargs = step_kwargs(nxt, candidate.pk)
        if nxt in (Step.CELL_RESOLUTION, Step.FULL_MEMBERSHIP):
            total = services.cell_official_members(candidate.organization, dates[nxt]) or kwargs["voters_total"]
            kwargs.update(votes_for=total - 1, voters_total=total)
        candidate = services.candidate_advance(candidate=candidate, step=nxt, on=dates[nxt], by=by, **kwargs)
    return candidate


def make_admission(organization, *, by=None, **fields) -> Admission:
    n = next(_numbers)
    values = {
        "full_name": f"Trần Thị Kết Nạp {n:03d}",
        "gender": Gender.FEMALE,
        "birth_date": D(1996, 3, 14),
        "decision_number": f"{n}-QĐ/HU",
        "admitted_on": D(2022, 5, 16),
        **fields,
    }
    return services.admission_record(organization=organization, by=by, **values)
