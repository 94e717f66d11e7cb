"""Demo plans and quotas: every plan and quota printed in the seeds (../shared/seeds), exactly.

- seed 000: plan 72-KH/HU of Huyện ủy Lục Ngạn (11/02/2022, ≥ 200) and its two tables: 29 communes
  (178 = 41 + 54 + 52 + 31) and 26 agencies, schools and enterprises (42 = 5 + 17 + 20 + 0).
- seed 004: term plan 55-KH/HU of Huyện ủy Bảo Lâm (03/6/2022), 2021–2025, 80 a year, 400 in all;
  the organizations' figures come with the organization fixture (as of the plan's date).
- seed 003: Đảng ủy xã Hàm Liêm's 2026 plan "(điều chỉnh, bổ sung)", replacing 70-KH/ĐU of 26/3/2026:
  ≥ 25 with quarterly targets 0 / 4 / 11 / 10. The seed does not print the new plan's number or date.
- seed 001: 41-KH/ĐU of Đảng ủy xã Cẩm Vũ, at least 3 a year over the term 2020–2025.
- seed 002: Thành ủy Phan Rang - Tháp Chàm, 180 in 2023 (the seed prints no number or date).

The seeds give the three commune and city plans' targets, not how those committees split them
among their own cells, so those are stored as plan targets, not as quotas.

Idempotent: plans are found by organization and number, quotas are saved through the services,
which write only what differs.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from organizations.models import Organization

from . import services
from .models import Plan, SubTarget
from .services import QuotaInput, SubTargetInput, TermInput

# Seed 000, first table (communes BG-LN-X01..X29 in the seed's order): total, Q1..Q4.
LUC_NGAN_COMMUNES = [
    (5, 1, 2, 2, 0),
    (6, 1, 2, 2, 1),
    (5, 1, 2, 2, 0),
    (11, 2, 4, 3, 2),
    (6, 2, 2, 2, 0),
    (5, 2, 1, 0, 2),
    (6, 1, 2, 2, 1),
    (8, 2, 2, 2, 2),
    (6, 1, 1, 3, 1),
    (6, 1, 2, 2, 1),
    (5, 1, 2, 2, 0),
    (4, 0, 2, 1, 1),
    (6, 1, 2, 2, 1),
    (5, 1, 2, 2, 0),
    (4, 2, 1, 1, 0),
    (6, 2, 2, 2, 0),
    (5, 0, 1, 2, 2),
    (4, 1, 1, 1, 1),
    (6, 1, 2, 2, 1),
    (10, 2, 3, 3, 2),
    (4, 1, 1, 1, 1),
    (5, 1, 2, 1, 1),
    (6, 2, 1, 2, 1),
    (6, 2, 2, 1, 1),
    (6, 1, 2, 2, 1),
    (8, 2, 2, 2, 2),
    (8, 2, 2, 2, 2),
    (10, 3, 3, 2, 2),
    (6, 2, 1, 1, 2),
]
# Seed 000, second table (BG-LN-C01..C26 in the seed's order).
LUC_NGAN_INSTITUTIONS = [
    (4, 2, 0, 2, 0),
    (4, 0, 2, 2, 0),
    (0, 0, 0, 0, 0),
    (5, 0, 2, 3, 0),
    (1, 0, 0, 1, 0),
    (2, 0, 2, 0, 0),
    (3, 0, 1, 2, 0),
    (4, 3, 1, 0, 0),
    (3, 0, 1, 2, 0),
    (1, 0, 0, 1, 0),
    (1, 0, 0, 1, 0),
    (1, 0, 0, 1, 0),
    (0, 0, 0, 0, 0),
    (0, 0, 0, 0, 0),
    (1, 0, 1, 0, 0),
    (0, 0, 0, 0, 0),
    (0, 0, 0, 0, 0),
    (0, 0, 0, 0, 0),
    (1, 0, 0, 1, 0),
    (2, 0, 2, 0, 0),
    (1, 0, 0, 1, 0),
    (2, 0, 2, 0, 0),
    (0, 0, 0, 0, 0),
    (2, 0, 1, 1, 0),
    (0, 0, 0, 0, 0),
    (4, 0, 2, 2, 0),
]
# Seed 004 (LD-BL-X01..X14, then C01..C03): the same quota each year 2021–2025; Quân sự huyện has
# a term quota of 0 and blank years, so it gets no quota rows.
BAO_LAM_YEARLY = [8, 8, 5, 5, 5, 5, 7, 5, 3, 5, 3, 5, 8, 3, 2, None, 3]

PLANS = [
    {
        "organization": "BG-LN",
        "number": "72-KH/HU",
        "issued_on": datetime.date(2022, 2, 11),
        "issuing_body": "Ban Thường vụ Huyện ủy",
        "title": "Kết nạp đảng viên năm 2022",
        "start_year": 2022,
        "end_year": 2022,
        "target": 200,
        "target_is_minimum": True,
        "place": "Lục Ngạn",
        "signer_title": "PHÓ BÍ THƯ",
        "signer_name": "Cao Văn Hoàn",
        "recipients": "\n".join(
            [
                "BTC Tỉnh uỷ (B/c),",
                "Thường trực Huyện uỷ,",
                "Các đồng chí Huyện uỷ viên,",
                "Các ban, cơ quan trực thuộc Huyện uỷ,",
                "Các chi bộ, đảng bộ cơ sở,",
                "Lưu: Văn phòng Huyện ủy.",
            ]
        ),
        "sub_targets": [
            SubTargetInput(
                kind=SubTarget.Kind.VILLAGE_HEAD_SHARE,
                value=90,
                description="Tỷ lệ trưởng thôn, tổ trưởng tổ dân phố là đảng viên đạt từ 90% trở lên",
            ),
        ],
    },
    {
        "organization": "LD-BL",
        "number": "55-KH/HU",
        "issued_on": datetime.date(2022, 6, 3),
        "issuing_body": "Ban Thường vụ Huyện ủy",
        "title": "Về công tác phát triển đảng viên, giai đoạn 2020 – 2025",
        "start_year": 2021,
        "end_year": 2025,
        "target": 80,
        "target_is_minimum": True,
        "target_per_year": True,
        "place": "Bảo Lâm",
        "signer_title": "BÍ THƯ",
        "signer_name": "Nguyễn Trung Kiên",
        "recipients": "\n".join(
            [
                "TT Tỉnh ủy;",
                "BTC Tỉnh ủy;",
                "Các Ban đảng, VP HU;",
                "UBMTTQVN huyện;",
                "Các đoàn thể huyện;",
                "Các TCCS Đảng;",
                "Lưu VPHU.",
            ]
        ),
        "note": "Nhiệm kỳ 2020–2025; biểu phân bố chỉ tiêu giao theo các năm 2021–2025.",
        "sub_targets": [
            SubTargetInput(
                kind=SubTarget.Kind.YOUTH_UNION_SHARE,
                comparison=SubTarget.Comparison.ABOVE,
                value=65,
                description="Trên 65% số đảng viên kết nạp là đoàn viên Đoàn TNCS Hồ Chí Minh",
            ),
            SubTargetInput(
                kind=SubTarget.Kind.CELL_MIN_MEMBERS,
                value=9,
                description="100% chi bộ thôn, tổ dân phố, trường học trực thuộc đảng ủy xã, thị trấn có từ 09 "
                "đảng viên trở lên",
            ),
            SubTargetInput(
                kind=SubTarget.Kind.PRIVATE_BUSINESS_OWNERS,
                value=1,
                description="Đảng ủy thị trấn Lộc Thắng, Đảng ủy xã Lộc An và những địa phương có điều kiện: đến "
                "năm 2025 kết nạp ít nhất 01 chủ doanh nghiệp tư nhân",
            ),
            SubTargetInput(
                kind=SubTarget.Kind.STALLED_CELL_YEARS,
                value=3,
                description="Tập trung chỉ đạo những chi bộ 03 năm trở lên không kết nạp được đảng viên",
            ),
        ],
    },
    {
        "organization": "LD-HL",
        "number": "70-KH/ĐU",
        "issued_on": datetime.date(2026, 3, 26),
        "issuing_body": "Ban Thường vụ Đảng ủy xã",
        "title": "Phát triển đảng viên mới năm 2026",
        "start_year": 2026,
        "end_year": 2026,
        "place": "Hàm Liêm",
        "note": "Đã được thay thế bằng kế hoạch điều chỉnh, bổ sung năm 2026 (văn bản mẫu 003). Văn bản mẫu "
        "không in nội dung hay chỉ tiêu của kế hoạch này.",
        "sub_targets": [],
    },
    {
        "organization": "LD-HL",
        "replaces": "70-KH/ĐU",
        "number": "Kế hoạch (điều chỉnh, bổ sung) năm 2026",
        "issued_on": None,
        "issuing_body": "Ban Thường vụ Đảng ủy xã",
        "title": "Phát triển đảng viên mới năm 2026 (điều chỉnh, bổ sung)",
        "start_year": 2026,
        "end_year": 2026,
        "target": 25,
        "target_is_minimum": True,
        "target_q1": 0,
        "target_q2": 4,
        "target_q3": 11,
        "target_q4": 10,
        "place": "Hàm Liêm",
        "signer_title": "BÍ THƯ",
        "signer_name": "Nguyễn Thị Toàn Thắng",
        "recipients": "\n".join(
            [
                "Ban Thường vụ Tỉnh uỷ (báo cáo),",
                "Ban Tổ chức Tỉnh uỷ,",
                "Các cơ quan tham mưu, giúp việc Đảng uỷ xã,",
                "Ủy ban Mặt trận Tổ quốc Việt Nam và các tổ chức chính trị - xã hội xã,",
                "Các chi, đảng bộ trực thuộc Đảng uỷ,",
                "Lưu Văn phòng Đảng uỷ.",
            ]
        ),
        "note": "Văn bản mẫu (seed 003) không in số và ngày ban hành của kế hoạch điều chỉnh này; số ghi ở đây là "
        "tên tạm để phân biệt. Kế hoạch thay thế Kế hoạch số 70-KH/ĐU ngày 26/3/2026. Chỉ tiêu phân bổ cho các "
        "chi bộ ở Thông báo số 54-TB/ĐU ngày 11/02/2026 (không có trong văn bản mẫu).",
        "sub_targets": [],
    },
    {
        "organization": "HD-CG-X01",
        "number": "41-KH/ĐU",
        "issued_on": None,
        "issuing_body": "Ban Chấp hành Đảng ủy xã",
        "title": "Thực hiện Chỉ thị số 19-CT/TU ngày 27/9/2021 của Ban Thường vụ Tỉnh ủy “Về việc đẩy mạnh công "
        "tác kết nạp đảng viên trong giai đoạn mới”",
        "start_year": 2020,
        "end_year": 2025,
        "target": 3,
        "target_is_minimum": True,
        "target_per_year": True,
        "place": "Cẩm Vũ",
        "signer_name": "Nguyễn Quang Hinh",
        "recipients": "\n".join(
            [
                "Ban Thường vụ Huyện ủy (để b/c),",
                "Ban Tổ chức Huyện ủy (để b/c),",
                "Các đồng chí Đảng ủy viên,",
                "Các ban, ngành, MTTQ, đoàn thể xã,",
                "Các chi bộ,",
                "Lưu: VPĐU.",
            ]
        ),
        "note": "Văn bản mẫu (seed 001) không in ngày ban hành. Mỗi năm Đảng bộ xã kết nạp ít nhất 3 đảng viên mới.",
        "sub_targets": [],
    },
    {
        "organization": "NT-PR",
        "number": "Kế hoạch phát triển đảng viên mới năm 2023",
        "issued_on": None,
        "issuing_body": "Ban Thường vụ Thành ủy",
        "title": "Phát triển đảng viên mới năm 2023",
        "start_year": 2023,
        "end_year": 2023,
        "target": 180,
        "target_is_minimum": False,
        "place": "Phan Rang - Tháp Chàm",
        "signer_title": "BÍ THƯ",
        "signer_name": "Châu Thị Thanh Hà",
        "recipients": "\n".join(
            [
                "Thường trực Tỉnh ủy (báo cáo),",
                "Ban Tổ chức Tỉnh ủy,",
                "Các đồng chí UVTV Thành ủy,",
                "Các đồng chí Thành ủy viên,",
                "Liên đoàn Lao động thành phố,",
                "Thành Đoàn,",
                "Các TCCSĐ trực thuộc,",
                "Lưu Văn phòng.",
            ]
        ),
        "note": "Văn bản mẫu (seed 002) không in số và ngày ban hành; số ghi ở đây là tên tạm để phân biệt. "
        "Phân bổ cho các tổ chức cơ sở đảng ở Phụ lục (không có trong văn bản mẫu).",
        "sub_targets": [],
    },
]


def _plan(spec: dict, counts: dict) -> Plan:
    spec = dict(spec)
    organization = Organization.objects.get(code=spec.pop("organization"))
    replaces = spec.pop("replaces", None)
    sub_targets = spec.pop("sub_targets")
    plan = Plan.objects.filter(organization=organization, number=spec["number"]).first()
    if plan is None:
        if replaces:
            old = Plan.objects.get(organization=organization, number=replaces)
            plan = services.plan_replace(plan=old, by=None, copy_quotas=False, **spec)
        else:
            plan = services.plan_create(organization=organization, by=None, **spec)
        counts["plans"] += 1
    else:
        changed = {name: value for name, value in spec.items() if getattr(plan, name) != value}
        if changed:
            plan = services.plan_update(plan=plan, by=None, **changed)
    existing = [(t.kind, t.comparison, t.value, t.description) for t in plan.sub_targets.all()]
    wanted = [(t.kind, t.comparison, t.value, t.description) for t in sub_targets]
    if existing != wanted:
        services.sub_targets_save(plan=plan, rows=sub_targets, by=None)
    return plan


def _codes(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{index:02d}" for index in range(1, count + 1)]


@transaction.atomic
def load(*, stdout) -> None:
    counts = {"plans": 0, "quotas": 0}
    plans = {(spec["organization"], spec["number"]): _plan(spec, counts) for spec in PLANS}

    # Once Lục Ngạn and Bảo Lâm have closed (the demo's 2025 restructuring), their seeds' quotas are
    # history: recorded on the first load, left as they are on the next.
    luc_ngan = Organization.objects.get(code="BG-LN")
    if luc_ngan.is_active():
        _seed_000_allocation(luc_ngan, plans, counts)
    bao_lam = Organization.objects.get(code="LD-BL")
    if bao_lam.is_active():
        _seed_004_term(plans, counts)
    stdout.write(f"Kế hoạch, chỉ tiêu: {counts['plans']} kế hoạch mới, {counts['quotas']} chỉ tiêu ghi mới hoặc sửa.")


def _seed_000_allocation(luc_ngan: Organization, plans: dict, counts: dict) -> None:
    ids = dict(Organization.objects.filter(code__startswith="BG-LN-").values_list("code", "pk"))
    rows = [
        QuotaInput(ids[code], *values)
        for codes, table in (
            (_codes("BG-LN-X", 29), LUC_NGAN_COMMUNES),
            (_codes("BG-LN-C", 26), LUC_NGAN_INSTITUTIONS),
        )
        for code, values in zip(codes, table, strict=True)
    ]
    result = services.allocation_save(
        organization=luc_ngan, year=2022, rows=rows, plan=plans[("BG-LN", "72-KH/HU")], by=None
    )
    counts["quotas"] += result.changed


def _seed_004_term(plans: dict, counts: dict) -> None:
    bao_lam_plan = plans[("LD-BL", "55-KH/HU")]
    ids = dict(Organization.objects.filter(code__startswith="LD-BL-").values_list("code", "pk"))
    codes = _codes("LD-BL-X", 14) + _codes("LD-BL-C", 3)
    term_rows = [
        TermInput(organization_id=ids[code], years=dict.fromkeys(bao_lam_plan.years, per_year))
        for code, per_year in zip(codes, BAO_LAM_YEARLY, strict=True)
    ]
    result = services.term_save(plan=bao_lam_plan, rows=term_rows, by=None)
    counts["quotas"] += result.changed
