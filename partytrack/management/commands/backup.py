"""python manage.py backup [FILE]: a consistent copy of the database (pg_dump or SQLite's backup API)."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from partytrack.backup import BackupError, backup


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu ra một tệp (PostgreSQL: pg_dump; SQLite: online backup API)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="tệp đích (mặc định: backups/partytrack-<thời điểm>.<đuôi>)")

    def handle(self, *args, file=None, **options):
        if file is None:
            suffix = "dump" if connection.vendor == "postgresql" else "sqlite3"
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            file = settings.BASE_DIR / "backups" / f"partytrack-{stamp}.{suffix}"
        try:
            path = backup(Path(file))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Đã sao lưu vào {path} ({path.stat().st_size:,} byte)."))
