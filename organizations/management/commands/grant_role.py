"""Grant a role on an organization: python manage.py grant_role USERNAME ROLE --org <id or code>."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from organizations.models import Organization, Role
from organizations.selectors import organization_by_id_or_code
from organizations.services import role_grant


def find_organization(value: str) -> Organization:
    """An organization by numeric id or by code (codes are compared case-insensitively)."""
    organization = organization_by_id_or_code(value)
    if organization is None:
        raise CommandError(f"Không tìm thấy tổ chức có mã hoặc id “{value}”.")
    return organization


class Command(BaseCommand):
    help = "Giao vai trò cho người dùng tại một tổ chức (tạo người dùng nếu chưa có, chưa đặt mật khẩu)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("--org", required=True, help="id hoặc mã tổ chức")

    def handle(self, *args, username, role, org, **options):
        organization = find_organization(org)
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save()
        role_grant(user=user, organization=organization, role=role)
        self.stdout.write(
            self.style.SUCCESS(
                f"{'Đã tạo' if created else 'Đã có'} người dùng {username}; vai trò "
                f"{Role(role).label} tại {organization.name} ({organization.code})."
            )
        )
        if created:
            self.stdout.write(f"Đặt mật khẩu: python manage.py changepassword {username}")
