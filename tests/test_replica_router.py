"""Report reads go to the read replica when one is configured; writes and other reads never do."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from organizations.models import Organization
from partytrack.db_routers import ReplicaRouter, reading_from_replica, replica_reads


# Committed rows (transaction=True): the replica is another connection, as in production.
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_reads_inside_the_report_context_use_the_replica(world, settings):
    settings.REPORTS_READ_FROM_REPLICA = True
    with CaptureQueriesContext(connections["replica"]) as on_replica, reading_from_replica():
        names = list(Organization.objects.filter(parent=world.commune_a).values_list("name", flat=True))
    assert sorted(names) == ["Chi bộ Thôn 1", "Chi bộ Thôn 2"]  # the mirror sees the primary's rows
    assert len(on_replica.captured_queries) == 1
    assert ReplicaRouter().db_for_read(Organization) == "default"  # outside the context: the primary
    assert ReplicaRouter().db_for_write(Organization) == "default"


def test_without_a_replica_everything_stays_on_the_primary(settings):
    settings.REPORTS_READ_FROM_REPLICA = False

    @replica_reads
    def view():
        return ReplicaRouter().db_for_read(Organization)

    assert view() == "default"
    assert not ReplicaRouter().allow_migrate("replica", "organizations")


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_progress_dashboard_reads_from_the_replica(world, settings, client):
    from django.urls import reverse

    settings.REPORTS_READ_FROM_REPLICA = True
    client.force_login(world.leader)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.get(reverse("reports:dashboard", args=[world.district_a.pk]), {"year": 2026, "quarter": 3})
    assert response.status_code == 200
    assert "Đảng bộ xã Biên Sơn" in response.content.decode()
    tables = " ".join(query["sql"] for query in on_replica.captured_queries)
    assert "reports_admissiontally" in tables  # the roll-up itself ran on the replica
