"""Faults: a failure in the middle of an import or a grid save leaves nothing half-written (the
PostgreSQL-only faults are in test_pg_faults.py)."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.urls import reverse
from openpyxl import load_workbook

from candidates.models import Admission
from candidates.signals import admissions_changed
from quotas import exporters, selectors
from quotas.models import Quota
from quotas.signals import quotas_changed

from .conftest import HEADER, xlsx


def everything() -> dict:
    """Every row of the quotas, candidates, reports and monitoring tables (history and tallies included)."""
    return {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for app in ("quotas", "candidates", "reports", "monitoring")
        for model in apps.get_app_config(app).get_models()
    }


class Outage(RuntimeError):
    pass


def fail_on_third_quota_save(monkeypatch) -> list:
    """Quota.save works twice, then raises: the first rows of the batch are really written first."""
    original, calls = Quota.save, []

    def save(self, *args, **kwargs):
        calls.append(self.organization_id)
        if len(calls) == 3:
            raise Outage("mất điện giữa chừng")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Quota, "save", save)
    return calls


def failing_listener(monkeypatch) -> list:
    """A quotas_changed listener (like the report tallies) that fails after every row was written."""
    calls = []

    def listener(**kwargs):
        calls.append(kwargs)
        raise Outage("tally rebuild failed")

    # A copy of the receivers, restored after the test: the listener runs after the real ones.
    monkeypatch.setattr(quotas_changed, "receivers", list(quotas_changed.receivers))
    quotas_changed.connect(listener, weak=False)
    return calls


def changed_bieu(seeded) -> bytes:
    """Lục Ngạn's 2022 biểu as exported, with the first five communes' quotas all moved to Quý I."""
    sheet_book = exporters.allocation_workbook(selectors.allocation_for(organization=seeded.luc_ngan, year=2022))
    buffer = io.BytesIO()
    sheet_book.save(buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = book.active
    names = ["Biên Sơn", "Biển Động", "Cấm Sơn", "Chũ", "Đồng Cốc"]
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row=row, column=2).value in names:
            total = sheet.cell(row=row, column=3).value
            for column, value in zip(range(4, 8), (total, 0, 0, 0), strict=True):
                sheet.cell(row=row, column=column).value = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def preview_payload(client, seeded) -> tuple[str, str]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(seeded.staff)
    url = reverse("quotas:import", kwargs={"pk": seeded.luc_ngan.pk, "year": 2022})
    response = client.post(url, {"file": SimpleUploadedFile("bieu.xlsx", changed_bieu(seeded))})
    assert response.status_code == 200, [str(p) for p in response.context["preview"].problems]
    assert response.context["preview"].changes == 5
    return url, response.context["payload"]


@pytest.mark.parametrize("fault", [fail_on_third_quota_save, failing_listener])
def test_failure_in_the_middle_of_a_quota_import_writes_nothing(fault, seeded, client, monkeypatch):
    url, payload = preview_payload(client, seeded)
    before = everything()
    calls = fault(monkeypatch)
    client.raise_request_exception = False
    response = client.post(url, {"payload": payload})
    assert response.status_code == 500 and calls  # the fault really happened, after rows were written
    assert everything() == before
    monkeypatch.undo()  # the same confirmation without the fault imports the five rows
    assert client.post(url, {"payload": payload}).status_code == 302
    quota = Quota.objects.get(plan=seeded.plan72, organization=seeded.org("BG-LN-X01"), year=2022)
    assert quota.quarters == (quota.total, 0, 0, 0)


def grid_changes(client, seeded) -> tuple[str, dict]:
    url = reverse("quotas:allocation", kwargs={"pk": seeded.luc_ngan.pk, "year": 2022})
    client.force_login(seeded.staff)
    response = client.get(url)
    data = {"base": response.context["base"]}
    for group in response.context["groups"]:
        for line in group["rows"]:
            for cell in line["cells"]:
                data[cell["name"]] = cell["value"]
    for code in ("BG-LN-X01", "BG-LN-X02", "BG-LN-X03", "BG-LN-C03"):
        pk = seeded.org(code).pk
        total = int(data[f"total-{pk}"] or 0) + 4
        data.update({f"total-{pk}": str(total), f"q1-{pk}": "1", f"q2-{pk}": "1", f"q3-{pk}": "1"})
        data[f"q4-{pk}"] = str(total - 3)
    return url, data


@pytest.mark.parametrize("fault", [fail_on_third_quota_save, failing_listener])
def test_failure_in_the_middle_of_a_grid_save_writes_nothing(fault, seeded, client, monkeypatch):
    url, data = grid_changes(client, seeded)
    before = everything()
    calls = fault(monkeypatch)
    client.raise_request_exception = False
    assert client.post(url, data).status_code == 500 and calls
    assert everything() == before
    monkeypatch.undo()
    assert client.post(url, data).status_code == 302
    assert Quota.objects.get(plan=seeded.plan72, organization=seeded.org("BG-LN-C03"), year=2022).q1 == 1


# ------------------------------------------------------------------------------ admissions import


def fail_on_third_admission_save(monkeypatch) -> list:
    """Admission.save works twice, then raises: records how many rows the import had really written
    (inside its transaction) at the moment of the crash."""
    original, calls = Admission.save, []

    def save(self, *args, **kwargs):
        calls.append(Admission.objects.count())
        if len(calls) == 3:
            raise Outage("mất điện giữa chừng")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Admission, "save", save)
    return calls


def failing_admissions_listener(monkeypatch) -> list:
    """An admissions_changed listener (like the report tallies) that fails on the third row, after two
    rows and their tallies were written."""
    calls = []

    def listener(**kwargs):
        calls.append(Admission.objects.count())
        if len(calls) == 3:
            raise Outage("tally rebuild failed")

    monkeypatch.setattr(admissions_changed, "receivers", list(admissions_changed.receivers))
    admissions_changed.connect(listener, weak=False)
    return calls


ADMISSION_ROWS = [
    [1, "A1C", "Lương Văn Một", "Nam", "02/01/1998", "10-QĐ/HU", "14/02/2022"],
    [2, "A1D", "Hà Thị Hai", "Nữ", "03/04/2000", "11-QĐ/HU", "20/06/2022"],
    [3, "A1C", "Vi Văn Ba", "Nam", "05/06/1995", "12-QĐ/HU", "15/08/2022"],
    [4, "A1D", "Nông Thị Bốn", "Nữ", "07/08/1997", "13-QĐ/HU", "10/10/2022"],
]


def admissions_preview(client, world) -> str:
    """Upload four admissions as the district's staff; the preview leaves its token in the session."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.staff)
    upload = SimpleUploadedFile("ket-nap.xlsx", xlsx([HEADER, *ADMISSION_ROWS]))
    response = client.post(reverse("candidates:admission_import"), {"file": upload})
    assert response.status_code == 200 and "token" in response.context, response.context.get("errors")
    assert len(response.context["preview"]) == 4
    return response.context["token"]


@pytest.mark.parametrize(
    ("fault", "rows_seen"),
    # Rows in the table at each call: before each save, after each row (and its tallies) was written.
    [(fail_on_third_admission_save, [0, 1, 2]), (failing_admissions_listener, [1, 2, 3])],
    ids=["third save", "listener on the third row"],
)
def test_failure_in_the_middle_of_an_admissions_import_writes_nothing(fault, rows_seen, world, client, monkeypatch):
    token = admissions_preview(client, world)
    before = everything()
    calls = fault(monkeypatch)
    client.raise_request_exception = False
    response = client.post(reverse("candidates:admission_import"), {"confirm": "1", "token": token})
    assert response.status_code == 500
    assert calls == rows_seen  # the fault came on the third row, the rows before it really written
    assert everything() == before
    monkeypatch.undo()  # the same confirmation (the preview is still in the session) imports the four rows
    response = client.post(reverse("candidates:admission_import"), {"confirm": "1", "token": token})
    assert response.status_code == 302
    imported = Admission.objects.filter(source="import").order_by("admitted_on")
    assert [(a.full_name, a.organization.code) for a in imported] == [
        ("Lương Văn Một", "A1C"),
        ("Hà Thị Hai", "A1D"),
        ("Vi Văn Ba", "A1C"),
        ("Nông Thị Bốn", "A1D"),
    ]
    assert everything() != before
