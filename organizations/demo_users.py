"""Demo users, one per role, with known passwords printed by `load_demo` (never in production)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Organization, Role
from .services import role_grant

# Long enough for the password validators; printed at the end of `make run`.
DEMO_PASSWORD = "demo-partytrack-2026"

DEMO_USERS = [
    # username, full name, role, organization code
    # organization code: the tree of today (organizations.demo_restructuring ran before)
    ("tochuc.bacninh", "Cán bộ Ban Tổ chức Tỉnh ủy Bắc Ninh", Role.STAFF, "BN"),
    ("tochuc.chu", "Cán bộ Ban Xây dựng Đảng phường Chũ", Role.STAFF, "BN-CHU"),
    ("tochuc.hamliem", "Cán bộ Ban Xây dựng Đảng xã Hàm Liêm", Role.STAFF, "LD-HL"),
    ("bithu.bienson1", "Bí thư Chi bộ Thôn 1, xã Biên Sơn", Role.SECRETARY, "BG-LN-X01-01"),
    ("bithu.hamliem1", "Bí thư Chi bộ Thôn 1, xã Hàm Liêm", Role.SECRETARY, "LD-HL-01"),
    ("lanhdao.bacninh", "Lãnh đạo Tỉnh ủy Bắc Ninh", Role.LEADER, "BN"),
    ("quantri.bacninh", "Quản trị Tỉnh ủy Bắc Ninh", Role.ADMIN, "BN"),
]


@transaction.atomic
def load(*, stdout) -> None:
    """Create or reset the demo users; `print_logins` shows them at the end of `load_demo`."""
    User = get_user_model()
    for username, full_name, role, code in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = full_name
        user.set_password(DEMO_PASSWORD)
        user.save()
        role_grant(user=user, organization=Organization.objects.get(code=code), role=role)
    admin, _ = User.objects.get_or_create(username="admin", defaults={"is_staff": True, "is_superuser": True})
    admin.is_staff = admin.is_superuser = True
    admin.set_password(DEMO_PASSWORD)
    admin.save()


def print_logins(*, stdout) -> None:
    organizations = Organization.objects.select_related("parent").in_bulk(
        [code for *_, code in DEMO_USERS], field_name="code"
    )
    rows = []
    for username, _full_name, role, code in DEMO_USERS:
        organization = organizations[code]
        where = f"{organization.name} ({organization.parent.name})" if organization.is_cell else organization.name
        rows.append((username, role.label, where))
    rows.append(("admin", "Quản trị toàn hệ thống (superuser)", "/admin/"))
    stdout.write("")
    stdout.write(f"Tài khoản demo (mật khẩu chung: {DEMO_PASSWORD}):")
    for username, role, organization in rows:
        stdout.write(f"  {username:<18} {role} — {organization}")
