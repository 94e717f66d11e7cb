"""Official party documents (Quy định 66-QĐ/TW, Hướng dẫn 36-HD/VPTW): the shared layout of every
PDF and .xlsx biểu — header block, title, signature, "Nơi nhận", Vietnamese numbers and dates.

PDFs are template → HTML → WeasyPrint with local fonts (Liberation Serif, metric-compatible with
Times New Roman) and a URL fetcher that never leaves the machine.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import mimetypes
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import wraps
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import caches
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from partytrack.spreadsheets import put

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROMAN_QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}
# Body text face. "Liberation Serif" 2.x (Debian's fonts-liberation2) has every Vietnamese letter; 1.x
# (fonts-liberation) does not, and Pango would draw ộ, ướ... in another face (tests/test_documents.py).
SERIF = '"Times New Roman", "Liberation Serif", "Tinos", serif'
XLSX_FONT = "Times New Roman"
PDF_CACHE_MAX_BYTES = 1024 * 1024


def in_official_language(func):
    """Official documents are Vietnamese whatever language the interface is in: labels built by
    selectors ("Cộng", group names, statuses) and templates are rendered in settings.LANGUAGE_CODE."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class OfficialHeader:
    """What the top and bottom of an official document say."""

    issuing_body: str  # "HUYỆN ỦY LỤC NGẠN", printed in bold capitals top left
    title: str  # "BIỂU TỔNG HỢP", "BÁO CÁO", "KẾ HOẠCH"
    subject: str = ""  # "Giao chỉ tiêu kết nạp đảng viên năm 2022"
    superior_body: str = ""  # "ĐẢNG BỘ TỈNH BẮC GIANG", above the issuing body
    number: str = ""  # "72-KH/HU", printed "Số 72-KH/HU"
    place: str = ""  # "Lục Ngạn"
    issued_on: datetime.date | None = None
    attached_to: str = ""  # "(kèm theo Kế hoạch số 72-KH/HU ngày 11/02/2022 của Ban Thường vụ Huyện uỷ)"
    signer_on_behalf: str = "T/M BAN THƯỜNG VỤ"
    signer_title: str = ""  # "BÍ THƯ", "PHÓ BÍ THƯ"
    signer_name: str = ""
    recipients: tuple[str, ...] = field(default_factory=tuple)

    @property
    def date_line(self) -> str:
        return vietnamese_date_line(self.place, self.issued_on) if self.issued_on else ""

    @property
    def number_line(self) -> str:
        return f"Số {self.number}" if self.number else "Số       "


# Committee name prefixes and the territory word a superior body is named with.
_TERRITORY_OF_COMMITTEE = [
    ("tỉnh ủy ", "tỉnh "),
    ("tỉnh uỷ ", "tỉnh "),
    ("thành ủy ", "thành phố "),
    ("thành uỷ ", "thành phố "),
    ("huyện ủy ", "huyện "),
    ("huyện uỷ ", "huyện "),
    ("thị ủy ", "thị xã "),
    ("thị uỷ ", "thị xã "),
    ("quận ủy ", "quận "),
    ("quận uỷ ", "quận "),
    ("đảng ủy ", ""),
    ("đảng uỷ ", ""),
    ("đảng bộ ", ""),
]


def party_committee_of(name: str) -> str:
    """ "Tỉnh ủy Bắc Giang" -> "ĐẢNG BỘ TỈNH BẮC GIANG": how a document names its superior body."""
    lowered = name.lower()
    for prefix, territory in _TERRITORY_OF_COMMITTEE:
        if lowered.startswith(prefix):
            return f"ĐẢNG BỘ {territory}{name[len(prefix) :]}".upper()
    return name.upper()


def header_bodies(name: str, parent_name: str) -> tuple[str, str]:
    """(superior body, issuing body) for a document issued by the organization `name` under `parent_name`
    ("" at the top), both as named on the document's date."""
    superior = party_committee_of(parent_name) if parent_name else ""
    return superior, name.upper()


def vietnamese_date_line(place: str, day: datetime.date) -> str:
    """ "Lục Ngạn, ngày 11 tháng 02 năm 2022"."""
    text = f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"
    return f"{place}, {text}" if place else text.capitalize()


def vietnamese_date(day: datetime.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def roman_quarter(quarter: int) -> str:
    return ROMAN_QUARTERS[quarter]


def format_number(value, decimals: int = 0) -> str:
    """Vietnamese figures: 1.234 and 16,7; None (no quota, no data) is "—"."""
    if value is None:
        return "—"
    number = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{number:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_percent(value, decimals: int = 1) -> str:
    """16,0 % style; None is "—"."""
    return "—" if value is None else f"{format_number(value, decimals)}%"


def local_url_fetcher(url: str, timeout: int = 10, ssl_context=None):
    """Serve static files from disk; refuse every other URL (closed networks, no outside calls)."""
    from weasyprint.urls import URLFetchingError

    if url.startswith("static:"):
        path = finders.find(url.removeprefix("static:"))
        if path:
            data = Path(path).read_bytes()
            return {"string": data, "mime_type": mimetypes.guess_type(path)[0], "redirected_url": url}
    raise URLFetchingError(f"refused to fetch {url!r}: documents only use local files")


def html_to_pdf(html: str) -> bytes:
    """The PDF of `html`. Laying out a biểu costs WeasyPrint 0.5–2 s of CPU while the HTML costs
    milliseconds, and the same report is printed again and again (each leader, each staff member,
    every reprint): PDFs are kept in the "documents" cache under a digest of their HTML, so an
    unchanged document is laid out once and any change to its figures or text makes a new one."""
    from weasyprint import HTML

    cache = caches["documents"]
    key = "pdf:" + hashlib.sha256(html.encode()).hexdigest()
    content = cache.get(key)
    if content is None:
        content = HTML(string=html, base_url="static:", url_fetcher=local_url_fetcher).write_pdf()
        if len(content) <= PDF_CACHE_MAX_BYTES:  # a whole province's report is a file, not a cache entry
            cache.set(key, content)
    return content


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a template extending documents/official.html to PDF bytes."""
    return html_to_pdf(render_to_string(template_name, {"serif": SERIF, **context}))


def _attachment(filename: str, inline: bool) -> str:
    disposition = "inline" if inline else "attachment"
    ascii_name = filename.encode("ascii", "ignore").decode() or "document"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = _attachment(filename, inline)
    return response


def xlsx_response(workbook, filename: str) -> HttpResponse:
    """A download of an openpyxl workbook, or of a workbook's bytes."""
    if isinstance(workbook, bytes):
        content = workbook
    else:
        buffer = io.BytesIO()
        workbook.save(buffer)
        content = buffer.getvalue()
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(filename, inline=False)
    return response


# ---------------------------------------------------------------------------------------------- xlsx


def xlsx_setup_sheet(sheet, *, landscape: bool = True, repeat_rows: str | None = None) -> None:
    """A4, official margins (top/bottom 20 mm, left 30 mm, right 15 mm), fit to one page wide."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    mm = 1 / 25.4
    sheet.page_margins.top = sheet.page_margins.bottom = 20 * mm
    sheet.page_margins.left = 30 * mm
    sheet.page_margins.right = 15 * mm
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "&P"  # page number
    sheet.differentFirst = True  # none on page 1, as in the paper documents
    if repeat_rows:
        sheet.print_title_rows = repeat_rows


def xlsx_font(*, bold: bool = False, italic: bool = False, underline: bool = False, size: int = 13):
    from openpyxl.styles import Font

    return Font(name=XLSX_FONT, bold=bold, italic=italic, underline="single" if underline else None, size=size)


def _merged_line(sheet, row: int, first_col: int, last_col: int, text: str, font) -> None:
    from openpyxl.styles import Alignment

    cell = put(sheet, row, first_col, text)
    cell.font = font
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if last_col > first_col:
        sheet.merge_cells(start_row=row, start_column=first_col, end_row=row, end_column=last_col)


def xlsx_write_header(sheet, header: OfficialHeader, *, columns: int, row: int = 1) -> int:
    """Write the header block, title, subject and attached-to line across `columns` columns;
    return the first free row below it."""
    split = max(1, columns // 2)
    left = [
        (header.superior_body, xlsx_font()),
        (header.issuing_body, xlsx_font(bold=True)),
        ("*", xlsx_font()),
        (header.number_line, xlsx_font()),
    ]
    right = [
        ("ĐẢNG CỘNG SẢN VIỆT NAM", xlsx_font(bold=True, underline=True)),
        (header.date_line, xlsx_font(italic=True)),
    ]
    for offset, (text, font) in enumerate(left):
        if text:
            _merged_line(sheet, row + offset, 1, split, text, font)
    for offset, (text, font) in enumerate(right):
        if text:
            _merged_line(sheet, row + offset, split + 1, columns, text, font)
    row += len(left) + 1
    _merged_line(sheet, row, 1, columns, header.title, xlsx_font(bold=True, size=14))
    row += 1
    if header.subject:
        _merged_line(sheet, row, 1, columns, header.subject, xlsx_font(bold=True))
        row += 1
    if header.attached_to:
        _merged_line(sheet, row, 1, columns, header.attached_to, xlsx_font(italic=True))
        row += 1
    return row + 1


def xlsx_write_signature(sheet, header: OfficialHeader, *, columns: int, row: int) -> int:
    """ "Nơi nhận:" on the left, the signature block on the right; return the next free row."""
    from openpyxl.styles import Alignment

    split = max(1, columns // 2)
    row += 1
    start = row
    if header.recipients:
        cell = put(sheet, row, 1, "Nơi nhận:")
        cell.font = xlsx_font(bold=True, italic=True, underline=True, size=12)
        for offset, recipient in enumerate(header.recipients, start=1):
            line = put(sheet, row + offset, 1, f"- {recipient}")
            line.font = xlsx_font(size=11)
            line.alignment = Alignment(horizontal="left")
    lines = [header.signer_on_behalf, header.signer_title, "", "", "", header.signer_name]
    for offset, text in enumerate(lines):
        if text:
            _merged_line(sheet, start + offset, split + 1, columns, text, xlsx_font(bold=True))
    return start + max(len(lines), len(header.recipients) + 1) + 1
