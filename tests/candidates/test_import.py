"""Admissions from .xlsx: preview writes nothing, confirm writes every row or none, and each problem
is reported with its row and column."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from candidates.importers import COLUMNS, parse_admissions_xlsx
from candidates.models import Admission

from .factories import make_admission

D = datetime.date
pytestmark = pytest.mark.django_db
HEADER = [
    "TT",
    "Mã chi bộ",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Số quyết định",
    "Ngày quyết định kết nạp",
    "Dân tộc",
    "Đoàn viên",
    "Số căn cước",
]


def workbook(rows, header=HEADER, title_rows=1) -> bytes:
    book = Workbook()
    sheet = book.active
    for _ in range(title_rows):
        sheet.append(["DANH SÁCH ĐẢNG VIÊN MỚI KẾT NẠP"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_rows(world):
    return [
        [
            1,
            world.cell_a.code,
            "Lương Văn Một",
            "Nam",
            D(1998, 1, 2),
            "10-QĐ/HU",
            D(2022, 2, 14),
            "Tày",
            "x",
            24098000111,
        ],
        [
            2,
            world.cell_a2.code.lower(),
            "Hà Thị Hai",
            "nữ",
            "03/04/2000",
            "11-QĐ/HU",
            "20/06/2022",
            "Kinh",
            "",
            "024200000222",
        ],
    ]


def upload(client, content: bytes, name="ket-nap.xlsx"):
    return client.post(
        reverse("candidates:admission_import"), {"file": SimpleUploadedFile(name, content)}, follow=False
    )


def test_preview_writes_nothing_then_confirm_writes_every_row(world, client, fired):
    client.force_login(world.staff)
    response = upload(client, workbook(good_rows(world)))
    assert response.status_code == 200
    assert response.context["preview"] and len(response.context["preview"]) == 2
    assert "Lương Văn Một" in response.content.decode()
    assert Admission.objects.count() == 0
    fired.clear()
    response = client.post(reverse("candidates:admission_import"), {"confirm": "1", "token": response.context["token"]})
    assert response.status_code == 302
    rows = list(Admission.objects.order_by("admitted_on"))
    assert [(a.full_name, a.organization, a.admitted_on, a.source) for a in rows] == [
        ("Lương Văn Một", world.cell_a, D(2022, 2, 14), "import"),
        ("Hà Thị Hai", world.cell_a2, D(2022, 6, 20), "import"),
    ]
    assert rows[0].ethnicity == "tay" and rows[0].youth_union_member and rows[0].citizen_id == "024098000111"
    assert rows[1].gender == "female" and not rows[1].youth_union_member
    assert sorted(fired, key=lambda c: min(c[1])) == [
        ({world.cell_a.pk}, {D(2022, 2, 14)}),
        ({world.cell_a2.pk}, {D(2022, 6, 20)}),
    ]


def test_errors_name_the_row_and_column_and_nothing_is_written(world, client):
    client.force_login(world.staff)
    rows = [
        *good_rows(world),
        [3, world.cell_a.code, "Sai Ngày Sinh", "Nam", "31/02/2000", "12-QĐ/HU", D(2022, 3, 1), "Kinh", "", ""],
        [4, "KHONG-CO", "Sai Mã", "Nam", D(1999, 1, 1), "13-QĐ/HU", D(2022, 3, 1), "Kinh", "", ""],
        [5, world.cell_a.code, "Sai Dân Tộc", "Nam", D(1999, 1, 1), "14-QĐ/HU", D(2022, 3, 1), "Sao Hỏa", "có lẽ", ""],
        [6, world.cell_b.code, "Ngoài Phạm Vi", "Nam", D(1999, 1, 1), "15-QĐ/HU", D(2022, 3, 1), "Kinh", "", ""],
    ]
    response = upload(client, workbook(rows))
    errors = response.context["errors"]
    assert "Dòng 5, cột “Ngày sinh”: ngày “31/02/2000” không đúng dạng ngày/tháng/năm (ví dụ 11/02/2022)." in errors
    assert "Dòng 6, cột “Mã chi bộ”: không tìm thấy mã “KHONG-CO” trong phạm vi của bạn." in errors
    assert any(e.startswith("Dòng 7, cột “Dân tộc”: “Sao Hỏa” không có trong danh mục") for e in errors)
    assert any(e.startswith("Dòng 7, cột “Đoàn viên”") for e in errors)
    assert any(e.startswith("Dòng 8, cột “Mã chi bộ”") for e in errors)
    assert "preview" not in response.context
    assert Admission.objects.count() == 0


def test_a_duplicate_within_the_file_or_with_the_database_is_refused_by_row(world, client):
    client.force_login(world.staff)
    make_admission(world.cell_a, full_name="Đã Có Rồi", birth_date=D(1990, 1, 1))
    rows = [
        *good_rows(world),
        [3, world.cell_a.code, "Lương Văn Một", "Nam", D(1998, 1, 2), "16-QĐ/HU", D(2022, 9, 1), "Kinh", "", ""],
        [4, world.cell_a.code, "Đã Có Rồi", "Nam", D(1990, 1, 1), "17-QĐ/HU", D(2022, 9, 1), "Kinh", "", ""],
    ]
    response = upload(client, workbook(rows))
    errors = response.context["errors"]
    assert any(e.startswith("Dòng 5, cột “Họ và tên”: Người này đã được kết nạp") for e in errors), errors
    assert any(e.startswith("Dòng 6, cột “Họ và tên”: Người này đã được kết nạp") for e in errors), errors
    assert Admission.objects.count() == 1


def test_confirm_is_all_or_nothing_when_the_data_changed_since_the_preview(world, client):
    client.force_login(world.staff)
    response = upload(client, workbook(good_rows(world)))
    token = response.context["token"]
    # Someone records the second person between the preview and the confirmation.
    make_admission(world.cell_a, full_name="Hà Thị Hai", birth_date=D(2000, 4, 3))
    response = client.post(reverse("candidates:admission_import"), {"confirm": "1", "token": token})
    assert response.status_code == 200
    assert any(e.startswith("Dòng 4, cột “Họ và tên”") for e in response.context["errors"])
    assert not Admission.objects.filter(full_name="Lương Văn Một").exists()
    assert Admission.objects.count() == 1


def test_missing_columns_and_wrong_files_are_explained(world, client):
    client.force_login(world.staff)
    response = upload(client, workbook([["x"]], header=["Họ và tên", "Giới tính"]))
    assert "Thiếu cột: Mã chi bộ, Ngày sinh, Số quyết định, Ngày quyết định kết nạp." in response.context["errors"]
    response = upload(client, b"not a workbook")
    assert "Không đọc được tệp" in response.context["errors"][0]
    response = upload(client, b"a,b", name="data.csv")
    assert response.context["form"].errors["file"] == ["Chọn tệp Excel .xlsx."]
    response = client.post(reverse("candidates:admission_import"), {"confirm": "1", "token": "forged"})
    assert response.status_code == 302
    assert Admission.objects.count() == 0


def test_the_template_round_trips_through_the_importer(world, client):
    client.force_login(world.secretary)
    response = client.get(reverse("candidates:admission_import_template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Kết nạp"]
    assert [c.value for c in sheet[1]] == [str(label) for _name, label, _required in COLUMNS]
    codes = [row[0].value for row in book["Hướng dẫn"].iter_rows()]
    assert world.cell_a.code in codes and world.cell_b.code not in codes
    sheet.append([world.cell_a.code, "Mẫu Văn Thử", "Nam", D(1999, 9, 9), "", "20-QĐ/ĐU", D(2023, 5, 5)])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = parse_admissions_xlsx(buffer.getvalue(), user=world.secretary)
    assert parsed.errors == []
    assert parsed.rows[0]["organization"] == world.cell_a and parsed.rows[0]["admitted_on"] == D(2023, 5, 5)


def test_the_management_command_imports_all_or_nothing(world, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "ket-nap.xlsx"
    path.write_bytes(workbook(good_rows(world)))
    with pytest.raises(CommandError):
        call_command("import_admissions", str(path), "--user", world.staff.username)  # preview only without --confirm
    assert Admission.objects.count() == 0
    call_command("import_admissions", str(path), "--user", world.staff.username, "--confirm")
    assert Admission.objects.count() == 2


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            [*HEADER, "Ngày sinh"],
            "Dòng 2: cột E và cột K cùng là “Ngày sinh”: sửa hoặc xóa một cột.",
        ),
        (
            [*HEADER[:8], "Đoàn viên TNCS Hồ Chí Minh", HEADER[9]],
            "Dòng 2, cột I: không có cột “Đoàn viên TNCS Hồ Chí Minh” trong mẫu nhập",
        ),
    ],
)
def test_a_header_that_would_lose_or_mix_up_data_is_refused(world, client, header, message):
    """A second "Ngày sinh" column (which one is right?) and a column the import does not read (its
    "x" marks would be dropped without a word) are refused at the header row; nothing is written."""
    client.force_login(world.staff)
    rows = [[*row, D(1960, 1, 1)] if len(header) > len(HEADER) else row for row in good_rows(world)]
    response = upload(client, workbook(rows, header=header))
    assert any(error.startswith(message) for error in response.context["errors"]), response.context["errors"]
    assert "preview" not in response.context
    assert Admission.objects.count() == 0
