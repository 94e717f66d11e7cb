"""A biểu whose names carry invisible characters (zero-width space, soft hyphen, bidi controls) or
decomposed letters matches the same organizations; a plan number differing only by one is the
same number."""

from __future__ import annotations

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from quotas import importers, selectors, services
from quotas.models import Plan
from tests.quotas.conftest import seed_000_workbook
from tests.quotas.test_import_export import SEED_COMMUNES, SEED_INSTITUTIONS
from tests.quotas.test_name_matching import match

ZWSP, SOFT_HYPHEN, RLO, PDF, WJ = "\u200b", "\u00ad", "\u202e", "\u202c", "\u2060"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (f"Bi{ZWSP}ên Sơn", "BG-LN-X01"),
        (f"Phư{SOFT_HYPHEN}ợng Sơn", "BG-LN-X19"),
        (f"Đảng bộ xã Phượ{RLO}ng{PDF} Sơn", "BG-LN-X19"),
        (f"Xã Sơn Hả{WJ}i", "BG-LN-X21"),
        (f"BG-LN-X{ZWSP}04", "BG-LN-X04"),
    ],
)
def test_a_name_with_invisible_characters_matches_the_same_organization(seeded, text, code):
    assert match(seeded, importers._text(text)) == ([code], [])


def test_a_biểu_typed_with_invisible_characters_reads_as_the_same_quotas(seeded):
    communes = list(SEED_COMMUNES)
    communes[0] = (f"Bi{ZWSP}ên Sơn", *communes[0][1:])
    communes[18] = (f"Phư{SOFT_HYPHEN}ợng {RLO}Sơn", *communes[18][1:])
    communes[20] = (unicodedata.normalize("NFD", "Sơn Hải"), *communes[20][1:])
    data = seed_000_workbook([communes, list(SEED_INSTITUTIONS)], total_text=f"Tổng{ZWSP} cộng: 220 đảng viên.")
    parsed = importers.read_workbook(data)
    allocation = selectors.allocation_for(organization=seeded.luc_ngan, year=2022)
    preview = importers.build_preview(
        parsed,
        candidates=[r.organization for r in allocation.rows],
        parent_name="Huyện ủy Lục Ngạn",
        current=allocation.values_by_organization(),
    )
    assert [str(p) for p in preview.problems] == []
    assert len(preview.rows) == 55 and preview.count("same") == 55
    assert parsed.rows[-1].kind == "total" and parsed.rows[-1].text_total == 220


def test_a_plan_number_differing_by_an_invisible_character_is_the_same_number(seeded):
    before = Plan.objects.count()
    for number in (f"72-KH/{ZWSP}HU", f"72{SOFT_HYPHEN}-kh/hu", f"{RLO}72-KH/HU"):
        with pytest.raises(ValidationError) as info:
            services.plan_create(
                organization=seeded.luc_ngan, by=seeded.staff, number=number, title="x", start_year=2022, end_year=2022
            )
        assert "đã có kế hoạch số" in " ".join(info.value.messages), repr(number)
    assert Plan.objects.count() == before
    plan = services.plan_create(
        organization=seeded.luc_ngan,
        by=seeded.staff,
        number=f"90-KH/{ZWSP}HU",
        title=f"Bổ{SOFT_HYPHEN} sung",
        start_year=2022,
        end_year=2022,
        recipients=f"- Như trên{RLO}\r\n- Lưu{ZWSP} VP\n",
    )
    plan.refresh_from_db()
    assert (plan.number, plan.title, plan.recipients) == ("90-KH/HU", "Bổ sung", "- Như trên\n- Lưu VP")
