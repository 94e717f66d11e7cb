"""A commune moved to another district keeps its old quota in Lục Ngạn's 2022 biểu as history: shown,
never rewritten by Lục Ngạn's staff (it is outside their subtree now), and the rest of the grid
still saves."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from organizations.services import organization_move
from quotas import services
from quotas.models import Quota
from tests.quotas.conftest import quota_state
from tests.quotas.test_grid import cell, grid_url, load_grid

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(seeded):
    x01 = seeded.org("BG-LN-X01")  # Biên Sơn, 5 = 1 + 2 + 2 + 0
    organization_move(organization=x01, new_parent=seeded.bao_lam, by=None)
    seeded.luc_ngan.refresh_from_db()
    return x01


def test_the_old_parent_cannot_rewrite_a_moved_out_quota(seeded, moved):
    before = quota_state()
    with pytest.raises(ValidationError) as info:
        services.allocation_save(
            organization=seeded.luc_ngan,
            year=2022,
            plan=seeded.plan72,
            by=seeded.staff,
            rows=[services.QuotaInput(moved.pk, 9)],
        )
    assert "đã chuyển ra ngoài Huyện ủy Lục Ngạn" in str(info.value)
    assert quota_state() == before


def test_the_grid_still_saves_with_the_moved_out_row_unchanged(seeded, moved, client):
    data = load_grid(client, seeded.staff, grid_url(seeded))
    assert data[cell(seeded, "BG-LN-X01")] == "5"  # still shown, as history, and not editable
    html = client.get(grid_url(seeded)).content.decode()
    assert f'name="{cell(seeded, "BG-LN-X01")}" value="5"' in html
    row = html[html.index(f'data-org="{moved.pk}"') : html.index("</tr>", html.index(f'data-org="{moved.pk}"'))]
    assert row.count("readonly") == 5 and "chỉ tiêu cũ chỉ để xem" in row
    other = html[html.index(f'data-org="{seeded.org("BG-LN-X02").pk}"') :]
    assert "readonly" not in other[: other.index("</tr>")]
    data[cell(seeded, "BG-LN-X02")] = "7"
    data[cell(seeded, "BG-LN-X02", "q4")] = ""
    for quarter in ("q1", "q2", "q3"):
        data[cell(seeded, "BG-LN-X02", quarter)] = ""
    assert client.post(grid_url(seeded), data).status_code == 302
    assert Quota.objects.get(plan=seeded.plan72, organization=seeded.org("BG-LN-X02"), year=2022).total == 7
    assert Quota.objects.get(plan=seeded.plan72, organization=moved, year=2022).quarters == (1, 2, 2, 0)

    data = load_grid(client, seeded.staff, grid_url(seeded))
    data[cell(seeded, "BG-LN-X01")] = "6"
    response = client.post(grid_url(seeded), data)
    assert response.status_code == 400 and "đã chuyển ra ngoài" in response.content.decode()
    assert Quota.objects.get(plan=seeded.plan72, organization=moved, year=2022).total == 5
