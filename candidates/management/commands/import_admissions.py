"""Import admissions from an .xlsx file, as the import page does: checks every row, writes all of them
or none. Without --confirm it only checks (a dry run) and exits non-zero so scripts notice."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from candidates import services
from candidates.importers import parse_admissions_xlsx


class Command(BaseCommand):
    help = "Nhập kết nạp từ tệp .xlsx (theo mẫu của trang nhập); tất cả hoặc không dòng nào."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--user", required=True, help="Tài khoản thực hiện; phạm vi của tài khoản này được áp dụng."
        )
        parser.add_argument("--confirm", action="store_true", help="Ghi thật (mặc định chỉ kiểm tra).")

    def handle(self, *args, path, user, confirm, **options):
        try:
            actor = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"Không có tài khoản “{user}”.") from exc
        with open(path, "rb") as handle:
            parsed = parse_admissions_xlsx(handle.read(), user=actor)
        errors = list(parsed.errors)
        if not errors:
            try:
                created = services.admissions_import(rows=parsed.rows, by=actor, dry_run=not confirm)
            except ValidationError as exc:
                errors = exc.messages
        if errors:
            raise CommandError("Không nhập dòng nào:\n" + "\n".join(errors))
        if not confirm:
            raise CommandError(f"{len(created)} dòng hợp lệ; chưa ghi gì. Chạy lại với --confirm để ghi.")
        self.stdout.write(f"Đã nhập {len(created)} kết nạp.")
