"""The board and the step forms as a secretary, staff member and leader use them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.choices import Status, Step
from candidates.models import Admission, Candidate, StepEvent
from organizations.services import membership_figure_record

from .factories import make_admission, make_candidate

D = datetime.date
pytestmark = pytest.mark.django_db


def recent(days_ago: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days_ago)


def test_the_secretary_sees_the_cells_board_overdue_first(world, client):
    overdue = make_candidate(world.cell_a, step=Step.REVIEW, full_name="Quá Hạn Văn A")  # decision due in 2025
    fresh = make_candidate(
        world.cell_a,
        step=Step.AWARENESS_CLASS,
        full_name="Mới Học Văn B",
        dates={Step.SYMPATHIZER: recent(40), Step.AWARENESS_CLASS: recent(10)},
    )
    make_candidate(world.cell_a2, full_name="Chi Bộ Khác Văn C")
    client.force_login(world.secretary)
    response = client.get(reverse("candidates:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quá Hạn Văn A" in html and "Mới Học Văn B" in html
    assert "Chi Bộ Khác Văn C" not in html
    attention = [card.candidate for card in response.context["attention"]]
    assert attention == [overdue]
    columns = {column.step: column for column in response.context["columns"]}
    assert [card.candidate for card in columns[Step.REVIEW].cards] == [overdue]
    assert columns[Step.REVIEW].cards[0].state == "overdue"
    assert columns[Step.AWARENESS_CLASS].cards[0].state == "ok"
    assert columns[Step.AWARENESS_CLASS].cards[0].candidate == fresh
    advance_url = reverse("candidates:advance", args=[overdue.pk])
    assert advance_url in html and "Ghi bước: Quyết định kết nạp" in html


def test_cards_within_a_column_are_ordered_by_urgency(world, client):
    def at_resolution(name, days_ago):
        on = recent(days_ago)
        dates = {
            Step.SYMPATHIZER: on - datetime.timedelta(days=120),
            Step.AWARENESS_CLASS: on - datetime.timedelta(days=100),
            Step.APPLICATION: on - datetime.timedelta(days=80),
            Step.VERIFICATION: on - datetime.timedelta(days=40),
            Step.REFERENCES: on - datetime.timedelta(days=20),
            Step.CELL_RESOLUTION: on,
        }
        return make_candidate(world.cell_a, step=Step.CELL_RESOLUTION, dates=dates, full_name=name)

    later = at_resolution("Còn Lâu Văn A", 5)  # due in about 80 days
    soon = at_resolution("Sắp Đến Văn B", 80)  # 60 working days ≈ 84 days: due within 14 days
    overdue = at_resolution("Quá Hạn Văn C", 120)
    client.force_login(world.staff)
    response = client.get(reverse("candidates:index"))
    column = next(c for c in response.context["columns"] if c.step == Step.CELL_RESOLUTION)
    assert [card.candidate for card in column.cards] == [overdue, soon, later]
    assert [card.state for card in column.cards] == ["overdue", "soon", "ok"]


def test_staff_filter_by_organization_step_and_overdue(world, client):
    in_a = make_candidate(world.cell_a, step=Step.REVIEW)
    in_school = make_candidate(
        world.school_a,
        step=Step.APPLICATION,
        dates={Step.SYMPATHIZER: recent(60), Step.AWARENESS_CLASS: recent(50), Step.APPLICATION: recent(40)},
    )
    assert in_school.next_deadline > timezone.localdate() and in_a.next_deadline < timezone.localdate()
    client.force_login(world.staff)
    response = client.get(reverse("candidates:index"), {"organization": world.commune_a.pk})
    shown = {card.candidate for column in response.context["columns"] for card in column.cards}
    assert shown == {in_a}
    response = client.get(reverse("candidates:index"), {"step": Step.APPLICATION})
    assert [c.step for c in response.context["columns"]] == [Step.APPLICATION]
    assert [card.candidate for card in response.context["columns"][0].cards] == [in_school]
    response = client.get(reverse("candidates:index"), {"deadline": "overdue"})
    shown = {card.candidate for column in response.context["columns"] for card in column.cards}
    assert shown == {in_a}  # in_school is not overdue: filtered out
    # An organization outside the staff member's subtree is not a valid choice: nothing is shown from it.
    response = client.get(reverse("candidates:index"), {"organization": world.cell_b.pk})
    assert response.status_code == 200 and response.context["filter"].errors


def test_the_board_takes_a_constant_number_of_queries(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.staff)
    make_candidate(world.cell_a, step=Step.REVIEW)
    client.get(reverse("candidates:index"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("candidates:index"))
    for step in (Step.SYMPATHIZER, Step.APPLICATION, Step.REFERENCES, Step.DECISION, Step.PROBATION):
        for _ in range(3):
            make_candidate(world.school_a, step=step)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("candidates:index"))
    assert sum(column.total for column in response.context["columns"]) == 16
    assert sum(len(column.cards) for column in response.context["columns"]) == 16
    # Six non-empty columns instead of one, sixteen cards instead of one: not one query more.
    assert len(many) == len(few), [q["sql"][:120] for q in many]
    assert len(many) <= 12, [q["sql"][:120] for q in many]


def test_the_board_reads_every_column_in_two_queries_and_keeps_the_most_urgent_cards(world, django_assert_num_queries):
    from candidates.models import PipelineRules
    from candidates.selectors import board, candidates_for

    def at_resolution(name, days_ago):
        on = recent(days_ago)
        dates = {
            Step.SYMPATHIZER: on - datetime.timedelta(days=120),
            Step.AWARENESS_CLASS: on - datetime.timedelta(days=100),
            Step.APPLICATION: on - datetime.timedelta(days=80),
            Step.VERIFICATION: on - datetime.timedelta(days=40),
            Step.REFERENCES: on - datetime.timedelta(days=20),
            Step.CELL_RESOLUTION: on,
        }
        return make_candidate(world.cell_a, step=Step.CELL_RESOLUTION, dates=dates, full_name=name)

    later = at_resolution("Còn Lâu Văn A", 5)
    overdue = at_resolution("Quá Hạn Văn C", 120)
    at_resolution("Sau Cùng Văn D", 3)
    soon = at_resolution("Sắp Đến Văn B", 80)
    listed = [make_candidate(world.school_a, full_name=f"Cảm Tình {n}") for n in range(3)]
    make_candidate(world.cell_a2, step=Step.PROBATION)
    rules = PipelineRules.current()
    queryset = candidates_for(user=world.staff)
    with django_assert_num_queries(2):  # the counts, and the cards of every column
        columns = {column.step: column for column in board(queryset=queryset, limit=2, rules=rules)}
        for column in columns.values():  # what the template reads on each card
            for card in column.cards:
                card.candidate.organization.parent  # noqa: B018
    resolution = columns[Step.CELL_RESOLUTION]
    assert [card.candidate for card in resolution.cards] == [overdue, soon]
    assert (resolution.total, resolution.hidden, resolution.overdue) == (4, 2, 1)
    assert [card.candidate for card in columns[Step.SYMPATHIZER].cards] == sorted(listed, key=lambda c: c.full_name)[:2]
    assert [card.next_step for card in columns[Step.SYMPATHIZER].cards] == [Step.AWARENESS_CLASS] * 2
    assert [card.next_step for card in resolution.cards] == [Step.REVIEW] * 2
    assert len(columns[Step.PROBATION].cards) == 1 and not columns[Step.REVIEW].cards
    assert later not in [card.candidate for card in resolution.cards]


def test_a_leader_sees_figures_but_no_names(world, client):
    make_candidate(world.cell_a, step=Step.REVIEW, full_name="Bí Mật Văn A")
    client.force_login(world.leader)
    response = client.get(reverse("candidates:index"))
    html = response.content.decode()
    assert "Bí Mật Văn A" not in html
    counts = {row.step: (row.active, row.overdue) for row in response.context["counts"]}
    assert counts[Step.REVIEW] == (1, 1)


def test_each_step_form_has_only_that_steps_fields(world, client):
    client.force_login(world.secretary)
    at_decision = make_candidate(world.cell_a, step=Step.DECISION)
    response = client.get(reverse("candidates:advance", args=[at_decision.pk]))
    assert response.context["step"] == Step.CEREMONY
    assert set(response.context["form"].fields) == {"on", "received_on", "exception", "exception_note"}
    at_references = make_candidate(world.cell_a, step=Step.REFERENCES)
    response = client.get(reverse("candidates:advance", args=[at_references.pk]))
    assert set(response.context["form"].fields) == {
        "on",
        "document_number",
        "votes_for",
        "voters_total",
        "exception",
        "exception_note",
    }
    assert response.context["form"].fields["voters_total"].required  # no membership figure: it is asked
    membership_figure_record(organization=world.cell_a, as_of=D(2025, 1, 1), member_count=12, official_member_count=11)
    response = client.get(reverse("candidates:advance", args=[at_references.pk]))
    assert not response.context["form"].fields["voters_total"].required
    assert "11 đảng viên chính thức" in response.content.decode()


def test_recording_a_step_from_the_phone_form(world, client):
    client.force_login(world.secretary)
    candidate = make_candidate(world.cell_a, step=Step.AWARENESS_CLASS)
    url = reverse("candidates:advance", args=[candidate.pk])
    response = client.post(
        url,
        {
            "step": Step.APPLICATION,
            "on": "2025-03-10",
            "introduction": "two_members",
            "introducer_1": "Đảng viên Một",
            "introducer_2": "Đảng viên Hai",
            "next": reverse("candidates:index"),
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("candidates:index")
    candidate.refresh_from_db()
    assert candidate.step == Step.APPLICATION
    assert candidate.events.get(kind=Step.APPLICATION).people == "Đảng viên Một; Đảng viên Hai"


def test_a_refused_step_shows_the_rule_and_writes_nothing(world, client):
    client.force_login(world.secretary)
    candidate = make_candidate(world.cell_a, step=Step.REFERENCES, birth_date=D(2008, 1, 1))
    events = StepEvent.objects.count()
    response = client.post(
        reverse("candidates:advance", args=[candidate.pk]),
        {
            "step": Step.CELL_RESOLUTION,
            "on": "2025-05-19",
            "document_number": "1-NQ/CB",
            "votes_for": 9,
            "voters_total": 10,
        },
    )
    assert response.status_code == 200
    assert "Quy tắc tuổi" in response.content.decode()
    assert StepEvent.objects.count() == events
    # An open redirect is not followed.
    candidate = make_candidate(world.cell_a, step=Step.SYMPATHIZER)
    response = client.post(
        reverse("candidates:advance", args=[candidate.pk]),
        {"step": Step.AWARENESS_CLASS, "on": "2025-02-10", "next": "https://example.org/"},
    )
    assert response["Location"] == reverse("candidates:index")


def test_adding_a_candidate_and_withdrawing_keeps_the_record(world, client):
    client.force_login(world.secretary)
    response = client.post(
        reverse("candidates:create"),
        {
            "organization": world.cell_a.pk,
            "listed_on": "2025-01-06",
            "full_name": "Mới Thêm Văn A",
            "gender": "male",
            "birth_date": "2000-01-01",
            "ethnicity": "kinh",
            "religion": "none",
            "occupation": "farmer",
            "education_level": "upper_secondary",
            "professional_level": "none",
            "political_theory": "none",
            "helper_name": "Đảng viên Giúp",
        },
    )
    candidate = Candidate.objects.get(full_name="Mới Thêm Văn A")
    assert response["Location"] == reverse("candidates:detail", args=[candidate.pk])
    response = client.post(
        reverse("candidates:create"),
        {"organization": world.cell_b.pk, "listed_on": "2025-01-06", "full_name": "Ngoài", "gender": "male"},
    )
    assert "organization" in response.context["form"].errors
    response = client.post(
        reverse("candidates:close", args=[candidate.pk]),
        {"outcome": Status.WITHDRAWN, "on": "2025-02-01", "reason": "Chuyển công tác"},
    )
    assert response.status_code == 302
    page = client.get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    assert "Đã rút khỏi danh sách" in page and "Chuyển công tác" in page


def test_admissions_list_and_manual_entry(world, client, fired):
    make_admission(world.cell_a, full_name="Đã Kết Nạp Văn A")
    make_admission(world.cell_b, full_name="Ngoài Phạm Vi Văn B")
    client.force_login(world.secretary)
    html = client.get(reverse("candidates:admissions")).content.decode()
    assert "Đã Kết Nạp Văn A" in html and "Ngoài Phạm Vi Văn B" not in html
    fired.clear()
    response = client.post(
        reverse("candidates:admission_create"),
        {
            "organization": world.cell_a.pk,
            "decision_number": "99-QĐ/HU",
            "admitted_on": "2023-04-05",
            "full_name": "Nhập Tay Thị C",
            "gender": "female",
            "birth_date": "1999-01-01",
            "ethnicity": "kinh",
            "religion": "none",
            "occupation": "farmer",
            "education_level": "upper_secondary",
            "professional_level": "none",
            "political_theory": "none",
        },
    )
    admission = Admission.objects.get(full_name="Nhập Tay Thị C")
    assert response["Location"] == reverse("candidates:admission_detail", args=[admission.pk])
    assert fired == [({world.cell_a.pk}, {D(2023, 4, 5)})]
    client.force_login(world.staff)
    response = client.post(reverse("candidates:admission_cancel", args=[admission.pk]), {"reason": "Ghi nhầm"})
    assert response.status_code == 302
    admission.refresh_from_db()
    assert admission.cancelled_at is not None


def test_probationary_members_show_their_mentor_and_end_date(world, client):
    make_candidate(world.cell_a, step=Step.PROBATION, full_name="Dự Bị Văn A")
    client.force_login(world.secretary)
    html = client.get(reverse("candidates:index")).content.decode()
    assert "Hết dự bị: 15/07/2026" in html and "Giúp đỡ: Đảng viên giúp đỡ" in html


def test_the_admin_shows_rules_candidates_and_admissions(world, client):
    make_candidate(world.cell_a, step=Step.REVIEW)
    make_admission(world.cell_a)
    client.force_login(world.superuser)
    for name in ("pipelinerules", "candidate", "admission"):
        assert client.get(reverse(f"admin:candidates_{name}_changelist")).status_code == 200
    response = client.post(
        reverse("admin:candidates_pipelinerules_add"),
        {
            "certificate_valid_months": 60,
            "file_valid_months": 12,
            "decision_working_days": 59,
            "decision_extension_working_days": 30,
            "ceremony_working_days": 30,
            "probation_months": 12,
            "recognition_working_days": 30,
            "min_age": 18,
            "max_age": 60,
            "approval_numerator": 2,
            "approval_denominator": 3,
            "due_soon_days": 14,
        },
    )
    assert response.status_code == 302
    assert Candidate.objects.get(step=Step.REVIEW).next_deadline == D(2025, 8, 8)
    # An administrator of a subtree reads its candidates but does not edit the rules.
    client.force_login(world.admin)
    assert client.get(reverse("admin:candidates_candidate_changelist")).status_code == 200
    assert client.get(reverse("admin:candidates_pipelinerules_changelist")).status_code == 403


def test_a_secretary_gets_404_on_the_neighbouring_cells_candidate(world, client):
    neighbour = make_candidate(world.cell_a2, step=Step.APPLICATION)
    admission = make_admission(world.cell_a2)
    client.force_login(world.secretary)
    for name in ("detail", "edit", "advance", "extend", "close", "undo"):
        assert client.get(reverse(f"candidates:{name}", args=[neighbour.pk])).status_code == 404, name
    response = client.post(
        reverse("candidates:advance", args=[neighbour.pk]), {"step": "verification", "on": "2025-04-21"}
    )
    assert response.status_code == 404
    assert client.get(reverse("candidates:admission_detail", args=[admission.pk])).status_code == 404
    neighbour.refresh_from_db()
    assert neighbour.step == Step.APPLICATION


def test_the_cards_show_their_next_deadline_date(world, client):
    make_candidate(world.cell_a, step=Step.REVIEW, full_name="Có Hạn Văn A")  # decision due 11/08/2025
    # Probation ends 15/07/2026; 30 working days later, counting Saturday 22/08/2026 that the government
    # swapped into a working day (for Monday 31/08), recognition is due Tue 25/08/2026.
    make_candidate(world.cell_a, step=Step.PROBATION, full_name="Dự Bị Văn B")
    client.force_login(world.secretary)
    response = client.get(reverse("candidates:index"))
    html = response.content.decode()
    columns = {column.step: column for column in response.context["columns"]}
    card_html = html[html.index('id="col-review"') :]
    assert "Hạn ra quyết định kết nạp: <strong>11/08/2025</strong>" in card_html
    assert columns[Step.PROBATION].cards[0].candidate.next_deadline == D(2026, 8, 25)
    assert "Hạn xét công nhận chính thức: <strong>25/08/2026</strong>" in html


def test_rejecting_a_candidate_from_the_page_keeps_the_reason(world, client):
    client.force_login(world.secretary)
    candidate = make_candidate(world.cell_a, step=Step.REFERENCES, full_name="Không Đạt Văn A")
    form = client.get(reverse("candidates:close", args=[candidate.pk])).context["form"]
    assert [value for value, _ in form.fields["outcome"].choices] == [Status.WITHDRAWN, Status.REJECTED]
    response = client.post(
        reverse("candidates:close", args=[candidate.pk]),
        {"outcome": Status.REJECTED, "on": "2025-05-19", "reason": "Chi bộ không đủ 2/3 tán thành"},
    )
    assert response["Location"] == reverse("candidates:detail", args=[candidate.pk])
    candidate.refresh_from_db()
    assert (candidate.status, candidate.close_reason) == (Status.REJECTED, "Chi bộ không đủ 2/3 tán thành")
    page = client.get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    assert "Không kết nạp" in page and "Chi bộ không đủ 2/3 tán thành" in page
    # A closed candidate leaves the board.
    board = client.get(reverse("candidates:index")).content.decode()
    assert "Không Đạt Văn A" not in board


def test_the_vote_hint_uses_the_figure_of_the_meeting_date(world, client):
    client.force_login(world.secretary)
    candidate = make_candidate(world.cell_a, step=Step.REFERENCES)
    membership_figure_record(organization=world.cell_a, as_of=D(2025, 1, 1), member_count=10, official_member_count=9)
    membership_figure_record(organization=world.cell_a, as_of=D(2025, 6, 1), member_count=14, official_member_count=12)
    url = reverse("candidates:advance", args=[candidate.pk])
    # Shown before the date is known: the latest figure, and the form says which one it is.
    response = client.get(url)
    hint = str(response.context["form"].fields["voters_total"].help_text)
    assert "12 đảng viên chính thức" in hint and "hôm nay" in hint and "ngày họp" in hint, hint
    # Sent back with the meeting date (the document number is missing): the figure of that date.
    response = client.post(url, {"step": Step.CELL_RESOLUTION, "on": "2025-05-19", "votes_for": 6})
    assert response.status_code == 200
    field = response.context["form"].fields["voters_total"]
    assert "9 đảng viên chính thức" in str(field.help_text) and "19/05/2025" in str(field.help_text)
    assert not field.required and field.widget.attrs["placeholder"] == "9"
    assert "voters_total" not in response.context["form"].errors
    response = client.post(
        url, {"step": Step.CELL_RESOLUTION, "on": "2025-05-19", "votes_for": 6, "document_number": "1-NQ/CB"}
    )
    assert response.status_code == 302
    event = candidate.events.get(kind=Step.CELL_RESOLUTION)
    assert (event.votes_for, event.voters_total) == (6, 9)


def test_the_vote_total_is_asked_when_the_cell_has_no_figure_on_the_meeting_date(world, client):
    client.force_login(world.staff)
    candidate = make_candidate(world.cell_a2, step=Step.REFERENCES)
    membership_figure_record(organization=world.cell_a2, as_of=D(2025, 6, 1), member_count=14, official_member_count=12)
    url = reverse("candidates:advance", args=[candidate.pk])
    assert not client.get(url).context["form"].fields["voters_total"].required  # today: 12
    data = {"step": Step.CELL_RESOLUTION, "on": "2025-05-19", "votes_for": 8, "document_number": "1-NQ/CB"}
    response = client.post(url, data)
    form = response.context["form"]
    assert form.fields["voters_total"].required and "voters_total" in form.errors
    assert "12" not in str(form.fields["voters_total"].help_text)
    assert not candidate.events.filter(kind=Step.CELL_RESOLUTION).exists()
    assert client.post(url, {**data, "voters_total": 10}).status_code == 302
    assert candidate.events.get(kind=Step.CELL_RESOLUTION).voters_total == 10


def test_durations_in_labels_come_from_the_rules(world, client):
    from candidates import services

    services.rules_update(by=None, max_age=65, file_valid_months=18)
    candidate = make_candidate(world.cell_a, step=Step.REFERENCES, full_name="Nhãn Văn A")  # file opened 10/03/2025
    assert candidate.next_deadline == D(2026, 9, 10)
    client.force_login(world.secretary)
    board = client.get(reverse("candidates:index")).content.decode()
    assert "Hồ sơ quá 18 tháng: <strong>10/09/2026</strong>" in board and "12 tháng" not in board
    detail = client.get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    assert "Hồ sơ quá 18 tháng" in detail
    form = client.get(reverse("candidates:advance", args=[candidate.pk])).context["form"]
    labels = " | ".join(str(label) for _, label in form.fields["exception"].choices)
    assert "trên 65 tuổi" in labels and "quá 18 tháng" in labels and "60" not in labels, labels
    services.rules_update(by=None, max_age=60, file_valid_months=12)
    form = client.get(reverse("candidates:advance", args=[candidate.pk])).context["form"]
    labels = " | ".join(str(label) for _, label in form.fields["exception"].choices)
    assert "trên 60 tuổi" in labels and "quá 12 tháng" in labels, labels
    # The exception recorded on an event is shown with the rule in force.
    candidate = services.candidate_advance(
        candidate=candidate,
        step=Step.CELL_RESOLUTION,
        on=D(2025, 5, 19),
        document_number="1-NQ/CB",
        votes_for=8,
        voters_total=10,
        exception="introductions_redone",
        exception_note="Giới thiệu lại ngày 02/05/2025",
        by=None,
    )
    services.rules_update(by=None, file_valid_months=15)
    detail = client.get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    assert "Đã giới thiệu lại (hồ sơ quá 15 tháng)" in detail


def test_recording_a_renewed_certificate_from_the_candidates_page(world, client):
    dates = {
        Step.SYMPATHIZER: D(2018, 12, 3),
        Step.AWARENESS_CLASS: D(2019, 1, 7),
        Step.APPLICATION: D(2025, 3, 10),
        Step.VERIFICATION: D(2025, 4, 21),
        Step.REFERENCES: D(2025, 5, 5),
    }
    candidate = make_candidate(world.cell_a, step=Step.REFERENCES, dates=dates)
    client.force_login(world.secretary)
    url = reverse("candidates:renew_certificate", args=[candidate.pk])
    assert url in client.get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    # The refusal at the cell resolution shows the way out.
    resolution = client.post(
        reverse("candidates:advance", args=[candidate.pk]),
        {
            "step": Step.CELL_RESOLUTION,
            "on": "2025-05-19",
            "document_number": "1-NQ/CB",
            "votes_for": 8,
            "voters_total": 10,
        },
    )
    assert "Quy tắc chứng nhận lớp bồi dưỡng" in resolution.content.decode()
    assert "chứng nhận mới" in resolution.content.decode()
    assert set(client.get(url).context["form"].fields) == {"on", "document_number", "acting_body"}
    events = StepEvent.objects.count()
    bad = client.post(url, {"on": "2018-01-01", "document_number": "215/GCN"})
    assert bad.status_code == 200 and "mới hơn" in bad.content.decode()
    assert StepEvent.objects.count() == events
    response = client.post(
        url, {"on": "2025-05-12", "document_number": "215/GCN", "acting_body": "Trung tâm Chính trị"}
    )
    assert response["Location"] == reverse("candidates:detail", args=[candidate.pk])
    candidate.refresh_from_db()
    assert candidate.certificate_on == D(2025, 5, 12) and candidate.step == Step.REFERENCES
    page = client.get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    assert "12/05/2025" in page and "215/GCN" in page and "07/01/2019" in page
    # The button is not offered once the cell has decided, nor to a neighbouring cell's secretary.
    response = client.post(
        reverse("candidates:advance", args=[candidate.pk]),
        {
            "step": Step.CELL_RESOLUTION,
            "on": "2025-05-19",
            "document_number": "1-NQ/CB",
            "votes_for": 8,
            "voters_total": 10,
        },
    )
    assert response.status_code == 302
    assert url not in client.get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    neighbour = make_candidate(world.cell_a2, step=Step.REFERENCES)
    assert client.get(reverse("candidates:renew_certificate", args=[neighbour.pk])).status_code == 404
    assert (
        client.post(reverse("candidates:renew_certificate", args=[neighbour.pk]), {"on": "2025-05-12"}).status_code
        == 404
    )


def test_undoing_a_withdrawal_while_another_file_is_active_shows_why(world, client):
    from candidates import services

    first = make_candidate(world.cell_a, step=Step.APPLICATION, full_name="Hai Hồ Sơ Văn A")
    services.candidate_close(candidate=first, outcome=Status.WITHDRAWN, on=D(2025, 4, 1), reason="Chuyển đi", by=None)
    make_candidate(world.cell_a2, full_name="Hai Hồ Sơ Văn A", birth_date=first.birth_date)
    client.force_login(world.staff)
    response = client.post(reverse("candidates:undo", args=[first.pk]), {"reason": "Rút nhầm"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chi bộ Thôn 2" in html and "đang theo dõi" in html
    first.refresh_from_db()
    assert first.status == Status.WITHDRAWN and not first.events.filter(voided_at__isnull=False).exists()
