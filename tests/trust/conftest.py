"""Fixtures for the trust tests: the seeds' data (shared with tests/quotas), the state to compare
before and after, and hostile files built cheaply."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from openpyxl import Workbook

from candidates.models import Admission, Candidate
from quotas.models import Plan, Quota
from tests.quotas.conftest import seeded  # noqa: F401  (fixture re-exported)

HEADER = ["TT", "Mã chi bộ", "Họ và tên", "Giới tính", "Ngày sinh", "Số quyết định", "Ngày quyết định kết nạp"]


def state() -> tuple:
    """Every quota, plan, candidate and admission, and their history: equal means nothing was written."""
    return (
        sorted(Quota.objects.values_list("plan_id", "organization_id", "year", "total", "q1", "q2", "q3", "q4")),
        Quota.history.count(),
        Plan.objects.count(),
        Plan.history.count(),
        sorted(Admission.objects.values_list("pk", "full_name", "admitted_on", "organization_id")),
        Admission.history.count(),
        Candidate.objects.count(),
        Candidate.history.count(),
    )


def xlsx(rows, *, sheet=None) -> bytes:
    book = Workbook()
    ws = book.active
    for row in rows:
        ws.append(row)
    if sheet:
        sheet(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The same .xlsx with some parts replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
    return out.getvalue()


def raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip written by hand from already deflated members: (name, deflated bytes, crc32, declared size).
    The declared size is whatever we say, which is how a bomb (or a lying directory) is made cheaply."""
    body, directory = io.BytesIO(), io.BytesIO()
    for name, deflated, crc, size in members:
        encoded = name.encode()
        offset = body.tell()
        body.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(deflated), size, len(encoded), 0))
        body.write(encoded)
        body.write(deflated)
        fields = (0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(deflated), size, len(encoded), 0, 0, 0, 0, 0, offset)
        directory.write(struct.pack("<IHHHHHHIIIHHHHHII", *fields))
        directory.write(encoded)
    start = body.tell()
    body.write(directory.getvalue())
    body.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory.getvalue()), start, 0)
    )
    return body.getvalue()


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def zeros_deflated(megabytes: int) -> tuple[bytes, int]:
    """A raw deflate stream of `megabytes` MB of zeros, made by repeating one flushed 1 MB block
    (about 1 KB each): 2,048 MB cost about 2 MB and no compression time. Returns (stream, crc32)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b"\0" * 1024 * 1024) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc, mb = 0, b"\0" * 1024 * 1024
    for _ in range(megabytes):  # a valid crc (about 0.3 s a GB): the bomb is a real one
        crc = zlib.crc32(mb, crc)
    return block * megabytes + b"\x03\x00", crc


def xlsx_parts(sheet_xml: bytes | None = None) -> dict[str, bytes]:
    """The parts of a minimal valid .xlsx (openpyxl's), to rebuild with other members."""
    data = xlsx([["TT", "Tên"]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    if sheet_xml is not None:
        parts["xl/worksheets/sheet1.xml"] = sheet_xml
    return parts


class ReachedOpenpyxl(BaseException):
    """Not an Exception: the importers' "openpyxl could not read it" handlers must not swallow it."""


@pytest.fixture
def no_openpyxl(monkeypatch):
    """Fails the test if an importer reaches openpyxl: the guard must refuse first. Both importers open
    workbooks through partytrack.uploads.first_sheet_rows."""

    def refuse(*args, **kwargs):
        raise ReachedOpenpyxl("openpyxl was reached: the upload guard should have refused the file first")

    monkeypatch.setattr("partytrack.uploads.load_workbook", refuse)


def pytest_terminal_summary(terminalreporter):
    """The fuzz runs' counts (tests/trust/fuzz_summary.py), at the end of every run that fuzzed."""
    import os

    from . import fuzz_summary

    found = fuzz_summary.lines()
    if not found:
        return
    terminalreporter.section("fuzz runs")
    for line in found:
        terminalreporter.write_line(line)
    if os.environ.get("PARTYTRACK_FUZZ_SUMMARY"):
        fuzz_summary.write(os.environ["PARTYTRACK_FUZZ_SUMMARY"])
