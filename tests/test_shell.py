"""The interface shell: login page, language choice, navigation."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_is_vietnamese_even_for_an_english_browser(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "vi"
    assert "Đăng nhập" in response.content.decode()


def test_language_switch_turns_english_on(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    response = client.get(reverse("login"))
    assert response["Content-Language"] == "en"


def test_login_with_demo_style_password_and_home_lists_assignments(world, client):
    response = client.post(reverse("login"), {"username": "staff", "password": "test-password-123"})
    assert response.status_code == 302
    response = client.get(reverse("home"))
    assert "Huyện ủy Lục Ngạn" in response.content.decode()
    assert "Cán bộ ban tổ chức" in response.content.decode()


def test_pages_carry_no_inline_script(world, client):
    client.force_login(world.staff)
    html = client.get(reverse("organizations:detail", args=[world.district_a.pk])).content.decode()
    assert "<script>" not in html and " onclick=" not in html
