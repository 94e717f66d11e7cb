"""python manage.py restore FILE: replace the database's content with a backup made by `backup`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partytrack.backup import BackupError, restore


class Command(BaseCommand):
    help = "Khôi phục cơ sở dữ liệu từ tệp sao lưu (thay toàn bộ dữ liệu hiện có)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="không hỏi xác nhận")

    def handle(self, *args, file, yes=False, **options):
        if not yes:
            answer = input("Toàn bộ dữ liệu hiện có sẽ bị thay bằng bản sao lưu. Gõ 'yes' để tiếp tục: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Đã hủy.")
        try:
            restore(Path(file))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Đã khôi phục từ {file}."))
