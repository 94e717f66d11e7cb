"""Every rule of the pipeline (DOMAIN.md), each with an accepted and a refused case. A refused step
names the rule and writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from candidates import services
from candidates.choices import DeadlineKind, EventKind, Introduction, RuleException, Status, Step
from candidates.models import Admission, Candidate, PipelineRules, StepEvent
from candidates.rules import STEP_EXCEPTIONS
from organizations.models import MembershipFigure
from organizations.services import membership_figure_record

from .factories import STANDARD_DATES, advance_to, make_candidate, step_kwargs

D = datetime.date
pytestmark = pytest.mark.django_db


def refused(message_part: str, call):
    """The call is refused with a message containing `message_part`, and nothing was written."""
    events, admissions = StepEvent.objects.count(), Admission.objects.count()
    with pytest.raises(ValidationError) as info:
        call()
    assert message_part in " ".join(info.value.messages), info.value.messages
    assert (StepEvent.objects.count(), Admission.objects.count()) == (events, admissions)
    return info.value


def advance(candidate, step, on, **kwargs):
    values = {**step_kwargs(step, candidate.pk), **kwargs}
    return services.candidate_advance(candidate=candidate, step=step, on=on, by=None, **values)


# Order of steps ---------------------------------------------------------------------------------


def test_steps_go_forward_one_at_a_time(world):
    candidate = make_candidate(world.cell_a)
    refused("Bước tiếp theo", lambda: advance(candidate, Step.APPLICATION, D(2025, 3, 10)))
    candidate = advance(candidate, Step.AWARENESS_CLASS, D(2025, 2, 10))
    assert candidate.step == Step.AWARENESS_CLASS
    assert candidate.certificate_on == D(2025, 2, 10)


def test_review_is_required_under_a_grassroots_committee_and_optional_for_a_grassroots_cell(world):
    village = make_candidate(world.cell_a, step=Step.CELL_RESOLUTION)
    refused("Bước tiếp theo", lambda: advance(village, Step.DECISION, D(2025, 7, 1)))
    school = make_candidate(world.school_a, step=Step.CELL_RESOLUTION)
    school = advance(school, Step.DECISION, D(2025, 7, 1))
    assert school.step == Step.DECISION


def test_a_step_is_not_dated_before_the_previous_one_nor_in_the_future(world):
    candidate = make_candidate(world.cell_a, step=Step.AWARENESS_CLASS)
    refused("bước trước", lambda: advance(candidate, Step.APPLICATION, D(2025, 2, 9)))
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    refused("sau hôm nay", lambda: advance(candidate, Step.APPLICATION, tomorrow))
    assert advance(candidate, Step.APPLICATION, D(2025, 2, 10)).step == Step.APPLICATION


# Application: introducers ------------------------------------------------------------------------


def test_two_official_members_introduce_unless_the_youth_union_does(world):
    candidate = make_candidate(world.cell_a, step=Step.AWARENESS_CLASS)
    refused(
        "Quy tắc giới thiệu",
        lambda: advance(
            candidate, Step.APPLICATION, D(2025, 3, 10), introduction=Introduction.TWO_MEMBERS, people=["A"]
        ),
    )
    refused(
        "chỉ đoàn viên",
        lambda: advance(
            candidate, Step.APPLICATION, D(2025, 3, 10), introduction=Introduction.YOUTH_UNION, people=["A"]
        ),
    )
    refused(
        "hai đảng viên khác nhau",
        lambda: advance(
            candidate,
            Step.APPLICATION,
            D(2025, 3, 10),
            introduction=Introduction.TWO_MEMBERS,
            people=["Đảng viên A", "đảng viên  a"],
        ),
    )
    two = make_candidate(world.cell_a, step=Step.AWARENESS_CLASS)
    two = advance(
        two,
        Step.APPLICATION,
        D(2025, 3, 10),
        introduction=Introduction.TWO_MEMBERS,
        people=["Nguyễn Văn Hùng", "Nguyễn Văn Hưng"],  # two people: the names differ in a diacritic
    )
    assert two.step == Step.APPLICATION
    member = make_candidate(world.cell_a, step=Step.AWARENESS_CLASS, youth_union_member=True)
    member = advance(member, Step.APPLICATION, D(2025, 3, 10), introduction=Introduction.YOUTH_UNION, people=["A"])
    assert member.file_opened_on == D(2025, 3, 10)
    assert member.events.get(kind=EventKind.APPLICATION).people == "A"


# Cell resolution: certificate, age, file age, 2/3 ------------------------------------------------


CERTIFICATE_ON, BIRTH_DATE, APPLICATION_ON = D(2025, 2, 10), D(1998, 5, 20), D(2025, 3, 10)


def _at_references(world, *, certificate_on=CERTIFICATE_ON, birth_date=BIRTH_DATE, application_on=APPLICATION_ON):
    dates = {
        Step.SYMPATHIZER: min(certificate_on, application_on) - datetime.timedelta(days=30),
        Step.AWARENESS_CLASS: certificate_on,
        Step.APPLICATION: application_on,
        Step.VERIFICATION: D(2025, 4, 21),
        Step.REFERENCES: D(2025, 5, 5),
    }
    return make_candidate(world.cell_a, step=Step.REFERENCES, dates=dates, birth_date=birth_date)


def test_awareness_certificate_valid_60_months_at_the_cell_resolution(world):
    candidate = _at_references(world, certificate_on=D(2020, 5, 19))
    refused("Quy tắc chứng nhận lớp bồi dưỡng", lambda: advance(candidate, Step.CELL_RESOLUTION, D(2025, 5, 20)))
    assert advance(candidate, Step.CELL_RESOLUTION, D(2025, 5, 19)).step == Step.CELL_RESOLUTION


def test_certificate_validity_comes_from_the_rules_row(world):
    candidate = _at_references(world, certificate_on=D(2021, 5, 19))
    services.rules_update(by=None, certificate_valid_months=36)
    refused("36 tháng", lambda: advance(candidate, Step.CELL_RESOLUTION, D(2025, 5, 19)))


def test_age_at_least_18_on_the_meeting_date(world):
    young = _at_references(world, birth_date=D(2007, 5, 20))
    refused("Quy tắc tuổi", lambda: advance(young, Step.CELL_RESOLUTION, D(2025, 5, 19)))
    assert advance(young, Step.CELL_RESOLUTION, D(2025, 5, 20)).step == Step.CELL_RESOLUTION


def test_over_60_needs_the_provincial_committees_consent(world):
    exactly_60 = _at_references(world, birth_date=D(1965, 5, 19))
    assert advance(exactly_60, Step.CELL_RESOLUTION, D(2025, 5, 19)).step == Step.CELL_RESOLUTION
    older = _at_references(world, birth_date=D(1965, 4, 18))
    refused("cấp ủy cấp tỉnh", lambda: advance(older, Step.CELL_RESOLUTION, D(2025, 5, 19)))
    refused(
        "văn bản cho phép",
        lambda: advance(older, Step.CELL_RESOLUTION, D(2025, 5, 19), exception=RuleException.AGE_CONSENT),
    )
    older = advance(
        older,
        Step.CELL_RESOLUTION,
        D(2025, 5, 19),
        exception=RuleException.AGE_CONSENT,
        exception_note="Công văn 12-CV/TU ngày 10/05/2025",
    )
    event = older.events.get(kind=EventKind.CELL_RESOLUTION)
    assert (event.exception, event.exception_note) == (RuleException.AGE_CONSENT, "Công văn 12-CV/TU ngày 10/05/2025")


def test_an_exception_of_another_step_is_refused(world):
    candidate = _at_references(world)
    refused(
        "không áp dụng",
        lambda: advance(
            candidate,
            Step.CELL_RESOLUTION,
            D(2025, 5, 19),
            exception=RuleException.LATE_CEREMONY_CONSENT,
            exception_note="x",
        ),
    )


def test_file_older_than_12_months_needs_the_introductions_redone(world):
    candidate = _at_references(world, certificate_on=D(2024, 3, 1), application_on=D(2024, 5, 18))
    refused("Quy tắc thời hạn hồ sơ", lambda: advance(candidate, Step.CELL_RESOLUTION, D(2025, 5, 19)))
    candidate = advance(
        candidate,
        Step.CELL_RESOLUTION,
        D(2025, 5, 19),
        exception=RuleException.INTRODUCTIONS_REDONE,
        exception_note="Giới thiệu lại ngày 02/05/2025",
    )
    assert candidate.step == Step.CELL_RESOLUTION
    on_time = _at_references(world, certificate_on=D(2024, 3, 1), application_on=D(2024, 5, 19))
    assert advance(on_time, Step.CELL_RESOLUTION, D(2025, 5, 19)).step == Step.CELL_RESOLUTION


def test_two_thirds_of_the_cells_official_members_from_its_membership_figure(world):
    membership_figure_record(organization=world.cell_a, as_of=D(2025, 1, 1), member_count=24, official_member_count=22)
    candidate = _at_references(world)
    # 2/3 of 22 is 14.67: 14 is not enough even if someone types a smaller total; the figure decides.
    refused(
        "Quy tắc biểu quyết",
        lambda: advance(candidate, Step.CELL_RESOLUTION, D(2025, 5, 19), votes_for=14, voters_total=21),
    )
    candidate = advance(candidate, Step.CELL_RESOLUTION, D(2025, 5, 19), votes_for=15, voters_total=None)
    event = candidate.events.get(kind=EventKind.CELL_RESOLUTION)
    assert (event.votes_for, event.voters_total) == (15, 22)


def test_without_a_figure_the_number_of_official_members_must_be_given(world):
    candidate = _at_references(world)
    error = refused(
        "đảng viên chính thức", lambda: advance(candidate, Step.CELL_RESOLUTION, D(2025, 5, 19), voters_total=None)
    )
    assert "voters_total" in error.message_dict
    refused("lớn hơn tổng số", lambda: advance(candidate, Step.CELL_RESOLUTION, D(2025, 5, 19), votes_for=11))
    candidate = advance(candidate, Step.CELL_RESOLUTION, D(2025, 5, 19), votes_for=6, voters_total=9)
    assert candidate.step == Step.CELL_RESOLUTION


def test_the_committee_review_needs_two_thirds_of_its_members(world):
    candidate = make_candidate(world.cell_a, step=Step.CELL_RESOLUTION)
    refused("Quy tắc biểu quyết", lambda: advance(candidate, Step.REVIEW, D(2025, 5, 29), votes_for=5, voters_total=9))
    assert advance(candidate, Step.REVIEW, D(2025, 5, 29), votes_for=6, voters_total=9).step == Step.REVIEW


# Decision ----------------------------------------------------------------------------------------


def test_decision_not_before_the_resolution(world):
    candidate = make_candidate(world.school_a, step=Step.CELL_RESOLUTION)
    refused("Quy tắc quyết định", lambda: advance(candidate, Step.DECISION, D(2025, 5, 18)))
    candidate = advance(candidate, Step.DECISION, D(2025, 5, 19))
    assert candidate.decision_on == D(2025, 5, 19)


def test_decision_within_60_working_days_then_one_extension_of_at_most_30(world):
    # Counted by hand from the resolution on Mon 19/05/2025: 20–23/05 (4), 26–30/05 (9), then five a
    # week to 04–08/08 (59): the 60th working day is Mon 11/08/2025. 30 more: 12/08–29/08 (14), 1/9
    # and 2/9 are holidays, 03–05/09 (17), 08/09–19/09 (27), 22–24/09 (30): Wed 24/09/2025.
    candidate = make_candidate(world.cell_a, step=Step.REVIEW)
    assert candidate.next_deadline == D(2025, 8, 11)
    assert candidate.next_deadline_kind == DeadlineKind.DECISION_DUE
    refused("ghi nhận gia hạn", lambda: advance(candidate, Step.DECISION, D(2025, 8, 12)))
    refused(
        "tối đa 30",
        lambda: services.candidate_extend_decision(candidate=candidate, on=D(2025, 8, 1), working_days=31, by=None),
    )
    refused(
        "trước khi hết hạn",
        lambda: services.candidate_extend_decision(candidate=candidate, on=D(2025, 8, 12), working_days=30, by=None),
    )
    candidate = services.candidate_extend_decision(
        candidate=candidate, on=D(2025, 8, 1), working_days=30, document_number="5-CV/HU", by=None
    )
    assert candidate.next_deadline == D(2025, 9, 24)
    refused(
        "một lần",
        lambda: services.candidate_extend_decision(candidate=candidate, on=D(2025, 8, 2), working_days=10, by=None),
    )
    refused("kể cả gia hạn", lambda: advance(candidate, Step.DECISION, D(2025, 9, 25)))
    candidate = advance(candidate, Step.DECISION, D(2025, 9, 24))
    assert candidate.decision_on == D(2025, 9, 24)


def test_the_decision_records_the_admission_and_fires_the_hook(world, fired):
    candidate = make_candidate(world.cell_a, step=Step.REVIEW, ethnicity="tay", youth_union_member=True)
    fired.clear()
    candidate = advance(candidate, Step.DECISION, D(2025, 7, 1), document_number="123-QĐ/HU")
    admission = Admission.objects.get(candidate=candidate)
    assert (admission.organization, admission.admitted_on, admission.decision_number) == (
        world.cell_a,
        D(2025, 7, 1),
        "123-QĐ/HU",
    )
    assert admission.is_ethnic_minority and admission.youth_union_member
    assert admission.source == "pipeline"
    assert fired == [({world.cell_a.pk}, {D(2025, 7, 1)})]
    # Ceremony due 30 working days after the decision (no holiday in July-August 2025 before 1/9).
    assert (candidate.next_deadline, candidate.next_deadline_kind) == (D(2025, 8, 12), DeadlineKind.CEREMONY_DUE)


def test_decision_number_and_body_are_required(world):
    candidate = make_candidate(world.cell_a, step=Step.REVIEW)
    refused("số quyết định", lambda: advance(candidate, Step.DECISION, D(2025, 7, 1), document_number=""))
    refused("cấp ủy ra quyết định", lambda: advance(candidate, Step.DECISION, D(2025, 7, 1), acting_body=""))


# Ceremony, probation, recognition ----------------------------------------------------------------


def test_ceremony_after_the_decision_and_within_30_working_days(world):
    candidate = make_candidate(world.cell_a, step=Step.DECISION)
    refused("Quy tắc lễ kết nạp", lambda: advance(candidate, Step.CEREMONY, D(2025, 6, 30)))
    refused("cấp ủy cấp trên đồng ý", lambda: advance(candidate, Step.CEREMONY, D(2025, 8, 13)))
    late = advance(
        candidate,
        Step.CEREMONY,
        D(2025, 8, 13),
        exception=RuleException.LATE_CEREMONY_CONSENT,
        exception_note="Công văn 7-CV/HU",
    )
    assert late.ceremony_on == D(2025, 8, 13)
    assert late.probation_ends_on == D(2026, 8, 13)


def test_ceremony_deadline_counts_from_receiving_the_decision(world):
    candidate = make_candidate(world.cell_a, step=Step.DECISION)
    # Received Fri 04/07/2025: 30 working days end on Fri 15/08/2025.
    candidate = advance(candidate, Step.CEREMONY, D(2025, 8, 15), received_on=D(2025, 7, 4))
    assert candidate.step == Step.CEREMONY


def test_probation_needs_a_mentor_and_recognition_waits_12_months(world):
    candidate = make_candidate(world.cell_a, step=Step.CEREMONY)
    refused("giúp đỡ", lambda: advance(candidate, Step.PROBATION, D(2025, 7, 15), people=[]))
    candidate = advance(candidate, Step.PROBATION, D(2025, 7, 15), people=["Lê Văn Giúp"])
    assert candidate.mentor_name == "Lê Văn Giúp"
    assert candidate.probation_ends_on == D(2026, 7, 15)
    # Recognition due 30 working days after the probation ends, counted by hand from Wed 15/07/2026:
    # 16–17/07 (2), five a week to 17–21/08 (27), Saturday 22/08 swapped into a working day (28),
    # 24/08 (29), Tue 25/08/2026 (30).
    assert (candidate.next_deadline, candidate.next_deadline_kind) == (D(2026, 8, 25), DeadlineKind.RECOGNITION_DUE)
    refused("Quy tắc dự bị", lambda: advance(candidate, Step.FULL_MEMBERSHIP, D(2026, 7, 14)))
    refused("Quy tắc công nhận chính thức", lambda: advance(candidate, Step.FULL_MEMBERSHIP, D(2026, 8, 26)))
    candidate = advance(candidate, Step.FULL_MEMBERSHIP, D(2026, 7, 15))
    assert candidate.status == Status.OFFICIAL
    assert candidate.next_deadline is None


def test_late_recognition_with_a_reason(world):
    candidate = make_candidate(world.cell_a, step=Step.PROBATION)
    candidate = advance(
        candidate,
        Step.FULL_MEMBERSHIP,
        D(2026, 9, 10),
        exception=RuleException.LATE_RECOGNITION,
        exception_note="Chi bộ họp muộn do bão, Đảng ủy đồng ý",
    )
    assert candidate.status == Status.OFFICIAL


def test_membership_figures_follow_admission_recognition_and_removal(world):
    membership_figure_record(organization=world.cell_a, as_of=D(2025, 1, 1), member_count=24, official_member_count=22)
    candidate = make_candidate(world.cell_a, step=Step.DECISION, dates={}, **{})
    figure = MembershipFigure.objects.get(organization=world.cell_a, as_of=D(2025, 7, 1))
    assert (figure.member_count, figure.official_member_count) == (25, 22)
    other = make_candidate(world.cell_a, step=Step.PROBATION, birth_date=D(1990, 1, 1))
    # The second decision on the same day adds to the same figure.
    assert MembershipFigure.objects.get(organization=world.cell_a, as_of=D(2025, 7, 1)).member_count == 26
    advance_to(other, Step.FULL_MEMBERSHIP)
    figure = MembershipFigure.objects.get(organization=world.cell_a, as_of=D(2026, 7, 20))
    assert (figure.member_count, figure.official_member_count) == (26, 23)
    candidate = advance_to(candidate, Step.PROBATION)
    services.candidate_close(
        candidate=candidate, outcome=Status.REMOVED, on=D(2026, 8, 3), reason="Vi phạm tư cách", by=None
    )
    figure = MembershipFigure.objects.get(organization=world.cell_a, as_of=D(2026, 8, 3))
    assert (figure.member_count, figure.official_member_count) == (25, 23)


# Withdrawal, rejection, removal, corrections -----------------------------------------------------


def test_withdrawal_keeps_the_candidate_and_its_history(world):
    candidate = make_candidate(world.cell_a, step=Step.APPLICATION)
    refused(
        "Nhập lý do",
        lambda: services.candidate_close(
            candidate=candidate, outcome=Status.WITHDRAWN, on=D(2025, 4, 1), reason=" ", by=None
        ),
    )
    refused(
        "Chỉ xóa tên đảng viên dự bị",
        lambda: services.candidate_close(
            candidate=candidate, outcome=Status.REMOVED, on=D(2025, 4, 1), reason="x", by=None
        ),
    )
    candidate = services.candidate_close(
        candidate=candidate, outcome=Status.WITHDRAWN, on=D(2025, 4, 1), reason="Chuyển đi nơi khác", by=world.secretary
    )
    candidate = Candidate.objects.get(pk=candidate.pk)
    assert candidate.status == Status.WITHDRAWN and candidate.closed_on == D(2025, 4, 1)
    assert candidate.close_reason == "Chuyển đi nơi khác"
    assert candidate.next_deadline is None
    assert list(candidate.events.values_list("kind", flat=True)) == [
        EventKind.SYMPATHIZER,
        EventKind.AWARENESS_CLASS,
        EventKind.APPLICATION,
        EventKind.WITHDRAWN,
    ]
    assert candidate.history.filter(status=Status.WITHDRAWN, history_user=world.secretary).exists()
    assert candidate.history.filter(status=Status.ACTIVE).exists()
    refused("đã kết thúc", lambda: advance(candidate, Step.VERIFICATION, D(2025, 4, 21)))
    # The same person may be put on a list again later.
    again = make_candidate(world.cell_a, full_name=candidate.full_name, birth_date=candidate.birth_date)
    assert again.pk != candidate.pk


def test_rejection_before_the_decision_removal_after(world):
    candidate = make_candidate(world.cell_a, step=Step.DECISION)
    refused(
        "xóa tên",
        lambda: services.candidate_close(
            candidate=candidate, outcome=Status.REJECTED, on=D(2025, 7, 2), reason="x", by=None
        ),
    )
    removed = services.candidate_close(
        candidate=candidate, outcome=Status.REMOVED, on=D(2025, 7, 2), reason="Không dự lễ", by=None
    )
    assert removed.status == Status.REMOVED
    # The admission happened and still counts; the person is removed, not un-admitted.
    assert Admission.objects.counted().filter(candidate=candidate).exists()


def test_undoing_a_mistaken_decision_cancels_its_admission_and_keeps_the_record(world, fired):
    candidate = make_candidate(world.cell_a, step=Step.DECISION)
    fired.clear()
    refused("Nhập lý do", lambda: services.candidate_undo_last_step(candidate=candidate, reason="", by=None))
    candidate = services.candidate_undo_last_step(candidate=candidate, reason="Nhầm số quyết định", by=None)
    assert candidate.step == Step.REVIEW and candidate.decision_on is None
    admission = Admission.objects.get(candidate=candidate)
    assert admission.cancelled_at is not None and admission.cancel_reason == "Nhầm số quyết định"
    assert fired == [({world.cell_a.pk}, {D(2025, 7, 1)})]
    voided = candidate.events.get(kind=EventKind.DECISION)
    assert voided.voided_at is not None
    candidate = advance(candidate, Step.DECISION, D(2025, 7, 2), document_number="124-QĐ/HU")
    assert Admission.objects.counted().get(candidate=candidate).decision_number == "124-QĐ/HU"
    assert candidate.events.filter(kind=EventKind.DECISION).count() == 2


def test_the_first_entry_cannot_be_undone(world):
    candidate = make_candidate(world.cell_a)
    refused("Không có bước nào", lambda: services.candidate_undo_last_step(candidate=candidate, reason="x", by=None))


def test_a_changed_rule_recomputes_deadlines(world):
    candidate = make_candidate(world.cell_a, step=Step.REVIEW)
    assert candidate.next_deadline == D(2025, 8, 11)
    services.rules_update(by=None, decision_working_days=59)
    candidate.refresh_from_db()
    assert candidate.next_deadline == D(2025, 8, 8)
    assert PipelineRules.current().decision_working_days == 59


def test_recomputing_deadlines_reads_and_writes_in_a_constant_number_of_queries(world):
    """One candidate or six at various steps, with voided events: the same number of queries, and
    every deadline moved as if rebuilt one by one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rules = PipelineRules.current()

    def recompute(days: int) -> tuple[int, int]:
        rules.decision_working_days = days
        with CaptureQueriesContext(connection) as queries:
            changed = services.deadlines_recompute(rules=rules)
        return changed, len(queries)

    one = make_candidate(world.cell_a, step=Step.REVIEW)
    assert recompute(59) == (1, recompute(58)[1])
    few = recompute(57)[1]
    many = [make_candidate(world.cell_a, step=step) for step in (Step.CELL_RESOLUTION, Step.REVIEW, Step.DECISION)]
    many += [make_candidate(world.cell_b, step=Step.REVIEW) for _ in range(2)]
    services.candidate_undo_last_step(candidate=many[-1], reason="ghi nhầm", by=None)  # back at the resolution
    changed, queries = recompute(56)
    assert changed == 5  # the decided candidate's deadline (the ceremony's) does not depend on it
    assert queries == few
    for candidate in [one, *many]:
        candidate.refresh_from_db()
        stored = (candidate.step, candidate.next_deadline, candidate.next_deadline_kind)
        rebuilt = services._rebuild(candidate, rules)
        assert stored == (rebuilt.step, rebuilt.next_deadline, rebuilt.next_deadline_kind)


def test_a_changed_probation_length_moves_the_end_of_probation_the_recognition_checks(world):
    """Ceremony 15/07/2025; probation set to 6 months: it ends 15/01/2026, the deadline shown and the
    rule checked at recognition agree, and recognition on 20/01/2026 is accepted."""
    candidate = make_candidate(world.cell_a, step=Step.PROBATION)
    assert candidate.probation_ends_on == D(2026, 7, 15)
    services.rules_update(by=None, probation_months=6)
    candidate.refresh_from_db()
    assert candidate.probation_ends_on == D(2026, 1, 15)
    assert candidate.next_deadline_kind == DeadlineKind.RECOGNITION_DUE
    candidate = advance(candidate, Step.FULL_MEMBERSHIP, D(2026, 1, 20))
    assert (candidate.status, candidate.official_on) == (Status.OFFICIAL, D(2026, 1, 20))


def test_rules_are_edited_by_superusers_only(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.rules_update(by=world.admin, ceremony_working_days=10)
    assert PipelineRules.current().ceremony_working_days == 30


def test_standard_dates_pass_every_rule(world):
    candidate = make_candidate(world.cell_a, step=Step.FULL_MEMBERSHIP)
    assert candidate.status == Status.OFFICIAL
    assert candidate.official_on == STANDARD_DATES[Step.FULL_MEMBERSHIP]


def test_a_candidate_rejected_by_the_cell_keeps_the_reason(world):
    candidate = make_candidate(world.cell_a, step=Step.REFERENCES)
    candidate = services.candidate_close(
        candidate=candidate,
        outcome=Status.REJECTED,
        on=D(2025, 5, 19),
        reason="Chi bộ biểu quyết không đủ 2/3 tán thành",
        document_number="3-NQ/CB",
        by=world.secretary,
    )
    candidate = Candidate.objects.get(pk=candidate.pk)
    assert (candidate.status, candidate.closed_on, candidate.step) == (Status.REJECTED, D(2025, 5, 19), Step.REFERENCES)
    assert candidate.close_reason == "Chi bộ biểu quyết không đủ 2/3 tán thành"
    assert candidate.next_deadline is None
    event = candidate.events.get(kind=EventKind.REJECTED)
    assert (event.note, event.document_number, event.recorded_by) == (
        "Chi bộ biểu quyết không đủ 2/3 tán thành",
        "3-NQ/CB",
        world.secretary,
    )
    assert not Admission.objects.filter(candidate=candidate).exists()
    refused("đã kết thúc", lambda: advance(candidate, Step.CELL_RESOLUTION, D(2025, 5, 20)))


def test_a_late_decision_needs_the_competent_committees_written_acceptance(world, fired):
    from reports.selectors import progress_report

    candidate = make_candidate(world.cell_a, step=Step.REVIEW)  # decision due 11/08/2025
    candidate = services.candidate_extend_decision(
        candidate=candidate, on=D(2025, 8, 1), working_days=30, document_number="5-CV/HU", by=None
    )  # due 24/09/2025
    refused("Quy tắc thời hạn quyết định", lambda: advance(candidate, Step.DECISION, D(2025, 10, 6)))
    late = RuleException.LATE_DECISION_ACCEPTED
    refused("văn bản cho phép", lambda: advance(candidate, Step.DECISION, D(2025, 10, 6), exception=late))
    # The exception belongs to the decision: the ceremony and the cell resolution do not take it.
    assert late not in STEP_EXCEPTIONS[Step.CEREMONY]
    fired.clear()
    candidate = advance(
        candidate,
        Step.DECISION,
        D(2025, 10, 6),
        document_number="77-QĐ/HU",
        exception=late,
        exception_note="Công văn số 45-CV/TU ngày 01/10/2025 của Ban Thường vụ Tỉnh ủy",
    )
    assert candidate.step == Step.DECISION and candidate.decision_on == D(2025, 10, 6)
    event = candidate.events.get(kind=EventKind.DECISION)
    assert (event.exception, event.exception_note) == (
        late,
        "Công văn số 45-CV/TU ngày 01/10/2025 của Ban Thường vụ Tỉnh ủy",
    )
    admission = Admission.objects.counted().get(candidate=candidate)
    assert (admission.admitted_on, admission.decision_number) == (D(2025, 10, 6), "77-QĐ/HU")
    assert fired == [({world.cell_a.pk}, {D(2025, 10, 6)})]
    report = progress_report(organization=world.commune_a, year=2025, quarter=4)
    assert report.subject.admitted_to_date == 1


def test_a_decision_late_without_an_extension_names_both_ways_out(world):
    candidate = make_candidate(world.cell_a, step=Step.REVIEW)  # due 11/08/2025, no extension
    error = refused("Quy tắc thời hạn quyết định", lambda: advance(candidate, Step.DECISION, D(2025, 8, 12)))
    assert "gia hạn" in error.messages[0] and "cấp ủy cấp trên" in error.messages[0]
    candidate = advance(
        candidate,
        Step.DECISION,
        D(2025, 8, 12),
        exception=RuleException.LATE_DECISION_ACCEPTED,
        exception_note="Công văn 50-CV/TU",
    )
    assert Admission.objects.counted().filter(candidate=candidate, admitted_on=D(2025, 8, 12)).exists()


def _expired_certificate(world):
    """At the references step with a certificate of 07/01/2019: expired (60 months) at a 2025 meeting."""
    return _at_references(world, certificate_on=D(2019, 1, 7))


def test_a_renewed_awareness_certificate_is_kept_and_checked_at_the_cell_resolution(world):
    candidate = _expired_certificate(world)
    refused("Quy tắc chứng nhận lớp bồi dưỡng", lambda: advance(candidate, Step.CELL_RESOLUTION, D(2025, 5, 19)))
    candidate = services.candidate_record_certificate(
        candidate=candidate,
        on=D(2025, 5, 12),
        document_number="215/GCN",
        acting_body="Trung tâm Chính trị huyện",
        by=world.secretary,
    )
    assert candidate.step == Step.REFERENCES and candidate.certificate_on == D(2025, 5, 12)
    renewed = candidate.events.get(kind=EventKind.CERTIFICATE_RENEWED)
    assert (renewed.on, renewed.document_number, renewed.recorded_by) == (D(2025, 5, 12), "215/GCN", world.secretary)
    # The first certificate stays in the history; nothing later was voided.
    assert candidate.events.filter(kind=EventKind.AWARENESS_CLASS, voided_at__isnull=True).count() == 1
    assert not candidate.events.filter(voided_at__isnull=False).exists()
    assert candidate.next_deadline_kind == DeadlineKind.FILE_EXPIRES  # 10/03/2026, before 12/05/2030
    candidate = advance(candidate, Step.CELL_RESOLUTION, D(2025, 5, 19))
    assert candidate.step == Step.CELL_RESOLUTION and candidate.certificate_on == D(2025, 5, 12)


def test_a_renewed_certificate_is_refused_when_it_is_not_newer_or_too_late(world):
    candidate = _expired_certificate(world)

    def renew(on, target=None):
        return services.candidate_record_certificate(
            candidate=target or candidate, on=on, document_number="1/GCN", by=None
        )

    refused("mới hơn", lambda: renew(D(2019, 1, 7)))
    refused("sau hôm nay", lambda: renew(datetime.date.today() + datetime.timedelta(days=2)))
    at_resolution = make_candidate(world.cell_a, step=Step.CELL_RESOLUTION)
    refused("trước khi chi bộ xét", lambda: renew(D(2025, 6, 2), at_resolution))
    listed = make_candidate(world.cell_a)
    refused("trước khi chi bộ xét", lambda: renew(D(2025, 6, 2), listed))
    services.candidate_close(candidate=candidate, outcome=Status.WITHDRAWN, on=D(2025, 5, 6), reason="x", by=None)
    refused("đã kết thúc", lambda: renew(D(2025, 5, 12)))


def test_a_certificate_can_be_renewed_again_and_the_renewal_undone(world):
    candidate = _expired_certificate(world)
    # Certificates received before the references were gathered, recorded afterwards.
    for on in (D(2025, 4, 28), D(2025, 5, 2)):
        candidate = services.candidate_record_certificate(candidate=candidate, on=on, document_number="x", by=None)
    assert candidate.certificate_on == D(2025, 5, 2)
    assert candidate.events.filter(kind=EventKind.CERTIFICATE_RENEWED).count() == 2
    candidate = services.candidate_undo_last_step(candidate=candidate, reason="Nhầm ngày", by=None)
    assert candidate.certificate_on == D(2025, 4, 28) and candidate.step == Step.REFERENCES
    # The next step is not dated before the latest dated event (references, 05/05/2025), whatever the
    # order in which the events were recorded.
    refused("bước trước", lambda: advance(candidate, Step.CELL_RESOLUTION, D(2025, 5, 4)))
    assert advance(candidate, Step.CELL_RESOLUTION, D(2025, 5, 5)).step == Step.CELL_RESOLUTION


def test_undoing_a_withdrawal_is_refused_when_the_person_has_another_active_file(world):
    first = make_candidate(world.cell_a, step=Step.APPLICATION, full_name="Hai Hồ Sơ Văn A")
    services.candidate_close(candidate=first, outcome=Status.WITHDRAWN, on=D(2025, 4, 1), reason="Chuyển đi", by=None)
    second = make_candidate(world.cell_a2, full_name="Hai Hồ Sơ Văn A", birth_date=first.birth_date)
    error = refused(
        "Chi bộ Thôn 2", lambda: services.candidate_undo_last_step(candidate=first, reason="Rút nhầm", by=world.staff)
    )
    assert "Cảm tình Đảng" in error.messages[0]  # the step of the other file
    first.refresh_from_db()
    assert first.status == Status.WITHDRAWN
    assert not first.events.filter(voided_at__isnull=False).exists()
    # Outside the user's scope the other file is not described.
    error = refused(
        "đã có hồ sơ ở một tổ chức đảng khác",
        lambda: services.candidate_undo_last_step(candidate=first, reason="x", by=world.secretary),
    )
    # Whom to ask is the user's own province committee, wherever the record is (no location oracle).
    assert "Chi bộ Thôn 2" not in error.messages[0] and "Ban Tổ chức Tỉnh ủy Thử Nghiệm" in error.messages[0]
    # Once the other file is closed, the undo goes through.
    services.candidate_close(candidate=second, outcome=Status.WITHDRAWN, on=D(2025, 4, 2), reason="x", by=None)
    first = services.candidate_undo_last_step(candidate=first, reason="Rút nhầm", by=world.staff)
    assert first.status == Status.ACTIVE and first.step == Step.APPLICATION


def test_undoing_a_withdrawal_is_refused_once_the_person_was_admitted_otherwise(world):
    from .factories import make_admission

    candidate = make_candidate(world.cell_a, step=Step.REFERENCES, full_name="Đã Rút Văn A")
    services.candidate_close(candidate=candidate, outcome=Status.WITHDRAWN, on=D(2025, 5, 6), reason="x", by=None)
    make_admission(world.cell_a, full_name="Đã Rút Văn A", birth_date=candidate.birth_date, gender="male")
    refused("đã được kết nạp", lambda: services.candidate_undo_last_step(candidate=candidate, reason="x", by=None))
    candidate.refresh_from_db()
    assert candidate.status == Status.WITHDRAWN


def test_every_step_has_an_entry_in_the_rule_table_and_the_forms_offer_its_exceptions():
    from candidates.forms import step_form
    from candidates.rules import STEPS

    assert set(STEPS) == set(Step.values)
    for step, rule in STEPS.items():
        assert STEP_EXCEPTIONS.get(step, frozenset()) == rule.exceptions
        if step == Step.SYMPATHIZER:
            continue  # recorded on creation, not by a step form
        field = step_form(step).base_fields.get("exception")
        offered = {value for value, _label in field.choices if value} if field else set()
        assert offered == rule.exceptions, step
