"""Import a filled biểu from the command line, with the same checks as the upload page:

    python manage.py import_quotas FILE --org <id or code> --year YYYY [--plan NUMBER] [--dry-run]

A refused file prints every problem by row and column and exits with a non-zero status; nothing is
written unless the whole file is clean. Like the upload page, the write carries the state the preview
was built from: if someone saved the same allocation in between, nothing is written and the command
says what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from organizations.selectors import organization_by_id_or_code
from partytrack.documents import format_number
from partytrack.text import fold
from quotas import importers, plans, selectors, services
from quotas.models import Plan


class Command(BaseCommand):
    help = "Nhập biểu giao chỉ tiêu (.xlsx) cho các tổ chức trực thuộc một cấp ủy."

    def add_arguments(self, parser):
        parser.add_argument("file", help="tệp .xlsx")
        parser.add_argument("--org", required=True, help="id hoặc mã của cấp ủy giao chỉ tiêu")
        parser.add_argument(
            "--year", required=True, type=int, help="năm của biểu (biểu nhiệm kỳ: một năm bất kỳ của kế hoạch)"
        )
        parser.add_argument(
            "--plan", help="số kế hoạch (mặc định: kế hoạch đang có hiệu lực của năm, tạo dự thảo nếu chưa có)"
        )
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra và báo cáo, không ghi gì")

    def handle(self, *args, file, org, year, plan, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không đọc được tệp “{file}”.")
        organization = organization_by_id_or_code(org)
        if organization is None:
            raise CommandError(f"Không tìm thấy tổ chức có mã hoặc id “{org}”.")
        chosen = _chosen_plan(organization, plan, year) if plan else None
        parsed = importers.read_workbook(path.read_bytes())
        effective = chosen or plans.plan_working(organization=organization, year=year)
        preview, state = _preview(parsed, organization, year, effective)
        kind = "biểu nhiệm kỳ" if parsed.layout == "term" else "biểu năm"
        self.stdout.write(f"{path.name}: {kind}, {len(preview.rows)} dòng tổ chức, cấp ủy {organization.name}.")
        if not preview.is_clean:
            for problem in preview.problems:
                self.stderr.write(f"  - {problem}")
            raise CommandError(f"Tệp bị từ chối: {len(preview.problems)} lỗi. Không có gì được ghi.")
        for status, label in (("new", "mới"), ("changed", "sửa"), ("cleared", "xóa"), ("same", "không đổi")):
            self.stdout.write(f"  {label}: {preview.count(status)}")
        if dry_run:
            self.stdout.write(self.style.WARNING("--dry-run: tệp hợp lệ, không ghi gì."))
            return
        result = self._save(parsed, preview, state, organization=organization, year=year, chosen=chosen, plan=effective)
        if result.plan_created:
            self.stdout.write(f"Đã tạo kế hoạch dự thảo “{result.plan.number}”.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nhập vào kế hoạch {result.plan.number}: {result.created} mới, {result.updated} sửa, "
                f"{result.deleted} xóa, {result.figures} số liệu đảng viên."
            )
        )
        note = plans.draft_note(result.plan)
        if note:  # the report does not count a draft's quotas until it is issued
            self.stdout.write(self.style.WARNING(f"Kế hoạch {result.plan.number}: {note}."))

    def _save(self, parsed, preview, state: _ReadState, *, organization, year, chosen, plan):
        try:
            # The service locks the allocation, compares its state with `token` (what the preview was
            # built from) and writes, in one transaction: a save made since is never overwritten.
            with transaction.atomic():
                if parsed.layout == "term":
                    return services.term_save(plan=plan, rows=preview.term_inputs, by=None, seen_token=state.token)
                return services.allocation_save(
                    organization=organization,
                    year=year,
                    rows=preview.quota_inputs,
                    plan=chosen,
                    by=None,
                    seen_token=state.token,
                )
        except services.AllocationConflict as conflict:
            for line in _changes(state.read, conflict.values, state.names, term=parsed.layout == "term"):
                self.stderr.write(f"  - {line}")
            raise CommandError(
                "Tệp bị từ chối: người khác đã sửa biểu này sau khi lệnh đọc nó (xem các thay đổi ở trên). "
                "Không có gì được ghi; hãy chạy lại lệnh để so sánh và nhập lại."
            ) from conflict
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(f"  - {message}")
            raise CommandError("Tệp bị từ chối. Không có gì được ghi.") from exc


def _chosen_plan(organization, plan: str, year: int) -> Plan:
    chosen = next((p for p in Plan.objects.filter(organization=organization) if fold(p.number) == fold(plan)), None)
    if chosen is None:
        raise CommandError(f"{organization.name} không có kế hoạch số “{plan}”.")
    if year not in chosen.years:
        raise CommandError(f"Kế hoạch {chosen.number} không áp dụng cho năm {year}.")
    return chosen


@dataclass(frozen=True)
class _ReadState:
    """The saved state the preview was built from: its token, the organizations' names and values."""

    token: str
    names: dict
    read: dict


def _preview(parsed, organization, year: int, effective):
    """The file compared with the saved term table or yearly allocation, and the state it was read from."""
    if parsed.layout == "term":
        if effective is None:
            raise CommandError("Biểu nhiệm kỳ cần một kế hoạch nhiệm kỳ của tổ chức: hãy tạo kế hoạch trước.")
        table = selectors.term_table(plan=effective)
        state = _ReadState(
            token=table.token,
            names={row.organization.pk: row.name for row in table.rows},
            read={(row.organization.pk, year): total for row in table.rows for year, total in row.years.items()},
        )
        preview = importers.build_preview(
            parsed,
            candidates=[row.organization for row in table.rows],
            parent_name=organization.name,
            current={(r.organization.pk, y): (v,) for r in table.rows for y, v in r.years.items()},
            plan_years=list(effective.years),
            current_figures={
                r.organization.pk: (r.figure.cell_count, r.figure.member_count, r.figure.official_member_count)
                for r in table.rows
                if r.figure and r.figure.as_of == table.figures_as_of
            },
        )
        return preview, state
    allocation = selectors.allocation_for(organization=organization, year=year, plan=effective)
    state = _ReadState(
        token=allocation.token,
        names={row.organization.pk: row.name for row in allocation.rows},
        read=allocation.values_by_organization(),
    )
    preview = importers.build_preview(
        parsed,
        candidates=[row.organization for row in allocation.rows],
        parent_name=organization.name,
        current=allocation.values_by_organization(),
    )
    return preview, state


def _changes(read: dict, saved: dict, names: dict[int, str], *, term: bool, limit: int = 20) -> list[str]:
    """What changed between the state the command read and the state saved meanwhile:
    "Biển Động: Tổng số 6 → 9" (yearly), "Thị trấn Lộc Thắng, năm 2024: 8 → 1" (term)."""
    lines = []
    if term:
        saved_totals = {key: values[0] for key, values in saved.items()}
        for org_id, year in sorted(read.keys() | saved_totals.keys(), key=lambda k: (names.get(k[0], ""), k[1])):
            old, new = read.get((org_id, year)), saved_totals.get((org_id, year))
            if old != new:
                name = names.get(org_id, f"#{org_id}")
                lines.append(f"{name}, năm {year}: {format_number(old)} → {format_number(new)}")
    else:
        empty = selectors.EMPTY
        for org_id in sorted(read.keys() | saved.keys(), key=lambda k: names.get(k, "")):
            old, new = tuple(read.get(org_id, empty)), tuple(saved.get(org_id, empty))
            parts = [
                f"{selectors.FIELD_LABELS[field]} {format_number(o)} → {format_number(n)}"
                for field, o, n in zip(selectors.FIELDS, old, new, strict=True)
                if o != n
            ]
            if parts:
                lines.append(f"{names.get(org_id, f'#{org_id}')}: {', '.join(parts)}")
    if len(lines) > limit:
        lines = [*lines[:limit], f"… và {len(lines) - limit} thay đổi khác"]
    return lines
