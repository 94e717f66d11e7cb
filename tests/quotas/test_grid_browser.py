"""The allocation grid in a real browser: Enter moves down, a block pasted from Excel fills the cells,
totals and row errors update as you type, one click saves everything."""

from __future__ import annotations

import pytest

from quotas.models import Quota

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_types_and_pastes_like_a_spreadsheet(world, journey):
    browser = journey(width=1366, height=900)
    browser.login("staff")
    browser.goto(f"/quotas/{world.district_a.pk}/2026/")
    page = browser.page
    commune, school = world.commune_a.pk, world.school_a.pk
    page.click(f"input[name=total-{commune}]")
    page.keyboard.type("6")
    page.keyboard.press("Enter")  # moves to the school's total, like a spreadsheet
    assert page.evaluate("document.activeElement.name") == f"total-{school}"
    page.keyboard.type("4")
    assert page.text_content('tfoot [data-total="0"]').strip() == "10"
    # Paste Q I–IV of both rows, copied from Excel (tab-separated, one line per row).
    page.focus(f"input[name=q1-{commune}]")
    page.evaluate(
        """() => {
            const data = new DataTransfer();
            data.setData('text', '1\\t2\\t2\\t1\\r\\n0\\t1\\t1\\t1\\r\\n');
            document.activeElement.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true}));
        }"""
    )
    assert page.input_value(f"input[name=q4-{school}]") == "1"
    assert page.text_content('tfoot [data-total="2"]').strip() == "3"
    # The school's quarters add up to 3, not 4: the row says so before saving.
    row = page.locator(f"tr[data-org='{school}']")
    assert "Tổng các quý khác tổng số" in row.locator(".row-msg").text_content()
    page.fill(f"input[name=q1-{school}]", "1")
    page.dispatch_event(f"input[name=q1-{school}]", "input")
    assert row.locator(".row-msg").text_content().strip() == ""
    page.click("button[type=submit].primary")
    page.wait_for_selector(".messages")
    saved = {q.organization_id: (q.total, q.q1, q.q2, q.q3, q.q4) for q in Quota.objects.filter(year=2026)}
    assert saved == {commune: (6, 1, 2, 2, 1), school: (4, 1, 1, 1, 1)}
