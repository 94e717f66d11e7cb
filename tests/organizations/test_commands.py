"""Command-line tools: demo data, role grants, deployment settings."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from organizations.models import Organization, Role, RoleAssignment
from organizations.tree_check import tree_problems

pytestmark = pytest.mark.django_db


def load_demo_organizations():
    from organizations import demo

    demo.load(stdout=StringIO())


def test_demo_tree_matches_the_seeds_and_loads_once():
    load_demo_organizations()
    count = Organization.objects.count()
    luc_ngan = Organization.objects.get(code="BG-LN")
    children = list(luc_ngan.get_children().order_by("position", "name"))
    assert len(children) == 55  # seed 000: 29 communes + 26 agencies and enterprises
    assert sum(1 for c in children if c.sector == "residential") == 29
    assert Organization.objects.get(code="BG-LN-X04").name == "Đảng bộ thị trấn Chũ"
    assert Organization.objects.get(code="BG-LN-C26").name == "Chi bộ Công ty TNHH Y Dược Bắc Thăng Long"
    bao_lam = Organization.objects.get(code="LD-BL")
    assert bao_lam.get_children().count() == 17  # seed 004
    loc_thang = Organization.objects.get(code="LD-BL-X01").membership_figures.get()
    assert (loc_thang.cell_count, loc_thang.member_count, loc_thang.official_member_count) == (33, 502, 498)
    assert Organization.objects.get(code="LD-HL").parent.code == "LD"
    assert Organization.objects.get(code="HD-CG-X01").name == "Đảng ủy xã Cẩm Vũ"
    assert Organization.objects.filter(code="NT-PR").exists()
    load_demo_organizations()  # twice: nothing duplicated
    assert Organization.objects.count() == count
    assert tree_problems() == []


def test_grant_role_creates_user_with_unusable_password():
    load_demo_organizations()
    call_command("grant_role", "nguyen.van.a", "secretary", "--org", "BG-LN-X01-01", stdout=StringIO())
    user = get_user_model().objects.get(username="nguyen.van.a")
    assert not user.has_usable_password()
    org = Organization.objects.get(code="BG-LN-X01-01")
    assert RoleAssignment.objects.filter(user=user, organization=org, role=Role.SECRETARY).exists()
    call_command("grant_role", "nguyen.van.a", "leader", "--org", str(org.parent_id), stdout=StringIO())
    assert RoleAssignment.objects.filter(user=user).count() == 2
    call_command("grant_role", "nguyen.van.a", "admin", "--org", "bg", stdout=StringIO())
    user.refresh_from_db()
    assert user.is_staff  # administrators use the admin site


def test_grant_role_refuses_an_unknown_organization():
    with pytest.raises(CommandError, match="KHONG-CO"):
        call_command("grant_role", "someone", "staff", "--org", "KHONG-CO", stdout=StringIO())
    assert not get_user_model().objects.filter(username="someone").exists()


def test_production_settings_pass_check_deploy():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partytrack.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        "DJANGO_ALLOWED_HOSTS": "partytrack.example.vn",
        "DATABASE_URL": "postgres://partytrack@127.0.0.1:5432/partytrack",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_openapi_schema_is_valid_and_warning_free(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text(encoding="utf-8")
    assert "/api/v1/organizations/" in schema
