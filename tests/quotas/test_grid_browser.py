"""The allocation grid in a real browser: Enter moves down, a block pasted from Excel fills the cells,
totals and row errors update as you type, one click saves everything."""

from __future__ import annotations

import os
import threading

import pytest

from quotas.models import Quota
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Journey

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def grid_journey(live_server):
    """Run a journey (tests/browser's Journey: fails on console errors and outside requests) in its own
    thread, with its own Playwright: tests/browser keeps a session-wide Playwright running in the main
    thread, and Playwright's sync API allows one per thread."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    def run(script) -> None:
        outcome: dict = {}

        def target():
            from playwright.sync_api import sync_playwright

            try:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                    journey = Journey(browser, live_server.url, width=1366, height=900)
                    try:
                        script(journey)
                    finally:
                        journey.context.close()
                        browser.close()
                    outcome["problems"] = journey.problems
            except BaseException as exc:  # re-raised in the test's thread
                outcome["error"] = exc

        worker = threading.Thread(target=target)
        worker.start()
        worker.join(timeout=180)
        if "error" in outcome:
            raise outcome["error"]
        assert outcome.get("problems") == [], outcome

    return run


def test_staff_types_and_pastes_like_a_spreadsheet(world, grid_journey):
    commune, school = world.commune_a.pk, world.school_a.pk
    seen: dict = {}

    def script(browser):
        page = browser.page
        # Log in, letting each page finish loading (its favicon too) before leaving it.
        browser.goto("/accounts/login/")
        page.wait_for_load_state("networkidle")
        page.fill("#id_username", "staff")
        page.fill("#id_password", "test-password-123")
        page.click("button[type=submit].primary")
        page.wait_for_load_state("networkidle")
        browser.goto(f"/quotas/{world.district_a.pk}/2026/")
        page.wait_for_load_state("networkidle")
        page.click(f"input[name=total-{commune}]")
        page.keyboard.type("6")
        page.keyboard.press("Enter")  # moves to the school's total, like a spreadsheet
        seen["focus"] = page.evaluate("document.activeElement.name")
        page.keyboard.type("4")
        seen["total"] = page.text_content('tfoot [data-total="0"]').strip()
        # Paste Q I–IV of both rows, copied from Excel (tab-separated, one line per row).
        page.focus(f"input[name=q1-{commune}]")
        page.evaluate(
            """() => {
                const data = new DataTransfer();
                data.setData('text', '1\\t2\\t2\\t1\\r\\n0\\t1\\t1\\t1\\r\\n');
                document.activeElement.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true}));
            }"""
        )
        seen["pasted"] = page.input_value(f"input[name=q4-{school}]")
        seen["q2_total"] = page.text_content('tfoot [data-total="2"]').strip()
        # The school's quarters add up to 3, not 4: the row says so before saving.
        row = page.locator(f"tr[data-org='{school}']")
        seen["row_error"] = row.locator(".row-msg").text_content()
        # Only the commune split by quarter: 1+2+2+1 of 10 are not quarters of 10, so no quarter sums.
        for quarter in (1, 2, 3, 4):
            page.fill(f"input[name=q{quarter}-{school}]", "")
        seen["partial"] = [page.text_content(f'tfoot [data-total="{i}"]').strip() for i in range(5)]
        for quarter in (1, 2, 3, 4):
            page.fill(f"input[name=q{quarter}-{school}]", "1")
        seen["row_fixed"] = row.locator(".row-msg").text_content().strip()
        seen["split"] = [page.text_content(f'tfoot [data-total="{i}"]').strip() for i in range(5)]
        page.click("button[type=submit].primary")
        page.wait_for_selector(".messages")
        page.wait_for_load_state("networkidle")

    grid_journey(script)
    assert seen["focus"] == f"total-{school}" and seen["total"] == "10"
    assert seen["pasted"] == "1" and seen["q2_total"] == "3"
    assert "Tổng các quý khác tổng số" in seen["row_error"] and seen["row_fixed"] == ""
    assert seen["partial"] == ["10", "", "", "", ""] and seen["split"] == ["10", "2", "3", "3", "2"]
    saved = {q.organization_id: (q.total, q.q1, q.q2, q.q3, q.q4) for q in Quota.objects.filter(year=2026)}
    assert saved == {commune: (6, 1, 2, 2, 1), school: (4, 1, 1, 1, 1)}
