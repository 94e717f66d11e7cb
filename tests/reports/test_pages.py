"""The dashboard, the quarterly report files and the background jobs, as a user meets them."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from organizations.models import Role
from reports import views
from reports.models import ReportJob
from reports.selectors import current_period
from tests.factories import UserFactory, grant

from .factories import plan

PERIOD = "year=2025&quarter=2"
IN_HTML = "year=2025&amp;quarter=2"  # the same query inside an href


@pytest.fixture
def staff(tree):
    return grant(UserFactory(username="tochuc"), tree.district, Role.STAFF)


@pytest.fixture
def client_in(client, staff):
    client.force_login(staff)
    return client


def pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_index_opens_the_users_own_organization_this_quarter(client_in, tree):
    response = client_in.get(reverse("reports:index"))
    year, quarter = current_period()
    assert response.status_code == 302
    assert (
        response["Location"] == f"{reverse('reports:dashboard', args=[tree.district.pk])}?year={year}&quarter={quarter}"
    )


def test_index_without_any_role(client, db):
    client.force_login(UserFactory(username="nobody"))
    response = client.get(reverse("reports:index"))
    assert response.status_code == 200
    assert "chưa được giao vai trò" in response.content.decode()


def test_dashboard_rows_escape_what_users_typed(client_in, tree):
    """Names are typed by staff: the table writes them as text, never as markup."""
    from organizations.services import organization_update
    from organizations.structure import ALWAYS

    organization_update(organization=tree.school, short_name="", name='Chi bộ <b>"Trường"</b> & 1', on=ALWAYS)
    html = client_in.get(reverse("reports:dashboard", args=[tree.district.pk]) + "?" + PERIOD).content.decode()
    assert "Chi bộ &lt;b&gt;&quot;Trường&quot;&lt;/b&gt; &amp; 1" in html
    assert "<b>" not in html


def test_dashboard_shows_the_table_bars_chart_and_links(client_in, tree):
    response = client_in.get(reverse("reports:dashboard", args=[tree.district.pk]) + "?" + PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    # Rows, subtotals and the total, with Vietnamese figures.
    for text in ("Một", "Hai", "Ba", tree.school.name, "Cộng", "Tổng cộng", "Quý II năm 2025", "31,8%", "63,6%"):
        assert text in html, text
    # Progress bars coloured by status through classes, never inline styles or scripts.
    assert 'class="bar status-behind"' in html and 'class="bar status-ahead"' in html
    assert 'width="40.00"' in html  # Một: 4 of 10
    assert "style=" not in html and "<script>" not in html and " onclick=" not in html
    # The chart: cumulative target 5 → 10 (→ 15 → 20) and admitted 4 → 7 so far.
    assert 'class="progress-chart"' in html and 'class="line-target"' in html and 'class="line-admitted"' in html
    assert re.search(r"Quý I: chỉ tiêu 5, kết nạp 4\. Quý II: chỉ tiêu 10, kết nạp 7\.", html)
    # Drill-down keeps the period; breadcrumbs go up (within the user's scope only).
    assert f'href="{reverse("reports:dashboard", args=[tree.x1.pk])}?{IN_HTML}"' in html
    assert f'href="{reverse("reports:dashboard", args=[tree.province.pk])}' not in html  # above the user's scope
    assert f"{reverse('reports:progress-pdf', args=[tree.district.pk])}?{IN_HTML}" in html
    assert f"{reverse('reports:progress-xlsx', args=[tree.district.pk])}?{IN_HTML}" in html


def test_dashboard_breadcrumbs_link_up_to_the_users_top(client_in, tree):
    html = client_in.get(reverse("reports:dashboard", args=[tree.x1a.pk]) + "?" + PERIOD).content.decode()
    for ancestor in (tree.district, tree.x1):
        assert f'href="{reverse("reports:dashboard", args=[ancestor.pk])}?{IN_HTML}"' in html
    assert "Không có tổ chức trực thuộc." in html
    assert "50,0%" in html  # the cell's own standing: 3 of 6


@pytest.mark.parametrize(
    "query, message",
    [
        ("year=abc&quarter=2", "Năm phải là một số"),
        ("year=2025&quarter=5", "Quý phải là 1, 2, 3 hoặc 4"),
        ("year=1800&quarter=1", "2000"),
    ],
)
def test_bad_period_is_a_clear_400(client_in, tree, query, message):
    for name in ("reports:dashboard", "reports:progress-pdf", "reports:progress-xlsx"):
        response = client_in.get(reverse(name, args=[tree.district.pk]) + "?" + query)
        assert response.status_code == 400
        assert message in response.content.decode()


def test_quarterly_report_pdf_text(client_in, tree):
    response = client_in.get(reverse("reports:progress-pdf", args=[tree.district.pk]) + "?" + PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "bao-cao-tien-do-T-D-2025-Q2.pdf" in response["Content-Disposition"]
    text = "\n".join(pdf_text(response.content))
    flat = " ".join(text.split())
    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG BỘ TỈNH THỬ NGHIỆM",
        "HUYỆN ỦY SÔNG CẦU",
        "BÁO CÁO TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU KẾT NẠP ĐẢNG VIÊN — QUÝ II NĂM 2025",
        "Tên đảng bộ, chi bộ",
        "Chỉ tiêu năm",
        "Lũy kế",
        "Số liệu tính đến hết ngày 30/06/2025; chỉ tiêu theo Kế hoạch số 72-KH/HU ngày 11/02/2025",
        "Nơi nhận:",
        "T/M BAN THƯỜNG VỤ",
    ):
        assert expected in flat, expected
    # Rows in order with their figures: Một 10 5 2 4 40,0 80,0 … Tổng cộng 22 11 3 7 31,8 63,6.
    assert re.search(r"1 Một 10 5 2 4 40,0 80,0", flat)
    assert re.search(r"3 Ba 4 2\* 1 3 75,0 150,0", flat)
    assert re.search(r"Cộng 20 10\* 3 7 35,0 70,0", flat)
    assert re.search(r"Tổng cộng 22 11\* 3 7 31,8 63,6", flat)
    assert "tiến độ đều" in flat  # the footnote for the estimated figure


def test_quarterly_report_xlsx_has_the_same_numbers_and_formulas(client_in, tree):
    response = client_in.get(reverse("reports:progress-xlsx", args=[tree.district.pk]) + "?" + PERIOD)
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {sheet.cell(r, 2).value.strip(): r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 2).value}
    values = evaluate(sheet)
    expected = {
        "Một": (10, 5, 2, 4, 40.0, 80.0),
        "Hai": (6, 3, 0, 0, 0.0, 0.0),
        "Ba": (4, 2, 1, 3, 75.0, 150.0),
        "Tổng cộng": (22, 11, 3, 7, 31.8, 63.6),
    }
    for label, figures in expected.items():
        assert tuple(values[(rows[label], c)] for c in range(3, 9)) == figures, label
    total = rows["Tổng cộng"]
    assert sheet.cell(total, 3).value.startswith("=IF(COUNT(")  # a formula, not a copied number
    assert sheet.cell(total, 7).value.startswith("=IF(AND(ISNUMBER(C")
    assert sheet.cell(rows["Một"], 3).value == 10  # organization rows are plain values
    assert sheet.page_setup.orientation == "landscape"
    assert any("QUÝ II NĂM 2025" in str(c.value) for c in sheet["A"] + sheet["B"] + sheet["E"] if c.value)


def evaluate(sheet) -> dict[tuple[int, int], object]:
    """Evaluate the few formula shapes the exporter writes (SUM/COUNT over cells, percentages)."""
    cache: dict[tuple[int, int], object] = {}

    def cells(refs: str) -> list:
        out = []
        for part in refs.split(","):
            if ":" in part:
                start, end = part.split(":")
                col = start[0]
                out += [value(f"{col}{r}") for r in range(int(start[1:]), int(end[1:]) + 1)]
            else:
                out.append(value(part))
        return [v for v in out if isinstance(v, (int, float))]

    def value(ref: str):
        col, row = ord(ref[0]) - 64, int(ref[1:])
        if (row, col) in cache:
            return cache[(row, col)]
        raw = sheet.cell(row, col).value
        result = raw
        if isinstance(raw, str) and raw.startswith("="):
            if m := re.fullmatch(r'=IF\(COUNT\((.+)\)=0,"—",SUM\(\1\)\)', raw):
                numbers = cells(m.group(1))
                result = sum(numbers) if numbers else "—"
            elif m := re.fullmatch(r"=SUM\((.+)\)", raw):
                result = sum(cells(m.group(1)))
            elif m := re.fullmatch(r'=IF\(AND\(ISNUMBER\((\w+)\),\w+>0\),ROUND\((\w+)/\w+\*100,1\),"—"\)', raw):
                base, part = value(m.group(1)), value(m.group(2))
                result = round(part / base * 100 + 1e-9, 1) if isinstance(base, (int, float)) and base > 0 else "—"
            else:
                raise AssertionError(f"unexpected formula {raw}")
        cache[(row, col)] = result
        return result

    return {(r, c): value(f"{chr(64 + c)}{r}") for r in range(1, sheet.max_row + 1) for c in range(3, 9)}


def test_large_report_runs_in_the_background(client_in, tree, staff, monkeypatch):
    monkeypatch.setattr(views, "SYNC_MAX_ROWS", 3)
    url = reverse("reports:progress-pdf", args=[tree.district.pk]) + "?" + PERIOD + "&detail=1"
    page = client_in.get(url)
    assert page.status_code == 200 and "lập trong nền" in page.content.decode()
    assert not ReportJob.objects.exists()  # looking changes nothing
    response = client_in.post(
        reverse("reports:progress-pdf", args=[tree.district.pk]), {"year": 2025, "quarter": 2, "detail": 1}
    )
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:job", args=[job.pk])
    assert (job.status, job.detail, job.requested_by, job.format) == ("queued", True, staff, "pdf")
    # Asking again while it waits reuses the same job.
    client_in.post(reverse("reports:progress-pdf", args=[tree.district.pk]), {"year": 2025, "quarter": 2, "detail": 1})
    assert ReportJob.objects.count() == 1

    waiting = client_in.get(reverse("reports:job-status", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in waiting and "<progress" in waiting and "style=" not in waiting

    call_command("report_worker", "--once")
    job.refresh_from_db()
    assert (job.status, job.progress, job.row_count) == ("done", 100, 12)
    done = client_in.get(reverse("reports:job-status", args=[job.pk])).content.decode()
    assert "hx-trigger" not in done  # polling stops
    assert reverse("reports:job-download", args=[job.pk]) in done
    download = client_in.get(reverse("reports:job-download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(pdf_text(download.content)).split())
    assert "1.1 Chi bộ thôn A 6 3 2 3 50,0 100,0" in text


def test_background_xlsx_and_a_failing_job(client_in, tree, monkeypatch):
    monkeypatch.setattr(views, "SYNC_MAX_ROWS", 0)
    client_in.post(reverse("reports:progress-xlsx", args=[tree.district.pk]), {"year": 2025, "quarter": 2})
    job = ReportJob.objects.get()
    assert client_in.get(reverse("reports:job-download", args=[job.pk])).status_code == 302  # not ready yet

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("reports.exporters.progress_xlsx", broken)
    call_command("report_worker", "--once")
    job.refresh_from_db()
    assert job.status == "failed" and "disk full" in job.error
    assert "Không lập được báo cáo" in client_in.get(reverse("reports:job", args=[job.pk])).content.decode()


def test_jobs_of_organizations_outside_the_scope_are_404(client, tree, db):
    outsider = grant(UserFactory(username="ngoai"), tree.x2, Role.STAFF)
    job = ReportJob.objects.create(organization=tree.x1, year=2025, quarter=2, format="pdf")
    client.force_login(outsider)
    for name in ("reports:job", "reports:job-status", "reports:job-download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    response = client.post(reverse("reports:progress-pdf", args=[tree.x1.pk]), {"year": 2025, "quarter": 2})
    assert response.status_code == 404
    assert ReportJob.objects.count() == 1


def test_header_names_the_plan_by_number_or_by_title(tree):
    import datetime

    from reports.selectors import progress_header

    header = progress_header(organization=tree.district, year=2025, quarter=2, today=datetime.date(2025, 7, 3))
    assert header.attached_to == (
        "(Số liệu tính đến hết ngày 30/06/2025; chỉ tiêu theo Kế hoạch số 72-KH/HU ngày 11/02/2025 của Ban Thường vụ)"
    )
    assert header.superior_body == "ĐẢNG BỘ TỈNH THỬ NGHIỆM" and header.date_line.endswith("ngày 03 tháng 07 năm 2025")
    plan(tree.x2, "Kế hoạch bổ sung năm 2025", {tree.x2a: 3}, issued_on="2025-03-01")
    header = progress_header(organization=tree.x2, year=2025, quarter=2)
    assert "chỉ tiêu theo Kế hoạch bổ sung năm 2025 ngày 01/03/2025" in header.attached_to
    assert "Kế hoạch số Kế hoạch" not in header.attached_to


def test_recipients_come_from_the_plan_when_it_has_them(tree, client_in):
    """72-KH/HU records its own "Nơi nhận" (one a line, leading dashes dropped): the quarterly report
    prints them; a plan without recipients (Hai's) keeps the default list."""
    from reports.selectors import progress_header

    tree.plan_d.recipients = "- Ban Thường vụ Tỉnh ủy (báo cáo)\n- Ban Tổ chức Tỉnh ủy\n\n- Các đảng bộ cơ sở\n- Lưu VP"
    tree.plan_d.save()
    header = progress_header(organization=tree.district, year=2025, quarter=2)
    assert header.recipients == (
        "Ban Thường vụ Tỉnh ủy (báo cáo)",
        "Ban Tổ chức Tỉnh ủy",
        "Các đảng bộ cơ sở",
        "Lưu VP",
    )
    text = " ".join(
        pdf_text(client_in.get(reverse("reports:progress-pdf", args=[tree.district.pk]) + "?" + PERIOD).content)
    )
    assert "Ban Tổ chức Tỉnh ủy" in text and "Các tổ chức đảng trực thuộc" not in text
    plan(tree.x2, "6-KH/ĐU", {tree.x2a: 3}, issued_on="2025-03-01")
    header = progress_header(organization=tree.x2, year=2025, quarter=2)
    assert header.recipients == ("Huyện ủy Sông Cầu (báo cáo)", "Các tổ chức đảng trực thuộc", "Lưu Văn phòng")


def test_dashboard_without_a_period_shows_the_current_year_and_quarter(client_in, tree):
    year, quarter = current_period()
    response = client_in.get(reverse("reports:dashboard", args=[tree.district.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    roman = ["I", "II", "III", "IV"][quarter - 1]
    assert f"Quý {roman} năm {year}" in html
    assert f"{reverse('reports:progress-pdf', args=[tree.district.pk])}?year={year}&amp;quarter={quarter}" in html
    assert response.context["report"].year == year and response.context["report"].quarter == quarter
