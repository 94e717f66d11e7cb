"""The shared official-document layout: Vietnamese text survives into the PDF, nothing is fetched."""

import datetime
import io

import pytest
from django.template import Context, Template
from openpyxl import Workbook
from pypdf import PdfReader

from partytrack import documents
from partytrack.documents import OfficialHeader

HEADER = OfficialHeader(
    superior_body=documents.party_committee_of("Tỉnh ủy Bắc Giang"),
    issuing_body="HUYỆN ỦY LỤC NGẠN",
    number="72-KH/HU",
    place="Lục Ngạn",
    issued_on=datetime.date(2022, 2, 11),
    title="BIỂU TỔNG HỢP",
    subject="Giao chỉ tiêu kết nạp đảng viên năm 2022",
    attached_to="(kèm theo Kế hoạch số 72-KH/HU ngày 11/02/2022 của Ban Thường vụ Huyện uỷ)",
    signer_title="PHÓ BÍ THƯ",
    signer_name="Cao Văn Hoàn",
    recipients=("BTC Tỉnh uỷ (B/c)", "Lưu: Văn phòng Huyện ủy"),
)


def test_vietnamese_formats():
    assert (
        documents.vietnamese_date_line("Lục Ngạn", datetime.date(2022, 2, 11)) == "Lục Ngạn, ngày 11 tháng 02 năm 2022"
    )
    assert documents.format_number(1234567) == "1.234.567"
    assert documents.format_number(16.666, 1) == "16,7"
    assert documents.format_percent(None) == "—"
    assert documents.format_percent(60) == "60,0%"
    assert [documents.roman_quarter(q) for q in (1, 2, 3, 4)] == ["I", "II", "III", "IV"]
    assert documents.party_committee_of("Huyện ủy Lục Ngạn") == "ĐẢNG BỘ HUYỆN LỤC NGẠN"
    assert documents.party_committee_of("Đảng ủy xã Hàm Liêm") == "ĐẢNG BỘ XÃ HÀM LIÊM"


def test_official_pdf_keeps_vietnamese_text_and_layout_lines():
    template = Template(
        '{% extends "documents/official.html" %}{% block body %}'
        '<table class="data"><tr><td>Phượng Sơn</td><td class="num">6</td></tr></table>{% endblock %}'
    )
    html = template.render(Context({"header": HEADER, "serif": documents.SERIF}))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(documents.html_to_pdf(html))).pages)
    for expected in (
        "ĐẢNG BỘ TỈNH BẮC GIANG",
        "HUYỆN ỦY LỤC NGẠN",
        "Số 72-KH/HU",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Lục Ngạn, ngày 11 tháng 02 năm 2022",
        "BIỂU TỔNG HỢP",
        "Phượng Sơn",
        "PHÓ BÍ THƯ",
        "Cao Văn Hoàn",
        "Nơi nhận:",
    ):
        assert expected in text


def pdf_font_names(content: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_every_vietnamese_letter_is_printed_in_the_serif_face():
    """No glyph falls back to another face: Liberation Serif 1.x lacks ộ, ướ… and Pango then draws
    them in DejaVu, a visibly different font in the middle of words."""
    template = Template(
        '{% extends "documents/official.html" %}{% block body %}'
        "<p>Đảng bộ xã Phượng Sơn, Hồng Giang; Trường THPT Lục Ngạn số 1; ỷ ỹ ự ữ ẫ ậ ằ ẳ ẵ ặ ễ ệ ỗ ộ ờ ở ỡ ợ</p>"
        "<p><b>ĐẢNG CỘNG SẢN VIỆT NAM</b> <i>ngày 11 tháng 02 năm 2022</i></p>{% endblock %}"
    )
    html = template.render(Context({"header": HEADER, "serif": documents.SERIF}))
    names = pdf_font_names(documents.html_to_pdf(html))
    assert names and all(name.replace("-", "").startswith("LiberationSerif") for name in names), names


def test_pdf_refuses_outside_urls():
    from weasyprint.urls import URLFetchingError

    with pytest.raises(URLFetchingError):
        documents.local_url_fetcher("http://example.com/font.woff")
    with pytest.raises(URLFetchingError):
        documents.local_url_fetcher("file:///etc/passwd")


def test_xlsx_header_and_signature_blocks():
    sheet = Workbook().active
    documents.xlsx_setup_sheet(sheet)
    row = documents.xlsx_write_header(sheet, HEADER, columns=6)
    end = documents.xlsx_write_signature(sheet, HEADER, columns=6, row=row)
    values = [cell.value for line in sheet.iter_rows() for cell in line if cell.value]
    assert "HUYỆN ỦY LỤC NGẠN" in values and "BIỂU TỔNG HỢP" in values and "Cao Văn Hoàn" in values
    assert "Lục Ngạn, ngày 11 tháng 02 năm 2022" in values
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4
    assert end > row


def test_an_unchanged_document_is_laid_out_once(monkeypatch):
    """The PDF of the same HTML comes from the documents cache; any change in the HTML (a figure, a
    name) is a new layout."""
    import weasyprint

    layouts = []
    real = weasyprint.HTML.write_pdf

    def counting(self, *args, **kwargs):
        layouts.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", counting)
    template = Template(
        '{% extends "documents/official.html" %}{% block body %}<p>Phượng Sơn {{ n }}</p>{% endblock %}'
    )
    first = documents.html_to_pdf(template.render(Context({"header": HEADER, "serif": documents.SERIF, "n": 6})))
    again = documents.html_to_pdf(template.render(Context({"header": HEADER, "serif": documents.SERIF, "n": 6})))
    assert first == again and len(layouts) == 1
    other = documents.html_to_pdf(template.render(Context({"header": HEADER, "serif": documents.SERIF, "n": 7})))
    assert "Phượng Sơn 7" in PdfReader(io.BytesIO(other)).pages[0].extract_text() and len(layouts) == 2


def _page_lines(html: str) -> list[list[str]]:
    reader = PdfReader(io.BytesIO(documents.html_to_pdf(html)))
    return [[line.strip() for line in page.extract_text().splitlines() if line.strip()] for page in reader.pages]


@pytest.mark.parametrize("space_mm", range(0, 40, 4))
def test_group_heading_and_total_rows_are_never_alone_on_a_page(space_mm):
    """Whatever the height above the table, no page ends with a group heading and none starts with a
    "Cộng" or "Tổng cộng" row cut off from its group (the page number and repeated header apart)."""
    rows = []
    for group in range(1, 6):
        rows.append(f'<tr class="group"><td></td><td>Nhóm {group}</td><td></td></tr>')
        rows += [f'<tr><td class="tt">{n}</td><td>Chi bộ số {n}</td><td class="num">5</td></tr>' for n in range(1, 8)]
        rows.append('<tr class="subtotal"><td></td><td>Cộng</td><td class="num">35</td></tr>')
    rows.append('<tr class="total"><td></td><td>Tổng cộng</td><td class="num">175</td></tr>')
    template = Template(
        '{% extends "documents/official.html" %}{% block body %}'
        f'<div style="height: {space_mm}mm"></div>'
        '<table class="data"><thead><tr><th>TT</th><th>Tên</th><th>Số</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{{% endblock %}}{{% block signature %}}{{% endblock %}}"
    )
    pages = _page_lines(template.render(Context({"header": HEADER, "serif": documents.SERIF})))
    assert len(pages) >= 2  # the table does cross a page
    for number, lines in enumerate(pages, start=1):
        assert not lines[-1].startswith("Nhóm"), f"page {number} ends with a group heading"
        body = [line for line in lines if line not in {str(number), "TT Tên Số"}]
        assert not body[0].startswith(("Cộng", "Tổng cộng")), f"page {number} starts with a total row"
