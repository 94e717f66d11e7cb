"""Demo step of the reports app (run last by `manage.py load_demo`): make sure the report tallies
match the demo's admissions and quotas, whoever loaded them. Idempotent: when they already match,
nothing is written."""

from __future__ import annotations

from . import services


def load(*, stdout) -> None:
    problems = services.tallies_drift()
    if not problems:
        stdout.write("Báo cáo: bảng tổng hợp đã khớp với dữ liệu.")
        return
    counts = services.tallies_rebuild()
    stdout.write(
        f"Báo cáo: đã tính lại bảng tổng hợp ({counts['admission_tallies']} dòng kết nạp, "
        f"{counts['quota_tallies']} dòng chỉ tiêu; {len(problems)} chỗ lệch đã sửa)."
    )
