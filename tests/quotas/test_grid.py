"""The allocation grid in the browser: save all at once, refuse bad input with the row named and
nothing written, the second of two savers gets a conflict that loses nothing, history of every change."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from quotas import services
from quotas.models import Quota
from quotas.selectors import FIELDS
from tests.quotas.conftest import quota_state


def grid_url(seeded, year=2022, plan=None):
    url = reverse("quotas:allocation", kwargs={"pk": seeded.luc_ngan.pk, "year": year})
    return f"{url}?plan={plan.pk}" if plan else url


def load_grid(client, user, url) -> dict:
    """What the browser would post back unchanged: every cell as shown, and the signed base."""
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    data = {"base": response.context["base"]}
    for group in response.context["groups"]:
        for line in group["rows"]:
            for cell in line["cells"]:
                data[cell["name"]] = cell["value"]
    return data


def cell(seeded, code, column="total"):
    return f"{column}-{seeded.org(code).pk}"


def test_grid_shows_the_seed_table_grouped_with_totals(seeded, client):
    client.force_login(seeded.staff)
    response = client.get(grid_url(seeded))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đảng bộ xã, phường, thị trấn" in html and "Cộng" in html and "Tổng cộng" in html
    assert 'inputmode="numeric"' in html and "quotas/grid.js" in html
    allocation = response.context["allocation"]
    assert [g.sums.total for g in allocation.groups] == [178, 42] and allocation.sums.total == 220
    assert "<script>" not in html and " onclick=" not in html and " style=" not in html


def test_a_communes_grid_heads_its_cells_as_cells(seeded, client):
    """Hàm Liêm 2026 (seed 003): its children are village cells, not commune party committees."""
    client.force_login(seeded.outsider)  # Hàm Liêm's staff
    response = client.get(reverse("quotas:allocation", kwargs={"pk": seeded.ham_liem.pk, "year": 2026}))
    labels = [group.label for group in response.context["allocation"].groups]
    assert labels and labels[0] == "Chi bộ thôn, bản, tổ dân phố, khu phố"
    assert "Đảng bộ xã, phường, thị trấn" not in labels


def test_leader_reads_the_grid_but_cannot_type_or_save(seeded, client):
    client.force_login(seeded.leader)
    response = client.get(grid_url(seeded))
    assert response.status_code == 200 and not response.context["can_edit"]
    assert 'name="total-' not in response.content.decode()
    before = quota_state()
    assert client.post(grid_url(seeded), {"base": response.context["base"]}).status_code == 404
    assert quota_state() == before


def test_saving_the_grid_writes_every_change_in_one_go(seeded, client):
    data = load_grid(client, seeded.staff, grid_url(seeded))
    data[cell(seeded, "BG-LN-X01")] = "6"
    data[cell(seeded, "BG-LN-X01", "q4")] = "1"
    data[cell(seeded, "BG-LN-C03")] = "2"
    data[cell(seeded, "BG-LN-C03", "q2")] = "2"
    response = client.post(grid_url(seeded), data)
    assert response.status_code == 302
    assert Quota.objects.get(plan=seeded.plan72, organization=seeded.org("BG-LN-X01")).quarters == (1, 2, 2, 1)
    assert Quota.objects.get(plan=seeded.plan72, organization=seeded.org("BG-LN-C03")).total == 2
    history = client.get(reverse("quotas:history", kwargs={"pk": seeded.luc_ngan.pk, "year": 2022}))
    text = history.content.decode()
    assert "Nguyễn Văn An (tochuc.ln)" in text and "Tổng số: 5 → 6" in text and "Quý IV: 0 → 1" in text


def test_quarter_sums_are_left_blank_when_a_row_gives_only_its_total(seeded, client):
    """Biên Sơn keeps 5 but drops its quarters: the communes' "Cộng" and "Tổng cộng" still add the
    totals (178, 220) but print no quarters that would not add up to them; the other group keeps its."""
    data = load_grid(client, seeded.staff, grid_url(seeded))
    for quarter in ("q1", "q2", "q3", "q4"):
        data[cell(seeded, "BG-LN-X01", quarter)] = ""
    assert client.post(grid_url(seeded), data).status_code == 302
    response = client.get(grid_url(seeded))
    communes, institutions = response.context["allocation"].groups
    assert communes.sums.values == (178, None, None, None, None)
    assert institutions.sums.values == (42, 5, 17, 20, 0)
    assert response.context["allocation"].sums.values == (220, None, None, None, None)
    assert response.context["allocated_cumulative"] is None
    pdf = client.get(reverse("quotas:allocation_pdf", kwargs={"pk": seeded.luc_ngan.pk, "year": 2022}))
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Cộng 178 41 54 52 31" not in text and "Cộng 178" in text and "Cộng 42 5 17 20 0" in text


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("total", "năm", "“năm” không phải là số"),
        ("q1", "1,5", "không phải là số nguyên"),
        ("total", "-2", "không được âm"),
        ("q4", "3", "Tổng các quý (1 + 2 + 2 + 3 = 8) khác tổng số (5)"),
        ("q2", "", "Điền đủ bốn quý"),
    ],
)
def test_grid_rejections_name_the_row_and_write_nothing(seeded, client, column, value, message):
    data = load_grid(client, seeded.staff, grid_url(seeded))
    data[cell(seeded, "BG-LN-X02")] = "7"  # a valid change on another row is not saved either
    data[cell(seeded, "BG-LN-X02", "q4")] = "2"
    data[cell(seeded, "BG-LN-X01", column)] = value
    before = quota_state()
    response = client.post(grid_url(seeded), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Biên Sơn" in html and message in html
    assert quota_state() == before
    # What the user typed is still in the form.
    assert f'value="{value}"' in html and 'value="7"' in html


def test_second_saver_gets_the_conflict_and_nothing_is_lost(seeded, client, django_user_model):
    from django.test import Client

    first, second = client, Client()
    data_first = load_grid(first, seeded.staff, grid_url(seeded))
    data_second = load_grid(second, seeded.staff2, grid_url(seeded))
    # The first user changes Biên Sơn and Chũ and saves.
    data_first[cell(seeded, "BG-LN-X01")] = "6"
    data_first[cell(seeded, "BG-LN-X01", "q4")] = "1"
    data_first[cell(seeded, "BG-LN-X04")] = "12"
    data_first[cell(seeded, "BG-LN-X04", "q1")] = "3"
    assert first.post(grid_url(seeded), data_first).status_code == 302
    # The second user, still on the old page, changes Biển Động and also Chũ, then saves.
    data_second[cell(seeded, "BG-LN-X02")] = "8"
    data_second[cell(seeded, "BG-LN-X02", "q3")] = "4"
    data_second[cell(seeded, "BG-LN-X04")] = "10"
    data_second[cell(seeded, "BG-LN-X04", "q4")] = "1"
    before = quota_state()
    response = second.post(grid_url(seeded), data_second)
    assert response.status_code == 409
    assert quota_state() == before  # the first user's save stands, nothing of the second is written yet
    html = response.content.decode()
    assert "Người khác đã lưu biểu này" in html and "Nguyễn Văn An (tochuc.ln)" in html
    changes = {(c["organization"].code, c["field"]): c for c in response.context["conflict_changes"]}
    assert changes[("BG-LN-X01", "Tổng số")]["theirs"] == 6 and not changes[("BG-LN-X01", "Tổng số")]["clash"]
    assert changes[("BG-LN-X04", "Tổng số")]["clash"]  # both changed Chũ's total
    resubmit = {"base": response.context["base"]}
    for group in response.context["groups"]:
        for line in group["rows"]:
            for c in line["cells"]:
                resubmit[c["name"]] = c["value"]
    # The second user's typing is kept; the first user's change shows where the second typed nothing.
    assert resubmit[cell(seeded, "BG-LN-X02")] == "8" and resubmit[cell(seeded, "BG-LN-X04")] == "10"
    assert resubmit[cell(seeded, "BG-LN-X01")] == "6" and resubmit[cell(seeded, "BG-LN-X01", "q4")] == "1"
    # Chũ now mixes both edits (their Q I, my total and Q IV) and no longer adds up: saving says so.
    assert resubmit[cell(seeded, "BG-LN-X04", "q1")] == "3"
    response = second.post(grid_url(seeded), resubmit)
    assert (
        response.status_code == 400
        and "Tổng các quý (3 + 4 + 3 + 1 = 11) khác tổng số (10)" in response.content.decode()
    )
    # The second user settles Chũ; saving keeps both users' edits.
    resubmit[cell(seeded, "BG-LN-X04", "q1")] = "2"
    assert second.post(grid_url(seeded), resubmit).status_code == 302
    values = {
        q.organization.code: q.total for q in Quota.objects.filter(plan=seeded.plan72).select_related("organization")
    }
    assert values["BG-LN-X01"] == 6 and values["BG-LN-X02"] == 8 and values["BG-LN-X04"] == 10


def test_tampered_base_is_refused(seeded, client):
    data = load_grid(client, seeded.staff, grid_url(seeded))
    data["base"] = data["base"][:-3] + "xyz"
    before = quota_state()
    assert client.post(grid_url(seeded), data).status_code == 400
    assert quota_state() == before


def test_replaced_plan_is_read_only_history(seeded, client):
    services.plan_replace(
        plan=seeded.plan72, by=seeded.staff, number="80-KH/HU", title="Điều chỉnh", start_year=2022, end_year=2022
    )
    client.force_login(seeded.staff)
    response = client.get(grid_url(seeded, plan=seeded.plan72))
    assert response.status_code == 200 and not response.context["can_edit"]
    assert "Đã được thay thế" in response.content.decode()
    data = {"base": response.context["base"], cell(seeded, "BG-LN-X01"): "9"}
    before = quota_state()
    response = client.post(grid_url(seeded, plan=seeded.plan72), data)
    assert response.status_code == 400 and "đã được thay thế" in response.content.decode()
    assert quota_state() == before


def test_first_save_without_a_plan_creates_a_draft(seeded, client):
    data = load_grid(client, seeded.staff, grid_url(seeded, year=2027))
    data[cell(seeded, "BG-LN-X01")] = "3"
    response = client.post(grid_url(seeded, year=2027), data)
    assert response.status_code == 302
    quota = Quota.objects.get(organization=seeded.org("BG-LN-X01"), year=2027)
    assert quota.plan.status == "draft" and quota.plan.title == "Kết nạp đảng viên năm 2027"


def test_grid_reads_in_a_constant_number_of_queries(seeded, client, django_assert_max_num_queries):
    client.force_login(seeded.staff)
    client.get(grid_url(seeded))  # warm caches (session, content types)
    with django_assert_max_num_queries(16):
        response = client.get(grid_url(seeded))
    assert len(response.context["allocation"].rows) == 55


def test_term_grid_saves_years_and_refuses_text(seeded, client):
    url = reverse("quotas:term", kwargs={"plan_pk": seeded.plan55.pk})
    client.force_login(seeded.staff_bl)
    response = client.get(url)
    data = {"base": response.context["base"]}
    for line in response.context["rows"]:
        for c in line["cells"]:
            data[c["name"]] = c["value"]
    x01 = seeded.org("LD-BL-X01").pk
    data[f"y2023-{x01}"] = "abc"
    before = quota_state()
    response = client.post(url, data)
    assert response.status_code == 400 and "“abc” không phải là số" in response.content.decode()
    assert quota_state() == before
    data[f"y2023-{x01}"] = "9"
    assert client.post(url, data).status_code == 302
    assert Quota.objects.get(plan=seeded.plan55, organization_id=x01, year=2023).total == 9


def test_fields_are_listed_in_the_grid_order():
    assert FIELDS == ("total", "q1", "q2", "q3", "q4")


def _commune_grid(seeded, client, totals: dict[str, str]):
    """Biên Sơn's own grid for 2022 (its cells), typed and saved by Lục Ngạn's staff; the page after."""
    url = reverse("quotas:allocation", kwargs={"pk": seeded.org("BG-LN-X01").pk, "year": 2022})
    data = load_grid(client, seeded.staff, url)
    for code, total in totals.items():
        data[cell(seeded, code)] = total
    response = client.post(url, data)
    assert response.status_code == 302
    return client.get(url).content.decode()


def test_grid_warns_when_the_cells_sum_differs_from_the_communes_own_quota(seeded, client):
    """Lục Ngạn gave Biên Sơn 5 (seed 000); Biên Sơn allocating 2 to its cells is shown as -3 against
    that quota — saved, not refused."""
    html = _commune_grid(seeded, client, {"BG-LN-X01-01": "1", "BG-LN-X01-02": "1"})
    assert "Tổng giao cho cấp dưới là 2, cấp trên giao cho Đảng bộ xã Biên Sơn 5: chênh lệch -3." in html
    assert "chỉ tiêu chung của kế hoạch" not in html  # the draft plan has no target: the warning is the quota's
    assert sorted(
        Quota.objects.filter(organization__parent=seeded.org("BG-LN-X01"), year=2022).values_list("total", flat=True)
    ) == [1, 1]
    html = _commune_grid(seeded, client, {"BG-LN-X01-01": "4", "BG-LN-X01-02": "2", "BG-LN-X01-03": "1"})
    assert "cấp trên giao cho Đảng bộ xã Biên Sơn 5: chênh lệch +2." in html
    html = _commune_grid(seeded, client, {"BG-LN-X01-01": "2", "BG-LN-X01-02": "2", "BG-LN-X01-03": "1"})
    assert "cấp trên giao cho Đảng bộ xã Biên Sơn" not in html


def test_the_own_quota_warning_is_apart_from_the_plan_target_warning(seeded, client):
    services.plan_create(
        organization=seeded.org("BG-LN-X01"),
        by=seeded.staff,
        number="12-KH/ĐU",
        title="Kết nạp đảng viên năm 2022",
        start_year=2022,
        end_year=2022,
        target=4,
    )
    html = _commune_grid(seeded, client, {"BG-LN-X01-01": "1", "BG-LN-X01-02": "1"})
    assert "Tổng giao cho cấp dưới là 2, chỉ tiêu chung của kế hoạch là ≥ 4: chênh lệch -2." in html
    assert "Tổng giao cho cấp dưới là 2, cấp trên giao cho Đảng bộ xã Biên Sơn 5: chênh lệch -3." in html


def test_history_page_shows_when_who_and_old_to_new_for_each_change(seeded, client):
    import datetime
    import re

    bien_son = seeded.org("BG-LN-X01")
    services.allocation_save(
        organization=seeded.luc_ngan, year=2022, rows=[services.QuotaInput(bien_son.pk, 6, 1, 2, 2, 1)], by=seeded.staff
    )
    loaded, changed = Quota.history.filter(organization_id=bien_son.pk, plan_id=seeded.plan72.pk).order_by("history_id")
    # Known times for the two records (the demo load, then the change): 02:15 and 01:30 UTC are 09:15
    # and 08:30 in Hà Nội; the page shows local time, day first.
    utc = datetime.UTC
    Quota.history.filter(pk=loaded.pk).update(history_date=datetime.datetime(2022, 2, 11, 2, 15, tzinfo=utc))
    Quota.history.filter(pk=changed.pk).update(history_date=datetime.datetime(2022, 3, 4, 1, 30, tzinfo=utc))
    client.force_login(seeded.leader)
    response = client.get(reverse("quotas:history", kwargs={"pk": seeded.luc_ngan.pk, "year": 2022}))
    assert response.status_code == 200
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", response.content.decode().replace("\n", " "))
    [row] = [r for r in rows if "04/03/2022 08:30" in r]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.split(r"</td>\s*<td>", row)]
    assert cells == ["04/03/2022 08:30", "Nguyễn Văn An (tochuc.ln)", "Biên Sơn", "Tổng số: 5 → 6; Quý IV: 0 → 1"]
    # The first record (the demo load) names no user and shows its values as new.
    [row] = [r for r in rows if "11/02/2022 09:15" in r]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.split(r"</td>\s*<td>", row)]
    assert cells[:3] == ["11/02/2022 09:15", "Hệ thống (nhập dữ liệu)", "Biên Sơn mới"]
    assert cells[3].startswith("Tổng số: — → 5; Quý I: — → 1")
    assert all(re.match(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}$", re.sub(r"<[^>]+>", "", r.split("</td>")[0])) for r in rows)
