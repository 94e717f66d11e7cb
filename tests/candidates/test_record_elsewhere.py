"""No "is this person known?" oracle: a person the user enters (page, API, import) who has a record
outside the user's scope is refused with only "a record in another organization" and the committee to
ask (always the user's own province, wherever the record is) — no date, no organization, no step, and the same words for a candidate as for an admission.
Each such refusal is logged (the identifier as a keyed hash) and a user gets at most
PrivacyRules.record_elsewhere_per_day of them a day; past that nothing that looks a person up is
processed. Inside the scope the refusal stays detailed."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.crypto import salted_hmac
from rest_framework.test import APIClient

from candidates.models import Admission, Candidate, PersonalDataAccess, PrivacyRules
from organizations.models import Role
from tests.factories import UserFactory, grant

from .factories import make_admission, make_candidate
from .test_import import HEADER, upload, workbook

D = datetime.date
pytestmark = pytest.mark.django_db
ELSEWHERE = "Người này đã có hồ sơ ở một tổ chức đảng khác. Hãy liên hệ Ban Tổ chức Tỉnh ủy Thử Nghiệm."
CITIZEN_ID = "024096000777"


@pytest.fixture
def elsewhere(world):
    """In district B (outside every test user's scope but the superuser's): an admission of 16/05/2022
    by decision 77-QĐ/BL, and a candidate at the step of the cell resolution."""
    world.admitted = make_admission(
        world.cell_b,
        full_name="Bí Mật Thị Kết Nạp",
        birth_date=D(1996, 3, 14),
        citizen_id=CITIZEN_ID,
        decision_number="77-QĐ/BL",
        admitted_on=D(2022, 5, 16),
    )
    world.listed = make_candidate(world.cell_b, full_name="Bí Mật Văn Quần Chúng", birth_date=D(1999, 9, 9))
    return world


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _says_nothing_more(text: str, world) -> None:
    for secret in ("16/05/2022", "2022", "77-QĐ/BL", world.district_b.name, world.commune_b.name, "Lộc An", "bước"):
        assert secret not in text, secret
    assert not re.search(r"\d{2}/\d{2}/\d{4}", text), text


def _refusals(user) -> list[PersonalDataAccess]:
    return list(
        PersonalDataAccess.objects.filter(user=user, kind=PersonalDataAccess.Kind.RECORD_ELSEWHERE).order_by("pk")
    )


PERSON_FORM = {
    "gender": "male",
    "ethnicity": "kinh",
    "religion": "none",
    "occupation": "farmer",
    "education_level": "upper_secondary",
    "professional_level": "none",
    "political_theory": "none",
}
CANDIDATE_FORM = {**PERSON_FORM, "listed_on": "2025-01-06", "helper_name": "Đảng viên A"}


def test_the_candidate_page_says_only_a_record_elsewhere_and_logs_it(elsewhere, client):
    client.force_login(elsewhere.secretary)
    for person in (
        {"full_name": "Bí Mật Thị Kết Nạp", "birth_date": "1996-03-14", "gender": "female"},  # admitted there
        {"full_name": "Bí Mật Văn Quần Chúng", "birth_date": "1999-09-09"},  # a candidate there
        {"full_name": "Tên Khác Hẳn", "birth_date": "2001-01-01", "citizen_id": CITIZEN_ID},  # the same ID
    ):
        data = {**CANDIDATE_FORM, "organization": elsewhere.cell_a.pk, **person}
        response = client.post(reverse("candidates:create"), data)
        assert response.status_code == 200
        assert response.context["form"].errors == {"full_name": [ELSEWHERE]}
        _says_nothing_more(response.content.decode().split("<main", 1)[-1], elsewhere)
    assert not Candidate.objects.filter(organization=elsewhere.cell_a).exists()
    logged = _refusals(elsewhere.secretary)
    assert [(entry.organization, entry.filters, entry.person_count) for entry in logged] == [
        (elsewhere.cell_a, "Trùng họ tên và ngày sinh", 1),
        (elsewhere.cell_a, "Trùng họ tên và ngày sinh", 1),
        (elsewhere.cell_a, "Trùng số căn cước", 1),
    ]
    # The identifier is kept only as a keyed hash: never the citizen ID or the name in clear.
    keyed = salted_hmac("candidates.record_elsewhere", f"citizen_id:{CITIZEN_ID}", algorithm="sha256").hexdigest()
    assert logged[2].subject_hash == keyed
    stored = repr(list(PersonalDataAccess.objects.values_list()))
    assert CITIZEN_ID not in stored and "Bí Mật" not in stored and "bi mat" not in stored
    # The district's administrator reads the refusals in the access log.
    page = _page(elsewhere.admin).get(reverse("candidates:personal_data_log")).content.decode()
    assert "Từ chối: người đã có hồ sơ ở tổ chức khác" in page and "Trùng số căn cước" in page


def test_the_admission_page_refuses_the_same_way(elsewhere, client):
    client.force_login(elsewhere.secretary)
    data = {
        **PERSON_FORM,
        "organization": elsewhere.cell_a.pk,
        "full_name": "Ai Đó",
        "gender": "female",
        "birth_date": "1996-03-14",
        "citizen_id": CITIZEN_ID,
        "decision_number": "1-QĐ/HU",
        "admitted_on": "2024-02-01",
        "readmitted": "on",  # a re-admission after an admission elsewhere is refused whatever its date
    }
    response = client.post(reverse("candidates:admission_create"), data)
    assert response.context["form"].errors == {"full_name": [ELSEWHERE]}
    assert not Admission.objects.filter(organization=elsewhere.cell_a).exists()
    assert len(_refusals(elsewhere.secretary)) == 1


def test_the_api_refuses_the_same_way(elsewhere):
    client = _api(elsewhere.secretary)
    response = client.post(
        "/api/v1/admissions/",
        {
            "organization": elsewhere.cell_a.pk,
            "full_name": "Bí Mật Văn Quần Chúng",
            "gender": "male",
            "birth_date": "1999-09-09",
            "decision_number": "2-QĐ/HU",
            "admitted_on": "2024-02-01",
        },
        format="json",
    )
    assert response.status_code == 400 and response.data == {"full_name": [ELSEWHERE]}
    response = client.post(
        "/api/v1/candidates/",
        {"organization": elsewhere.cell_a.pk, "full_name": "X Y", "gender": "male", "birth_date": "2000-01-01",
         "citizen_id": CITIZEN_ID},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400 and response.data == {"full_name": [ELSEWHERE]}
    assert len(_refusals(elsewhere.secretary)) == 2


def test_the_import_preview_refuses_by_row_the_same_way_and_logs_it(elsewhere, client):
    client.force_login(elsewhere.staff)
    row = [1, elsewhere.cell_a.code, "Bí Mật Thị Kết Nạp", "Nữ", D(1996, 3, 14), "3-QĐ/HU", D(2024, 2, 1), "Kinh", "",
           ""]  # fmt: skip
    response = upload(client, workbook([row], header=HEADER))
    assert response.context["errors"] == [f"Dòng 3, cột “Họ và tên”: {ELSEWHERE}"]
    _says_nothing_more(" ".join(response.context["errors"]), elsewhere)
    # The preview rolled its rows back, not the log of what it told.
    assert len(_refusals(elsewhere.staff)) == 1 and not Admission.objects.filter(organization__in=[
        elsewhere.cell_a, elsewhere.cell_a2]).exists()  # fmt: skip


def test_inside_the_scope_the_refusal_stays_detailed(world):
    make_admission(world.cell_a2, full_name="Trong Phạm Vi", birth_date=D(1995, 5, 5), decision_number="8-QĐ/HU")
    response = _page(world.staff).post(
        reverse("candidates:create"),
        {**CANDIDATE_FORM, "organization": world.cell_a.pk, "full_name": "Trong Phạm Vi", "birth_date": "1995-05-05"},
    )
    message = response.context["form"].errors["full_name"][0]
    assert "8-QĐ/HU" in message and "16/05/2022" in message and "Chi bộ Thôn 2" in message
    assert not PersonalDataAccess.objects.exists()


def test_the_committee_to_ask_does_not_tell_where_the_record_is(elsewhere):
    """The re-probe's find: naming the lowest committee above both organizations told, refusal after
    refusal, which commune, district or province holds the person. A person listed in the
    neighbouring cell A1D (same commune) and one admitted in district B are both sent to the Ban Tổ
    chức of the secretary's own province: the answer is the same wherever the record is."""
    make_candidate(elsewhere.cell_a2, full_name="Hàng Xóm Văn A", birth_date=D(1997, 7, 7))
    answers = []
    for name, birth_date in (("Hàng Xóm Văn A", "1997-07-07"), ("Bí Mật Thị Kết Nạp", "1996-03-14")):
        response = _page(elsewhere.secretary).post(
            reverse("candidates:create"),
            {**CANDIDATE_FORM, "organization": elsewhere.cell_a.pk, "full_name": name, "birth_date": birth_date},
        )
        answers.append(response.context["form"].errors)
    assert answers == [{"full_name": [ELSEWHERE]}] * 2
    assert elsewhere.commune_a.name not in str(answers) and elsewhere.district_b.name not in str(answers)
    # Both refusals are in the log, under the organization the secretary was entering the person in.
    logged = PersonalDataAccess.objects.filter(kind=PersonalDataAccess.Kind.RECORD_ELSEWHERE)
    assert [entry.organization for entry in logged] == [elsewhere.cell_a] * 2


def test_refusals_are_limited_per_user_and_day(elsewhere, client):
    assert PrivacyRules.current().record_elsewhere_per_day == 10
    client.force_login(elsewhere.secretary)
    probe = {**CANDIDATE_FORM, "organization": elsewhere.cell_a.pk, "full_name": "Thử Số", "citizen_id": CITIZEN_ID}
    for n in range(10):
        response = client.post(reverse("candidates:create"), {**probe, "birth_date": f"2000-01-{n + 1:02d}"})
        assert response.context["form"].errors == {"full_name": [ELSEWHERE]}, n
    # The 11th: told to ask the committee, and the form is not processed — not even for a person
    # nobody has a record of, so nothing more can be learnt today.
    fresh = {**CANDIDATE_FORM, "organization": elsewhere.cell_a.pk, "full_name": "Hoàn Toàn Mới",
             "birth_date": "2001-02-03"}  # fmt: skip
    for data in ({**probe, "birth_date": "2000-02-01"}, fresh):
        response = client.post(reverse("candidates:create"), data)
        errors = response.context["form"].non_field_errors()
        assert len(errors) == 1 and "giới hạn trong ngày" in errors[0] and "Ban Tổ chức Tỉnh ủy Thử Nghiệm" in errors[0]
    assert not Candidate.objects.filter(organization=elsewhere.cell_a).exists()
    assert len(_refusals(elsewhere.secretary)) == 10
    # The API and the import are held the same way.
    response = _api(elsewhere.secretary).post(
        "/api/v1/candidates/",
        {"organization": elsewhere.cell_a.pk, "full_name": "Qua Api", "gender": "male", "birth_date": "2000-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "giới hạn trong ngày" in str(response.data)
    # Another user is not held; the limit is data.
    other = grant(UserFactory(username="secretary_2"), elsewhere.cell_a2, Role.SECRETARY)
    assert make_candidate(elsewhere.cell_a2, full_name="Người Mới", birth_date=D(2002, 2, 2), by=other).pk
    rules = PrivacyRules.current()
    rules.record_elsewhere_per_day = 11
    rules.save()
    response = client.post(reverse("candidates:create"), fresh)
    assert response.status_code == 302


def test_an_import_stops_looking_up_at_the_limit(elsewhere, client):
    rules = PrivacyRules.current()
    rules.record_elsewhere_per_day = 2
    rules.save()
    client.force_login(elsewhere.staff)
    rows = [
        [n, elsewhere.cell_a.code, "Bí Mật Thị Kết Nạp", "Nữ", D(1996, 3, 14), f"{n}-QĐ/HU", D(2024, 2, n), "Kinh", "",
         ""]
        for n in (1, 2, 3, 4)
    ]  # fmt: skip
    response = upload(client, workbook(rows, header=HEADER))
    errors = response.context["errors"]
    assert errors[:2] == [f"Dòng 3, cột “Họ và tên”: {ELSEWHERE}", f"Dòng 4, cột “Họ và tên”: {ELSEWHERE}"]
    assert len(errors) == 3 and errors[2].startswith("Dòng 5: ") and "giới hạn trong ngày" in errors[2]
    assert len(_refusals(elsewhere.staff)) == 2
