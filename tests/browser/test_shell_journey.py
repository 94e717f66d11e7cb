"""A staff member browses the tree on a phone: expand a node, search without diacritics."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_browses_and_searches_the_tree_on_a_phone(world, journey):
    browser = journey(width=375, height=800)
    browser.login("staff")
    browser.goto("/organizations/")
    page = browser.page
    page.click("summary:has-text('Huyện ủy Lục Ngạn')")
    page.wait_for_selector("text=Đảng bộ xã Biên Sơn")
    page.fill("input[name=q]", "bien son")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector(".results >> text=Đảng bộ xã Biên Sơn")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
