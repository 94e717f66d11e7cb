"""Fixtures for the quotas tests: the seeds' demo data (organizations, plans, quotas) and users."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from openpyxl import Workbook

from organizations import demo as organizations_demo
from organizations.models import Organization, Role
from quotas import demo as quotas_demo
from quotas.models import Plan, Quota
from tests.factories import UserFactory, grant


def load_seeded() -> None:
    """The seeds' demo data and five users; shared by the tests that only read it (tests/conftest.py
    `_seeded_db`: loaded once in a transaction rolled back after them, each test in a savepoint)."""
    organizations_demo.load(stdout=io.StringIO())
    quotas_demo.load(stdout=io.StringIO())
    luc_ngan = Organization.objects.get(code="BG-LN")
    bao_lam = Organization.objects.get(code="LD-BL")
    grant(UserFactory(username="tochuc.ln", first_name="Nguyễn Văn An"), luc_ngan, Role.STAFF)
    grant(UserFactory(username="tochuc2.ln", first_name="Trần Thị Bình"), luc_ngan, Role.STAFF)
    grant(UserFactory(username="lanhdao.ln"), luc_ngan, Role.LEADER)
    grant(UserFactory(username="tochuc.bl"), bao_lam, Role.STAFF)
    grant(UserFactory(username="tochuc.hl"), Organization.objects.get(code="LD-HL"), Role.STAFF)


@pytest.fixture
def seeded(request, _seeded_db, db):
    """Everything the seeds print: Lục Ngạn's 72-KH/HU with its 55 quotas, Bảo Lâm's term plan…,
    fetched afresh for each test (the test's own changes are rolled back after it)."""
    if _seeded_db.for_test(request.node) is None:
        load_seeded()  # a test that commits: loaded for it alone
    users = {user.username: user for user in get_user_model().objects.filter(username__contains=".")}
    s = SimpleNamespace()
    s.luc_ngan = Organization.objects.get(code="BG-LN")
    s.bao_lam = Organization.objects.get(code="LD-BL")
    s.ham_liem = Organization.objects.get(code="LD-HL")
    s.plan72 = Plan.objects.get(organization=s.luc_ngan, number="72-KH/HU")
    s.plan55 = Plan.objects.get(organization=s.bao_lam, number="55-KH/HU")
    s.staff, s.staff2, s.leader = users["tochuc.ln"], users["tochuc2.ln"], users["lanhdao.ln"]
    s.staff_bl, s.outsider = users["tochuc.bl"], users["tochuc.hl"]
    s.org = lambda code: Organization.objects.get(code=code)
    return s


def quota_state() -> list[tuple]:
    """Every quota and the size of its history: equal before and after means nothing was written."""
    quotas = sorted(
        (q.plan_id, q.organization_id, q.year, q.total, q.q1, q.q2, q.q3, q.q4) for q in Quota.objects.all()
    )
    return [*quotas, ("history", Quota.history.count(), Plan.objects.count())]


def seed_000_workbook(rows_by_group: list[list[tuple]], *, subtotals=None, total_text: str | None = None) -> bytes:
    """A biểu typed as seed 000 prints it: two header rows, names without codes, a "Cộng" row after
    each table and "Tổng cộng: 220 đảng viên." at the end."""
    book = Workbook()
    sheet = book.active
    sheet.append(["BIỂU TỔNG HỢP"])
    sheet.append(["Giao chỉ tiêu kết nạp đảng viên năm 2022"])
    sheet.append(["TT", "Tên đảng bộ", "Tổng số\nđảng viên\nkết nạp", "Chia ra theo quý"])
    sheet.append([None, None, None, "Quý I", "Quý II", "Quý III", "Quý IV"])
    sheet.merge_cells("D3:G3")
    for index, rows in enumerate(rows_by_group):
        for number, row in enumerate(rows, 1):
            sheet.append([number, *row])
        sums = subtotals[index] if subtotals is not None else [sum(row[i] for row in rows) for i in range(1, 6)]
        sheet.append([None, "Cộng", *sums])
    if total_text:
        sheet.append([None, total_text])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
