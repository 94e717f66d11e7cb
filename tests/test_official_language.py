"""Official documents stay Vietnamese when the interface is in English."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from quotas.models import Plan, Quota

pytestmark = pytest.mark.django_db


def test_english_interface_still_prints_vietnamese_documents(world, client):
    plan = Plan.objects.create(
        organization=world.district_a,
        number="72-KH/HU",
        title="Kết nạp đảng viên năm 2022",
        start_year=2022,
        end_year=2022,
        target=5,
    )
    Quota.objects.create(plan=plan, organization=world.commune_a, year=2022, total=3, q1=1, q2=1, q3=1, q4=0)
    client.force_login(world.staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("quotas:index")).content.decode()
    assert "Log out" in page  # the interface is English
    pdf = client.get(reverse("quotas:allocation_pdf", args=[world.district_a.pk, 2022]))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Tổng cộng" in text and "Grand total" not in text
    report = client.get(reverse("reports:progress-pdf", args=[world.district_a.pk]), {"year": 2022, "quarter": 4})
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(report.content)).pages)
    assert "Tổng cộng" in text and "Grand total" not in text and "Subtotal" not in text
