"""Issue 14, item 2: a report of a past period reads the tree of its end ("theo cơ cấu tại thời điểm
báo cáo", the default) or today's tree ("theo cơ cấu hiện nay"), and says so when the tree changed.

The world: P > A (district) > A1 (commune) > A1C, A1D; A > A2 (school). In 2024 A allocates A1 10
(2, 3, 3, 2) and A2 4; A1C admits three people, A2 one. On 01/07/2025 A1 is merged into a new commune N,
N moves up to the province and the district is dissolved (the 2025 restructuring).
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from organizations import services
from organizations.models import Kind
from reports import exporters
from reports.selectors import Structure, progress_header, progress_report
from tests.factories import OrganizationFactory

from .factories import admit, plan

pytestmark = pytest.mark.django_db
D = datetime.date
RESTRUCTURED = D(2025, 7, 1)


@pytest.fixture
def restructured(world):
    plan(world.district_a, "72-KH/HU", {world.commune_a: (10, 2, 3, 3, 2), world.school_a: 4}, year=2024)
    for day in ("2024-02-10", "2024-05-20", "2024-08-30"):
        admit(world.cell_a, day)
    admit(world.school_a, "2024-11-11")
    new = OrganizationFactory(
        name="Đảng bộ xã Biển Động", code="N", kind=Kind.COMMUNE, parent=world.district_a, valid_from=RESTRUCTURED
    )
    services.organization_merge(sources=[world.commune_a], target=new, on=RESTRUCTURED)
    services.organization_move(organization=new, new_parent=world.province, on=RESTRUCTURED)
    services.organization_move(organization=world.school_a, new_parent=world.province, on=RESTRUCTURED)
    services.organization_dissolve(organization=world.district_a, on=RESTRUCTURED)
    world.new = new
    for org in ("district_a", "commune_a", "school_a", "new"):
        getattr(world, org).refresh_from_db()
    return world


def figures(report):
    return [(row.label, row.quota_total, row.admitted_to_date) for row in report.rows]


def test_a_district_report_of_2024_reads_the_tree_of_2024(restructured):
    w = restructured
    report = progress_report(organization=w.district_a, year=2024, quarter=4, today=D(2026, 12, 3))
    assert report.structure == Structure.THEN and report.structure_day == D(2024, 12, 31)
    assert figures(report) == [("Đảng bộ xã Biên Sơn", 10, 3), ("Chi bộ Trường THPT số 1", 4, 1)]
    assert (report.total.quota_total, report.total.admitted_to_date) == (14, 4)
    assert report.total.quota_to_date == 14
    assert report.changed_after and not report.changed_during
    assert "31/12/2024" in report.structure_note


def test_a_dissolved_district_has_no_todays_structure_and_reads_as_it_was(restructured):
    w = restructured
    report = progress_report(
        organization=w.district_a, year=2024, quarter=4, today=D(2026, 12, 3), structure=Structure.NOW
    )
    assert report.structure == Structure.THEN  # its commune and school are the province's now
    assert figures(report) == [("Đảng bộ xã Biên Sơn", 10, 3), ("Chi bộ Trường THPT số 1", 4, 1)]
    assert report.structure_note.startswith("Số liệu theo cơ cấu tổ chức tại ngày 31/12/2024")


def test_the_province_reads_the_new_commune_with_its_predecessors_history(restructured):
    w = restructured
    now = progress_report(organization=w.province, year=2024, quarter=4, today=D(2026, 12, 3), structure=Structure.NOW)
    rows = {row.label: (row.quota_total, row.quota_quarters, row.admitted_to_date) for row in now.rows}
    # Biên Sơn's 2024 quota from the district (closed since) and its admissions went with it.
    assert rows["Đảng bộ xã Biển Động"] == (10, (2, 3, 3, 2), 3)
    assert rows["Chi bộ Trường THPT số 1"][0::2] == (4, 1)
    assert now.other is None  # the dissolved district's figures are not counted a second time
    assert now.total.quota_total == 14
    then = progress_report(organization=w.province, year=2024, quarter=4, today=D(2026, 12, 3))
    assert [(row.label, row.admitted_to_date) for row in then.rows] == [
        ("Huyện ủy Bảo Lâm", 0),
        ("Huyện ủy Lục Ngạn", 4),
    ]
    assert then.total.admitted_to_date == now.total.admitted_to_date == 4


def test_an_organization_founded_later_says_it_did_not_exist(restructured):
    report = progress_report(organization=restructured.new, year=2024, quarter=4, today=D(2026, 12, 3))
    assert not report.existed and report.rows == []
    assert "chưa được thành lập" in report.structure_note


def test_a_report_within_the_change_says_so(restructured):
    report = progress_report(organization=restructured.province, year=2025, quarter=4, today=D(2026, 12, 3))
    assert report.changed_during
    assert "Trong kỳ báo cáo có thay đổi" in report.structure_note


def test_without_a_change_both_structures_agree_and_say_nothing(world):
    plan(world.district_a, "1-KH/HU", {world.commune_a: 5}, year=2026)
    admit(world.cell_a, "2026-02-01")
    then = progress_report(organization=world.district_a, year=2026, quarter=1, today=D(2026, 12, 3))
    now = progress_report(
        organization=world.district_a, year=2026, quarter=1, today=D(2026, 12, 3), structure=Structure.NOW
    )
    assert figures(then) == figures(now) == [("Đảng bộ xã Biên Sơn", 5, 1), ("Chi bộ Trường THPT số 1", None, 0)]
    assert then.structure_note == now.structure_note == ""


def test_a_report_in_either_tree_costs_a_constant_number_of_queries(restructured, django_assert_max_num_queries):
    w = restructured
    for structure in (Structure.THEN, Structure.NOW):
        for org in (w.province, w.district_a):
            with django_assert_max_num_queries(12):
                progress_report(organization=org, year=2024, quarter=4, detail=True, structure=structure)


def test_the_2024_documents_name_the_bodies_of_2024(restructured):
    w = restructured
    services.organization_update(organization=w.province, name="Tỉnh ủy Bắc Ninh", on=RESTRUCTURED)
    header = progress_header(organization=w.district_a, year=2024, quarter=4, today=D(2026, 12, 3))
    assert (header.superior_body, header.issuing_body) == ("ĐẢNG BỘ TỈNH THỬ NGHIỆM", "HUYỆN ỦY LỤC NGẠN")
    report = progress_report(organization=w.district_a, year=2024, quarter=4, today=D(2026, 12, 3))
    workbook_bytes = exporters.progress_xlsx(report, header)
    assert workbook_bytes[:2] == b"PK"
    today_header = progress_header(organization=w.new, year=2026, quarter=4, today=D(2026, 12, 3))
    assert today_header.superior_body == "ĐẢNG BỘ TỈNH BẮC NINH"


def test_the_api_and_the_dashboard_offer_both_structures(restructured, client):
    w = restructured
    client.force_login(w.superuser)
    url = reverse("organization-progress", args=[w.district_a.pk])
    then = client.get(url, {"year": 2024, "quarter": 4}).json()
    now = client.get(url, {"year": 2024, "quarter": 4, "structure": "now"}).json()
    assert [row["organization"]["code"] for row in then["rows"]] == ["A1", "A2"]
    assert then["structure"]["kind"] == "then" and then["structure"]["day"] == "2024-12-31"
    assert now["rows"] == then["rows"] and now["structure"]["kind"] == "then"  # closed: as it was
    bad = client.get(url, {"year": 2024, "quarter": 4, "structure": "later"})
    assert bad.status_code == 400 and "structure" in bad.json()
    page = client.get(reverse("reports:dashboard", args=[w.district_a.pk]), {"year": 2024, "quarter": 4})
    assert "Đảng bộ xã Biên Sơn" in page.content.decode()
    assert "Theo cơ cấu hiện nay" in page.content.decode()


def test_a_quota_allocated_inside_todays_organization_stays_inside_it(world):
    # Biên Sơn allocates 6 of its 10 to its cell A1C in 2024; merged into N, directly under the
    # province, in 2025 (its cell goes too); the district, left with its school, is dissolved.
    plan(world.district_a, "72-KH/HU", {world.commune_a: (10, 2, 3, 3, 2)}, year=2024)
    plan(world.commune_a, "05-KH/ĐU", {world.cell_a: (6, 1, 2, 2, 1)}, year=2024)
    new = OrganizationFactory(name="Đảng bộ xã Mới", code="N", kind=Kind.COMMUNE, parent=world.province)
    new = services.organization_merge(sources=[world.commune_a], target=new, on=RESTRUCTURED)
    services.organization_move(organization=world.school_a, new_parent=world.province, on=RESTRUCTURED)
    services.organization_dissolve(organization=world.district_a, on=RESTRUCTURED)
    world.province.refresh_from_db()
    new.refresh_from_db()
    today = D(2026, 12, 3)
    province = progress_report(organization=world.province, year=2024, quarter=4, today=today, structure=Structure.NOW)
    assert {row.label: row.quota_total for row in province.rows}["Đảng bộ xã Mới"] == 10  # not 10 + 6
    own = progress_report(organization=new, year=2024, quarter=4, today=today, structure=Structure.NOW)
    assert own.subject.quota_total == 10
    assert [(row.organization.id, row.quota_total) for row in own.rows] == [
        (world.cell_a.pk, 6),
        (world.cell_a2.pk, None),
    ]
