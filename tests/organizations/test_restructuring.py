"""Issue 14, item 4: a restructuring decision is one operation, previewed, confirmed, all or nothing,
audited; the roles at the organizations it closes or moves are flagged for review."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from organizations import structure
from organizations.models import Organization, OrganizationVersion, Restructuring, RoleAssignment
from organizations.restructuring import restructuring_apply
from tests.candidates.factories import make_candidate

pytestmark = pytest.mark.django_db
D = datetime.date
ON = D(2025, 7, 1)

# District A abolished: a new commune founded under the province takes Biên Sơn (merged), the school
# goes up to the province with the rest, the district closes.
STEPS = [
    {"action": "found", "code": "P-X1", "name": "Đảng ủy xã Biên Sơn Mới", "kind": "commune", "parent": "P"},
    {"action": "merge", "into": "P-X1", "sources": ["A1"]},
    {"action": "abolish", "organization": "A"},
]


def snapshot():
    return (
        list(Organization.objects.order_by("pk").values_list("pk", "parent_id", "name", "valid_to", "lft", "rght")),
        list(OrganizationVersion.objects.order_by("organization_id", "valid_from").values_list()),
        list(RoleAssignment.objects.order_by("pk").values_list("pk", "review_note")),
        Restructuring.objects.count(),
    )


def apply(world, *, steps=STEPS, preview=False, by=None, number="1658/NQ-UBTVQH15"):
    return restructuring_apply(
        organization=world.province,
        number=number,
        issuing_body="Ủy ban Thường vụ Quốc hội",
        decided_on=D(2025, 6, 16),
        effective_on=ON,
        steps=steps,
        by=by or world.superuser,
        preview=preview,
    )


def test_a_preview_shows_everything_that_moves_and_writes_nothing(world):
    make_candidate(world.cell_a)
    before = snapshot()
    outcome = apply(world, preview=True)
    assert snapshot() == before
    assert outcome.restructuring is None
    assert outcome.effects[0] == "Thành lập Đảng ủy xã Biên Sơn Mới trực thuộc Tỉnh ủy Thử Nghiệm."
    assert outcome.effects[1] == "Hợp nhất Đảng bộ xã Biên Sơn vào Đảng ủy xã Biên Sơn Mới."
    assert outcome.effects[2].startswith("Bỏ cấp Huyện ủy Lục Ngạn: 1 tổ chức trực thuộc chuyển về Tỉnh ủy Thử Nghiệm")
    assert any("1 quần chúng đang theo dõi" in line for line in outcome.impacts)
    # Four roles are held at district A (staff, leader, admin): each is listed for review.
    assert len([line for line in outcome.roles if "Huyện ủy Lục Ngạn" in line]) == 3


def test_confirming_applies_every_step_audits_it_and_flags_the_roles(world):
    outcome = apply(world)
    record = Restructuring.objects.get()
    assert (record.number, record.effective_on, len(record.steps)) == ("1658/NQ-UBTVQH15", ON, 3)
    assert record.history.count() == 1 and record.summary["effects"] == outcome.effects
    world.district_a.refresh_from_db()
    assert world.district_a.valid_to == D(2025, 6, 30)
    new = Organization.objects.get(code="P-X1")
    assert structure.as_of(world.cell_a, ON).parent_id == new.pk
    assert structure.as_of(world.cell_a, D(2025, 6, 30)).parent_id == world.commune_a.pk
    assert structure.as_of(world.school_a, ON).parent_id == world.province.pk
    assert structure.as_of(world.school_a, D(2025, 6, 30)).parent_id == world.district_a.pk
    flagged = RoleAssignment.objects.exclude(review_note="")
    assert {a.user.username for a in flagged} == {"staff", "leader", "admin_a"}
    assert all(a.review_note.startswith("Sau quyết định 1658/NQ-UBTVQH15: Huyện ủy Lục Ngạn") for a in flagged)
    with pytest.raises(ValidationError, match="đã được ghi nhận"):
        apply(world)


def test_a_decision_refused_at_its_last_step_writes_nothing(world):
    before = snapshot()
    steps = [*STEPS, {"action": "move", "organization": "A1C", "parent": "P"}]  # a cell under a province
    with pytest.raises(ValidationError) as refused:
        apply(world, steps=steps)
    assert refused.value.message_dict["steps"][0].startswith("Bước 4 (Chuyển):")
    assert snapshot() == before


def test_a_decision_dated_in_the_past_rereads_the_reports_after_it(world):
    from reports.selectors import Structure, progress_report
    from tests.reports.factories import admit, plan

    plan(world.district_a, "9-KH/HU", {world.commune_a: 6}, year=2024)
    admit(world.cell_a, "2024-03-03")
    admit(world.cell_a, "2025-09-09")
    apply(world)
    then = progress_report(organization=world.district_a, year=2024, quarter=4, today=D(2026, 12, 3))
    rows = [(r.label, r.quota_total, r.admitted_to_date) for r in then.rows]
    assert rows[0] == ("Đảng bộ xã Biên Sơn", 6, 1)
    after = progress_report(organization=world.province, year=2025, quarter=4, today=D(2026, 12, 3))
    new = {r.label: r.admitted_to_date for r in after.rows}
    assert new["Đảng ủy xã Biên Sơn Mới"] == 1  # 09/09/2025, after the decision, in the new commune
    now = progress_report(
        organization=world.province, year=2024, quarter=4, today=D(2026, 12, 3), structure=Structure.NOW
    )
    assert {r.label: r.admitted_to_date for r in now.rows}["Đảng ủy xã Biên Sơn Mới"] == 1  # Biên Sơn's 2024


def test_the_page_previews_then_confirms_and_refuses_outsiders(world, client):
    data = {
        "number": "5-QĐ/TU",
        "issuing_body": "Ban Thường vụ Tỉnh ủy",
        "decided_on": "2025-06-16",
        "effective_on": "2025-07-01",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "200",
        "steps-0-action": "rename",
        "steps-0-organizations": "A1D",
        "steps-0-name": "Chi bộ Thôn Hai",
        "steps-0-sector": "residential",
        "steps-1-action": "",
        "steps-1-sector": "residential",
    }
    url = reverse("organizations:restructure", args=[world.district_a.pk])
    client.force_login(world.staff)
    page = client.get(url)
    assert page.status_code == 200 and "A1D" in page.content.decode()  # the codes in scope, to pick from
    preview = client.post(url, {**data, "preview": "1"})
    assert preview.status_code == 200
    assert "Đổi tên Chi bộ Thôn 2 thành Chi bộ Thôn Hai." in preview.content.decode()
    assert Restructuring.objects.count() == 0
    confirmed = client.post(url, {**data, "confirm": "1"})
    assert confirmed.status_code == 302
    assert Organization.objects.get(code="A1D").name == "Chi bộ Thôn Hai"
    assert structure.as_of(world.cell_a2, D(2025, 6, 30)).name == "Chi bộ Thôn 2"
    outside = client.post(url, {**data, "number": "6-QĐ/TU", "steps-0-organizations": "B1C", "preview": "1"})
    assert outside.status_code == 400 and "không tìm thấy" in outside.content.decode()
    client.force_login(world.leader)
    assert client.get(url).status_code == 404


def test_the_tallies_stay_true_after_a_decision_dated_in_the_past(world):
    from django.core.management import call_command

    from reports import services as report_services
    from tests.reports.factories import admit, plan

    plan(world.district_a, "9-KH/HU", {world.commune_a: 6, world.school_a: 2}, year=2024)
    admit(world.cell_a, "2024-03-03")
    admit(world.school_a, "2025-08-08")
    apply(world)
    assert report_services.tallies_drift() == []
    call_command("rebuild_tallies", "--check", stdout=io.StringIO())  # raises when they drift
    call_command("check_org_tree", stdout=io.StringIO())  # the dated history included


def _refused(call) -> str:
    with pytest.raises(ValidationError) as refused:
        call()
    return " ".join(refused.value.messages)


def test_a_closing_dated_before_the_history_already_recorded_is_refused_and_writes_nothing(world):
    """A merge or dissolution typed with a wrong year would erase what is recorded after it: the moves
    and renames since, the admissions made there since. Refused with the day at fault."""
    from organizations import services
    from tests.reports.factories import admit

    target = Organization.objects.create(name="Đảng ủy xã Mới", code="P-N", kind="commune", parent=world.province)
    Organization.objects.rebuild()
    services.organization_move(organization=world.commune_b, new_parent=world.province, on=D(2025, 7, 1))
    admit(world.school_a, "2025-05-27")
    before = snapshot()
    target.refresh_from_db()
    message = _refused(lambda: services.organization_merge(sources=[world.commune_b], target=target, on=D(1900, 1, 1)))
    assert "01/07/2025" in message  # its move to the province is recorded from that day
    message = _refused(lambda: services.organization_dissolve(organization=world.school_a, on=D(2025, 1, 1)))
    assert "từ ngày 01/01/2025" in message and "27/05/2025" in message  # an admission after that day
    message = _refused(lambda: services.organization_merge(sources=[world.school_a], target=target, on=D(2025, 1, 1)))
    assert "27/05/2025" in message
    assert snapshot() == before


def test_nothing_moves_under_an_organization_before_it_existed(world):
    from organizations import services

    new = Organization.objects.create(
        name="Đảng ủy xã Mới", code="P-N", kind="commune", parent=world.province, valid_from=D(2025, 7, 1)
    )
    Organization.objects.rebuild()
    new.refresh_from_db()
    message = _refused(lambda: services.organization_move(organization=world.cell_a, new_parent=new, on=D(1900, 1, 1)))
    assert "chỉ hoạt động từ ngày 01/07/2025" in message
    steps = [{"action": "move", "organization": world.cell_a.code, "parent": "P-N"}]
    message = _refused(
        lambda: restructuring_apply(
            organization=world.province,
            number="1/QĐ",
            issuing_body="Tỉnh ủy",
            decided_on=D(1899, 1, 1),
            effective_on=D(1900, 1, 1),
            steps=steps,
            by=world.superuser,
        )
    )
    assert message.startswith("Bước 1 (Chuyển):") and "01/07/2025" in message


@pytest.mark.parametrize(
    "step, said",
    [
        ({"action": "found", "code": "A1", "name": "Xã Trùng Mã", "kind": "commune", "parent": "P"}, "đã được dùng"),
        ({"action": "merge", "into": "", "sources": ["A1"]}, "ghi mã tổ chức hợp nhất vào"),
        ({"action": "rename", "organization": "A1", "name": " "}, "ghi tên mới của “Đảng bộ xã Biên Sơn”"),
    ],
)
def test_a_refused_step_says_what_to_fix_in_the_users_words(world, step, said):
    before = snapshot()
    message = _refused(lambda: apply(world, steps=[step]))
    assert message.startswith("Bước 1 (") and said in message
    assert snapshot() == before
