"""Time and memory of both .xlsx importers on crafted uploads that stay within the 5 MB size limit.

    .venv/bin/python benchmarks/uploads.py            # every crafted file, each in a fresh process
    .venv/bin/python benchmarks/uploads.py --only dot_slash_220k

The goal (issue 12): any upload within the size limit is refused or previewed within 5 s and 300 MB.
Each file is run through `quotas.importers.read_workbook` (the quota biểu: openpyxl reads the whole
workbook, twice) and `candidates.importers.parse_admissions_xlsx` (read-only openpyxl) in a child
process of its own (results: benchmarks/RESULTS.md): "peak_mb" is the process's peak resident memory
during the import (VmHWM, reset just before it), "baseline_mb" what the interpreter, Django and the file
held before it, "load" the machine's load average (wall-clock seconds on a shared machine).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADER = ["TT", "Mã chi bộ", "Họ và tên", "Giới tính", "Ngày sinh", "Số quyết định", "Ngày quyết định kết nạp"]
ROW_CELLS = [None, "A1C", "Nguyễn Văn A", "Nam", 36526, "1-QĐ/HU", 44606]


def _strings(values: list[str]) -> tuple[bytes, dict[str, int]]:
    index = {value: number for number, value in enumerate(values)}
    items = "".join(f"<si><t>{value}</t></si>" for value in values)
    xml = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{len(values)}">{items}</sst>'
    return xml.encode(), index


def _rows_sheet(rows: int, index: dict[str, int], *, dimension: bool = False) -> bytes:
    """A sheet of `rows` admission rows under the header, cells without references (shorter)."""

    def cell(value) -> str:
        if value is None:
            return "<c/>"
        if isinstance(value, str):
            return f'<c t="s"><v>{index[value]}</v></c>'
        return f"<c><v>{value}</v></c>"

    head = "<row>" + "".join(cell(value) for value in HEADER) + "</row>"
    parts = [f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">']
    if dimension:
        parts.append(f'<dimension ref="A1:G{rows + 1}"/>')
    parts.append("<sheetData>" + head)
    body = "".join(cell(value) for value in ROW_CELLS[1:])
    for number in range(1, rows + 1):
        parts.append(f"<row><c><v>{number}</v></c>{body}</row>")
    parts.append("</sheetData></worksheet>")
    return "".join(parts).encode()


def _small_sheet(index: dict[str, int]) -> bytes:
    head = "".join(f'<c t="s"><v>{index[value]}</v></c>' for value in HEADER)
    return f'<worksheet xmlns="{MAIN}"><sheetData><row>{head}</row></sheetData></worksheet>'.encode()


def _package(sheets: list[tuple[str, str, bytes]], strings: bytes, *, strings_part="xl/sharedStrings.xml") -> bytes:
    """An .xlsx written by hand: `sheets` is (name, relationship target, xml); the member's name is the
    target resolved the way openpyxl resolves it (relative to xl/)."""
    import posixpath

    overrides = [
        ("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
        ("/" + strings_part, "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"),
    ]
    members: dict[str, bytes] = {}
    rels, entries = [], []
    for number, (name, target, xml) in enumerate(sheets, 1):
        member = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        members[member] = xml
        overrides.append(("/" + member, "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"))
        rels.append(f'<Relationship Id="rId{number}" Type="{REL}/worksheet" Target="{target}"/>')
        entries.append(f'<sheet name="{name}" sheetId="{number}" r:id="rId{number}"/>')
    rels.append(f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="/{strings_part}"/>')
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides)
        + "</Types>"
    )
    workbook = f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{"".join(entries)}</sheets></workbook>'
    root_rels = (
        f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
        f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    members.update(
        {
            "[Content_Types].xml": content_types.encode(),
            "_rels/.rels": root_rels.encode(),
            "xl/workbook.xml": workbook.encode(),
            "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PKG}">{"".join(rels)}</Relationships>'.encode(),
            strings_part: strings,
        }
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _at_the_limits(kind: str, strings: bytes, index: dict) -> bytes:
    """The uploads just under (or at) one of the guard's limits."""
    if kind == "limit_5000_rows":  # the largest sheet the guard lets through: the cost of a real preview
        return _package([("Kết nạp", "worksheets/sheet1.xml", _rows_sheet(4999, index, dimension=True))], strings)
    if kind == "limit_250k_cells":  # 5,000 rows of 50 numbers: the row and cell limits reached at once
        rows = (
            "<row>" + "".join(f"<c><v>{line * 50 + n}</v></c>" for n in range(50)) + "</row>" for line in range(5000)
        )
        xml = f'<worksheet xmlns="{MAIN}"><sheetData>' + "".join(rows) + "</sheetData></worksheet>"
        return _package([("Số liệu", "worksheets/sheet1.xml", xml.encode())], strings)
    if kind == "limit_merged_area":  # merged ranges covering 249,000 cells, each a cell object in openpyxl
        merges = "".join(f'<mergeCell ref="A{n * 50 + 1}:AX{n * 50 + 50}"/>' for n in range(99))
        xml = _small_sheet(index).replace(b"</sheetData>", f"</sheetData><mergeCells>{merges}</mergeCells>".encode())
        return _package([("Kết nạp", "worksheets/sheet1.xml", xml)], strings)
    if kind == "limit_elements":  # 199,000 rich-text runs in the shared strings: the element limit, just under
        runs = "".join(f"<r><t>{n}</t></r>" for n in range(99_000))
        rich = f'<sst xmlns="{MAIN}"><si><t>x</t></si>' + f"<si>{runs}</si><si>{runs}</si>" + "</sst>"
        xml = _small_sheet(index).replace(b"</sheetData>", b"</sheetData>")
        return _package([("Kết nạp", "worksheets/sheet1.xml", xml)], rich.encode())
    if kind == "limit_strings":  # 59,000 distinct shared strings (the limit is 60,000) in 1,180 rows of 50
        filler = "Chi bộ Thôn Đồng Cốc, Đảng bộ xã Biên Sơn, huyện Lục Ngạn, tỉnh Bắc Giang "
        values = [f"{n:06d} {filler}{n * 7919 % 1000003:07d}" for n in range(59_000)]
        sst, _index = _strings(values)
        rows = (
            "<row>" + "".join(f'<c t="s"><v>{line * 50 + n}</v></c>' for n in range(50)) + "</row>"
            for line in range(1180)
        )
        xml = f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>'.encode()
        return _package([("Số liệu", "worksheets/sheet1.xml", xml)], sst)
    if kind == "limit_125k_cells":  # an admissions sheet of 5,000 rows and 25 columns: its cell limit, just under
        head = "<row>" + "".join(f'<c t="s"><v>{index[value]}</v></c>' for value in HEADER) + "</row>"
        rows = (
            "<row>" + "".join(f"<c><v>{line * 25 + n}</v></c>" for n in range(25)) + "</row>" for line in range(4999)
        )
        xml = f'<worksheet xmlns="{MAIN}"><sheetData>{head}{"".join(rows)}</sheetData></worksheet>'
        return _package([("Kết nạp", "worksheets/sheet1.xml", xml.encode())], strings)
    raise ValueError(kind)


def crafted(kind: str) -> bytes:
    """The crafted uploads: 220,000 rows the guard used not to see, by each way of naming a part."""
    strings, index = _strings(sorted({value for value in HEADER + ROW_CELLS if isinstance(value, str)}))
    big = _rows_sheet(220_000, index)
    small = _small_sheet(index)
    if kind == "dot_slash_220k":  # the file: "./worksheets/sheet1.xml", then a small visible sheet
        return _package([("Kết nạp", "./worksheets/sheet1.xml", big), ("Mẫu", "worksheets/sheet2.xml", small)], strings)
    if kind == "parent_dir_220k":
        return _package(
            [("Kết nạp", "../xl/worksheets/sheet1.xml", big), ("Mẫu", "worksheets/sheet2.xml", small)], strings
        )
    if kind == "absolute_220k":
        return _package(
            [("Kết nạp", "/xl/worksheets/sheet1.xml", big), ("Mẫu", "worksheets/sheet2.xml", small)], strings
        )
    if kind == "plain_220k":  # the same rows where every guard looks
        return _package([("Kết nạp", "worksheets/sheet1.xml", big)], strings)
    if kind == "second_sheet_220k":  # a small first sheet, 220,000 rows on the second (openpyxl reads all)
        return _package([("Mẫu", "worksheets/sheet1.xml", small), ("Kết nạp", "worksheets/sheet2.xml", big)], strings)
    if kind.startswith("limit_"):
        return _at_the_limits(kind, strings, index)
    if kind == "quota_formulas":  # a biểu of 1,998 rows whose 5 figures are all SUM formulas without results
        labels = ["TT", "Tên đảng bộ", "Tổng số", "Quý I", "Quý II", "Quý III", "Quý IV"]
        sst, names = _strings(labels + [f"Chi bộ {n}" for n in range(1998)])
        head = "<row>" + "".join(f'<c t="s"><v>{names[label]}</v></c>' for label in labels) + "</row>"
        body = "".join(
            f'<row><c><v>{n + 1}</v></c><c t="s"><v>{names[f"Chi bộ {n}"]}</v></c>'
            + "".join(f"<c><f>SUM({letter}2:{letter}2000)</f></c>" for letter in "CDEFG")
            + "</row>"
            for n in range(1998)
        )
        xml = f'<worksheet xmlns="{MAIN}"><sheetData>{head}{body}</sheetData></worksheet>'
        return _package([("Giao chỉ tiêu", "worksheets/sheet1.xml", xml.encode())], sst)
    if kind in ("merged_area", "hyperlink_area"):  # one small element that openpyxl expands cell by cell
        extra = (
            '<mergeCells count="1"><mergeCell ref="A1:GR5000"/></mergeCells>'
            if kind == "merged_area"
            else '<hyperlinks><hyperlink ref="A1:XFD1048576" display="x" location="A1"/></hyperlinks>'
        )
        xml = _small_sheet(index).replace(b"</sheetData>", b"</sheetData>" + extra.encode())
        return _package([("Kết nạp", "worksheets/sheet1.xml", xml)], strings)
    raise ValueError(kind)


KINDS = [
    "dot_slash_220k",
    "parent_dir_220k",
    "absolute_220k",
    "plain_220k",
    "second_sheet_220k",
    "limit_5000_rows",
    "limit_250k_cells",
    "limit_merged_area",
    "limit_elements",
    "limit_strings",
    "limit_125k_cells",
    "quota_formulas",
    "merged_area",
    "hyperlink_area",
]
TIMEOUT = 60  # seconds: far past the 5 s goal


def _resident(field: str) -> int:
    """Kilobytes of this process's resident memory: VmRSS now, VmHWM the peak (Linux). getrusage's
    ru_maxrss would carry the parent's peak over the fork."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def _child(kind: str, importer: str, path: str) -> None:
    """Run in a fresh process: read the file, then time one importer on it."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partytrack.settings")
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser

    from candidates.importers import parse_admissions_xlsx
    from quotas.importers import read_workbook

    data = Path(path).read_bytes()
    baseline = _resident("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
    start = time.perf_counter()
    if importer == "quota":
        answer = [str(problem) for problem in read_workbook(data).problems]
    else:
        try:
            answer = parse_admissions_xlsx(data, user=AnonymousUser()).errors
        except Exception as exc:  # an AnonymousUser reaches no organization: the file was read through
            answer = [f"(read through to the organization lookup: {type(exc).__name__})"]
    seconds = time.perf_counter() - start
    peak = _resident("VmHWM")
    print(
        json.dumps(
            {
                "kind": kind,
                "importer": importer,
                "bytes": len(data),
                "seconds": round(seconds, 2),
                "peak_mb": round(peak / 1024),
                "baseline_mb": round(baseline / 1024),
                "load": round(os.getloadavg()[0], 1),
                "answer": answer[:1],
            },
            ensure_ascii=False,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=KINDS)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for kind in [args.only] if args.only else KINDS:
        path = Path(tempfile.gettempdir()) / f"partytrack-upload-{kind}.xlsx"
        path.write_bytes(crafted(kind))
        for importer in ("quota", "admissions"):
            command = [sys.executable, __file__, "--child", kind, importer, str(path)]
            try:
                result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
            except subprocess.TimeoutExpired:
                print(json.dumps({"kind": kind, "importer": importer, "seconds": f"> {TIMEOUT} (killed)"}))
                continue
            print(result.stdout.strip() or result.stderr.strip()[-2000:])
        path.unlink()


if __name__ == "__main__":
    main()
