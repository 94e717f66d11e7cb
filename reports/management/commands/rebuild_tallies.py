"""Recompute the report tallies from the facts, or (--check) only say where they differ."""

from django.core.management.base import BaseCommand, CommandError

from reports import services


class Command(BaseCommand):
    help = "Tính lại bảng tổng hợp kết nạp và chỉ tiêu từ dữ liệu gốc (--check: chỉ kiểm tra, không sửa)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Chỉ so sánh với số đếm lại; lỗi nếu lệch.")

    def handle(self, *args, check: bool = False, **options):
        if check:
            problems = services.tallies_drift()
            for line in problems[:50]:
                self.stderr.write(line)
            if problems:
                raise CommandError(f"Bảng tổng hợp lệch với dữ liệu gốc ở {len(problems)} chỗ: chạy rebuild_tallies.")
            self.stdout.write("Bảng tổng hợp khớp với dữ liệu gốc.")
            return
        services.tallies_rebuild(stdout=self.stdout)
