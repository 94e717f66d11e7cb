"""Plans in the browser: create one with sub-targets, edit it, replace it; the index lists them."""

from __future__ import annotations

from django.urls import reverse

from quotas.models import Plan, Quota, SubTarget


def plan_post(**overrides) -> dict:
    data = {
        "number": "12-KH/HU",
        "issued_on": "2026-02-11",
        "issuing_body": "Ban Thường vụ Huyện ủy",
        "title": "Kết nạp đảng viên năm 2026",
        "status": "issued",
        "start_year": "2026",
        "end_year": "2026",
        "target": "210",
        "target_is_minimum": "on",
        "target_per_year": "on",
        "place": "Lục Ngạn",
        "signer_title": "BÍ THƯ",
        "signer_name": "Nguyễn Văn A",
        "recipients": "BTC Tỉnh ủy\nLưu VPHU",
        "sub-TOTAL_FORMS": "2",
        "sub-INITIAL_FORMS": "0",
        "sub-MIN_NUM_FORMS": "0",
        "sub-MAX_NUM_FORMS": "20",
        "sub-0-kind": "youth_union_share",
        "sub-0-comparison": "gt",
        "sub-0-value": "65",
        "sub-0-description": "Trên 65% là đoàn viên",
        "sub-1-kind": "",
        "sub-1-comparison": "gte",
        "sub-1-value": "",
    }
    data.update(overrides)
    return data


def test_staff_creates_a_plan_with_a_sub_target(seeded, client):
    client.force_login(seeded.staff)
    url = reverse("quotas:plan_create", kwargs={"pk": seeded.luc_ngan.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, plan_post())
    assert response.status_code == 302
    plan = Plan.objects.get(organization=seeded.luc_ngan, number="12-KH/HU")
    [sub] = plan.sub_targets.all()
    assert (sub.kind, sub.comparison, sub.value, sub.display_value) == ("youth_union_share", "gt", 65, "> 65 %")
    page = client.get(reverse("quotas:plan_detail", kwargs={"plan_pk": plan.pk})).content.decode()
    assert "Trên 65% là đoàn viên" in page and "≥ 210" in page


def test_a_bad_sub_target_leaves_the_plan_unsaved(seeded, client):
    client.force_login(seeded.staff)
    url = reverse("quotas:plan_create", kwargs={"pk": seeded.luc_ngan.pk})
    plans = Plan.objects.count()
    response = client.post(url, plan_post(**{"sub-0-value": "120"}))  # a share above 100 %
    assert response.status_code == 200 and "Tỷ lệ không được quá 100 %" in response.content.decode()
    assert Plan.objects.count() == plans and SubTarget.objects.filter(plan__number="12-KH/HU").count() == 0
    response = client.post(url, plan_post(number="72-KH/HU"))
    assert "đã có kế hoạch số 72-KH/HU" in response.content.decode()
    assert Plan.objects.count() == plans


def test_quarterly_plan_targets_show_cumulative_shares(seeded, client):
    client.force_login(seeded.staff)
    url = reverse("quotas:plan_create", kwargs={"pk": seeded.luc_ngan.pk})
    data = plan_post(target="25", target_q1="0", target_q2="4", target_q3="11", target_q4="10")
    assert client.post(url, data).status_code == 302
    plan = Plan.objects.get(number="12-KH/HU")
    page = client.get(reverse("quotas:plan_detail", kwargs={"plan_pk": plan.pk})).content.decode()
    assert "Quý II: 4/25 (16,0%)" in page and "Quý III: 15/25 (60,0%)" in page and "Quý IV: 25/25 (100,0%)" in page


def test_replacing_a_plan_from_the_browser_keeps_the_old_one_as_history(seeded, client):
    client.force_login(seeded.staff)
    url = reverse("quotas:plan_replace", kwargs={"plan_pk": seeded.plan72.pk})
    form = client.get(url)
    assert form.status_code == 200 and form.context["form"].initial["title"] == "Kết nạp đảng viên năm 2022"
    data = plan_post(number="75-KH/HU", start_year="2022", end_year="2022", copy_quotas="on", title="Điều chỉnh 2022")
    response = client.post(url, data)
    assert response.status_code == 302
    new = Plan.objects.get(number="75-KH/HU")
    assert new.replaces == seeded.plan72 and Quota.objects.filter(plan=new).count() == 55
    old_page = client.get(reverse("quotas:plan_detail", kwargs={"plan_pk": seeded.plan72.pk})).content.decode()
    assert "đã được thay thế bởi" in old_page and "75-KH/HU" in old_page
    listing = client.get(reverse("quotas:plans", kwargs={"pk": seeded.luc_ngan.pk})).content.decode()
    assert "Đã được thay thế bởi 75-KH/HU" in listing
    assert client.get(url).status_code == 302  # a replaced plan cannot be replaced again


def test_index_lists_the_users_organizations_and_plans(seeded, client):
    client.force_login(seeded.staff)
    response = client.get(reverse("quotas:index"))
    html = response.content.decode()
    assert "Huyện ủy Lục Ngạn" in html and "72-KH/HU" in html and "Huyện ủy Bảo Lâm" not in html
    jump = client.get(reverse("quotas:index"), {"org": seeded.luc_ngan.pk, "year": 2022})
    assert jump.status_code == 302 and jump["Location"] == reverse("quotas:allocation", args=[seeded.luc_ngan.pk, 2022])


def test_digits_that_are_not_ascii_are_no_plan_and_no_jump(seeded, client):
    """ "²".isdigit() is true and int("²") fails: a superscript or full-width number is no id (404, or the
    index as if nothing were asked), never a server error."""
    client.force_login(seeded.staff)
    allocation = reverse("quotas:allocation", args=[seeded.luc_ngan.pk, 2022])
    assert client.get(allocation, {"plan": "²"}).status_code == 404
    assert client.get(allocation, {"plan": "１"}).status_code == 404
    index = client.get(reverse("quotas:index"), {"org": "²", "year": "2022"})
    assert index.status_code == 200 and "Huyện ủy Lục Ngạn" in index.content.decode()
