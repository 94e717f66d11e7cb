"""Make in today's tree the structure changes recorded for a day that has come (a move or rename
recorded ahead of its date). Run it every night; running it again changes nothing."""

from django.core.management.base import BaseCommand

from organizations.services import structure_apply


class Command(BaseCommand):
    help = "Áp dụng vào cây tổ chức hiện nay các thay đổi cơ cấu đã ghi trước, đến ngày có hiệu lực."

    def handle(self, *args, **options):
        changed = structure_apply()
        for organization in changed:
            self.stdout.write(f"  {organization.code}: {organization.name}")
        self.stdout.write(self.style.SUCCESS(f"Đã áp dụng thay đổi cơ cấu cho {len(changed)} tổ chức."))
