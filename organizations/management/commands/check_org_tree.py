"""Verify the organization tree's lft/rght/level/tree_id against the parent links; optionally rebuild."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from organizations.models import Organization
from organizations.services import tree_lock
from organizations.tree_check import tree_problems, version_problems


class Command(BaseCommand):
    help = "Kiểm tra cây tổ chức (lft/rght so với quan hệ cấp trên) và dựng lại nếu cần (--rebuild)."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Dựng lại lft/rght/level/tree_id từ parent.")

    def handle(self, *args, rebuild=False, **options):
        self._check_versions()
        problems = tree_problems()
        if not problems:
            self.stdout.write(self.style.SUCCESS(f"Cây tổ chức hợp lệ ({Organization.objects.count()} tổ chức)."))
            return
        for problem in problems[:50]:
            self.stdout.write(
                f"  tổ chức #{problem.organization_id}: {problem.field} = {problem.stored}, đúng phải là {problem.expected}"
            )
        if len(problems) > 50:
            self.stdout.write(f"  … và {len(problems) - 50} sai lệch khác")
        if not rebuild:
            raise CommandError(f"Cây tổ chức sai lệch ở {len(problems)} chỗ. Chạy lại với --rebuild để sửa.")
        with transaction.atomic():
            tree_lock()
            Organization.objects.rebuild()
        remaining = tree_problems()
        if remaining:
            raise CommandError(
                f"Sau khi dựng lại vẫn còn {len(remaining)} sai lệch (kiểm tra quan hệ cấp trên vòng lặp)."
            )
        self.stdout.write(self.style.SUCCESS("Đã dựng lại cây tổ chức."))

    def _check_versions(self) -> None:
        """The dated structure (issue 14): every organization's versions cover its life, and today's is its row."""
        problems = version_problems()
        for pk, what in problems[:50]:
            self.stdout.write(f"  tổ chức #{pk}: {what}")
        if problems:
            raise CommandError(f"Lịch sử cơ cấu tổ chức sai lệch ở {len(problems)} tổ chức.")
        self.stdout.write(self.style.SUCCESS("Lịch sử cơ cấu tổ chức hợp lệ."))
