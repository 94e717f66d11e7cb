"""Issue 13: the monitoring tables came from the reports app. A database upgraded from before the split
keeps every periodic report, its history and the permissions granted on it."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from monitoring.models import ReportSubmission

BEFORE_SPLIT = [("reports", "0006_text_stored_clean"), ("monitoring", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _latest():
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] in ("reports", "monitoring")]


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_keeps_the_reports_their_history_and_their_permissions(world):
    old = _migrate(BEFORE_SPLIT)
    # The state before the split: the submissions are the reports app's, in its tables.
    old_submission = old.get_model("reports", "ReportSubmission")
    old_submission.objects.create(
        organization_id=world.cell_a.pk,
        kind="quarter",
        year=2026,
        number=1,
        submitted_at=datetime.datetime(2026, 4, 10, tzinfo=datetime.UTC),
    )
    assert "reports_reportsubmission" in connection.introspection.table_names()
    clerks = Group.objects.create(name="Văn thư")
    reports_type, _ = ContentType.objects.get_or_create(app_label="reports", model="reportsubmission")
    permission, _ = Permission.objects.get_or_create(
        content_type=reports_type, codename="view_reportsubmission", defaults={"name": "Can view"}
    )
    clerks.permissions.add(permission)

    _migrate(_latest())

    tables = connection.introspection.table_names()
    assert "monitoring_reportsubmission" in tables and "reports_reportsubmission" not in tables
    assert "monitoring_historicalreportsubmission" in tables
    submission = ReportSubmission.objects.get(organization=world.cell_a)
    assert (submission.kind, submission.number, submission.year) == ("quarter", 1, 2026)
    assert list(clerks.permissions.values_list("content_type__app_label", "codename")) == [
        ("monitoring", "view_reportsubmission")
    ]
