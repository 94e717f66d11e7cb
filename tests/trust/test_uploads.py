"""Bad input, nothing written: both .xlsx importers (quota biểu, admissions) get random and hostile
files and answer each with a clear Vietnamese message, within bounded memory, writing nothing. The
hostile ones are refused by partytrack.uploads before openpyxl is reached."""

from __future__ import annotations

import datetime
import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candidates.importers import parse_admissions_xlsx
from partytrack import uploads
from quotas import importers as quota_importers
from tests.quotas.conftest import seed_000_workbook

from .conftest import HEADER, deflate, raw_zip, rezip, state, xlsx, xlsx_parts, zeros_deflated

# deadline=None: no test here is timed (a shared machine makes times meaningless); that the guard's work
# is bounded is shown by counting the bytes it inflates (test_hostile_files_are_refused_after_bounded_work).
HYPOTHESIS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
COMMUNES = ["Biên Sơn", "Biển Động", "Cấm Sơn", "Chũ", "Đồng Cốc"]


# ----------------------------------------------------------------------------------- hostile files


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A valid .xlsx whose sheet expands to 2 GB of zeros: about 2 MB on disk (ratio 1,000:1)."""
    parts = xlsx_parts()
    members = [(name, deflate(data), __import__("zlib").crc32(data), len(data)) for name, data in parts.items()]
    stream, crc = zeros_deflated(2048)
    members = [m for m in members if m[0] != "xl/worksheets/sheet1.xml"]
    members.append(("xl/worksheets/sheet1.xml", stream, crc, 2048 * 1024 * 1024))
    data = raw_zip(members)
    assert len(data) < 5 * 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sum(info.file_size for info in archive.infolist()) > 2 * 1024**3
    return data


@pytest.fixture(scope="module")
def many_small_parts() -> bytes:
    """60 members of exactly 1 MB of zeros each: no single ratio checked, 60 MB in all."""
    parts = xlsx_parts()
    members = [(name, deflate(data), __import__("zlib").crc32(data), len(data)) for name, data in parts.items()]
    stream, crc = zeros_deflated(1)
    members += [(f"xl/media/image{i}.bin", stream, crc, 1024 * 1024) for i in range(60)]
    return raw_zip(members)


@pytest.fixture(scope="module")
def lying_directory() -> bytes:
    """The directory says the sheet is 1,000 bytes; its data inflates to 2 GB of zeros."""
    parts = xlsx_parts()
    members = [(name, deflate(data), __import__("zlib").crc32(data), len(data)) for name, data in parts.items()]
    stream, _crc = zeros_deflated(2048)
    members = [m for m in members if m[0] != "xl/worksheets/sheet1.xml"]
    members.append(("xl/worksheets/sheet1.xml", stream, 0, 1000))
    return raw_zip(members)


@pytest.fixture(scope="module")
def hundred_thousand_rows() -> bytes:
    """A workbook with 100,000 admissions rows under the right header and its true <dimension>, as Excel
    writes it (the sheet XML is written directly: openpyxl would take ten seconds to write it)."""
    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{label}</t></is></c>' for i, label in enumerate(HEADER)
    )
    rows = [f'<row r="1">{header}</row>']
    for line in range(2, 100_002):
        rows.append(
            f'<row r="{line}"><c r="A{line}"><v>{line - 1}</v></c><c r="B{line}" t="inlineStr"><is><t>A1C</t></is></c>'
            f'<c r="C{line}" t="inlineStr"><is><t>Nguyễn Văn A</t></is></c><c r="D{line}" t="inlineStr"><is><t>Nam</t>'
            f'</is></c><c r="E{line}"><v>36526</v></c><c r="F{line}" t="inlineStr"><is><t>1-QĐ/HU</t></is></c>'
            f'<c r="G{line}"><v>44606</v></c></row>'
        )
    sheet_xml = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:G100001"/><sheetData>' + "".join(rows) + "</sheetData></worksheet>"
    ).encode()
    parts = xlsx_parts(sheet_xml)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def without_dimension(data: bytes) -> bytes:
    """The same workbook with a <dimension> that lies ("A1:C10"): the rows are caught while reading."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    start = sheet.find(b"<dimension")
    end = sheet.find(b"/>", start) + 2
    sheet = sheet[:start] + b'<dimension ref="A1:C10"/>' + sheet[end:]
    return rezip(data, {"xl/worksheets/sheet1.xml": sheet})


def not_xlsx_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "xin chào")
    return buffer.getvalue()


def docx_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def entity_bomb() -> bytes:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b"<row r='1'><c r='A1' t='inlineStr'><is><t>&lol2;</t></is></c></row></sheetData></worksheet>"
    )
    return rezip(xlsx([["TT"]]), {"xl/worksheets/sheet1.xml": laughs})


def hidden_first_sheet() -> bytes:
    def hide(book):
        book.create_sheet("Số liệu")
        book.active.sheet_state = "hidden"
        book.active = 1

    return xlsx([["TT", "Tên"]], sheet=hide)


def too_wide() -> bytes:
    return xlsx([["x"] * 250])


HOSTILE = {
    "empty": (lambda: b"", "Tệp rỗng"),
    "random bytes": (lambda: bytes(range(256)) * 40, "Nội dung không phải là bảng tính"),
    "pdf": (lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "Đây là tệp PDF"),
    "csv": (lambda: "TT;Tên;Tổng số\n1;Biên Sơn;5\n".encode(), "CSV"),
    "old xls": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, ".xls"),
    "zip without xlsx parts": (not_xlsx_zip, "[Content_Types].xml"),
    "word document": (docx_zip, "Word"),
    "truncated xlsx": (lambda: xlsx([["TT", "Tên"]])[:-200], "Tệp nén bị hỏng"),
    "entity expansion": (entity_bomb, "DTD"),
    "hidden first sheet": (hidden_first_sheet, "Trang tính đầu tiên “Sheet” đang bị ẩn"),
    "250 columns": (too_wide, "vượt giới hạn 200 cột"),
    "over 5 MB": (lambda: b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024), "vượt giới hạn 5"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_guard_names_what_is_wrong(kind):
    make, expected = HOSTILE[kind]
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_xlsx(make())
    assert expected in refused.value.message


def test_zip_bomb_is_refused_from_the_directory(bomb, many_small_parts):
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_xlsx(bomb)
    assert "xl/worksheets/sheet1.xml" in refused.value.message and "tệp nén độc hại" in refused.value.message
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_xlsx(many_small_parts)
    assert "giải nén ra 60" in refused.value.message and "vượt giới hạn 50" in refused.value.message


def test_lying_directory_stops_at_the_declared_size(lying_directory):
    """zipfile never inflates past the declared size, so the lie costs 1,000 bytes and is refused."""
    tracemalloc.start()
    try:
        with pytest.raises(uploads.UploadRefused) as refused:
            uploads.check_xlsx(lying_directory)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "xl/worksheets/sheet1.xml" in refused.value.message
    assert peak < 10 * 1024 * 1024


def test_rows_are_counted_from_the_dimension_and_while_reading(hundred_thousand_rows):
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_xlsx(hundred_thousand_rows)
    assert "dòng 100001" in refused.value.message.replace(".", "").replace(",", "")
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_xlsx(without_dimension(hundred_thousand_rows))
    assert "dòng 5001" in refused.value.message.replace(".", "").replace(",", "")


def test_a_legitimate_workbook_passes_and_is_described():
    data = seed_000_workbook([[("Biên Sơn", 5, 1, 2, 2, 0)]])
    summary = uploads.check_xlsx(data)
    assert summary.sheets[0].rows == 6 and summary.sheets[0].merged == 1 and not summary.sheets[0].hidden


# ------------------------------------------------------------------- both importers, nothing written


def quota_upload(client, seeded, data: bytes):
    client.force_login(seeded.staff)
    url = reverse("quotas:import", kwargs={"pk": seeded.luc_ngan.pk, "year": 2022})
    return client.post(url, {"file": SimpleUploadedFile("bieu.xlsx", data)})


def admission_upload(client, data: bytes):
    return client.post(reverse("candidates:admission_import"), {"file": SimpleUploadedFile("ket-nap.xlsx", data)})


@pytest.mark.parametrize("kind", [k for k in HOSTILE if k != "over 5 MB"])
def test_hostile_files_are_refused_by_both_importers_before_openpyxl(kind, seeded, client, no_openpyxl):
    make, expected = HOSTILE[kind]
    data = make()
    before = state()
    problems = quota_importers.read_workbook(data).problems
    assert len(problems) == 1 and expected in str(problems[0])
    errors = parse_admissions_xlsx(data, user=seeded.staff).errors
    assert len(errors) == 1 and expected in errors[0]
    response = quota_upload(client, seeded, data)
    assert "payload" not in response.context
    if data:  # an empty file is refused by the form already
        assert response.status_code == 400 and expected in response.content.decode()
    else:
        assert response.context["form"].errors["file"]
    response = admission_upload(client, data)
    assert response.status_code == 200 and "token" not in response.context
    assert response.context.get("errors") or response.context["form"].errors
    assert state() == before


def test_upload_over_5_mb_is_refused_by_both_forms(seeded, client, no_openpyxl):
    big = b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024)
    before = state()
    response = quota_upload(client, seeded, big)
    assert "vượt giới hạn 5" in response.context["form"].errors["file"][0]
    response = admission_upload(client, big)
    assert "vượt giới hạn 5" in response.context["form"].errors["file"][0]
    assert state() == before


@pytest.mark.parametrize("which", ["bomb", "lying_directory", "hundred_thousand_rows", "many_small_parts"])
def test_bombs_and_huge_files_cost_little_memory(which, request, seeded, no_openpyxl):
    """Peak memory (tracemalloc) of both importers on a 2 GB bomb and on 100,000 rows stays small."""
    data = request.getfixturevalue(which)
    before = state()
    tracemalloc.start()
    try:
        problems = quota_importers.read_workbook(data).problems
        errors = parse_admissions_xlsx(data, user=seeded.staff).errors
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(problems) == 1 and len(errors) == 1
    assert peak < 100 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    print(f"{which}: {len(data) / 1e6:.1f} MB file, peak {peak / 1e6:.2f} MB")
    assert state() == before


# ------------------------------------------------------------------- bounded work, not timed


class CountingMember:
    """A member opened from the zip, counting what is read out of it (decompressed bytes)."""

    def __init__(self, stream, name: str, counter: dict):
        self._stream, self._name, self._counter = stream, name, counter

    def _count(self, data, requested=None):
        self._counter["bytes"] += len(data)
        self._counter["by_member"][self._name] = self._counter["by_member"].get(self._name, 0) + len(data)
        if requested is not None and requested > 0:
            self._counter["chunk"] = max(self._counter["chunk"], requested)
        return data

    def read(self, n=-1):
        return self._count(self._stream.read(n), n)

    def read1(self, n=-1):
        return self._count(self._stream.read1(n), n)

    def readline(self, limit=-1):
        return self._count(self._stream.readline(limit), limit)

    def __iter__(self):
        return iter(self.readline, b"")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._stream.close()

    def __getattr__(self, name):
        return getattr(self._stream, name)


@pytest.fixture
def decompressed(monkeypatch) -> dict:
    """Counts every byte the guard (or anything else) reads out of a zip member: ZipFile.open is
    wrapped (ZipFile.read goes through it too). `chunk` is the largest single read asked for."""
    counter = {"bytes": 0, "by_member": {}, "chunk": 0}
    original = zipfile.ZipFile.open

    def counting_open(self, name, mode="r", *args, **kwargs):
        stream = original(self, name, mode, *args, **kwargs)
        if mode != "r":
            return stream
        member = name.filename if isinstance(name, zipfile.ZipInfo) else name
        return CountingMember(stream, member, counter)

    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    return counter


def too_many_members() -> bytes:
    """1,001 tiny members: more parts than any workbook has (max_members)."""
    parts = xlsx_parts()
    members = [(name, deflate(data), __import__("zlib").crc32(data), len(data)) for name, data in parts.items()]
    empty = deflate(b"")
    members += [(f"xl/media/m{i}.bin", empty, 0, 0) for i in range(1001)]
    return raw_zip(members)


def _limits() -> dict:
    from django.conf import settings as django_settings

    return {**uploads.DEFAULT_LIMITS, **django_settings.XLSX_UPLOAD_LIMITS}


def _sheet(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def _declared(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(info.file_size for info in archive.infolist())


def test_the_counter_sees_a_workbook_read_whole(decompressed):
    """The instrument works: a legitimate workbook is read to the end, every XML part of it."""
    data = seed_000_workbook([[("Biên Sơn", 5, 1, 2, 2, 0)]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
    uploads.check_xlsx(data)
    assert decompressed["by_member"].keys() == sizes.keys()
    assert all(decompressed["by_member"][name] >= size for name, size in sizes.items())
    assert decompressed["chunk"] > 0


@pytest.mark.parametrize(
    "which",
    ["bomb", "many_small_parts", "too_many_members", "lying_directory", "hundred_thousand_rows", "lying_dimension"],
)
def test_hostile_files_are_refused_after_bounded_work(which, request, world, decompressed, no_openpyxl):
    """Speed shown as work, not time: on each hostile file the guard, through both importers, stops
    after reading at most settings.XLSX_UPLOAD_LIMITS' worth of decompressed XML plus one read chunk,
    and much less where the refusal comes earlier: nothing at all for what the zip's directory gives
    away, the first chunk of the sheet for a true <dimension>, the rows up to max_rows + 1 for a
    <dimension> that lies; openpyxl is never reached (no_openpyxl)."""
    limit = _limits()
    reason = {
        "bomb": "tệp nén độc hại",
        "many_small_parts": "giải nén ra",
        "too_many_members": "quá nhiều cho một tệp Excel",
        "lying_directory": "sheet1.xml",
        "hundred_thousand_rows": "vùng dữ liệu",
        "lying_dimension": "thẻ dòng",
    }[which]
    if which == "too_many_members":
        data = too_many_members()
    elif which == "lying_dimension":
        data = without_dimension(request.getfixturevalue("hundred_thousand_rows"))
    else:
        data = request.getfixturevalue(which)
    # What may be read before the refusal, beyond one chunk (the chunk is added below).
    small_parts = sum(len(part) for name, part in xlsx_parts().items() if name != "xl/worksheets/sheet1.xml")
    if which in ("bomb", "many_small_parts", "too_many_members"):
        allowed = 0  # refused from the directory: nothing is decompressed
    elif which == "lying_directory":
        allowed = _declared(data)  # zipfile stops at the declared size: about 1,000 bytes of the sheet
    elif which == "hundred_thousand_rows":
        allowed = small_parts  # the workbook's own parts, then the sheet's first chunk holds <dimension>
    else:
        sheet = _sheet(data)
        stop = sheet.index(f'<row r="{limit["max_rows"] + 1}"'.encode())
        assert stop < len(sheet) // 10  # the refused row is early in the sheet: stopping there saves the rest
        allowed = small_parts + stop
    for importer in (
        lambda: quota_importers.read_workbook(data).problems,
        lambda: parse_admissions_xlsx(data, user=world.staff).errors,
    ):
        decompressed.update(bytes=0, by_member={}, chunk=0)
        refusals = importer()
        assert len(refusals) == 1 and reason in str(refusals[0]), refusals
        chunk = decompressed["chunk"] if allowed else 0
        assert decompressed["bytes"] <= allowed + chunk, (which, decompressed)
        assert decompressed["bytes"] <= limit["max_uncompressed"] + chunk
        if allowed == 0:
            assert decompressed["by_member"] == {}
        print(f"{which}: {len(data) / 1e6:.1f} MB file, {decompressed['bytes']:,} bytes inflated, chunk {chunk:,}")


def test_hidden_sheets_after_the_first_are_ignored(seeded):
    """The importers read the first sheet only: a hidden second sheet with nonsense changes nothing."""

    def hidden_junk(book):
        junk = book.create_sheet("Ẩn")
        junk.append(["TT", "Tên đảng bộ", "Tổng số"])
        junk.append([1, "Không có", "abc"])
        junk.sheet_state = "veryHidden"

    plain = seed_000_workbook([[("Biên Sơn", 5, 1, 2, 2, 0)]])
    book_data = rezip(plain, {})
    parsed_plain = quota_importers.read_workbook(plain)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(book_data))
    hidden_junk(book)
    buffer = io.BytesIO()
    book.save(buffer)
    parsed_hidden = quota_importers.read_workbook(buffer.getvalue())
    assert [str(p) for p in parsed_hidden.problems] == [str(p) for p in parsed_plain.problems] == []
    assert [(r.name, r.numbers) for r in parsed_hidden.rows] == [(r.name, r.numbers) for r in parsed_plain.rows]


def test_formula_without_saved_value_is_refused_at_its_cell_for_admissions(world, no_openpyxl):
    data = xlsx([HEADER, [1, "A1C", "Nguyễn Văn A", "Nam", "=DATE(2000,1,1)", "1-QĐ/HU", "11/02/2022"]])
    errors = parse_admissions_xlsx(data, user=world.staff).errors
    assert len(errors) == 1
    assert errors[0].startswith("Dòng 2, cột E (ô E2, trang “Sheet”): ô có công thức “=DATE(2000,1,1)”")


def test_quota_formulas_it_cannot_evaluate_are_reported_at_row_and_column(seeded):
    rows = [[1, "Biên Sơn", "=Sheet2!A1", 1, 2, 2, 0], [None, "Cộng", "=SUM(C5:C5)", 1, 2, 2, 0]]
    data = xlsx(
        [
            ["TT", "Tên đảng bộ", "Tổng số", "Chia ra theo quý"],
            [None, None, None, "Quý I", "Quý II", "Quý III", "Quý IV"],
        ]
        + [[]] * 2
        + rows
    )
    problems = [str(p) for p in quota_importers.read_workbook(data).problems]
    assert any(p.startswith("Dòng 5, cột C") and "=Sheet2!A1" in p for p in problems), problems


def test_merged_cells_in_admission_rows_are_refused_with_their_address_and_nothing_written(world, client):
    def merge(book):
        book.active.merge_cells("C2:D2")

    data = xlsx([HEADER, [1, "A1C", "Nguyễn Văn A", "Nam", "01/01/2000", "1-QĐ/HU", "11/02/2022"]], sheet=merge)
    client.force_login(world.staff)
    before = state()
    response = admission_upload(client, data)
    assert response.context["errors"] == [
        "Ô gộp C2:D2 nằm trong vùng số liệu (dưới dòng tiêu đề 1): hãy bỏ gộp ô và ghi đủ giá trị vào từng ô."
    ]
    assert state() == before


# ----------------------------------------------------------------------------- property-based


CELL = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2100, 1, 1)),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
    st.sampled_from(["=SUM(C5:C9)", "=C5+D5", "=1/0", "=A1", "=Z99-3", "=NOW()", "=Sheet2!A1", "-", "1.234", "5,5"]),
)


@st.composite
def quota_sheets(draw):
    rows = [
        ["TT", "Tên đảng bộ", "Tổng số", "Chia ra theo quý"],
        [None, None, None, "Quý I", "Quý II", "Quý III", "Quý IV"],
    ]
    for number in range(draw(st.integers(min_value=0, max_value=8))):
        name = draw(st.one_of(st.sampled_from([*COMMUNES, "Cộng", "Tổng cộng"]), CELL))
        rows.append([draw(st.one_of(st.just(number + 1), CELL)), name, *draw(st.lists(CELL, min_size=5, max_size=5))])
    merges = draw(st.lists(st.tuples(st.integers(1, 10), st.integers(1, 7), st.integers(0, 2)), max_size=3))

    def merge(book):
        taken: set[tuple[int, int]] = set()
        for row, column, width in merges:
            cells = {(row, column + i) for i in range(width + 1)}
            if width and not cells & taken:
                taken |= cells
                book.active.merge_cells(start_row=row, start_column=column, end_row=row, end_column=column + width)

    return xlsx(rows, sheet=merge)


@given(data=quota_sheets())
@HYPOTHESIS
def test_random_quota_sheets_get_an_answer_and_write_nothing(data, seeded, client):
    before = state()
    response = quota_upload(client, seeded, data)
    assert response.status_code in (200, 400)
    preview = response.context["preview"]
    if not preview.is_clean:
        assert "payload" not in response.context and all(str(p) for p in preview.problems)
    assert state() == before


@st.composite
def admission_sheets(draw):
    rows = [HEADER]
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        code = draw(st.one_of(st.sampled_from(["A1C", "A1D", "B1C", "a1c"]), CELL))
        rows.append([draw(CELL), code, *draw(st.lists(CELL, min_size=5, max_size=5))])
    return xlsx(rows)


@given(data=admission_sheets())
@HYPOTHESIS
def test_random_admission_sheets_get_an_answer_and_write_nothing(data, world, client):
    client.force_login(world.staff)
    before = state()
    response = admission_upload(client, data)
    assert response.status_code == 200
    assert response.context.get("errors") or response.context.get("preview")
    assert state() == before


@given(
    mutation=st.one_of(
        st.binary(max_size=2000),
        st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)),
        st.integers(min_value=0),
    )
)
@HYPOTHESIS
def test_damaged_or_random_bytes_are_refused_clearly(mutation, seeded, no_openpyxl):
    """Random bytes, a byte of a real .xlsx changed, or a real .xlsx cut short: refused by the guard
    (every member's CRC is checked while the XML is read, so openpyxl never sees damaged content)."""
    original = seed_000_workbook([[("Biên Sơn", 5, 1, 2, 2, 0)]])
    if isinstance(mutation, bytes):
        data = mutation
    elif isinstance(mutation, tuple):
        position, value = mutation[0] % len(original), mutation[1]
        if original[position] == value:
            value = (value + 1) % 256
        data = original[:position] + bytes([value]) + original[position + 1 :]
    else:
        data = original[: mutation % len(original)]
    before = state()
    try:
        uploads.check_xlsx(data)
    except uploads.UploadRefused as refused:
        assert refused.message
        assert len(quota_importers.read_workbook(data).problems) == 1
        assert len(parse_admissions_xlsx(data, user=seeded.staff).errors) == 1
    else:
        # The change landed where it does not matter (a zip comment, an unused flag): the file still reads.
        pass
    assert state() == before
