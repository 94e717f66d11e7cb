"""The one text identity (partytrack.text), the fields that store text clean whichever way it is
written (partytrack.fields), and the data migrations that clean what was stored before."""

from __future__ import annotations

import datetime
import importlib
import unicodedata

import pytest
from django.apps import apps
from django.db import connection

from candidates.models import Admission, Candidate, StepEvent
from organizations.models import Organization
from partytrack.text import clean_compact, clean_lines, clean_text, fold, foreign_letter, spelling_key
from partytrack.text_cleanup import CleanedDuplicates
from quotas.models import Plan
from tests.candidates.factories import make_admission, make_candidate

D = datetime.date
ZWSP, SOFT_HYPHEN, RLO, PDF, LRI, PDI, BOM, NBSP = (
    "\u200b",
    "\u00ad",
    "\u202e",
    "\u202c",
    "\u2066",
    "\u2069",
    "\ufeff",
    "\u00a0",
)
NFD = unicodedata.normalize("NFD", "Nguyễn")


@pytest.mark.parametrize(
    "spelling",
    [
        "Nguyễn Thị Demo 108",
        f"Nguyễn {ZWSP}Thị Demo 108",
        f"{BOM}Nguy{SOFT_HYPHEN}ễn Thị Demo 108",
        f"{RLO}Nguyễn Thị{PDF} {LRI}Demo{PDI} 108",
        "Nguyễn\u2060 Thị\u200c Demo\u200d 108\u180e",
        f"Nguyễn{NBSP}Thị\u2003Demo\u3000 108",
        "  Nguyễn\tThị\nDemo\r\n108 ",
        f"{NFD} Thị Demo 108",
        "Nguyễn\x00 Thị\x07 Demo\x7f 108",
        "Nguyễn\u034f Thị\ufe0f Demo\u3164 108",
    ],
)
def test_invisible_characters_odd_spaces_and_nfd_are_one_text(spelling):
    assert clean_text(spelling) == "Nguyễn Thị Demo 108"
    assert fold(spelling) == "nguyen thi demo 108"
    assert spelling_key(spelling) == "nguyễn thị demo 108"


def test_fold_and_spelling_key():
    assert fold("Lục Ngạn") == "luc ngan" and fold("ĐỒNG") == "dong"
    assert fold("Ｔｈôｎ　１") == "thon 1"  # full-width forms fold too
    assert spelling_key("Hùng") != spelling_key("Hưng")  # introducers: diacritics tell people apart
    assert spelling_key(unicodedata.normalize("NFD", "HÙNG")) == spelling_key("hùng")
    assert clean_text(None) == "" and clean_text(0) == "0"
    assert clean_compact(f"024 098{ZWSP} 001234{NBSP}") == "024098001234"
    assert clean_lines(f"Một{RLO}  dòng\r\n\r\n  Hai{NBSP} dòng \n\n") == "Một dòng\n\nHai dòng"
    assert unicodedata.is_normalized("NFC", clean_text(NFD)) and clean_text(NFD) == "Nguyễn"


@pytest.mark.django_db
def test_every_orm_write_stores_clean_text_and_lookups_find_it(world):
    org = world.cell_a
    Organization.objects.filter(pk=org.pk).update(short_name=f"Thôn{ZWSP} 1{RLO}")
    assert Organization.objects.get(pk=org.pk).short_name == "Thôn 1"
    assert Organization.objects.filter(code=f"A1C{BOM}").get() == org  # an exact lookup is cleaned the same way
    created = Organization.objects.bulk_create(
        [Organization(name=f"Tổ{SOFT_HYPHEN} chức", code="X9", kind="cell", lft=1, rght=2, tree_id=99, level=0)]
    )[0]
    assert Organization.objects.get(pk=created.pk).name == "Tổ chức"
    candidate = make_candidate(world.cell_a)
    events = list(StepEvent.objects.filter(candidate=candidate))
    for event in events:
        event.acting_body = f"Chi{ZWSP} bộ"
    StepEvent.objects.bulk_update(events, ["acting_body"])
    assert set(StepEvent.objects.filter(candidate=candidate).values_list("acting_body", flat=True)) == {"Chi bộ"}


def _dirty(table: str, pk: int, **values) -> None:
    """Write around every Django layer, as text stored before the fields cleaned it."""
    columns = ", ".join(f"{column} = %s" for column in values)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {columns} WHERE id = %s", [*values.values(), pk])


def _migration(app: str, name: str):
    return importlib.import_module(f"{app}.migrations.{name}")


@pytest.mark.django_db
def test_the_data_migrations_clean_stored_text_and_recompute_the_folded_keys(world):
    admission = make_admission(world.cell_a, full_name="Nguyễn Thị Demo 108", birth_date=D(1996, 3, 14))
    candidate = make_candidate(world.cell_a2, full_name="Lê Văn Cũ", birth_date=D(2000, 1, 1))
    plan = Plan.objects.create(
        organization=world.district_a, number="72-KH/HU", title="x", start_year=2022, end_year=2022
    )
    _dirty(
        "candidates_admission",
        admission.pk,
        full_name=f"{NFD} {ZWSP}Thị Demo 108",
        identity_key=f"nguyen {ZWSP}thi demo 108|1996-03-14",
        decision_number=f"1{SOFT_HYPHEN}-QĐ/HU",
    )
    _dirty(
        "candidates_candidate",
        candidate.pk,
        full_name=f"Lê {RLO}Văn Cũ{PDF}",
        citizen_id=f"024 098{ZWSP}001",  # an old 9-digit ID, within the column's 12 characters
        identity_key="stale",
        notes=f"a{BOM}\r\nb",
    )
    _dirty("organizations_organization", world.cell_a2.pk, name=f"Chi bộ Thôn{ZWSP} 2", search_name="stale")
    _dirty("quotas_plan", plan.pk, number=f"72-KH/{LRI}HU{PDI}")

    for app, name in [
        ("organizations", "0004_text_stored_clean"),
        ("candidates", "0010_text_stored_clean"),
        ("quotas", "0004_text_stored_clean"),
    ]:
        _migration(app, name).clean_stored_text(apps, None)

    admission = Admission.objects.get(pk=admission.pk)
    assert (admission.full_name, admission.decision_number) == ("Nguyễn Thị Demo 108", "1-QĐ/HU")
    assert admission.identity_key == "nguyen thi demo 108|1996-03-14"
    candidate = Candidate.objects.get(pk=candidate.pk)
    assert (candidate.full_name, candidate.citizen_id, candidate.notes) == ("Lê Văn Cũ", "024098001", "a\nb")
    assert candidate.identity_key == "le van cu|2000-01-01"
    org = Organization.objects.get(pk=world.cell_a2.pk)
    assert (org.name, org.search_name) == ("Chi bộ Thôn 2", "chi bo thon 2 a1d")
    assert Plan.objects.get(pk=plan.pk).number == "72-KH/HU"


@pytest.mark.django_db
def test_the_data_migration_stops_on_records_that_become_one_person_and_writes_nothing(world):
    """Two admissions of one person let in by a zero-width space: which one counts is a person's
    decision, so the migration names both and changes nothing."""
    first = make_admission(world.cell_a, full_name="Nguyễn Thị Demo 108", birth_date=D(1996, 3, 14))
    second = make_admission(world.cell_a2, full_name="Nguyễn Thị Demo 109", birth_date=D(1996, 3, 14))
    other = make_admission(world.cell_a2, full_name="Trần Văn Khác", decision_number=f"5{SOFT_HYPHEN}-QĐ")
    _dirty(
        "candidates_admission",
        second.pk,
        full_name=f"Nguyễn {ZWSP}Thị Demo 108",
        identity_key=f"nguyen {ZWSP}thi demo 108|1996-03-14",
    )
    _dirty("candidates_admission", other.pk, decision_number=f"5{SOFT_HYPHEN}-QĐ")
    with pytest.raises(CleanedDuplicates) as info:
        _migration("candidates", "0010_text_stored_clean").clean_stored_text(apps, None)
    message = str(info.value)
    assert "admission_once_per_name_birth" in message and f"{first.pk}, {second.pk}" in message
    with connection.cursor() as cursor:
        cursor.execute("SELECT decision_number FROM candidates_admission WHERE id = %s", [other.pk])
        assert cursor.fetchone()[0] == f"5{SOFT_HYPHEN}-QĐ"  # nothing written


@pytest.mark.parametrize("blank", ["\u2800", "\u3164", "\uffa0", "\u115f", "\u1160", "\u2003", "\u202f", "\u1680"])
def test_blank_looking_characters_are_a_space(blank):
    """Issue 12 re-probe: U+2800 (a symbol, category So) and the Hangul fillers show as a space: they
    are one, not a second spelling of the name, nor glue between two words."""
    assert clean_text(f"Nguyễn{blank}Thị Demo 108") == "Nguyễn Thị Demo 108"
    assert clean_text(f"Nguyễn {blank}Thị{blank}") == "Nguyễn Thị"
    assert fold(f"Nguyễn{blank}Thị Demo 108") == "nguyen thi demo 108"
    assert spelling_key(f"Nguyễn{blank}Thị") == "nguyễn thị"


def test_digits_of_every_script_are_ascii_digits_in_numbers_and_identities():
    assert clean_compact("００１０９５０１２３４５") == "001095012345"  # a phone's full-width keyboard
    assert clean_compact("٠٠١٠٩٥٠١٢٣٤٥") == "001095012345"  # Arabic-Indic
    assert clean_compact("۰۰۱ ۰۹۵ ۰۱۲ ۳۴۵") == "001095012345"  # Extended Arabic-Indic, with spaces
    assert fold("Chi bộ Thôn ١") == fold("Chi bộ Thôn 1") == "chi bo thon 1"
    assert spelling_key("Thôn ١") == spelling_key("Thôn 1")


@pytest.mark.parametrize(
    ("name", "letter"),
    [
        ("Nguy\u0435\u0303n Thị", "\u0435"),  # Cyrillic е with a combining tilde
        ("Chi bộ \u0422hôn 1", "\u0422"),  # Cyrillic Т
        ("Chi bộ \u03a4hôn 1", "\u03a4"),  # Greek Τ
        ("Nguyễn 阮", "阮"),
        ("Nguyễn \U0001d40dam", "\U0001d40d"),  # MATHEMATICAL BOLD CAPITAL N
    ],
)
def test_a_letter_of_another_script_is_found(name, letter):
    assert foreign_letter(name) == letter


def test_latin_names_have_no_foreign_letter():
    for name in ("Nguyễn Thị Demo 108", "ĐẶNG VĂN ỨNG", "Chi bộ Thôn 1 (Biên Sơn)", "Ｎguyễn", "Y Đăk Mlô"):
        assert foreign_letter(name) is None, name
