"""The demo as `make run` loads it (issue 14, item 6): the seeds' 2022 tree, its plans and admissions,
then the 2025 restructuring recorded as decisions (fixtures/demo_restructuring.json), so the tree of
today is the one of December 2026 and every report of before still reads as it did."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from candidates.models import Admission, Candidate
from organizations.models import Kind, Organization, OrganizationVersion, Restructuring, RoleAssignment
from organizations.structure import changed_since
from organizations.tree_check import tree_problems
from quotas import services as quota_services
from quotas.demo import BAO_LAM_YEARLY
from quotas.models import Quota
from quotas.services import QuotaInput
from reports import selectors
from reports.selectors import RowKind, Structure, progress_report, quarter_bounds
from reports.services import tallies_drift

pytestmark = pytest.mark.usefixtures("demo_today")

TODAY = datetime.date(2026, 12, 7)
NEW_COMMUNES_OF_LUC_NGAN = [  # Nghị quyết 1658/NQ-UBTVQH15: 29 communes into 11
    "Phường Chũ", "Phường Phượng Sơn", "Biên Sơn", "Biển Động", "Kiên Lao", "Lục Ngạn", "Nam Dương", "Sa Lý",
    "Sơn Hải", "Tân Sơn", "Đèo Gia",
]  # fmt: skip


def _org(code: str) -> Organization:
    return Organization.objects.get(code=code)


def _row(report, label: str):
    return next(row for row in report.lines() if row.label == label)


def test_the_tree_of_today_has_no_district_and_the_merged_provinces():
    active = Organization.objects.active(TODAY)
    assert sorted(active.filter(parent=None).values_list("code", flat=True)) == ["BN", "HP", "KH", "LD"]
    assert not active.filter(kind=Kind.DISTRICT).exists()  # Quy định 294-QĐ/TW: no district level
    for old, new in (("BG", "BN"), ("HD", "HP"), ("NT", "KH")):
        assert _org(old).valid_to == datetime.date(2025, 6, 30)
        assert _org(old).merged_into == _org(new)
    luc_ngan = _org("BG-LN")
    assert luc_ngan.valid_to == datetime.date(2025, 6, 30)
    assert not Organization.objects.filter(parent=luc_ngan).active(TODAY).exists()
    communes = active.filter(parent=_org("BN"), kind=Kind.COMMUNE)
    assert sorted(communes.values_list("short_name", flat=True)) == sorted(NEW_COMMUNES_OF_LUC_NGAN)
    # Biên Sơn's thôn cells (where the candidates are) now belong to the new xã Biên Sơn.
    assert _org("BG-LN-X01-01").parent == _org("BN-BIENSON")
    assert _org("HD-CG-X01-01").parent == _org("HP-TUETINH")
    assert _org("LD-BL-X10").merged_into == _org("LD-BAOLOC2")
    assert Restructuring.objects.count() == 4
    assert tree_problems() == []
    assert tallies_drift() == []


def test_seed_000_still_reads_cell_for_cell_in_the_tree_of_2022():
    report = progress_report(organization=_org("BG-LN"), year=2022, quarter=4, today=TODAY)
    assert report.structure == Structure.THEN and report.changed_after
    assert sum(1 for row in report.lines() if row.kind == RowKind.ORGANIZATION) == 55
    communes, institutions = report.groups
    assert (communes.subtotal.quota_total, communes.subtotal.quota_quarters) == (178, (41, 54, 52, 31))
    assert (institutions.subtotal.quota_total, institutions.subtotal.quota_quarters) == (42, (5, 17, 20, 0))
    assert (report.total.quota_total, report.total.admitted_to_date) == (220, 232)
    assert _row(report, "Chũ").quota_quarters == (2, 4, 3, 2)


def test_the_2022_biểu_prints_the_bodies_of_2022(client):
    client.force_login(get_user_model().objects.get(username="tochuc.bacninh"))
    luc_ngan = _org("BG-LN")
    response = client.get(reverse("quotas:allocation_xlsx", args=[luc_ngan.pk, 2022]))
    assert response.status_code == 200
    cells = [c for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for c in row]
    assert "ĐẢNG BỘ TỈNH BẮC GIANG" in cells and "HUYỆN ỦY LỤC NGẠN" in cells
    assert "ĐẢNG BỘ TỈNH BẮC NINH" not in cells
    response = client.get(reverse("reports:progress-xlsx", args=[luc_ngan.pk]), {"year": 2022, "quarter": 4})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    cells = [c for row in rows for c in row]
    assert "ĐẢNG BỘ TỈNH BẮC GIANG" in cells and "HUYỆN ỦY LỤC NGẠN" in cells
    chu = next(row for row in rows if "Chũ" in row)  # quota 11, to date 11, Q4 2; 10 admitted
    assert chu[:6] == ("4", "Chũ", 11, 11, 2, 10)


def test_bac_ninh_2022_in_todays_structure_sums_the_predecessors():
    report = progress_report(organization=_org("BN"), year=2022, quarter=4, structure=Structure.NOW, today=TODAY)
    # Phường Chũ = thị trấn Chũ 11 + Trù Hựu 6 + Hồng Giang 8 + Thanh Hải 10, and the district's
    # agencies placed in the ward (33).
    chu = _row(report, "Phường Chũ")
    assert (chu.quota_total, chu.quota_quarters, chu.admitted_to_date) == (68, (12, 25, 23, 8), 80)
    assert _row(report, "Biên Sơn").quota_total == 6 + 5  # Phong Vân + Biên Sơn
    assert _row(report, "Lục Ngạn").quota_total == 4 + 6 + 6 + 6 + 8  # Phì Điền, Giáp Sơn, Đồng Cốc, Tân Hoa, Tân Quang
    assert [row.label for row in report.groups[0].rows] == NEW_COMMUNES_OF_LUC_NGAN
    assert report.other is None  # nothing left over: every predecessor's figures went to its successor
    assert (report.total.quota_total, report.total.quota_quarters) == (220, (46, 71, 72, 31))
    assert report.total.admitted_to_date == 232
    detail = progress_report(
        organization=_org("BN"), year=2022, quarter=4, structure=Structure.NOW, detail=True, today=TODAY
    )
    assert _row(detail, "Phường Chũ").quota_total == 68  # and each level below holds its own share:
    assert _row(detail, "Chi bộ Trường THPT Lục Ngạn số 3").quota_quarters == (3, 1, 0, 0)
    assert detail.total.quota_total == 220
    then = progress_report(organization=_org("BN"), year=2022, quarter=4, today=TODAY)
    assert not then.existed  # Tỉnh ủy Bắc Ninh (new) was founded on 01/07/2025


def test_a_term_plan_of_an_abolished_district_goes_with_its_communes():
    report = progress_report(organization=_org("LD"), year=2023, quarter=4, structure=Structure.NOW, today=TODAY)
    # Seed 004's yearly quotas: Lộc Thắng 8, Lộc Quảng 3, Lộc Ngãi 7, and "the other grassroots
    # organizations" (3) placed in Bảo Lâm 1.
    assert _row(report, "Bảo Lâm 1").quota_total == BAO_LAM_YEARLY[0] + BAO_LAM_YEARLY[8] + BAO_LAM_YEARLY[6] + 3
    assert _row(report, "Phường 2 Bảo Lộc").quota_total == BAO_LAM_YEARLY[9]  # Lộc Tân
    assert report.other is None  # Huyện ủy Bảo Lâm's own quota is not counted a second time
    then = progress_report(organization=_org("LD-BL"), year=2023, quarter=4, today=TODAY)
    assert report.total.quota_total == then.total.quota_total == sum(q for q in BAO_LAM_YEARLY if q)


def test_demo_users_work_in_the_tree_of_today(client):
    staff = get_user_model().objects.get(username="tochuc.bacninh")
    visible = Organization.objects.visible_to(staff)
    assert visible.filter(code="BN-CHU").exists()
    assert visible.filter(code="BG-LN").exists()  # Lục Ngạn's history is Bắc Ninh's
    assert not visible.filter(code__in=["LD-BL", "LD", "HP"]).exists()
    assert not RoleAssignment.objects.exclude(review_note="").filter(user__username__contains=".").exists()
    client.force_login(staff)
    response = client.get(reverse("reports:dashboard", args=[_org("BN").pk]), {"year": 2026, "quarter": 4})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Phường Chũ" in html and "Huyện ủy Lục Ngạn" not in html
    secretary = get_user_model().objects.get(username="bithu.bienson1")
    assert list(Organization.objects.visible_to(secretary).values_list("code", flat=True)) == ["BG-LN-X01-01"]


def test_load_demo_twice_changes_nothing():
    models = (Organization, OrganizationVersion, Restructuring, Quota, Candidate, Admission, RoleAssignment)
    before = {model.__name__: model.objects.count() for model in models}
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert {model.__name__: model.objects.count() for model in models} == before
    assert "0 quyết định ghi nhận mới, 4 đã có" in out.getvalue()
    assert tree_problems() == []


@pytest.mark.parametrize("year, quarter", [(2022, 4), (2023, 4), (2025, 2)])
def test_reading_only_what_changed_gives_the_whole_tree_of_the_day(year, quarter):
    """A report of before the restructuring reads the tree of its day only below what changed since,
    and today's tallies elsewhere: for every organization of the demo, exactly what reading the whole
    tree of that day gives."""
    day = quarter_bounds(year, quarter)[1]
    checked, changed = 0, changed_since(day)
    for organization in Organization.objects.all():
        fast = selectors._progress_then_changed(
            organization=organization, year=year, quarter=quarter, day=day, changed=changed
        )
        whole = selectors._progress_then(organization=organization, year=year, quarter=quarter, detail=False, day=day)
        assert _figures(fast) == _figures(whole), organization.code
        checked += bool(whole.rows)
    assert checked >= 10
    assert changed_since(day, limit=len(changed) // 3) is None  # too many changes: the whole tree is read


def _figures(report) -> list:
    return [
        (row.kind, row.label, row.quota_total, row.quota_quarters, row.admitted_by_quarter, row.organization)
        for row in [report.subject, *report.lines()]
    ]


def test_a_district_closed_within_the_period_reports_up_to_its_last_day():
    q2 = progress_report(organization=_org("BG-LN"), year=2025, quarter=2, today=TODAY)
    q3 = progress_report(organization=_org("BG-LN"), year=2025, quarter=3, today=TODAY)
    assert q3.existed and q3.structure_day == datetime.date(2025, 6, 30)
    assert q3.total.admitted_by_quarter[:2] == q2.total.admitted_by_quarter[:2] and q3.total.admitted_to_date > 0
    assert q3.total.admitted_by_quarter[2:] == (0, 0)  # what its communes admitted from July was the new ones'
    assert q3.structure_note.startswith("Tổ chức thôi hoạt động từ ngày 01/07/2025")


def test_a_merged_commune_read_in_todays_structure_reads_as_it_was():
    report = progress_report(organization=_org("BG-LN-X04"), year=2022, quarter=4, structure=Structure.NOW, today=TODAY)
    assert report.structure == Structure.THEN  # it has no place in today's tree
    assert (report.subject.quota_total, report.subject.admitted_to_date) == (11, 10)


def test_no_allocation_for_a_year_before_the_organization_existed(client):
    client.force_login(get_user_model().objects.get(username="tochuc.bacninh"))
    url = reverse("quotas:allocation", args=[_org("BN").pk, 2022])
    page = client.get(url)
    assert "không hoạt động trong năm 2022" in page.content.decode()
    before = Quota.objects.count()
    luc_ngan = _org("BG-LN")
    with pytest.raises(ValidationError):
        quota_services.allocation_save(
            organization=_org("BN"), year=2022, rows=[QuotaInput(luc_ngan.pk, 50, None, None, None, None)], by=None
        )
    assert Quota.objects.count() == before
