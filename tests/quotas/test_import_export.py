"""The biểu as .xlsx: official layout out, the same file (or one typed like the seeds) back in, every
problem reported by row and column, nothing imported until a clean file is confirmed."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from quotas import exporters, importers, selectors, services
from quotas.models import Plan, Quota
from tests.quotas.conftest import quota_state, seed_000_workbook

# Seed 000 as printed (names, spacing and all), first and second table.
SEED_COMMUNES = [
    ("Biên Sơn", 5, 1, 2, 2, 0), ("Biển Động", 6, 1, 2, 2, 1), ("Cấm Sơn", 5, 1, 2, 2, 0), ("Chũ", 11, 2, 4, 3, 2),
    ("Đồng Cốc", 6, 2, 2, 2, 0), ("Đèo Gia", 5, 2, 1, 0, 2), ("Giáp Sơn", 6, 1, 2, 2, 1), ("Hồng Giang", 8, 2, 2, 2, 2),
    ("Hộ Đáp", 6, 1, 1, 3, 1), ("Kiên Thành", 6, 1, 2, 2, 1), ("Kiên Lao", 5, 1, 2, 2, 0), ("Kim Sơn", 4, 0, 2, 1, 1),
    ("Nam Dương", 6, 1, 2, 2, 1), ("Mỹ An", 5, 1, 2, 2, 0), ("Phong Minh", 4, 2, 1, 1, 0), ("Phong Vân", 6, 2, 2, 2, 0),
    ("Phú Nhuận", 5, 0, 1, 2, 2), ("Phì Điền", 4, 1, 1, 1, 1), ("Phượng Sơn", 6, 1, 2, 2, 1), ("Quý Sơn", 10, 2, 3, 3, 2),
    ("Sơn Hải", 4, 1, 1, 1, 1), ("Sa Lý", 5, 1, 2, 1, 1), ("Tân Hoa", 6, 2, 1, 2, 1), ("Tân Mộc", 6, 2, 2, 1, 1),
    ("Tân Lập", 6, 1, 2, 2, 1), ("Tân Quang", 8, 2, 2, 2, 2), ("Tân Sơn", 8, 2, 2, 2, 2), ("Thanh Hải", 10, 3, 3, 2, 2),
    ("Trù Hựu", 6, 2, 1, 1, 2),
]  # fmt: skip
SEED_INSTITUTIONS = [
    ("Đảng bộ Chính quyền", 4, 2, 0, 2, 0), ("Đảng bộ Công an ", 4, 0, 2, 2, 0), ("Đảng bộ Quân sự ", 0, 0, 0, 0, 0),
    ("Đảng bộ Trung tâm Y tế ", 5, 0, 2, 3, 0), ("Đảng bộ Khối Đảng- Đoàn thể", 1, 0, 0, 1, 0),
    ("Chi bộ Trường THPT Lục Ngạn số 1", 2, 0, 2, 0, 0), ("Chi bộ Trường THPT Lục Ngạn số 2", 3, 0, 1, 2, 0),
    ("Chi bộ Trường THPT Lục Ngạn số 3", 4, 3, 1, 0, 0), ("Chi bộ Trường THPT Lục Ngạn số 4", 3, 0, 1, 2, 0),
    ("Chi bộ Trường THPT Lục Ngạn số 5", 1, 0, 0, 1, 0), ("Chi bộ Trường PT Dân tộc nội trú", 1, 0, 0, 1, 0),
    ("Chi bộ Trung tâm GDNN- GDTX", 1, 0, 0, 1, 0), ("Chi bộ Toà án nhân dân", 0, 0, 0, 0, 0),
    ("Chi bộ Bảo hiểm xã hội", 0, 0, 0, 0, 0), ("Chi bộ Viện Kiểm sát nhân dân", 1, 0, 1, 0, 0),
    ("Chi bộ Kho bạc Nhà nước", 0, 0, 0, 0, 0), ("Chi bộ BQL Rừng PH Cấm Sơn", 0, 0, 0, 0, 0),
    ("Chi bộ Hạt Kiểm lâm", 0, 0, 0, 0, 0), ("Chi bộ Bưu điện huyện", 1, 0, 0, 1, 0),
    ("Chi bộ Ngân hàng NN&PTNT", 2, 0, 2, 0, 0), ("Chi bộ PGD Ngân hàng CSXH", 1, 0, 0, 1, 0),
    ("Chi bộ Công ty CP Thiên Lâm Đạt", 2, 0, 2, 0, 0), ("Chi bộ Công ty Vật tư Kỹ thuật NN", 0, 0, 0, 0, 0),
    ("Chi bộ Công ty CP Cơ điện", 2, 0, 1, 1, 0), ("Chi bộ Công ty TNHH hai thành viên  \nLâm nghiệp Lục Ngạn", 0, 0, 0, 0, 0),
    ("Chi bộ Công ty TNHH Y Dược \n Bắc Thăng Long ", 4, 0, 2, 2, 0),
]  # fmt: skip


def luc_ngan_values(plan) -> dict[str, tuple]:
    return {
        q.organization.code: (q.total, q.q1, q.q2, q.q3, q.q4)
        for q in Quota.objects.filter(plan=plan, year=2022).select_related("organization")
    }


def upload(client, user, seeded, data: bytes, *, year=2022, plan=None, name="bieu.xlsx"):
    client.force_login(user)
    url = reverse("quotas:import", kwargs={"pk": seeded.luc_ngan.pk, "year": year})
    if plan:
        url += f"?plan={plan.pk}"
    return client.post(url, {"file": SimpleUploadedFile(name, data)}), url


def xlsx_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_has_the_official_layout_with_live_sums(seeded, client):
    client.force_login(seeded.leader)
    response = client.get(reverse("quotas:allocation_xlsx", kwargs={"pk": seeded.luc_ngan.pk, "year": 2022}))
    assert response.status_code == 200 and "giao-chi-tieu-BG-LN-2022.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = {cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None}
    for expected in (
        "HUYỆN ỦY LỤC NGẠN",
        "Số 72-KH/HU",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Lục Ngạn, ngày 11 tháng 02 năm 2022",
        "BIỂU TỔNG HỢP",
        "Giao chỉ tiêu kết nạp đảng viên năm 2022",
        "(kèm theo Kế hoạch số 72-KH/HU ngày 11/02/2022 của Ban Thường vụ Huyện ủy)",
        "Chia ra theo quý",
        "Quý IV",
        "Biên Sơn",
        "Chi bộ Công ty TNHH Y Dược Bắc Thăng Long",
    ):
        assert expected in values
    rows = {sheet.cell(row=r, column=2).value: r for r in range(1, sheet.max_row + 1)}
    merged = [str(m) for m in sheet.merged_cells.ranges]
    header_row = next(r for r in range(1, 30) if sheet.cell(row=r, column=4).value == "Chia ra theo quý")
    assert f"D{header_row}:G{header_row}" in merged
    subtotal_rows = [r for r in range(1, sheet.max_row + 1) if sheet.cell(row=r, column=2).value == "Cộng"]
    assert len(subtotal_rows) == 2
    first_data = rows["Biên Sơn"]
    assert sheet.cell(row=subtotal_rows[0], column=3).value == f"=SUM(C{first_data}:C{subtotal_rows[0] - 1})"
    total_row = rows["Tổng cộng"]
    assert sheet.cell(row=total_row, column=7).value == f"=G{subtotal_rows[0]}+G{subtotal_rows[1]}"
    assert (
        sheet.cell(row=first_data, column=1).value == 1
        and sheet.cell(row=rows["Đảng bộ Chính quyền"], column=1).value == 1
    )
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    assert sheet.print_title_rows == f"${header_row}:${header_row + 1}"
    assert sheet.column_dimensions["H"].hidden  # codes, for an exact re-import


def test_export_then_reimport_gives_identical_quotas(seeded, client):
    original = luc_ngan_values(seeded.plan72)
    exported = exporters.allocation_workbook(selectors.allocation_for(organization=seeded.luc_ngan, year=2022))
    data = xlsx_bytes(exported)
    # A replacing plan without quotas: the re-import must fill it with exactly the same numbers.
    new_plan = services.plan_replace(
        plan=seeded.plan72,
        by=seeded.staff,
        copy_quotas=False,
        number="73-KH/HU",
        title="Thay thế",
        start_year=2022,
        end_year=2022,
    )
    assert Quota.objects.filter(plan=new_plan).count() == 0
    response, url = upload(client, seeded.staff, seeded, data)
    assert response.status_code == 200 and response.context["preview"].is_clean
    assert Quota.objects.filter(plan=new_plan).count() == 0  # the preview writes nothing
    assert response.context["preview"].count("new") == 55
    response = client.post(url, {"payload": response.context["payload"]})
    assert response.status_code == 302
    assert luc_ngan_values(new_plan) == original
    assert len(original) == 55


def test_a_file_typed_like_seed_000_matches_by_name(seeded):
    data = seed_000_workbook(
        [[row for row in SEED_COMMUNES], [row for row in SEED_INSTITUTIONS]], total_text="Tổng cộng: 220 đảng viên."
    )
    parsed = importers.read_workbook(data)
    allocation = selectors.allocation_for(organization=seeded.luc_ngan, year=2022)
    preview = importers.build_preview(
        parsed,
        candidates=[r.organization for r in allocation.rows],
        parent_name="Huyện ủy Lục Ngạn",
        current=allocation.values_by_organization(),
    )
    assert preview.problems == []
    assert len(preview.rows) == 55 and preview.count("same") == 55
    assert [r.kind for r in parsed.rows].count("subtotal") == 2 and parsed.rows[-1].text_total == 220


@pytest.mark.parametrize(
    "text", ["Đảng bộ xã Biên Sơn", "ĐẢNG BỘ XÃ BIÊN SƠN", "Xã Biên Sơn", "bien son", "  Biên   Sơn ", "BG-LN-X01"]
)
def test_names_match_without_case_diacritics_or_kind_prefix(seeded, text):
    parsed = importers.ParsedSheet(layout="year", columns={"number": 1, "name": 2, "total": 3})
    parsed.rows.append(importers.SheetRow(5, "data", text, "", {"total": 5}))
    children = [r.organization for r in selectors.allocation_for(organization=seeded.luc_ngan, year=2022).rows]
    matched = importers.match_rows(parsed, children, "Huyện ủy Lục Ngạn")
    assert [m.organization.code for m in matched] == ["BG-LN-X01"] and parsed.problems == []


def _seed_rows():
    return [list(SEED_COMMUNES), list(SEED_INSTITUTIONS)]


def _broken(kind):
    groups = _seed_rows()
    subtotals = None
    if kind == "unknown":
        groups[0][2] = ("Xã Không Có", 5, 1, 2, 2, 0)
    elif kind == "quarters":
        groups[0][1] = ("Biển Động", 6, 1, 2, 2, 2)
    elif kind == "text":
        groups[0][3] = ("Chũ", 11, "hai", 4, 3, 2)
    elif kind == "negative":
        groups[1][0] = ("Đảng bộ Chính quyền", -4, 2, 0, 2, 0)
    elif kind == "duplicate":
        groups[0][4] = ("Biên Sơn", 6, 2, 2, 2, 0)
    elif kind == "partial":
        groups[0][0] = ("Biên Sơn", 5, 1, 2, 2, None)
    elif kind == "subtotal":
        subtotals = [(170, 41, 54, 52, 31), (42, 5, 17, 20, 0)]
    if kind in {"text"}:
        subtotals = [(178, 41, 54, 52, 31), (42, 5, 17, 20, 0)]
    if kind in {"negative", "partial"}:
        subtotals = [(178, 41, 54, 52, 31), (42, 5, 17, 20, 0)]
    total = "Tổng cộng: 221 đảng viên." if kind == "total" else "Tổng cộng: 220 đảng viên."
    return seed_000_workbook(groups, subtotals=subtotals, total_text=total)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "unknown",
            "Dòng 7, cột B (Tên đảng bộ, chi bộ): không tìm thấy tổ chức “Xã Không Có” trực thuộc Huyện ủy Lục Ngạn",
        ),
        ("quarters", "Dòng 6, cột C (Tổng số): Tổng các quý (1 + 2 + 2 + 2 = 7) khác tổng số (6)."),
        ("text", "Dòng 8, cột D (Quý I): “hai” không phải là số"),
        ("negative", "Dòng 35, cột C (Tổng số): Tổng số không được âm."),
        ("duplicate", "Dòng 9, cột B (Tên đảng bộ, chi bộ): “Biên Sơn” đã có ở dòng 5"),
        ("partial", "Dòng 5, cột D (Quý I): Điền đủ bốn quý hoặc để trống cả bốn (thiếu Quý IV)."),
        ("subtotal", "Dòng 34, cột C (Tổng số): dòng “Cộng” ghi 170 nhưng tổng các dòng trên là 178"),
        ("total", "Dòng 62, cột C (Tổng số): dòng “Tổng cộng” ghi 221 nhưng tổng các dòng trên là 220"),
    ],
)
def test_upload_rejections_are_named_by_row_and_column_and_import_nothing(seeded, client, kind, expected):
    before = quota_state()
    response, _url = upload(client, seeded.staff, seeded, _broken(kind))
    assert response.status_code == 400
    preview = response.context["preview"]
    assert not preview.is_clean and "payload" not in response.context
    assert expected in [str(problem) for problem in preview.problems]
    assert expected in response.content.decode()
    assert quota_state() == before


def test_not_an_excel_file_is_refused(seeded, client):
    before = quota_state()
    response, _url = upload(client, seeded.staff, seeded, b"TT;Ten;Tong\n1;Bien Son;5\n", name="bieu.xlsx")
    assert response.status_code == 400
    assert "Tệp không phải là tệp Excel .xlsx đọc được." in response.content.decode()
    assert quota_state() == before


def test_confirm_refuses_a_forged_or_stale_preview(seeded, client):
    data = seed_000_workbook(_seed_rows(), total_text="Tổng cộng: 220 đảng viên.")
    wb = load_workbook(io.BytesIO(data))
    wb.active["C5"] = 7  # Biên Sơn 5 -> 7 …
    wb.active["G5"] = 2  # … with Q IV 0 -> 2
    wb.active["C34"] = 180
    wb.active["G34"] = 33
    wb.active["B62"] = "Tổng cộng: 222 đảng viên."
    response, url = upload(client, seeded.staff, seeded, xlsx_bytes(wb))
    assert response.status_code == 200, [str(p) for p in response.context["preview"].problems]
    payload = response.context["payload"]
    before = quota_state()
    assert client.post(url, {"payload": payload[:-4] + "abcd"}).status_code == 400
    assert quota_state() == before
    # Someone saves the grid between the preview and the confirmation: the import is refused.
    services.allocation_save(
        organization=seeded.luc_ngan,
        year=2022,
        rows=[services.QuotaInput(seeded.org("BG-LN-X02").pk, 1)],
        by=seeded.staff2,
    )
    before = quota_state()
    response = client.post(url, {"payload": payload}, follow=True)
    assert "biểu đã được lưu lại sau khi bạn xem trước" in response.content.decode()
    assert quota_state() == before


def test_a_preview_is_confirmed_on_its_own_page_by_its_own_login_only(seeded, client):
    """The preview stays in the session (partytrack.previews); the page holds only its token."""
    response, url = upload(
        client, seeded.staff, seeded, seed_000_workbook(_seed_rows(), total_text="Tổng cộng: 220 đảng viên.")
    )
    assert response.status_code == 200 and response.context["preview"].is_clean
    token = response.context["payload"]
    before = quota_state()
    other_year = reverse("quotas:import", kwargs={"pk": seeded.luc_ngan.pk, "year": 2023})
    assert client.post(other_year, {"payload": token}).status_code == 400
    other_login = Client()
    other_login.force_login(seeded.staff2)
    assert other_login.post(url, {"payload": token}).status_code == 400
    assert quota_state() == before
    assert client.post(url, {"payload": token}).status_code == 302


def test_import_needs_staff_rights(seeded, client):
    before = quota_state()
    response, _url = upload(client, seeded.leader, seeded, _broken("none"))
    assert response.status_code == 404
    assert quota_state() == before


# ------------------------------------------------------------------------------------ command


def _write(tmp_path, data: bytes) -> str:
    path = tmp_path / "bieu.xlsx"
    path.write_bytes(data)
    return str(path)


def test_command_dry_run_reports_and_writes_nothing(seeded, tmp_path):
    wb = load_workbook(io.BytesIO(seed_000_workbook(_seed_rows())))
    wb.active["C5"], wb.active["G5"], wb.active["C34"], wb.active["G34"] = 7, 2, 180, 33
    path = _write(tmp_path, xlsx_bytes(wb))
    before = quota_state()
    out = io.StringIO()
    call_command("import_quotas", path, "--org", "BG-LN", "--year", "2022", "--dry-run", stdout=out)
    assert "sửa: 1" in out.getvalue() and "--dry-run" in out.getvalue()
    assert quota_state() == before
    call_command(
        "import_quotas", path, "--org", str(seeded.luc_ngan.pk), "--year", "2022", "--plan", "72-kh/hu", stdout=out
    )
    assert Quota.objects.get(plan=seeded.plan72, organization=seeded.org("BG-LN-X01")).quarters == (1, 2, 2, 2)


def test_command_refuses_a_bad_file_with_a_readable_report(seeded, tmp_path):
    path = _write(tmp_path, _broken("quarters"))
    before = quota_state()
    err = io.StringIO()
    with pytest.raises(CommandError, match="Tệp bị từ chối: 1 lỗi"):
        call_command("import_quotas", path, "--org", "BG-LN", "--year", "2022", stderr=err, stdout=io.StringIO())
    assert "Dòng 6, cột C (Tổng số): Tổng các quý (1 + 2 + 2 + 2 = 7) khác tổng số (6)." in err.getvalue()
    assert quota_state() == before
    with pytest.raises(CommandError, match="không có kế hoạch số"):
        call_command("import_quotas", path, "--org", "BG-LN", "--year", "2022", "--plan", "1-KH/XX")


def test_command_exits_non_zero_from_the_shell(seeded, tmp_path, monkeypatch, capsys):
    from django.core.management import base

    # run_from_argv closes the database connections when it ends; the test's transaction needs them.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    path = _write(tmp_path, _broken("unknown"))
    with pytest.raises(SystemExit) as caught:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["manage.py", "import_quotas", path, "--org", "BG-LN", "--year", "2022"])
    assert caught.value.code != 0
    assert "không tìm thấy tổ chức “Xã Không Có”" in capsys.readouterr().err


def test_command_without_a_plan_creates_a_draft_for_the_year(seeded, tmp_path):
    path = _write(tmp_path, seed_000_workbook(_seed_rows()))
    call_command("import_quotas", path, "--org", "BG-LN", "--year", "2030", stdout=io.StringIO())
    plan = Plan.objects.get(organization=seeded.luc_ngan, start_year=2030)
    assert plan.status == "draft" and plan.title == "Kết nạp đảng viên năm 2030"
    assert sum(Quota.objects.filter(plan=plan).values_list("total", flat=True)) == 220


# --------------------------------------------------------------------------------------- term


def test_term_export_reimports_identically(seeded, client):
    original = sorted(Quota.objects.filter(plan=seeded.plan55).values_list("organization_id", "year", "total"))
    data = xlsx_bytes(exporters.term_workbook(selectors.term_table(plan=seeded.plan55)))
    sheet = load_workbook(io.BytesIO(data)).active
    values = {cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert {"Số chi bộ trực thuộc", "Chỉ tiêu kết nạp trong nhiệm kỳ", "Năm 2021", "Năm 2025", "Xã B'Lá"} <= values
    Quota.objects.filter(plan=seeded.plan55).delete()
    client.force_login(seeded.staff_bl)
    url = reverse("quotas:import", kwargs={"pk": seeded.bao_lam.pk, "year": 2022}) + f"?plan={seeded.plan55.pk}"
    response = client.post(url, {"file": SimpleUploadedFile("term.xlsx", data)})
    assert response.status_code == 200 and response.context["preview"].layout == "term"
    assert client.post(url, {"payload": response.context["payload"]}).status_code == 302
    assert sorted(Quota.objects.filter(plan=seeded.plan55).values_list("organization_id", "year", "total")) == original


def seed_004_workbook(*, lac_total=15) -> bytes:
    """Seed 004's table as printed: four header rows, no "Cộng" rows, a "Tổng cộng" row."""
    rows = [
        ("Thị trấn Lộc Thắng", 33, 502, 498, 40, 8), ("Xã Lộc An", 26, 331, 328, 40, 8), ("Xã Lộc Bắc", 10, 128, 124, 25, 5),
        ("Xã Lộc Bảo", 9, 129, 126, 25, 5), ("Xã Lộc Lâm", 8, 108, 104, 25, 5), ("Xã Lộc Phú", 11, 99, 95, 25, 5),
        ("Xã Lộc Ngãi", 25, 239, 230, 35, 7), ("Xã Lộc Đức", 17, 116, 115, 25, 5), ("Xã Lộc Quảng", 13, 81, 80, 15, 3),
        ("Xã Lộc Tân", 13, 180, 179, 25, 5), ("Xã B'Lá", 10, 149, 149, 15, 3), ("Xã Lộc Nam", 18, 204, 200, 25, 5),
        ("Xã Lộc Thành", 28, 254, 252, 40, 8), ("Xã Tân Lạc", 12, 78, 77, lac_total, 3), ("Công an huyện", 3, 36, 36, 10, 2),
    ]  # fmt: skip
    book = Workbook()
    sheet = book.active
    sheet.append(["Số TT", "Tên TCCS Đảng", "Phân bố chỉ tiêu"])
    sheet.append([None, None, "Thực trạng và chỉ tiêu chung"])
    sheet.append([None, None, "Số chi bộ trực thuộc", "Tổng số đảng viên", "Đảng viên chính thức",
                  "Chỉ tiêu kết nạp trong nhiệm kỳ", "Chỉ tiêu trong năm"])  # fmt: skip
    sheet.append([None, None, None, None, None, None, "Năm 2021", "Năm 2022", "Năm 2023", "Năm 2024", "Năm 2025"])
    for number, (name, cells, members, official, term, year) in enumerate(rows, 1):
        sheet.append([number, name, cells, members, official, term, year, year, year, year, year])
    sheet.append([16, "Quân sự huyện", 11, 116, 116, 0])
    sheet.append([17, "Các chi bộ cơ sở còn lại", None, 508, 501, 15, 3, 3, 3, 3, 3])
    sheet.append(["Tổng cộng", None, 247, 3258, 3210, 400, 80, 80, 80, 80, 80])
    return xlsx_bytes(book)


def test_a_file_typed_like_seed_004_imports_figures_and_years(seeded, tmp_path):
    Quota.objects.filter(plan=seeded.plan55).delete()
    seeded.org("LD-BL-X01").membership_figures.all().delete()
    out = io.StringIO()
    call_command("import_quotas", _write(tmp_path, seed_004_workbook()), "--org", "LD-BL", "--year", "2021", stdout=out)
    assert "biểu nhiệm kỳ, 17 dòng" in out.getvalue()
    table = selectors.term_table(plan=seeded.plan55)
    assert table.totals()["term_total"] == 400 and table.totals()["years"][2024] == 80
    x01 = next(row for row in table.rows if row.organization.code == "LD-BL-X01")
    assert (x01.figure.cell_count, x01.figure.member_count, x01.figure.official_member_count) == (33, 502, 498)
    assert x01.figure.as_of.isoformat() == "2022-06-03"


def test_seed_004_file_with_a_wrong_term_total_is_refused(seeded, tmp_path):
    before = quota_state()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_quotas", _write(tmp_path, seed_004_workbook(lac_total=16)), "--org", "LD-BL", "--year", "2022",
            stderr=err, stdout=io.StringIO(),
        )  # fmt: skip
    report = err.getvalue()
    assert "Dòng 18, cột F (Chỉ tiêu kết nạp trong nhiệm kỳ): chỉ tiêu nhiệm kỳ (16) khác tổng các năm (15)" in report
    assert (
        "Dòng 22, cột F (Chỉ tiêu kết nạp trong nhiệm kỳ): dòng “Tổng cộng” ghi 400 nhưng tổng các dòng trên là 401"
        in report
    )
    assert quota_state() == before


def test_text_typed_into_the_exported_file_is_reported_once(seeded):
    """The exported "Cộng" rows are SUM formulas; like Excel they skip the text, and the text cell is
    the one problem reported."""
    data = xlsx_bytes(exporters.allocation_workbook(selectors.allocation_for(organization=seeded.luc_ngan, year=2022)))
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    line = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(row=r, column=2).value == "Chũ")
    sheet.cell(row=line, column=4).value = "hai"
    parsed = importers.read_workbook(xlsx_bytes(book))
    assert [str(p) for p in parsed.problems] == [f"Dòng {line}, cột D (Quý I): “hai” không phải là số"]


def _someone_saves_while_the_command_reads(monkeypatch, save) -> list:
    """Run `save` (another user's save) right after the command has read the allocation and built its
    preview, before it writes: the window a concurrent edit falls into. Returns a list that receives
    the state just after that save."""
    original = importers.build_preview
    states: list = []

    def preview_then_concurrent_save(*args, **kwargs):
        preview = original(*args, **kwargs)
        save()
        states.append(quota_state())
        return preview

    monkeypatch.setattr(importers, "build_preview", preview_then_concurrent_save)
    return states


def test_command_refuses_to_overwrite_a_save_made_while_it_ran(seeded, tmp_path, monkeypatch):
    wb = load_workbook(io.BytesIO(seed_000_workbook(_seed_rows())))
    wb.active["C5"], wb.active["G5"], wb.active["C34"], wb.active["G34"] = 7, 2, 180, 33  # Biên Sơn 5 -> 7
    path = _write(tmp_path, xlsx_bytes(wb))
    bien_dong = seeded.org("BG-LN-X02")
    states = _someone_saves_while_the_command_reads(
        monkeypatch,
        lambda: services.allocation_save(
            organization=seeded.luc_ngan, year=2022, rows=[services.QuotaInput(bien_dong.pk, 9)], by=seeded.staff2
        ),
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="người khác đã sửa"):
        call_command("import_quotas", path, "--org", "BG-LN", "--year", "2022", stdout=io.StringIO(), stderr=err)
    assert "Biển Động: Tổng số 6 → 9" in err.getvalue()  # what changed meanwhile
    # The other user's save stands and nothing of the file was written (Biên Sơn stays 5).
    assert quota_state() == states[0]
    assert Quota.objects.get(plan=seeded.plan72, organization=bien_dong).total == 9
    assert Quota.objects.get(plan=seeded.plan72, organization=seeded.org("BG-LN-X01")).total == 5


def test_command_refuses_a_term_file_when_the_term_table_changed_meanwhile(seeded, tmp_path, monkeypatch):
    path = _write(tmp_path, seed_004_workbook())
    x01 = seeded.org("LD-BL-X01")
    Quota.objects.filter(plan=seeded.plan55, organization=x01, year=2023).update(total=5)  # the file says 8
    states = _someone_saves_while_the_command_reads(
        monkeypatch,
        lambda: services.term_save(
            plan=seeded.plan55, rows=[services.TermInput(x01.pk, years={2024: 1})], by=seeded.staff_bl
        ),
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="người khác đã sửa"):
        call_command("import_quotas", path, "--org", "LD-BL", "--year", "2022", stdout=io.StringIO(), stderr=err)
    assert "Thị trấn Lộc Thắng, năm 2024: 8 → 1" in err.getvalue()
    assert quota_state() == states[0]
    years = dict(Quota.objects.filter(plan=seeded.plan55, organization=x01).values_list("year", "total"))
    assert years[2023] == 5 and years[2024] == 1


def _formula_file(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["TT", "Tên đảng bộ", "Tổng số", "Quý I", "Quý II", "Quý III", "Quý IV"])
    for row in rows:
        sheet.append(row)
    return xlsx_bytes(book)


def test_formulas_chained_deeper_than_python_recursion_are_reported_not_a_crash(seeded, client):
    """Each total sums the rows below it, down 300 rows: refused at the cells, in a reasonable time."""
    import time

    data = _formula_file([[i, "Biên Sơn", f"=SUM(C{i + 2}:C400)", 1, 1, 1, 1] for i in range(1, 301)])
    started = time.monotonic()
    problems = [str(p) for p in importers.read_workbook(data).problems]
    assert time.monotonic() - started < 20
    assert problems and all("không tính được công thức" in p or "đã có ở dòng" in p for p in problems), problems[:3]
    assert problems[0].startswith("Dòng 2, cột C (Tổng số): không tính được công thức “=SUM(C3:C400)”")
    before = quota_state()
    response, _url = upload(client, seeded.staff, seeded, data)
    assert response.status_code == 400 and "payload" not in response.context
    assert quota_state() == before


def test_formulas_reading_huge_ranges_are_refused_within_a_budget(seeded):
    import time

    data = _formula_file([[i, f"Đơn vị {i}", "=SUM(D2:AN2001)", 1, 1, 1, 1] for i in range(1, 301)])
    started = time.monotonic()
    problems = [str(p) for p in importers.read_workbook(data).problems]
    assert time.monotonic() - started < 30
    assert any("không tính được công thức “=SUM(D2:AN2001)”" in p for p in problems)
