"""Rows of a biểu matched to organizations by name: kind prefixes are dropped comparing with the
diacritics the file has, the diacritics-free comparison is a fallback used only when it finds one
organization, and an unknown or ambiguous name is reported with its row, column and the candidates
instead of being guessed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organizations import services as organization_services
from quotas import importers, selectors
from tests.quotas.conftest import quota_state, seed_000_workbook


def match(seeded, text: str, *, organization=None):
    """What one data row named `text` matches among the children of `organization` (Lục Ngạn)."""
    parsed = importers.ParsedSheet(layout="year", columns={"number": 1, "name": 2, "total": 3})
    parsed.rows.append(importers.SheetRow(7, "data", text, "", {"total": 5}))
    parent = organization or seeded.luc_ngan
    children = [r.organization for r in selectors.allocation_for(organization=parent, year=2022).rows]
    matched = importers.match_rows(parsed, children, parent.name)
    return [m.organization.code for m in matched], [str(p) for p in parsed.problems]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Phượng Sơn", "BG-LN-X19"),
        ("Xã Phượng Sơn", "BG-LN-X19"),
        ("Đảng bộ xã Phượng Sơn", "BG-LN-X19"),
        ("Đảng ủy xã Phượng Sơn", "BG-LN-X19"),
        ("PHƯỢNG SƠN", "BG-LN-X19"),
        ("Phuong Son", "BG-LN-X19"),  # no diacritics at all: one organization reads so, it is that one
        ("Sơn Hải", "BG-LN-X21"),
        ("Thị trấn Chũ", "BG-LN-X04"),
        ("Đảng bộ thị trấn Chũ", "BG-LN-X04"),
    ],
)
def test_kind_prefixes_are_dropped_comparing_with_diacritics(seeded, text, code):
    assert match(seeded, text) == ([code], [])


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Trường THPT Lục Ngạn số 1", "BG-LN-C06"),
        ("Trường PT Dân tộc nội trú", "BG-LN-C11"),
        ("Công ty CP Cơ điện", "BG-LN-C24"),
        ("Toà án nhân dân", "BG-LN-C13"),
        ("Tòa án nhân dân", "BG-LN-C13"),  # the tone mark placed the other way
        ("Chi bộ Trường THPT Lục Ngạn số 1", "BG-LN-C06"),
        ("Công an", "BG-LN-C02"),
    ],
)
def test_a_row_written_without_the_chi_bo_prefix_still_matches(seeded, text, code):
    assert match(seeded, text) == ([code], [])


def test_cells_of_a_commune_match_without_chi_bo(seeded):
    assert match(seeded, "Thôn 2", organization=seeded.org("BG-LN-X01")) == (["BG-LN-X01-02"], [])


@pytest.mark.parametrize("text", ["Sơn", "Đảng bộ Sơn", "Đảng bộ xã Sơn", "Phường Sơn", "son", "Dang bo Son"])
def test_a_kind_word_inside_a_name_is_not_a_prefix(seeded, text):
    """ "Phượng Sơn" folds to "phuong son", which once lost "phuong" as if it were "phường": "Sơn" and
    "Đảng bộ Sơn" silently matched BG-LN-X19. They are unknown, and the message names the near one."""
    codes, problems = match(seeded, text)
    assert codes == []
    assert len(problems) == 1
    assert problems[0].startswith(
        f"Dòng 7, cột B (Tên đảng bộ, chi bộ): không tìm thấy tổ chức “{text}” trực thuộc Huyện ủy Lục Ngạn"
    )
    assert "Đảng bộ xã Phượng Sơn – BG-LN-X19" in problems[0]


def test_an_ambiguous_name_is_reported_with_its_candidates(seeded):
    organization_services.organization_create(
        parent=seeded.luc_ngan,
        name="Đảng ủy xã Tân Hòa",
        short_name="Tân Hòa",
        code="BG-LN-X30",
        kind="commune",
        position=30,
    )
    # With diacritics each name is one organization…
    assert match(seeded, "Tân Hòa") == (["BG-LN-X30"], [])
    assert match(seeded, "Xã Tân Hoa") == (["BG-LN-X23"], [])
    # …without them the file could mean either: reported, not guessed.
    codes, problems = match(seeded, "Tan Hoa")
    assert codes == []
    assert problems == [
        "Dòng 7, cột B (Tên đảng bộ, chi bộ): tên “Tan Hoa” trùng với nhiều tổ chức "
        "(Đảng bộ xã Tân Hoa – BG-LN-X23, Đảng ủy xã Tân Hòa – BG-LN-X30): ghi mã tổ chức để phân biệt"
    ]


def test_an_upload_with_a_bare_kind_word_name_is_refused_and_writes_nothing(seeded, client):
    rows = [("Biên Sơn", 5, 1, 2, 2, 0), ("Sơn", 6, 1, 2, 2, 1)]
    data = seed_000_workbook([rows], total_text="Tổng cộng: 11 đảng viên.")
    client.force_login(seeded.staff)
    before = quota_state()
    url = reverse("quotas:import", kwargs={"pk": seeded.luc_ngan.pk, "year": 2022})
    response = client.post(url, {"file": SimpleUploadedFile("bieu.xlsx", data)})
    assert response.status_code == 400 and "payload" not in response.context
    problems = [str(p) for p in response.context["preview"].problems]
    assert any(
        p.startswith("Dòng 6, cột B (Tên đảng bộ, chi bộ): không tìm thấy tổ chức “Sơn” trực thuộc Huyện ủy Lục Ngạn")
        for p in problems
    ), problems
    assert quota_state() == before
