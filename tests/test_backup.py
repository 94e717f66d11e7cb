"""backup / restore: a database emptied after a backup comes back identical, and so does the
progress report read from it."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from candidates.models import Admission
from organizations.models import MembershipFigure, Organization, RoleAssignment
from quotas.models import Quota
from reports import selectors as report_selectors


def fingerprint():
    return {
        "tree": list(Organization.objects.order_by("code").values_list("code", "name", "parent__code", "lft", "rght")),
        "figures": list(MembershipFigure.objects.order_by("pk").values_list("organization__code", "member_count")),
        "roles": list(RoleAssignment.objects.order_by("pk").values_list("user__username", "role")),
        "quotas": list(Quota.objects.order_by("pk").values_list("organization__code", "year", "total", "q4")),
        "admissions": list(Admission.objects.order_by("pk").values_list("full_name", "admitted_on")),
    }


def luc_ngan_progress():
    """Lục Ngạn 2022 Q4, every level below it, as the report pages show it."""
    return report_selectors.progress_report(
        organization=Organization.objects.get(code="BG-LN"),
        year=2022,
        quarter=4,
        detail=True,
        today=datetime.date(2023, 1, 15),
    )


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_emptied_database(tmp_path):
    if connection.vendor == "postgresql":
        import shutil

        if not shutil.which("pg_dump"):
            pytest.fail("pg_dump is required for PostgreSQL backups (apt-get install postgresql-client)")
    call_command("load_demo", stdout=StringIO())
    before = fingerprint()
    assert len(before["tree"]) > 90
    report = luc_ngan_progress()
    assert report.total.quota.total == 220  # seed 000's quota
    assert report.total.admitted_to_date > 0 and report.line_count > 55  # the demo's admissions, every level
    target = tmp_path / "partytrack.backup"
    call_command("backup", str(target), stdout=StringIO())
    assert target.stat().st_size > 0
    call_command("flush", "--noinput")
    assert Organization.objects.count() == 0
    call_command("restore", str(target), "--yes", stdout=StringIO())
    assert fingerprint() == before
    assert luc_ngan_progress() == report


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "not-a-backup.xlsx"
    bogus.write_bytes(b"PK\x03\x04 certainly not a database")
    with pytest.raises(CommandError):
        call_command("restore", str(bogus), "--yes", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "missing"), "--yes", stdout=StringIO())
