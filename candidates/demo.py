"""Demo candidates and admissions, the same every time (fixed dates, seeded choices), with plainly
fictional names ("Nguyễn Văn Demo 001"):

- candidates at every step of the pipeline in the demo cells, some overdue, some due soon;
- admissions in 2022 for Lục Ngạn's communes and institutions, spread over the quarters around seed
  000's quotas, and in 2026 for Hàm Liêm's cells around seed 003's quarterly targets.

Idempotent: a person already there (same name and birth date) is skipped.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from organizations.models import Organization, Sector

from . import services
from .choices import (
    EducationLevel,
    Ethnicity,
    Gender,
    Introduction,
    Occupation,
    PoliticalTheory,
    ProfessionalLevel,
    Religion,
    Status,
    Step,
)
from .models import Admission, Candidate

D = datetime.date
DEMO_CELLS = [
    "BG-LN-X01-01",
    "BG-LN-X01-02",
    "BG-LN-X01-03",
    "BG-LN-X04-01",
    "BG-LN-X04-02",
    "LD-HL-01",
    "LD-HL-02",
    "LD-HL-03",
    "LD-HL-04",
    "HD-CG-X01-01",
    "HD-CG-X01-02",
    "HD-CG-X01-03",
]
FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]

# The date each demo candidate's last step was recorded, by step (cells shift it back by 0–27 days so
# the board shows overdue, due-soon and comfortable deadlines).
LAST_STEP_ON = {
    Step.SYMPATHIZER: D(2026, 10, 15),
    Step.AWARENESS_CLASS: D(2026, 9, 10),
    Step.APPLICATION: D(2025, 12, 5),
    Step.VERIFICATION: D(2026, 8, 20),
    Step.REFERENCES: D(2026, 10, 1),
    Step.CELL_RESOLUTION: D(2026, 9, 1),
    Step.REVIEW: D(2026, 10, 10),
    Step.DECISION: D(2026, 10, 26),
    Step.CEREMONY: D(2026, 10, 5),
    Step.PROBATION: D(2025, 11, 10),
    Step.FULL_MEMBERSHIP: D(2026, 6, 22),
}
# Days from each step to the next in the demo's histories (all within the rules' limits).
GAP_BEFORE = {
    Step.AWARENESS_CLASS: 40,
    Step.APPLICATION: 30,
    Step.VERIFICATION: 45,
    Step.REFERENCES: 14,
    Step.CELL_RESOLUTION: 10,
    Step.REVIEW: 10,
    Step.DECISION: 35,
    Step.CEREMONY: 15,
    Step.PROBATION: 0,
}

# Seed 000: Lục Ngạn's 2022 quotas by quarter (communes in seed order, then institutions).
LUC_NGAN_2022 = {
    "BG-LN-X01": (1, 2, 2, 0), "BG-LN-X02": (1, 2, 2, 1), "BG-LN-X03": (1, 2, 2, 0), "BG-LN-X04": (2, 4, 3, 2),
    "BG-LN-X05": (2, 2, 2, 0), "BG-LN-X06": (2, 1, 0, 2), "BG-LN-X07": (1, 2, 2, 1), "BG-LN-X08": (2, 2, 2, 2),
    "BG-LN-X09": (1, 1, 3, 1), "BG-LN-X10": (1, 2, 2, 1), "BG-LN-X11": (1, 2, 2, 0), "BG-LN-X12": (0, 2, 1, 1),
    "BG-LN-X13": (1, 2, 2, 1), "BG-LN-X14": (1, 2, 2, 0), "BG-LN-X15": (2, 1, 1, 0), "BG-LN-X16": (2, 2, 2, 0),
    "BG-LN-X17": (0, 1, 2, 2), "BG-LN-X18": (1, 1, 1, 1), "BG-LN-X19": (1, 2, 2, 1), "BG-LN-X20": (2, 3, 3, 2),
    "BG-LN-X21": (1, 1, 1, 1), "BG-LN-X22": (1, 2, 1, 1), "BG-LN-X23": (2, 1, 2, 1), "BG-LN-X24": (2, 2, 1, 1),
    "BG-LN-X25": (1, 2, 2, 1), "BG-LN-X26": (2, 2, 2, 2), "BG-LN-X27": (2, 2, 2, 2), "BG-LN-X28": (3, 3, 2, 2),
    "BG-LN-X29": (2, 1, 1, 2),
    "BG-LN-C01": (2, 0, 2, 0), "BG-LN-C02": (0, 2, 2, 0), "BG-LN-C03": (0, 0, 0, 0), "BG-LN-C04": (0, 2, 3, 0),
    "BG-LN-C05": (0, 0, 1, 0), "BG-LN-C06": (0, 2, 0, 0), "BG-LN-C07": (0, 1, 2, 0), "BG-LN-C08": (3, 1, 0, 0),
    "BG-LN-C09": (0, 1, 2, 0), "BG-LN-C10": (0, 0, 1, 0), "BG-LN-C11": (0, 0, 1, 0), "BG-LN-C12": (0, 0, 1, 0),
    "BG-LN-C13": (0, 0, 0, 0), "BG-LN-C14": (0, 0, 0, 0), "BG-LN-C15": (0, 1, 0, 0), "BG-LN-C16": (0, 0, 0, 0),
    "BG-LN-C17": (0, 0, 0, 0), "BG-LN-C18": (0, 0, 0, 0), "BG-LN-C19": (0, 0, 1, 0), "BG-LN-C20": (0, 2, 0, 0),
    "BG-LN-C21": (0, 0, 1, 0), "BG-LN-C22": (0, 2, 0, 0), "BG-LN-C23": (0, 0, 0, 0), "BG-LN-C24": (0, 1, 1, 0),
    "BG-LN-C25": (0, 0, 0, 0), "BG-LN-C26": (0, 2, 2, 0),
}  # fmt: skip
# Hàm Liêm 2026 (seed 003: 4 in Q2, 11 by Q3, 25 by Q4), entered directly; the pipeline adds its own.
HAM_LIEM_2026 = (0, 4, 7, 3)
TODAY_LIMIT = D(2026, 11, 20)  # no demo date after this


def _person(rng: random.Random, number: int, *, sector: str = Sector.RESIDENTIAL, around: datetime.date) -> dict:
    gender = Gender.FEMALE if rng.random() < 0.45 else Gender.MALE
    middle = "Thị" if gender == Gender.FEMALE else "Văn"
    age = rng.choice([19, 21, 23, 24, 26, 27, 29, 31, 33, 35, 38, 42, 47])
    birth = around - datetime.timedelta(days=age * 365 + rng.randint(20, 330))
    occupation = {
        Sector.SCHOOL: Occupation.PUBLIC_EMPLOYEE,
        Sector.HEALTH: Occupation.PUBLIC_EMPLOYEE,
        Sector.AGENCY: Occupation.CIVIL_SERVANT,
        Sector.POLICE: Occupation.ARMED_FORCES,
        Sector.MILITARY: Occupation.ARMED_FORCES,
        Sector.ENTERPRISE: Occupation.ENTERPRISE_EMPLOYEE,
    }.get(sector) or rng.choice(
        [Occupation.FARMER] * 5
        + [Occupation.WORKER, Occupation.STUDENT, Occupation.OTHER, Occupation.BUSINESS_OWNER, Occupation.CIVIL_SERVANT]
    )
    return {
        "full_name": f"{FAMILY_NAMES[number % len(FAMILY_NAMES)]} {middle} Demo {number:03d}",
        "gender": gender,
        "birth_date": birth,
        "ethnicity": rng.choice(
            [Ethnicity.KINH] * 6 + [Ethnicity.TAY, Ethnicity.NUNG, Ethnicity.SAN_CHAY, Ethnicity.DAO]
        ),
        "religion": rng.choice([Religion.NONE] * 18 + [Religion.BUDDHISM, Religion.CATHOLICISM]),
        "occupation": occupation,
        "education_level": rng.choice([EducationLevel.UPPER_SECONDARY] * 4 + [EducationLevel.LOWER_SECONDARY]),
        "professional_level": rng.choice(
            [
                ProfessionalLevel.NONE,
                ProfessionalLevel.VOCATIONAL,
                ProfessionalLevel.COLLEGE,
                ProfessionalLevel.UNIVERSITY,
            ]
        ),
        "political_theory": rng.choice([PoliticalTheory.NONE] * 3 + [PoliticalTheory.ELEMENTARY]),
        "youth_union_member": age <= 30 and rng.random() < 0.85,
        "village_head": occupation == Occupation.FARMER and rng.random() < 0.12,
        "discharged_soldier": gender == Gender.MALE and rng.random() < 0.12,
        "militia": gender == Gender.MALE and rng.random() < 0.1,
        "non_state_enterprise": occupation
        in (Occupation.WORKER, Occupation.ENTERPRISE_EMPLOYEE, Occupation.BUSINESS_OWNER),
    }


def _exists(person: dict) -> bool:
    key = services.identity_key(person["full_name"], person["birth_date"])
    return Candidate.objects.filter(identity_key=key).exists() or Admission.objects.filter(identity_key=key).exists()


def _history(last: str, last_on: datetime.date) -> list[tuple[str, datetime.date]]:
    """Dates of every step up to `last`, walking back from `last_on` by the demo's gaps."""
    steps = Step.values[: Step.values.index(last) + 1]
    dates = {last: last_on}
    for index in range(len(steps) - 1, 0, -1):
        step, previous = steps[index], steps[index - 1]
        if step == Step.FULL_MEMBERSHIP:
            dates[previous] = dates[step] - datetime.timedelta(days=376)  # 12 months of probation, then 10 days
        else:
            dates[previous] = dates[step] - datetime.timedelta(days=GAP_BEFORE[step])
    return [(step, dates[step]) for step in steps]


def _official_members(cell: Organization, on: datetime.date) -> int:
    return services.cell_official_members(cell, on) or 12


def _step_details(step: str, *, number: int, cell: Organization, on: datetime.date, person: dict) -> dict:
    """The documents and votes of one demo step, numbered after the demo candidate."""
    if step == Step.AWARENESS_CLASS:
        return {"document_number": f"{number:03d}/CN-TTCT", "acting_body": "Trung tâm Chính trị"}
    if step == Step.APPLICATION:
        intro = Introduction.YOUTH_UNION if person["youth_union_member"] else Introduction.TWO_MEMBERS
        return {"introduction": intro, "people": ["Đảng viên Demo A", "Đảng viên Demo B"]}
    if step in (Step.CELL_RESOLUTION, Step.FULL_MEMBERSHIP):
        total = _official_members(cell, on)
        return {"document_number": f"{number:02d}-NQ/CB", "votes_for": total - 1, "voters_total": total}
    if step == Step.REVIEW:
        return {
            "document_number": f"{number:02d}-BC/ĐU",
            "acting_body": f"Đảng ủy {cell.parent.short_name or cell.parent.name}",
            "votes_for": 9,
            "voters_total": 11,
        }
    if step == Step.DECISION:
        return {
            "document_number": f"{number:03d}-QĐ/ĐU",
            "acting_body": f"Ban Thường vụ {cell.parent.parent.name if cell.parent.parent else cell.parent.name}",
        }
    if step == Step.PROBATION:
        return {"people": [f"Đảng viên Demo {number:03d}"]}
    return {"document_number": f"{number:02d}/{step[:3].upper()}"}


def _load_candidates(stdout) -> tuple[int, int]:
    created = kept = 0
    number = 0
    for cell_index, code in enumerate(DEMO_CELLS):
        cell = Organization.objects.get(code=code)
        rng = random.Random(f"candidates-{code}")
        shift = datetime.timedelta(days=(cell_index % 4) * 9)
        targets = [*Step.values, Status.WITHDRAWN]
        for target in targets:
            number += 1
            last = Step.APPLICATION if target == Status.WITHDRAWN else target
            history = _history(last, LAST_STEP_ON[last] - shift)
            person = _person(rng, 100 + number, around=history[0][1])
            if _exists(person):
                kept += 1
                continue
            listed_on = history[0][1]
            candidate = services.candidate_create(
                organization=cell,
                listed_on=listed_on,
                helper_name=f"Đảng viên Demo {number:03d}",
                document_number=f"{number:02d}-BB/CB",
                by=None,
                **person,
            )
            for step, on in history[1:]:
                kwargs = _step_details(step, number=number, cell=cell, on=on, person=person)
                candidate = services.candidate_advance(candidate=candidate, step=step, on=on, by=None, **kwargs)
            if target == Status.WITHDRAWN:
                services.candidate_close(
                    candidate=candidate,
                    outcome=Status.WITHDRAWN,
                    on=D(2026, 5, 10),
                    reason="Chuyển đi làm ăn xa (dữ liệu demo)",
                    by=None,
                )
            created += 1
    return created, kept


def _weekday_in_quarter(
    rng: random.Random, year: int, quarter: int, last: datetime.date | None = None
) -> datetime.date:
    start = D(year, 3 * quarter - 2, 1)
    end = D(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - datetime.timedelta(days=1)
    end = min(end, last) if last else end
    while True:
        day = start + datetime.timedelta(days=rng.randint(0, (end - start).days))
        if day.weekday() < 5:
            return day


def _admit(rng, organization, *, number, year, quarter, deciding_body, suffix, last=None) -> bool:
    on = _weekday_in_quarter(rng, year, quarter, last)
    person = _person(rng, number, sector=organization.sector, around=on)
    if _exists(person):
        return False
    services.admission_record(
        organization=organization,
        decision_number=f"{number:03d}-QĐ/{suffix}",
        admitted_on=on,
        deciding_body=deciding_body,
        by=None,
        **person,
    )
    return True


def _load_admissions() -> tuple[int, int]:
    created = kept = 0
    rng = random.Random("admissions-luc-ngan-2022")
    number = 1000
    for code, quarters in LUC_NGAN_2022.items():
        organization = Organization.objects.get(code=code)
        cells = list(organization.children.order_by("position", "name")) or [organization]
        for quarter, quota in enumerate(quarters, start=1):
            # Around the quota: some organizations a little behind, some a little ahead.
            count = max(quota + rng.choice([-1, 0, 0, 0, 1]), 0)
            for index in range(count):
                number += 1
                where = cells[index % len(cells)]
                ok = _admit(
                    rng,
                    where,
                    number=number,
                    year=2022,
                    quarter=quarter,
                    deciding_body="Ban Thường vụ Huyện ủy Lục Ngạn",
                    suffix="HU",
                )
                created, kept = created + ok, kept + (not ok)
    rng = random.Random("admissions-ham-liem-2026")
    cells = list(Organization.objects.get(code="LD-HL").children.order_by("code"))
    for quarter, count in enumerate(HAM_LIEM_2026, start=1):
        for index in range(count):
            number += 1
            ok = _admit(
                rng,
                cells[(index + quarter) % len(cells)],
                number=number,
                year=2026,
                quarter=quarter,
                deciding_body="Ban Thường vụ Đảng ủy xã Hàm Liêm",
                suffix="ĐU",
                last=TODAY_LIMIT,
            )
            created, kept = created + ok, kept + (not ok)
    return created, kept


@transaction.atomic
def load(*, stdout) -> None:
    made, kept = _load_candidates(stdout)
    stdout.write(f"Quần chúng demo: {made} tạo mới, {kept} đã có.")
    made, kept = _load_admissions()
    stdout.write(f"Kết nạp demo (2022 Lục Ngạn, 2026 Hàm Liêm): {made} tạo mới, {kept} đã có.")
