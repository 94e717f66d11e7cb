"""Invisible characters (zero-width space, soft hyphen, bidi controls) and decomposed letters do not
make a second admission or candidate file, nor a second count against the quota, through the
service, the page, the API or the import; they are never stored, and a search still finds."""

from __future__ import annotations

import datetime
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from candidates import services
from candidates.choices import Introduction, Step
from candidates.models import Admission, Candidate, StepEvent
from reports.models import AdmissionTally

from .factories import advance_to, make_admission, make_candidate
from .test_import import upload, workbook

D = datetime.date
pytestmark = pytest.mark.django_db

ZWSP, SOFT_HYPHEN, RLO, PDF, LRM, WJ, BOM = "\u200b", "\u00ad", "\u202e", "\u202c", "\u200e", "\u2060", "\ufeff"
NAME = "Nguyễn Thị Demo 108"
HIDDEN = f"Nguyễn {ZWSP}Thị Demo 108"
BORN = D(1996, 3, 14)
ADMITTED = D(2022, 5, 16)  # quarter 2


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def counted_in_district(world) -> tuple[int, int, int, int]:
    return AdmissionTally.objects.get(organization=world.district_a, year=ADMITTED.year).subtree


@pytest.fixture
def admitted(world):
    first = make_admission(world.cell_a, full_name=NAME, birth_date=BORN, admitted_on=ADMITTED)
    assert counted_in_district(world) == (0, 1, 0, 0)
    return first


def admission_form(world, **changes) -> dict:
    return {
        "organization": world.cell_a2.pk,
        "full_name": HIDDEN,
        "gender": "female",
        "birth_date": BORN.isoformat(),
        "decision_number": "99-QĐ/HU",
        "admitted_on": "2022-06-01",
        "ethnicity": "kinh",
        "religion": "none",
        "occupation": "farmer",
        "education_level": "upper_secondary",
        "professional_level": "none",
        "political_theory": "none",
        **changes,
    }


def test_a_zero_width_space_does_not_admit_the_same_person_twice(world, admitted):
    spellings = (
        HIDDEN,
        f"{BOM}Nguy{SOFT_HYPHEN}ễn Thị Demo 108",
        f"{RLO}Nguyễn Thị Demo 108{PDF}",
        f"Nguyễn{LRM} Thị{WJ} Demo\u00a0108",
        unicodedata.normalize("NFD", NAME),
    )
    for name in spellings:
        with pytest.raises(ValidationError) as info:
            make_admission(world.cell_a2, full_name=name, birth_date=BORN, admitted_on=D(2022, 6, 1), by=world.staff)
        assert "đã được kết nạp" in " ".join(info.value.messages), repr(name)
    assert Admission.objects.count() == 1
    assert counted_in_district(world) == (0, 1, 0, 0)


def test_a_zero_width_space_does_not_admit_the_same_person_twice_through_the_page(world, admitted, client):
    client.force_login(world.staff)
    response = client.post(reverse("candidates:admission_create"), admission_form(world))
    assert response.status_code == 200
    assert "đã được kết nạp" in str(response.context["form"].errors), response.context["form"].errors
    assert Admission.objects.count() == 1
    assert counted_in_district(world) == (0, 1, 0, 0)


def test_a_zero_width_space_does_not_admit_the_same_person_twice_through_the_api(world, admitted):
    payload = {**admission_form(world), "organization": world.cell_a2.pk}
    response = api(world.staff).post("/api/v1/admissions/", payload, format="json")
    assert response.status_code == 400, response.data
    assert "đã được kết nạp" in response.data["full_name"][0]
    assert Admission.objects.count() == 1
    assert counted_in_district(world) == (0, 1, 0, 0)


def test_a_zero_width_space_does_not_admit_the_same_person_twice_through_the_import(world, admitted, client):
    client.force_login(world.staff)
    rows = [
        [1, world.cell_a2.code, HIDDEN, "Nữ", BORN, "99-QĐ/HU", D(2022, 6, 1), "Kinh", "", ""],
        # Within the file too: two spellings of one new person.
        [2, world.cell_a2.code, "Lê Văn Mới", "Nam", D(1999, 9, 9), "100-QĐ/HU", D(2022, 6, 2), "Kinh", "", ""],
        [
            3,
            f"{world.cell_a2.code}{ZWSP}",
            f"Lê Văn{SOFT_HYPHEN} Mới",
            "Nam",
            D(1999, 9, 9),
            "101-QĐ/HU",
            D(2022, 6, 3),
        ],
    ]
    response = upload(client, workbook([[*row, *[""] * (10 - len(row))] for row in rows]))
    errors = response.context["errors"]
    assert any(e.startswith("Dòng 3, cột “Họ và tên”: Người này đã được kết nạp") for e in errors), errors
    assert any(e.startswith("Dòng 5, cột “Họ và tên”: Người này đã được kết nạp") for e in errors), errors
    assert not any("Dòng 5, cột “Mã chi bộ”" in e for e in errors), errors  # the code is found
    assert Admission.objects.count() == 1
    assert counted_in_district(world) == (0, 1, 0, 0)


def test_a_citizen_id_with_spaces_or_invisible_characters_is_the_same_citizen_id(world, client):
    make_admission(world.cell_a, full_name="Hoàng Văn Bình", citizen_id="024098001234", admitted_on=ADMITTED)
    for citizen_id in (f"0240980{ZWSP}01234", "024 098 001 234", f"{LRM}024098001234\u00a0"):
        with pytest.raises(ValidationError) as info:
            make_admission(world.cell_a2, full_name="Hoàng Văn Bính", citizen_id=citizen_id, by=world.staff)
        assert "đã được kết nạp" in " ".join(info.value.messages), repr(citizen_id)
    client.force_login(world.staff)
    form = admission_form(world, full_name="Hoàng Văn Bính", citizen_id=f"0240980{ZWSP}01234")
    response = client.post(reverse("candidates:admission_create"), form)
    assert response.status_code == 200 and "đã được kết nạp" in str(response.context["form"].errors)
    response = api(world.staff).post("/api/v1/admissions/", form, format="json")
    assert response.status_code == 400 and "đã được kết nạp" in response.data["full_name"][0], response.data
    assert Admission.objects.count() == 1
    assert counted_in_district(world) == (0, 1, 0, 0)
    # A new person's ID is stored as its digits, whichever way it was typed.
    created = make_admission(world.cell_a2, full_name="Đỗ Văn Số", citizen_id=f"024 098{ZWSP} 009999")
    assert Admission.objects.get(pk=created.pk).citizen_id == "024098009999"


def test_the_database_refuses_the_duplicate_written_around_the_services(world, admitted):
    """The name and citizen ID are stored clean and the identity key is derived on save, so the
    constraints see the same person whoever writes the row."""
    duplicate = Admission(
        organization=world.cell_a2,
        full_name=HIDDEN,
        gender="female",
        birth_date=BORN,
        decision_number="2-QĐ/HU",
        admitted_on=D(2023, 1, 5),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    make_admission(world.cell_a, full_name="Hoàng Văn Bình", citizen_id="024098001234")
    duplicate = Admission(
        organization=world.cell_a2,
        full_name="Người Khác",
        gender="male",
        birth_date=D(1990, 1, 1),
        citizen_id=f"024098{ZWSP}001234",
        decision_number="3-QĐ/HU",
        admitted_on=D(2023, 1, 5),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_zero_width_space_does_not_open_a_second_candidate_file(world):
    make_candidate(world.cell_a, full_name=NAME, birth_date=BORN)
    for name in (HIDDEN, unicodedata.normalize("NFD", NAME), f"{RLO}{NAME}"):
        with pytest.raises(ValidationError) as info:
            make_candidate(world.cell_a2, full_name=name, birth_date=BORN, by=world.staff)
        assert "đang có trong danh sách quần chúng" in " ".join(info.value.messages)
    response = api(world.staff).post(
        "/api/v1/candidates/",
        {
            "organization": world.cell_a2.pk,
            "full_name": HIDDEN,
            "gender": "female",
            "birth_date": BORN.isoformat(),
            "listed_on": "2025-01-06",
        },
        format="json",
    )
    assert response.status_code == 400 and "đang có trong danh sách" in response.data["full_name"][0], response.data
    assert Candidate.objects.count() == 1


def test_one_introducer_written_twice_with_an_invisible_character_is_one_introducer(world):
    candidate = make_candidate(world.cell_a, step=Step.AWARENESS_CLASS)
    with pytest.raises(ValidationError) as info:
        services.candidate_advance(
            candidate=candidate,
            step=Step.APPLICATION,
            on=D(2025, 3, 10),
            introduction=Introduction.TWO_MEMBERS,
            people=["Nguyễn Văn Hùng", f"Nguyễn Văn{ZWSP} Hùng"],
            by=world.secretary,
        )
    assert "hai đảng viên khác nhau" in " ".join(info.value.messages)
    with pytest.raises(ValidationError):
        services.candidate_advance(
            candidate=candidate,
            step=Step.APPLICATION,
            on=D(2025, 3, 10),
            introduction=Introduction.TWO_MEMBERS,
            people=["Nguyễn Văn Hùng", unicodedata.normalize("NFD", "nguyễn văn hùng")],
            by=world.secretary,
        )
    # A lone invisible character is no introducer at all.
    with pytest.raises(ValidationError) as info:
        services.candidate_advance(
            candidate=candidate,
            step=Step.APPLICATION,
            on=D(2025, 3, 10),
            introduction=Introduction.TWO_MEMBERS,
            people=["Nguyễn Văn Hùng", ZWSP],
            by=world.secretary,
        )
    assert "cần 2 đảng viên chính thức" in " ".join(info.value.messages)


def test_soft_hyphens_and_bidi_controls_are_removed_from_what_is_stored(world):
    candidate = make_candidate(
        world.cell_a,
        full_name=f"Trần{SOFT_HYPHEN} Văn {RLO}Lưu{PDF}",
        birth_date=D(2000, 1, 1),
        helper_name=f"Đảng viên{ZWSP} Giúp",
        notes=f"Dòng một{RLO}\r\n  Dòng\u00a0 hai {SOFT_HYPHEN}\n",
        by=world.secretary,
    )
    candidate.refresh_from_db()
    assert candidate.full_name == "Trần Văn Lưu"
    assert candidate.identity_key == "tran van luu|2000-01-01"
    assert candidate.helper_name == "Đảng viên Giúp"
    assert candidate.notes == "Dòng một\nDòng hai"
    candidate = advance_to(candidate, Step.DECISION)
    admission = Admission.objects.get(candidate=candidate)
    assert admission.full_name == "Trần Văn Lưu"
    services.candidate_update(candidate=candidate, full_name=f"Trần Văn {BOM}Lựu", by=world.secretary)
    admission.refresh_from_db()
    assert admission.full_name == "Trần Văn Lựu" and admission.identity_key == "tran van luu|2000-01-01"
    direct = make_admission(
        world.cell_a2, decision_number=f"7{SOFT_HYPHEN}-QĐ/{RLO}HU", deciding_body=f"Ban{ZWSP} Thường vụ"
    )
    direct.refresh_from_db()
    assert (direct.decision_number, direct.deciding_body) == ("7-QĐ/HU", "Ban Thường vụ")
    # Writes around the services store clean text too: the model field cleans every write.
    StepEvent.objects.filter(candidate=candidate).update(note=f"x{RLO}y")
    assert set(StepEvent.objects.filter(candidate=candidate).values_list("note", flat=True)) == {"xy"}


def test_a_reason_of_invisible_characters_is_no_reason(world):
    admission = make_admission(world.cell_a)
    with pytest.raises(ValidationError) as info:
        services.admission_cancel(admission=admission, reason=f"{ZWSP}{RLO}", by=world.staff)
    assert "Nhập lý do hủy" in " ".join(info.value.messages)
    assert Admission.objects.counted().count() == 1


def test_a_search_with_invisible_characters_still_finds(world, client):
    make_candidate(world.cell_a, full_name="Phạm Thị Tìm", by=world.secretary)
    make_admission(world.cell_a, full_name="Vũ Văn Thấy", decision_number="55-QĐ/HU")
    client.force_login(world.staff)
    for query in (f"Phạm{ZWSP} Thị", f"pham{SOFT_HYPHEN} thi", unicodedata.normalize("NFD", "Phạm Thị"), f"{RLO}tim"):
        response = client.get(reverse("candidates:index"), {"q": query})
        assert "Phạm Thị Tìm" in response.content.decode(), query
        assert [
            row["full_name"] for row in api(world.staff).get("/api/v1/candidates/", {"q": query}).data["results"]
        ] == ["Phạm Thị Tìm"], query
    for query in (f"Vũ{ZWSP} Văn", f"vu van{BOM}", f"55{SOFT_HYPHEN}-QĐ"):
        response = client.get(reverse("candidates:admissions"), {"q": query})
        assert "Vũ Văn Thấy" in response.content.decode(), query
        rows = api(world.staff).get("/api/v1/admissions/", {"q": query}).data["results"]
        assert [row["full_name"] for row in rows] == ["Vũ Văn Thấy"], query
    client.force_login(world.admin)
    response = client.get(reverse("admin:candidates_admission_changelist"), {"q": f"Vũ{ZWSP} Văn"})
    assert [a.full_name for a in response.context["cl"].result_list] == ["Vũ Văn Thấy"]


# ---------------------------------------------------------------- issue 12 re-probe: blanks, scripts, digits

BRAILLE_BLANK = "Nguyễn\u2800Thị Demo 108"
CYRILLIC_E = "Nguy\u0435\u0303n Thị Demo 108"  # Cyrillic е, a combining tilde: reads "Nguyễn"
SCRIPT_REFUSAL = (
    "Tên có chữ “е” (U+0435, CYRILLIC SMALL LETTER IE) không phải chữ Latinh: hãy gõ lại bằng bàn phím tiếng Việt."
)


def test_a_blank_braille_pattern_does_not_admit_the_same_person_twice(world, admitted):
    with pytest.raises(ValidationError) as info:
        make_admission(world.cell_a2, full_name=BRAILLE_BLANK, birth_date=BORN, admitted_on=D(2022, 6, 1))
    assert "đã được kết nạp" in " ".join(info.value.messages)
    response = api(world.staff).post("/api/v1/admissions/", admission_form(world, full_name=BRAILLE_BLANK))
    assert response.status_code == 400 and "đã được kết nạp" in response.data["full_name"][0], response.data
    assert Admission.objects.count() == 1
    assert counted_in_district(world) == (0, 1, 0, 0)


def test_a_name_with_a_letter_of_another_script_is_refused_everywhere(world, admitted, client):
    with pytest.raises(ValidationError) as info:
        make_admission(world.cell_a2, full_name=CYRILLIC_E, birth_date=BORN, admitted_on=D(2022, 6, 1))
    assert info.value.message_dict["full_name"] == [SCRIPT_REFUSAL]
    client.force_login(world.staff)
    response = client.post(reverse("candidates:admission_create"), admission_form(world, full_name=CYRILLIC_E))
    assert response.status_code == 200 and response.context["form"].errors["full_name"] == [SCRIPT_REFUSAL]
    for url in ("/api/v1/admissions/", "/api/v1/candidates/"):
        response = api(world.staff).post(url, admission_form(world, full_name=CYRILLIC_E), format="json")
        assert response.status_code == 400 and response.data["full_name"] == [SCRIPT_REFUSAL], response.data
    row = [1, world.cell_a2.code, CYRILLIC_E, "Nữ", BORN, "99-QĐ/HU", D(2022, 6, 1), "Kinh", "", ""]
    errors = upload(client, workbook([row])).context["errors"]
    assert f"Dòng 3, cột “Họ và tên”: {SCRIPT_REFUSAL}" in errors, errors
    assert Admission.objects.count() == 1 and not Candidate.objects.exists()
    assert counted_in_district(world) == (0, 1, 0, 0)


@pytest.mark.parametrize("typed", ["０２４０９８００１２３４", "٠٢٤٠٩٨٠٠١٢٣٤", "۰۲۴ ۰۹۸ ۰۰۱ ۲۳۴"])
def test_a_citizen_id_in_other_digits_is_the_same_citizen_id(world, typed):
    make_admission(world.cell_a, full_name="Hoàng Văn Bình", citizen_id="024098001234", admitted_on=ADMITTED)
    with pytest.raises(ValidationError) as info:
        make_admission(world.cell_a2, full_name="Hoàng Văn Bính", citizen_id=typed, by=world.staff)
    assert "đã được kết nạp" in " ".join(info.value.messages)
    form = admission_form(world, full_name="Hoàng Văn Bính", citizen_id=typed)
    response = api(world.staff).post("/api/v1/admissions/", form, format="json")
    assert response.status_code == 400 and "đã được kết nạp" in response.data["full_name"][0], response.data
    assert Admission.objects.count() == 1


def test_a_citizen_id_of_other_digits_is_checked_as_its_ascii_digits(world):
    with pytest.raises(ValidationError) as info:
        make_admission(world.cell_a2, full_name="Đỗ Văn Số", citizen_id="٠٢٤٠٩٨٠٠١٢٣")  # 11 digits
    assert "12 chữ số" in " ".join(info.value.messages)
    created = make_admission(world.cell_a2, full_name="Đỗ Văn Số", citizen_id="٠٢٤٠٩٨٠٠١٢٣٩")
    assert Admission.objects.get(pk=created.pk).citizen_id == "024098001239"
