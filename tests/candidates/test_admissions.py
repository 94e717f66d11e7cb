"""Admissions: the same person is admitted once (service, constraint, concurrency), historical entry,
cancellation, and the admissions_changed hook on every write."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from candidates import services
from candidates.choices import Status, Step
from candidates.models import Admission, Candidate

from .factories import make_admission, make_candidate

D = datetime.date
ELSEWHERE = "Người này đã có hồ sơ ở một tổ chức đảng khác."
pytestmark = pytest.mark.django_db


def test_a_historical_admission_is_recorded_with_its_attributes_and_fires_the_hook(world, fired):
    admission = services.admission_record(
        organization=world.cell_a,
        full_name="  Lò Thị   Mai ",
        gender="female",
        birth_date=D(1999, 4, 2),
        decision_number="45-QĐ/HU",
        admitted_on=D(2022, 8, 15),
        deciding_body="Ban Thường vụ Huyện ủy",
        ethnicity="thai",
        religion="buddhism",
        occupation="farmer",
        youth_union_member=True,
        village_head=True,
        by=world.staff,
    )
    assert admission.full_name == "Lò Thị Mai"
    assert admission.is_ethnic_minority and admission.has_religion and admission.quarter == 3
    assert admission.identity_key == "lo thi mai|1999-04-02"
    assert admission.source == "manual" and admission.recorded_by == world.staff
    assert fired == [({world.cell_a.pk}, {D(2022, 8, 15)})]
    assert admission.history.get().history_user == world.staff


def test_a_person_over_the_maximum_age_is_entered_only_with_the_provincial_consent(world, client):
    """Entered directly there was no cell resolution to check the age: born 01/01/1950, 72 on
    15/08/2022, refused unless the provincial committee's written consent is confirmed (page and API)."""
    person = {
        "organization": world.cell_a,
        "full_name": "Hà Văn Cao",
        "gender": "male",
        "birth_date": D(1950, 1, 1),
        "decision_number": "46-QĐ/HU",
        "admitted_on": D(2022, 8, 15),
        "by": world.staff,
    }
    with pytest.raises(ValidationError) as info:
        services.admission_record(**person)
    assert "quá 60 tuổi vào ngày kết nạp (72 tuổi)" in " ".join(info.value.messages)
    assert Admission.objects.count() == 0
    admission = services.admission_record(**person, age_consent=True)
    assert admission.age_consent and admission.history.get().age_consent

    client.force_login(world.staff)
    form = {
        "organization": world.cell_a.pk,
        "full_name": "Lò Văn Già",
        "gender": "male",
        "birth_date": "1940-01-01",
        "decision_number": "47-QĐ/HU",
        "admitted_on": "2022-08-15",
        "ethnicity": "kinh",
        "religion": "none",
        "occupation": "farmer",
        "education_level": "upper_secondary",
        "professional_level": "none",
        "political_theory": "none",
    }
    response = client.post(reverse("candidates:admission_create"), form)
    assert response.status_code == 200, response.status_code
    assert "cấp ủy cấp tỉnh" in str(response.context["form"].errors), response.context["form"].errors
    assert Admission.objects.count() == 1
    response = client.post(reverse("candidates:admission_create"), {**form, "age_consent": "on"})
    assert response.status_code == 302 and Admission.objects.count() == 2


def test_the_same_person_cannot_be_admitted_twice(world, fired):
    first = make_admission(world.cell_a, full_name="Nguyễn Văn An", birth_date=D(2000, 2, 1))
    fired.clear()
    for name, where in (("nguyen van  an", world.cell_a), ("NGUYỄN VĂN AN", world.school_a)):
        with pytest.raises(ValidationError) as info:
            make_admission(where, full_name=name, birth_date=D(2000, 2, 1), by=world.staff)
        message = " ".join(info.value.messages)
        assert "đã được kết nạp" in message and first.decision_number in message
    assert Admission.objects.count() == 1
    assert fired == []


def test_a_candidate_corrected_into_a_person_already_admitted_is_refused_at_once(world):
    """Not only at the decision, months later: the correction itself is refused and nothing changes."""
    make_admission(world.cell_a, full_name="Lê Thị Hoa", birth_date=D(1995, 3, 3))
    candidate = make_candidate(world.cell_a, step=Step.REFERENCES, full_name="Lê Thị Hòa", birth_date=D(1995, 3, 4))
    with pytest.raises(ValidationError) as info:
        services.candidate_update(
            candidate=candidate, by=world.secretary, birth_date=D(1995, 3, 3), full_name="Lê Thị Hoa"
        )
    assert "đã được kết nạp" in " ".join(info.value.messages)
    candidate.refresh_from_db()
    assert (candidate.full_name, candidate.birth_date) == ("Lê Thị Hòa", D(1995, 3, 4))
    # A correction that keeps them a different person goes through.
    services.candidate_update(candidate=candidate, by=world.secretary, full_name="Lê Thị Hòa Bình")
    candidate.refresh_from_db()
    assert candidate.full_name == "Lê Thị Hòa Bình"


@pytest.mark.parametrize(("born", "years"), [(D(2014, 6, 1), 11), (D(1899, 1, 1), 127)])
def test_an_implausible_age_on_the_sympathizer_list_is_refused(world, born, years):
    """11 or 127 years old when listed on 10/01/2026: a typing error in the birth date."""
    with pytest.raises(ValidationError) as info:
        services.candidate_create(
            organization=world.cell_a,
            full_name="Tuổi Không Hợp Lý",
            gender="male",
            birth_date=born,
            listed_on=D(2026, 1, 10),
            by=world.secretary,
        )
    assert f"{years} tuổi vào ngày đưa vào danh sách" in " ".join(info.value.message_dict["birth_date"])
    assert not Candidate.objects.filter(full_name="Tuổi Không Hợp Lý").exists()


def test_a_citizen_id_identifies_the_person_whatever_the_spelling(world):
    make_admission(world.cell_a, full_name="Hoàng Văn Bình", citizen_id="024098001234")
    with pytest.raises(ValidationError):
        make_admission(world.cell_a2, full_name="Hoàng Văn Bính", citizen_id="024098001234")
    # Namesakes born the same day with different citizen IDs are two people.
    make_admission(world.cell_a, full_name="Lê Văn Cường", birth_date=D(1990, 1, 1), citizen_id="024090000001")
    make_admission(world.cell_a2, full_name="Lê Văn Cường", birth_date=D(1990, 1, 1), citizen_id="024090000002")
    assert Admission.objects.count() == 3


def test_a_duplicate_outside_the_users_scope_is_refused_without_showing_it(world):
    make_admission(world.cell_b, full_name="Phạm Thị Dung", birth_date=D(1997, 7, 7), decision_number="9-QĐ/BL")
    with pytest.raises(ValidationError) as info:
        make_admission(world.cell_a, full_name="Phạm Thị Dung", birth_date=D(1997, 7, 7), by=world.secretary)
    message = " ".join(info.value.messages)
    # Only that a record exists elsewhere, and whom to ask: the committee above both (the province).
    assert message == f"{ELSEWHERE} Hãy liên hệ Ban Tổ chức Tỉnh ủy Thử Nghiệm.", message


def test_a_readmission_follows_an_earlier_admission(world):
    make_admission(world.cell_a, full_name="Vũ Văn Em", birth_date=D(1980, 1, 1), admitted_on=D(2005, 3, 1))
    readmitted = make_admission(
        world.cell_a, full_name="Vũ Văn Em", birth_date=D(1980, 1, 1), admitted_on=D(2022, 3, 1), readmitted=True
    )
    assert readmitted.readmitted
    with pytest.raises(ValidationError):
        make_admission(
            world.cell_a, full_name="Vũ Văn Em", birth_date=D(1980, 1, 1), admitted_on=D(2022, 3, 1), readmitted=True
        )


def test_a_cancelled_admission_no_longer_blocks_and_stays_recorded(world, fired):
    admission = make_admission(world.cell_a, full_name="Đỗ Văn Giang", birth_date=D(1995, 5, 5))
    fired.clear()
    with pytest.raises(PermissionDenied):
        services.admission_cancel(admission=admission, reason="Ghi nhầm", by=world.secretary)
    with pytest.raises(ValidationError):
        services.admission_cancel(admission=admission, reason=" ", by=world.staff)
    services.admission_cancel(admission=admission, reason="Ghi nhầm chi bộ", by=world.staff)
    assert fired == [({world.cell_a.pk}, {admission.admitted_on})]
    assert Admission.objects.counted().count() == 0 and Admission.objects.count() == 1
    make_admission(world.cell_a2, full_name="Đỗ Văn Giang", birth_date=D(1995, 5, 5))
    assert Admission.objects.counted().count() == 1


def test_a_pipeline_admission_is_cancelled_from_the_candidate(world):
    candidate = make_candidate(world.cell_a, step=Step.DECISION)
    with pytest.raises(ValidationError) as info:
        services.admission_cancel(admission=candidate.admissions.get(), reason="x", by=world.staff)
    assert "hồ sơ quần chúng" in " ".join(info.value.messages)


def test_the_database_refuses_a_duplicate_written_around_the_services(world):
    first = make_admission(world.cell_a, full_name="Bùi Thị Hoa", birth_date=D(2001, 6, 1))
    duplicate = Admission(
        organization=world.cell_a2,
        full_name="Bui Thi Hoa",
        gender="female",
        birth_date=D(2001, 6, 1),
        decision_number="2-QĐ/HU",
        admitted_on=D(2023, 1, 5),
        identity_key=first.identity_key,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_where_admissions_are_recorded(world):
    with pytest.raises(ValidationError) as info:
        make_admission(world.commune_a)
    assert "chi bộ trực thuộc" in " ".join(info.value.messages)
    with pytest.raises(PermissionDenied):
        make_admission(world.cell_b, by=world.secretary)
    with pytest.raises(ValidationError) as info:
        make_admission(world.cell_a, birth_date=D(2005, 1, 1), admitted_on=D(2022, 5, 16))
    assert "18 tuổi" in " ".join(info.value.messages)
    with pytest.raises(ValidationError):
        make_admission(world.cell_a, admitted_on=datetime.date.today() + datetime.timedelta(days=3))
    assert Admission.objects.count() == 0


def test_an_admission_stays_where_it_happened_after_the_cell_is_dissolved(world):
    from organizations.services import organization_dissolve

    organization_dissolve(organization=world.cell_a2, on=D(2024, 1, 1))
    world.cell_a2.refresh_from_db()
    make_admission(world.cell_a2, admitted_on=D(2022, 5, 16))
    with pytest.raises(ValidationError) as info:
        make_admission(world.cell_a2, admitted_on=D(2024, 2, 1))
    assert "không hoạt động" in " ".join(info.value.messages)


def test_a_candidate_already_admitted_or_listed_elsewhere_is_refused(world):
    make_admission(world.cell_b, full_name="Ngô Văn Khánh", birth_date=D(1993, 9, 9))
    with pytest.raises(ValidationError) as info:
        make_candidate(world.cell_a, full_name="Ngô Văn Khánh", birth_date=D(1993, 9, 9), by=world.secretary)
    assert "đã có hồ sơ ở một tổ chức đảng khác" in " ".join(info.value.messages)
    # A re-admission after an admission the secretary may not see is refused the same way whatever
    # its date (answering by date would tell the date); the committee above both enters it.
    with pytest.raises(ValidationError) as info:
        make_candidate(
            world.cell_a, full_name="Ngô Văn Khánh", birth_date=D(1993, 9, 9), readmitted=True, by=world.secretary
        )
    assert "đã có hồ sơ ở một tổ chức đảng khác" in " ".join(info.value.messages)
    readmission = make_candidate(
        world.cell_a, full_name="Ngô Văn Khánh", birth_date=D(1993, 9, 9), readmitted=True, by=world.superuser
    )
    assert readmission.readmitted
    make_candidate(world.cell_b, full_name="Dương Thị Lan", birth_date=D(2002, 2, 2))
    with pytest.raises(ValidationError) as info:
        make_candidate(world.cell_a, full_name="Dương Thị Lan", birth_date=D(2002, 2, 2), by=world.secretary)
    # A candidate elsewhere reads exactly like an admission elsewhere: which one it is stays unsaid.
    assert info.value.messages == [
        "Người này đã có hồ sơ ở một tổ chức đảng khác. Hãy liên hệ Ban Tổ chức Tỉnh ủy Thử Nghiệm."
    ]


def test_namesakes_born_the_same_day_with_different_citizen_ids_are_two_candidates(world):
    """Two citizen IDs decide (as for admissions): both are listed, the database agrees, and the
    same ID twice is refused by the service and, written around it, by the database."""
    first = make_candidate(world.cell_a, full_name="Trần Văn Nam", birth_date=D(1999, 3, 3), citizen_id="024099000001")
    second = make_candidate(
        world.cell_a2, full_name="Trần Văn Nam", birth_date=D(1999, 3, 3), citizen_id="024099000002"
    )
    assert first.identity_key == second.identity_key and Candidate.objects.active().count() == 2
    with pytest.raises(ValidationError):
        make_candidate(world.cell_a2, full_name="Trần Văn Năm", birth_date=D(1999, 3, 3), citizen_id="024099000001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Candidate.objects.filter(pk=second.pk).update(citizen_id="024099000001")
    # Without IDs, the folded name and birth date still allow one active file only.
    make_candidate(world.cell_a, full_name="Lý Thị Mai", birth_date=D(2000, 1, 1))
    with pytest.raises(ValidationError):
        make_candidate(world.cell_a2, full_name="Ly Thi Mai", birth_date=D(2000, 1, 1))


def test_the_decision_step_refuses_a_person_admitted_meanwhile(world):
    candidate = make_candidate(world.cell_a, step=Step.REVIEW, full_name="Hồ Văn Minh", birth_date=D(1994, 4, 4))
    # A direct entry beside an active file is refused now (see the test below); an admission written
    # before that check, or around the services, is still caught by the decision step.
    Admission.objects.create(
        organization=world.cell_a2,
        full_name="Hồ Văn Minh",
        gender="male",
        birth_date=D(1994, 4, 4),
        decision_number="5-QĐ/HU",
        admitted_on=D(2025, 6, 2),
        identity_key=services.identity_key("Hồ Văn Minh", D(1994, 4, 4)),
    )
    with pytest.raises(ValidationError) as info:
        services.candidate_advance(
            candidate=candidate,
            step=Step.DECISION,
            on=D(2025, 7, 1),
            document_number="1-QĐ/HU",
            acting_body="Ban Thường vụ",
            by=None,
        )
    assert "đã được kết nạp" in " ".join(info.value.messages)
    candidate.refresh_from_db()
    assert candidate.step == Step.REVIEW and not candidate.events.filter(kind="decision").exists()


def test_correcting_a_candidates_data_updates_their_admission_and_fires_the_hook(world, fired):
    candidate = make_candidate(world.cell_a, step=Step.DECISION, ethnicity="kinh")
    fired.clear()
    services.candidate_update(candidate=candidate, ethnicity="nung", full_name="Nguyễn Văn Sửa", by=world.secretary)
    admission = Admission.objects.get(candidate=candidate)
    assert (admission.ethnicity, admission.full_name) == ("nung", "Nguyễn Văn Sửa")
    assert admission.identity_key.startswith("nguyen van sua|")
    assert fired == [({world.cell_a.pk}, {admission.admitted_on})]


def test_candidate_status_after_withdrawal_frees_the_identity(world):
    candidate = make_candidate(world.cell_a, full_name="Trần Văn Nam", birth_date=D(2000, 1, 1))
    services.candidate_close(candidate=candidate, outcome=Status.WITHDRAWN, on=D(2025, 2, 1), reason="Tự rút", by=None)
    make_candidate(world.cell_a2, full_name="Trần Văn Nam", birth_date=D(2000, 1, 1))
    assert Candidate.objects.filter(identity_key="tran van nam|2000-01-01").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_for_the_same_person_make_one_admission(world, postgres_only):
    """Two requests at once (PostgreSQL, two connections): the per-person lock makes the second wait
    for the first and then see it, so it is refused with the readable message."""
    barrier = threading.Barrier(2)
    results: list[str] = []

    def record(cell, name):
        try:
            barrier.wait(timeout=10)
            services.admission_record(
                organization=cell,
                full_name=name,
                gender="male",
                birth_date=D(1999, 9, 9),
                decision_number="77-QĐ/HU",
                admitted_on=D(2023, 3, 3),
                by=None,
            )
            results.append("ok")
        except ValidationError as exc:
            results.append("refused: " + " ".join(exc.messages))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=record, args=(world.cell_a, "Phan Văn Đồng")),
        threading.Thread(target=record, args=(world.cell_a2, "phan van dong")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results)[0] == "ok" and sorted(results)[1].startswith("refused: ") and len(results) == 2
    assert Admission.objects.filter(identity_key="phan van dong|1999-09-09").count() == 1


def test_a_direct_admission_of_a_person_with_an_active_file_points_to_the_file(world, fired):
    candidate = make_candidate(
        world.cell_a, step=Step.REVIEW, full_name="Đang Theo Dõi Văn A", citizen_id="001098001234"
    )
    admissions = Admission.objects.count()
    fired.clear()
    for person in (
        {"full_name": "Đang Theo Dõi Văn A", "birth_date": candidate.birth_date},
        {"full_name": "Đang Theo Dõi Văn Á", "birth_date": D(1990, 1, 1), "citizen_id": "001098001234"},
    ):
        with pytest.raises(ValidationError) as info:
            make_admission(world.cell_a2, gender="male", by=world.staff, **person)
        message = " ".join(info.value.messages)
        assert "Chi bộ Thôn 1" in message and "Cấp ủy thẩm định" in message, message
        assert "Quyết định kết nạp" in message, message
    # The import is refused the same way, row by row; nothing is written.
    row = {
        "row": 2,
        "organization": world.cell_a,
        "full_name": "Đang Theo Dõi Văn A",
        "gender": "male",
        "birth_date": candidate.birth_date,
        "decision_number": "9-QĐ/HU",
        "admitted_on": D(2025, 7, 1),
    }
    with pytest.raises(ValidationError) as info:
        services.admissions_import(rows=[row], by=world.staff)
    assert "Dòng 2" in info.value.messages[0] and "hồ sơ quần chúng" in info.value.messages[0]
    # A file outside the user's scope is not described.
    make_candidate(world.cell_a2, full_name="Ở Thôn Hai Văn B", birth_date=D(1997, 7, 7))
    with pytest.raises(ValidationError) as info:
        make_admission(world.cell_a, full_name="Ở Thôn Hai Văn B", birth_date=D(1997, 7, 7), by=world.secretary)
    message = " ".join(info.value.messages)
    assert message == f"{ELSEWHERE} Hãy liên hệ Ban Tổ chức Tỉnh ủy Thử Nghiệm.", (
        message
    )  # own province, wherever it is
    assert Admission.objects.count() == admissions and fired == []
    candidate.refresh_from_db()
    assert candidate.step == Step.REVIEW and candidate.is_active
    # Once the file is closed, a historical entry is possible again.
    services.candidate_close(candidate=candidate, outcome=Status.WITHDRAWN, on=D(2025, 6, 1), reason="x", by=None)
    assert make_admission(world.cell_a, full_name="Đang Theo Dõi Văn A", birth_date=candidate.birth_date).pk
