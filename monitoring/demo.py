"""Demo step for issue 6 (run by `manage.py load_demo` after reports.demo): a few periodic reports sent by Hàm Liêm's cells,
so the completeness table has on-time, late and missing reports. Idempotent."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from organizations.models import Organization

from .models import ReportSubmission
from .submissions import report_submit

# (cell code, kind, year, number, sent on)
SUBMISSIONS = [
    ("LD-HL-01", ReportSubmission.Kind.QUARTER, 2026, 1, datetime.date(2026, 4, 10)),
    ("LD-HL-02", ReportSubmission.Kind.QUARTER, 2026, 1, datetime.date(2026, 4, 20)),
    ("LD-HL-01", ReportSubmission.Kind.QUARTER, 2026, 2, datetime.date(2026, 7, 14)),
    ("LD-HL-03", ReportSubmission.Kind.QUARTER, 2026, 1, datetime.date(2026, 4, 15)),
]


def load(*, stdout) -> None:
    by = get_user_model().objects.filter(username="tochuc.hamliem").first()
    cells = {org.code: org for org in Organization.objects.filter(code__in={row[0] for row in SUBMISSIONS})}
    if by is None or not cells:
        stdout.write("Báo cáo định kỳ demo: bỏ qua (chưa có tổ chức hoặc người dùng Hàm Liêm).")
        return
    made = kept = 0
    for code, kind, year, number, on in SUBMISSIONS:
        cell = cells.get(code)
        if cell is None:
            continue
        if ReportSubmission.objects.filter(organization=cell, kind=kind, year=year, number=number).exists():
            kept += 1
            continue
        sent_at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(9, 0)))
        report_submit(organization=cell, kind=kind, year=year, number=number, by=by, now=sent_at)
        made += 1
    stdout.write(f"Báo cáo định kỳ demo (Hàm Liêm): {made} tạo mới, {kept} đã có.")
