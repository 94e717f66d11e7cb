"""The three journeys of issue 7, in a real browser (the harness fails each on any console error,
failed request or request to another host):

- staff allocate a year's quotas in the grid with the keyboard only once the first cell has the focus
  (Tab, Shift+Tab, Enter and arrows to move, Tab to the save button, Enter to save), and download the
  biểu as PDF, whose text has every organization with the figures typed;
- a secretary on a 375 px phone takes a candidate from the sympathizer list to admission;
- a leader opens the dashboard, drills down into a commune and downloads the quarterly report as
  .xlsx and as PDF.
The app serves PDFs inline; Chromium would show them in its own viewer (chrome-extension:// pages,
refused by the harness as other hosts), so the page fetches its link's address itself (_download_pdf).
"""

from __future__ import annotations

import base64
import datetime
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from candidates.choices import Step
from candidates.models import Admission, Candidate
from quotas.models import Quota
from tests.candidates.factories import make_admission, make_candidate

pytestmark = pytest.mark.django_db(transaction=True)

D = datetime.date


def _no_sideways_scrolling(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _active(page) -> str:
    """What has the keyboard focus: an input's name, or a button's or link's text."""
    return page.evaluate(
        "() => { const e = document.activeElement; return e.name || (e.textContent || '').trim() || e.tagName; }"
    )


def _tab_to(page, wanted: str, *, most: int = 40) -> int:
    """Press Tab until `wanted` (see _active) has the focus; how many presses it took."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if _active(page) == wanted:
            return presses
    raise AssertionError(f"{wanted!r} never got the focus with Tab (last: {_active(page)!r})")


def _download_pdf(link) -> tuple[bytes, str]:
    """The PDF behind a link of the page, through the browser. The app serves its PDFs inline, which
    Chromium would open in its own viewer (chrome-extension:// pages, not the app's), so the page
    fetches the link's own address itself, with the user's session, as the viewer would. Returns the
    bytes and the Content-Disposition."""
    fetched = link.evaluate(
        """async (a) => {
            const response = await fetch(a.href, {credentials: "same-origin"});
            const bytes = new Uint8Array(await response.arrayBuffer());
            let binary = "";
            for (let i = 0; i < bytes.length; i += 8192) {
                binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
            }
            return {status: response.status, type: response.headers.get("content-type"),
                    disposition: response.headers.get("content-disposition") || "", body: btoa(binary)};
        }"""
    )
    assert fetched["status"] == 200 and fetched["type"] == "application/pdf", (fetched["status"], fetched["type"])
    content = base64.b64decode(fetched["body"])
    assert content.startswith(b"%PDF-"), content[:20]
    assert ".pdf" in fetched["disposition"], fetched["disposition"]
    return content, fetched["disposition"]


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_staff_allocate_a_year_with_the_keyboard_and_download_the_pdf(world, journey):
    browser = journey(width=1366, height=900)
    page = browser.page
    browser.login("staff")
    browser.goto(f"/quotas/{world.district_a.pk}/2026/")
    commune, school = world.commune_a.pk, world.school_a.pk
    # The mouse only puts the cursor in the first cell; everything after is the keyboard.
    page.focus(f"input[name=total-{commune}]")
    page.keyboard.type("6")
    for value in ("1", "2", "2", "1"):  # Tab across the commune's quarters
        page.keyboard.press("Tab")
        page.keyboard.type(value)
    assert _active(page) == f"q4-{commune}"
    for _ in range(4):  # back to the commune's total
        page.keyboard.press("Shift+Tab")
    assert _active(page) == f"total-{commune}"
    page.keyboard.press("Enter")  # Enter goes down, like a spreadsheet: the school's total
    assert _active(page) == f"total-{school}"
    page.keyboard.press("ArrowUp")
    assert _active(page) == f"total-{commune}"
    page.keyboard.press("ArrowDown")
    assert _active(page) == f"total-{school}"
    page.keyboard.type("4")
    page.keyboard.press("ArrowRight")  # at the end of what was typed: the next cell
    assert _active(page) == f"q1-{school}"
    page.keyboard.type("1")
    for value in ("1", "1", "1"):
        page.keyboard.press("Tab")
        page.keyboard.type(value)
    assert page.text_content('tfoot [data-total="0"]').strip() == "10"  # the total row follows the typing
    # Save from the keyboard too: Tab on to the save button and press Enter.
    _tab_to(page, "Lưu tất cả")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector(".messages")
    saved = {q.organization_id: (q.total, q.q1, q.q2, q.q3, q.q4) for q in Quota.objects.filter(year=2026)}
    assert saved == {commune: (6, 1, 2, 2, 1), school: (4, 1, 1, 1, 1)}

    content, _disposition = _download_pdf(page.locator("a:has-text('In biểu (PDF)')"))
    pdf = PdfReader(io.BytesIO(content))
    assert pdf.metadata.title == "BIỂU TỔNG HỢP Giao chỉ tiêu kết nạp đảng viên năm 2026"
    text = _pdf_text(content)
    # The organizations, each with the figures typed in the grid, under the issuing committee's name.
    for line in ("HUYỆN ỦY LỤC NGẠN", "Đảng bộ xã Biên Sơn 6 1 2 2 1", "Chi bộ Trường THPT số 1 4 1 1 1 1"):
        assert line in text, f"{line!r} not in the PDF:\n{text}"
    assert "Tổng cộng 10 2 3 3 2" in text


def _record_step(page, step: str, fields: dict[str, str]) -> None:
    page.click(f".status-box a[href$='step={step}']")
    page.wait_for_selector("#id_on")
    for name, value in fields.items():
        selector = f"#id_{name}"
        if page.eval_on_selector(selector, "e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
    _no_sideways_scrolling(page, 375)
    page.click("main form button[type=submit].primary")
    page.wait_for_selector(".messages, .has-error, form .errors")
    assert page.locator(".has-error, form .errors").count() == 0, f"{step}: {page.text_content('main form')}"


def test_secretary_on_a_phone_takes_a_sympathizer_to_admission(world, journey):
    candidate = make_candidate(world.cell_a, by=world.secretary, full_name="Hoàng Thị Thu")
    assert candidate.step == Step.SYMPATHIZER
    browser = journey(width=375, height=800)
    page = browser.page
    browser.login("secretary")
    # Dates that keep every rule of candidates/rules.py: the awareness certificate is fresh when the
    # application is made, the file is under 12 months old at the cell's resolution, the decision
    # comes within the working-day deadline after the resolution; more than half the votes.
    steps = [
        (Step.AWARENESS_CLASS, {"on": "2025-02-10", "document_number": "123/CN", "acting_body": "TTCT huyện"}),
        (
            Step.APPLICATION,
            {
                "on": "2025-03-10",
                "introduction": "two_members",
                "introducer_1": "Nguyễn Văn An",
                "introducer_2": "Lê Thị Bình",
            },
        ),
        (Step.VERIFICATION, {"on": "2025-04-21", "document_number": "12-KL/ĐU", "acting_body": "Đảng ủy xã"}),
        (Step.REFERENCES, {"on": "2025-05-05", "document_number": "5-KNĐ/01"}),
        (
            Step.CELL_RESOLUTION,
            {"on": "2025-05-19", "document_number": "3-NQ/CB", "votes_for": "9", "voters_total": "10"},
        ),
        (
            Step.REVIEW,
            {
                "on": "2025-05-29",
                "document_number": "7-BC/ĐU",
                "acting_body": "Đảng ủy xã Biên Sơn",
                "votes_for": "7",
                "voters_total": "9",
            },
        ),
        (
            Step.DECISION,
            {"on": "2025-07-01", "document_number": "245-QĐ/HU", "acting_body": "Ban Thường vụ Huyện ủy"},
        ),
    ]
    browser.goto("/candidates/")
    _no_sideways_scrolling(page, 375)
    for step, fields in steps:
        page.click("a:has-text('Hoàng Thị Thu')")
        page.wait_for_selector("h1:has-text('Hoàng Thị Thu')")
        _record_step(page, step, fields)
    page.click("a:has-text('Hoàng Thị Thu')")
    page.click("a:has-text('245-QĐ/HU')")
    page.wait_for_selector("h1:has-text('Hoàng Thị Thu')")
    assert "245-QĐ/HU" in page.text_content("main")
    _no_sideways_scrolling(page, 375)

    candidate = Candidate.objects.get(pk=candidate.pk)
    assert candidate.step == Step.DECISION
    admission = Admission.objects.get(candidate=candidate)
    assert (admission.admitted_on, admission.decision_number) == (D(2025, 7, 1), "245-QĐ/HU")
    assert f"/candidates/admissions/{admission.pk}/" in page.url
    # The cell's alerts (their filter form too) fit the phone.
    browser.goto(f"/reports/{world.cell_a.pk}/alerts/")
    page.wait_for_selector("form.period select")
    _no_sideways_scrolling(page, 375)


def test_leader_drills_down_and_downloads_the_quarterly_report(world, journey):
    make_admission(world.cell_a, admitted_on=D(2026, 8, 12))
    make_admission(world.school_a, admitted_on=D(2026, 5, 4))
    browser = journey(width=1280, height=900)
    page = browser.page
    browser.login("leader")
    browser.goto(f"/reports/{world.district_a.pk}/?year=2026&quarter=3")
    page.wait_for_selector("table.progress")
    page.click("table.progress a:has-text('Biên Sơn')")
    page.wait_for_selector("#summary-title:has-text('Đảng bộ xã Biên Sơn')")
    assert f"/reports/{world.commune_a.pk}/" in page.url and "quarter=3" in page.url
    with page.expect_download() as download_info:
        page.click("a:has-text('Báo cáo quý (Excel)')")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(download.path().read_bytes()))
    cells = [str(value) for row in workbook.active.iter_rows(values_only=True) for value in row if value is not None]
    assert any("Chi bộ Thôn 1" in value for value in cells)
    assert any("Biên Sơn" in value for value in cells)
    # The quarterly report as PDF too, from the same page's link (the period and organization it shows).
    content, disposition = _download_pdf(page.locator("a:has-text('Báo cáo quý (PDF)')"))
    text = _pdf_text(content)
    assert disposition.startswith("inline") and ".pdf" in disposition, disposition
    # The commune the leader drilled into, the quarter on the page, the admission recorded in August.
    for line in ("ĐẢNG BỘ XÃ BIÊN SƠN", "QUÝ III NĂM 2026", "1 Chi bộ Thôn 1 — — 1 1", "2 Chi bộ Thôn 2 — — 0 0"):
        assert line in text, f"{line!r} not in the PDF:\n{text}"
