"""Build a national-scale synthetic tree for the roll-up benchmark (benchmarks/rollup.py).

    python manage.py generate_synthetic --orgs 190000 --admissions 1000000

One root above ~34 provinces, ~110 grassroots organizations each and 20–80 cells under each of those,
yearly plans allocating quotas down every level (the root allocates to provinces in the last three
years only, so the earlier years exercise quotas summed from below), and admissions spread over five
years. Run it on a database of its own, never on one holding real data.

The tree rows are saved one by one with django-mptt's updates disabled, then the tree is rebuilt
once (no bulk_create on the tree table); plans, quotas and admissions are bulk-inserted, which sends
no signals, so the report tallies are rebuilt from the facts at the end.
"""

from __future__ import annotations

import datetime
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from candidates.models import Admission
from organizations import structure
from organizations.models import Kind, Organization, Sector
from organizations.services import tree_lock
from quotas.models import Plan, Quota
from reports import services

ROOT_CODE = "SYN"
INSTITUTION_SECTORS = [Sector.AGENCY, Sector.SCHOOL, Sector.HEALTH, Sector.POLICE, Sector.ENTERPRISE]
BATCH = 20_000


def insert_rows(model, rows: list[dict]) -> None:
    """Plain rows straight into a table that is not the tree: COPY on PostgreSQL (a million
    admissions in seconds), bulk_create elsewhere. Fields a row leaves out take their model default,
    so a field added later with a default needs no change here; one without fails loudly."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows])
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    now = timezone.now()
    defaults = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        else:  # the model default, or "" for a blank text field, as a model instance would have
            defaults[field.attname] = field.get_db_prep_save(field.get_default(), connection)
    names = [field.attname for field in fields]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(row[name] if name in row else defaults.get(name) for name in names))


def split(total: int, parts: int, rng: random.Random, low: int = 20, high: int = 80) -> list[int]:
    """`total` items over `parts` buckets with weights drawn between low and high."""
    if parts <= 0:
        return []
    weights = [rng.uniform(low, high) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % parts] += 1
    return counts


class Command(BaseCommand):
    help = "Sinh cây tổ chức, chỉ tiêu và lượt kết nạp mô phỏng quy mô toàn quốc để đo hiệu năng báo cáo."

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=190_000, help="Tổng số tổ chức (gồm cả gốc).")
        parser.add_argument("--admissions", type=int, default=1_000_000, help="Số lượt kết nạp.")
        parser.add_argument("--provinces", type=int, default=34)
        parser.add_argument("--grassroots", type=int, default=110, help="Số tổ chức cơ sở mỗi tỉnh.")
        parser.add_argument("--years", type=int, default=5, help="Số năm có kết nạp, tính đến năm nay.")
        parser.add_argument("--last-year", type=int, default=timezone.localdate().year)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **o):
        provinces, grassroots = o["provinces"], o["grassroots"]
        cells = o["orgs"] - 1 - provinces - provinces * grassroots
        if provinces < 1 or grassroots < 1 or cells < provinces * grassroots:
            raise CommandError(
                "--orgs quá nhỏ: cần ít nhất một chi bộ cho mỗi tổ chức cơ sở "
                f"(tối thiểu {1 + provinces + 2 * provinces * grassroots})."
            )
        if o["admissions"] < 0 or o["years"] < 1:
            raise CommandError("--admissions phải ≥ 0 và --years ≥ 1.")
        if Organization.objects.filter(code=ROOT_CODE).exists():
            raise CommandError(f"Đã có cây mô phỏng (mã {ROOT_CODE}): dùng một cơ sở dữ liệu mới.")
        rng = random.Random(o["seed"])
        years = list(range(o["last_year"] - o["years"] + 1, o["last_year"] + 1))
        started = time.monotonic()

        with transaction.atomic():
            tree_lock()
            levels = self._tree(rng, provinces, grassroots, cells)
            self._step("tổ chức", len(levels["cells"]) + len(levels["grassroots"]) + provinces + 1, started)
            Organization.objects.partial_rebuild(levels["tree_id"])
            self._step("dựng lại cây (mptt rebuild)", None, started)
            versions = structure.versions_created_for(Organization.objects.filter(tree_id=levels["tree_id"]))
            self._step("cơ cấu theo thời gian", versions, started)
            quota_count = self._quotas(rng, levels, years)
            self._step("chỉ tiêu", quota_count, started)
            self._admissions(rng, levels["cells"], o["admissions"], years)
            self._step("lượt kết nạp", o["admissions"], started)
            counts = services.tallies_rebuild()
            self._step("bảng tổng hợp", counts["admission_tallies"] + counts["quota_tallies"], started)
        self.stdout.write(f"Xong sau {time.monotonic() - started:.0f} giây.")

    def _step(self, what: str, count: int | None, started: float) -> None:
        amount = f"{count:,} ".replace(",", ".") if count is not None else ""
        self.stdout.write(f"[{time.monotonic() - started:7.1f} s] {amount}{what}")

    @staticmethod
    def _save(org: Organization) -> Organization:
        org.lft = org.rght = org.level = 0  # placeholders until partial_rebuild
        org.skip_history_when_saving = True  # synthetic rows have no history worth keeping
        org.save()
        return org

    def _tree(self, rng: random.Random, provinces: int, grassroots: int, cells: int) -> dict:
        tree_id = (Organization.objects.aggregate(top=Max("tree_id"))["top"] or 0) + 1
        levels: dict = {"tree_id": tree_id, "provinces": [], "grassroots": [], "cells": []}
        with Organization.objects.disable_mptt_updates():
            root = self._save(
                Organization(
                    name="Tổng hợp toàn quốc (dữ liệu mô phỏng)", code=ROOT_CODE, kind=Kind.CENTRAL, tree_id=tree_id
                )
            )
            levels["root"] = root.pk
            per_grassroots = split(cells, provinces * grassroots, rng)
            for p in range(1, provinces + 1):
                province = self._save(
                    Organization(
                        name=f"Tỉnh ủy Mô phỏng {p:02d}",
                        code=f"{ROOT_CODE}-P{p:02d}",
                        kind=Kind.PROVINCE,
                        parent=root,
                        position=p,
                        tree_id=tree_id,
                    )
                )
                levels["provinces"].append((province.pk, root.pk))
                for g in range(1, grassroots + 1):
                    residential = rng.random() < 0.6
                    unit = self._save(
                        Organization(
                            name=f"Đảng bộ {'xã' if residential else 'cơ quan'} Mô phỏng {p:02d}.{g:03d}",
                            short_name=f"Xã {p:02d}.{g:03d}" if residential else "",
                            code=f"{ROOT_CODE}-P{p:02d}-G{g:03d}",
                            kind=Kind.COMMUNE if residential else Kind.GRASSROOTS_COMMITTEE,
                            sector=Sector.RESIDENTIAL if residential else rng.choice(INSTITUTION_SECTORS),
                            parent=province,
                            position=g,
                            tree_id=tree_id,
                        )
                    )
                    levels["grassroots"].append((unit.pk, province.pk))
                    for c in range(1, per_grassroots.pop() + 1):
                        cell = self._save(
                            Organization(
                                name=f"Chi bộ {c:03d}",
                                code=f"{ROOT_CODE}-P{p:02d}-G{g:03d}-C{c:03d}",
                                kind=Kind.CELL,
                                sector=unit.sector,
                                parent=unit,
                                position=c,
                                tree_id=tree_id,
                            )
                        )
                        levels["cells"].append((cell.pk, unit.pk))
                self.stdout.write(f"  tỉnh {p}/{provinces}")
        return levels

    def _quotas(self, rng: random.Random, levels: dict, years: list[int]) -> int:
        """Cells get 0–2 a year; each level above is allocated the sum of what it allocates below.
        In the earlier years the root allocates nothing: provinces' quotas are summed from below."""
        return sum(
            self._quotas_for_year(rng, levels, year, provinces_allocated=index >= len(years) - 3)
            for index, year in enumerate(years)
        )

    def _quotas_for_year(self, rng: random.Random, levels: dict, year: int, *, provinces_allocated: bool) -> int:
        allocators = [levels["root"], *(pk for pk, _ in levels["provinces"]), *(pk for pk, _ in levels["grassroots"])]
        plans: dict[int, Plan] = {}
        for start in range(0, len(allocators), BATCH):
            created = Plan.objects.bulk_create(
                [
                    Plan(
                        organization_id=pk,
                        number=f"{year}-{pk}-KH",
                        issued_on=datetime.date(year, 1, 15),
                        issuing_body="Ban Thường vụ",
                        title=f"Kế hoạch kết nạp đảng viên năm {year}",
                        start_year=year,
                        end_year=year,
                    )
                    for pk in allocators[start : start + BATCH]
                ]
            )
            plans.update({plan.organization_id: plan for plan in created})
        sums: dict[int, list[int]] = {}
        pending: list[dict] = []
        written = 0
        allocations = []
        for cell, unit in levels["cells"]:
            quarters = [0, 0, 0, 0]
            for _ in range(rng.choice((0, 1, 1, 2))):
                quarters[rng.randrange(4)] += 1
            allocations.append((cell, unit, quarters))
        for stage in ("cells", "grassroots", "provinces"):
            if stage == "grassroots":
                allocations = [(unit, province, sums.get(unit, [0] * 4)) for unit, province in levels["grassroots"]]
            elif stage == "provinces":
                if not provinces_allocated:
                    break
                allocations = [(province, root, sums.get(province, [0] * 4)) for province, root in levels["provinces"]]
            for child, parent, quarters in allocations:
                pending.append(
                    {
                        "plan_id": plans[parent].pk,
                        "organization_id": child,
                        "year": year,
                        "total": sum(quarters),
                        "q1": quarters[0],
                        "q2": quarters[1],
                        "q3": quarters[2],
                        "q4": quarters[3],
                    }
                )
                running = sums.setdefault(parent, [0, 0, 0, 0])
                for i in range(4):
                    running[i] += quarters[i]
                if len(pending) >= BATCH:
                    insert_rows(Quota, pending)
                    written += len(pending)
                    pending.clear()
        insert_rows(Quota, pending)
        return written + len(pending)

    def _admissions(self, rng: random.Random, cells: list[tuple[int, int]], count: int, years: list[int]) -> None:
        first = datetime.date(years[0], 1, 1).toordinal()
        last = datetime.date(years[-1], 12, 31).toordinal()
        cancelled_at = datetime.datetime(years[-1], 12, 31, tzinfo=datetime.UTC)
        for start in range(0, count, BATCH):
            batch = []
            for n in range(start, min(count, start + BATCH)):
                cancelled = rng.random() < 0.01
                batch.append(
                    {
                        "organization_id": rng.choice(cells)[0],
                        "full_name": f"Người mô phỏng {n}",
                        "gender": "female" if n % 2 else "male",
                        "birth_date": datetime.date(1980 + n % 25, 1 + n % 12, 1 + n % 28),
                        "decision_number": f"{n}-QĐ/MP",
                        "admitted_on": datetime.date.fromordinal(rng.randint(first, last)),
                        "cancelled_at": cancelled_at if cancelled else None,
                        "cancel_reason": "Mô phỏng" if cancelled else "",
                    }
                )
            insert_rows(Admission, batch)
            if start // BATCH % 10 == 0:
                self.stdout.write(f"  {start + len(batch):,} lượt kết nạp".replace(",", "."))
