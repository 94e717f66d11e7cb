"""Server errors from hostile input (issue 12, break 8): each of the six causes answers 400 with a
Vietnamese message naming what is wrong, and writes nothing. Each was a 500 (on PostgreSQL at least;
the NUL one only there) before its fix at the shared root: a middleware for parameters (NUL, and the
admin's date drill-down, which the page fuzzer found), one pagination class, one year field, one JSON
parser, text lengths from the model."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from candidates.choices import Introduction, Step
from candidates.models import PersonalDataAccess
from tests.candidates.factories import make_admission, make_candidate
from tests.quotas.scope_cases import YEAR, _quota
from tests.scope.snapshot import changed, snapshot

LISTS = ["/api/v1/organizations/", "/api/v1/quotas/", "/api/v1/candidates/", "/api/v1/admissions/"]


def _page(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def _text(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------------------------------ NUL


@pytest.mark.parametrize(
    "url",
    [
        "/organizations/?q=%00",
        "/organizations/?q=Th%C3%B4n%001",
        "/admin/organizations/organization/?q=%00",
        "/admin/organizations/organization/?kind=%00",
        "/admin/candidates/admission/?source__exact=%00",
        "/candidates/admissions/?q=%00",
        "/reports/{commune}/?year=2026%00",
    ],
)
def test_a_nul_in_a_page_or_admin_parameter_is_400_with_a_message(world, url):
    response = _page(world.superuser).get(url.format(commune=world.commune_a.pk))
    assert response.status_code == 400
    assert "ký tự NUL" in _text(response)


def test_a_nul_in_an_api_parameter_is_400_with_a_message(world):
    response = _api(world.staff).get("/api/v1/organizations/?search=a%00")
    assert response.status_code == 400
    assert "ký tự NUL" in response.json()["detail"] and "“search”" in response.json()["detail"]


def test_a_nul_in_a_posted_page_field_is_400_and_writes_nothing(world):
    candidate = make_candidate(world.cell_a)
    before = snapshot()
    response = _page(world.secretary).post(
        f"/candidates/{candidate.pk}/step/", {"step": Step.AWARENESS_CLASS, "on": "2025-02-10", "note": "a\0b"}
    )
    assert response.status_code == 400 and "“note”" in _text(response)
    assert changed(before, snapshot()) == []


@pytest.mark.parametrize(
    "query",
    [
        "admitted_on__year=9999999999999",
        "admitted_on__year=9999",
        "admitted_on__year=2024&admitted_on__month=13",
        "admitted_on__year=2024&admitted_on__month=1&admitted_on__day=-1",
    ],
)
def test_an_impossible_date_in_the_admins_drill_down_is_400(world, query):
    """Found by the page fuzzer: Django builds a datetime from the admin's date drill-down and only
    expects ValueError; a 13-digit year (OverflowError) or 9999 (the year after it) were 500s."""
    client = _page(world.superuser)
    response = client.get(f"/admin/candidates/admission/?{query}")
    assert response.status_code == 400 and "phải là số nguyên" in _text(response)
    axes = client.get(f"/admin/axes/accesslog/?{query.replace('admitted_on', 'attempt_time')}")
    assert axes.status_code == 400
    assert client.get("/admin/candidates/admission/?admitted_on__year=2024&admitted_on__month=5").status_code == 200


# ----------------------------------------------------------------------------------- pagination


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("limit=99999999999999999999", "limit"),
        ("limit=-1", "limit"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("limit=1001", "limit"),
        ("offset=-5", "offset"),
        ("offset=abc", "offset"),
        ("offset=1e3", "offset"),
        ("offset=99999999999999999999", "offset"),
    ],
)
def test_a_limit_or_offset_out_of_range_is_400_naming_it(world, url, query, name):
    response = _api(world.superuser).get(f"{url}?{query}")
    assert response.status_code == 400, response.content
    assert "phải là số nguyên" in response.json()[name][0]


def test_limits_in_range_still_page_the_list(world):
    response = _api(world.superuser).get("/api/v1/organizations/?limit=2&offset=1000000000")
    assert response.status_code == 200 and response.json()["results"] == []
    page = _api(world.superuser).get("/api/v1/organizations/?limit=1000&offset=1").json()
    assert len(page["results"]) == page["count"] - 1


# ----------------------------------------------------------------------------------------- years


@pytest.mark.parametrize("year", ["-1", "0", "99999", "99999999999999999999", "1e999", "2026.5"])
def test_a_year_out_of_range_on_admissions_is_400_in_the_api_the_page_and_the_export(world, year):
    make_admission(world.cell_a)
    api = _api(world.staff).get(f"/api/v1/admissions/?year={year}")
    assert api.status_code == 400 and "Năm phải là số nguyên từ 1930 đến 2100" in api.json()["year"][0]
    page = _page(world.staff).get(f"/candidates/admissions/?year={year}")
    assert page.status_code == 400 and "Năm phải là số nguyên từ 1930 đến 2100" in _text(page)
    assert len(page.context["table"].rows) == 0  # a refused filter lists nothing, not everything
    before = PersonalDataAccess.objects.count()
    export = _page(world.staff).get(f"/candidates/admissions.xlsx?year={year}")
    assert export.status_code == 400 and "Năm phải là số nguyên" in _text(export)
    assert PersonalDataAccess.objects.count() == before  # nothing downloaded, nothing to record


def test_a_year_in_range_still_filters(world):
    make_admission(world.cell_a)
    assert _api(world.staff).get("/api/v1/admissions/?year=2022").json()["count"] == 1
    assert _api(world.staff).get("/api/v1/admissions/?year=2023").json()["count"] == 0
    assert _api(world.staff).get(f"/api/v1/quotas/?year={YEAR + 1}").status_code == 200
    assert _api(world.staff).get("/api/v1/quotas/?year=-1").status_code == 400


# ---------------------------------------------------------------------------- JSON numbers


def _posts(world) -> list[tuple[str, dict, str]]:
    """(URL, a valid payload, its foreign-key field) for each API creation."""
    return [
        ("/api/v1/quotas/", {"organization": world.cell_a.pk, "year": YEAR, "total": 3}, "organization"),
        (
            "/api/v1/organizations/",
            {"parent": world.commune_a.pk, "code": "A1Y", "name": "Thôn 8", "kind": "cell"},
            "parent",
        ),
        (
            "/api/v1/candidates/",
            {"organization": world.cell_a.pk, "full_name": "Qua API", "gender": "male", "birth_date": "2001-02-03"},
            "organization",
        ),
        (
            "/api/v1/admissions/",
            {
                "organization": world.cell_a.pk,
                "full_name": "Lịch Sử Thị A",
                "gender": "female",
                "birth_date": "1997-07-07",
                "decision_number": "5-QĐ/HU",
                "admitted_on": "2022-05-05",
            },
            "organization",
        ),
    ]


@pytest.mark.parametrize("number", ["1e999", "-1e999", "NaN", "Infinity", "-Infinity"])
def test_a_json_number_that_is_not_finite_is_400_and_writes_nothing(world, number):
    client = _api(world.superuser)
    for url, payload, key in _posts(world):
        body = json.dumps({**payload, key: "__N__"}).replace('"__N__"', number)
        before = snapshot()
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400, (url, response.content)
        assert "chỉ nhận số hữu hạn" in response.json()["detail"], url
        assert changed(before, snapshot()) == [], url


@pytest.mark.parametrize("number", ["99999999999999999999", "-99999999999999999999", "1e300", "2.5", "true"])
def test_a_huge_or_fractional_number_in_a_key_or_integer_field_is_400_and_writes_nothing(world, number):
    client = _api(world.superuser)
    quota = _quota(world.commune_a, world.cell_a)
    targets = [(url, payload, key) for url, payload, key in _posts(world)]
    targets.append(("/api/v1/quotas/", {"organization": world.cell_a.pk, "year": YEAR, "total": 3}, "total"))
    targets.append(("/api/v1/quotas/", {"organization": world.cell_a.pk, "year": YEAR, "total": 3}, "year"))
    for url, payload, key in targets:
        body = json.dumps({**payload, key: "__N__"}).replace('"__N__"', number)
        before = snapshot()
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400, (url, key, response.content)
        assert key in response.json() or "non_field_errors" in response.json(), (url, key, response.content)
        assert changed(before, snapshot()) == [], url
    response = client.put(
        f"/api/v1/quotas/{quota.pk}/",
        f'{{"organization": {world.cell_a.pk}, "year": {YEAR}, "total": {number}}}',
        content_type="application/json",
    )
    assert response.status_code == 400


# ---------------------------------------------------------------------------- text lengths

LONG_NAME = "Nguyễn Thị " + "Ngọc " * 27 + "Ngọc"  # 150 characters: one name fits, two joined do not
OTHER_LONG_NAME = LONG_NAME[:-4] + "Ánh."
assert len(LONG_NAME) == 150


def test_two_long_introducer_names_are_400_naming_the_field_and_write_nothing(world):
    candidate = make_candidate(world.cell_a, step=Step.AWARENESS_CLASS)
    before = snapshot()
    response = _api(world.secretary).post(
        f"/api/v1/candidates/{candidate.pk}/steps/",
        {
            "step": Step.APPLICATION,
            "on": "2025-03-10",
            "introduction": Introduction.TWO_MEMBERS,
            "people": [LONG_NAME, OTHER_LONG_NAME],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "302 ký tự, quá mức tối đa 300" in response.json()["people"][0]
    assert changed(before, snapshot()) == []

    page = _page(world.secretary).post(
        f"/candidates/{candidate.pk}/step/",
        {
            "step": Step.APPLICATION,
            "on": "2025-03-10",
            "introduction": Introduction.TWO_MEMBERS,
            "introducer_1": LONG_NAME,
            "introducer_2": OTHER_LONG_NAME,
        },
    )
    assert page.status_code == 200 and "302 ký tự, quá mức tối đa 300" in _text(page)
    assert changed(before, snapshot()) == []


def test_a_step_field_longer_than_its_column_is_refused_on_the_form(world):
    """The page's fields are as long as the columns (a decision number is the admission's: 50)."""
    candidate = make_candidate(world.cell_a, step=Step.REVIEW)
    before = snapshot()
    page = _page(world.secretary).post(
        f"/candidates/{candidate.pk}/step/",
        {"step": Step.DECISION, "on": "2025-07-01", "document_number": "9" * 51, "acting_body": "Ban Thường vụ"},
    )
    assert page.status_code == 200
    assert page.context["form"].errors["document_number"]
    api = _api(world.secretary).post(
        f"/api/v1/candidates/{candidate.pk}/steps/",
        {"step": Step.DECISION, "on": "2025-07-01", "document_number": "9" * 51, "acting_body": "Ban Thường vụ"},
        format="json",
    )
    assert api.status_code == 400 and "decision_number" in api.json()
    assert changed(before, snapshot()) == []


def test_two_long_mentor_names_are_refused_naming_the_mentor(world):
    candidate = make_candidate(world.cell_a, step=Step.CEREMONY)
    before = snapshot()
    response = _api(world.secretary).post(
        f"/api/v1/candidates/{candidate.pk}/steps/",
        {"step": Step.PROBATION, "on": "2025-07-15", "people": ["Trần Văn " + "A" * 90, "Lê Thị " + "B" * 90]},
        format="json",
    )
    assert response.status_code == 400
    assert "quá mức tối đa 150" in response.json()["mentor_name"][0]
    assert changed(before, snapshot()) == []


# ------------------------------------------------------------ JSON strings and depth (issue 12 re-probe)

SURROGATE_REFUSAL = "Không được có ký tự thay thế (surrogate): U+D800."


def _writes(world) -> list[tuple[str, str]]:
    """A creation, a PUT and a PATCH (the quotas take PUT only)."""
    quota = _quota(world.commune_a, world.cell_a)
    return [
        ("post", "/api/v1/candidates/"),
        ("put", f"/api/v1/quotas/{quota.pk}/"),
        ("patch", f"/api/v1/organizations/{world.cell_a2.pk}/"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        '{{"ethnicity": "\\ud800x", {rest}}}',  # a choice field: its "not a valid choice" message once failed
        '{{"full_name": "Nguy\\ud800n", {rest}}}',
        '{{"\\ud800": 1, {rest}}}',  # a key
        '{{"notes": ["a", {{"b": ["\\ud800"]}}], {rest}}}',  # deep in a list
    ],
    ids=["choice", "text", "key", "nested"],
)
def test_a_lone_surrogate_anywhere_in_the_json_is_400_and_writes_nothing(world, body):
    client = _api(world.superuser)
    payload = _posts(world)[2][1]
    rest = json.dumps(payload)[1:-1]
    for method, url in _writes(world):
        before = snapshot()
        response = getattr(client, method)(url, body.format(rest=rest), content_type="application/json")
        assert response.status_code == 400, (url, response.content)
        assert response.json() == {"detail": SURROGATE_REFUSAL}, url
        assert changed(before, snapshot()) == [], url


@pytest.mark.parametrize("opening", ['{"a": ', "["], ids=["objects", "lists"])
def test_json_nested_deeper_than_the_limit_is_400_and_writes_nothing(world, opening):
    client = _api(world.superuser)
    closing = "}" if opening == '{"a": ' else "]"
    for depth in (33, 5000):
        body = opening * depth + "1" + closing * depth
        for method, url in _writes(world):
            before = snapshot()
            response = getattr(client, method)(url, body, content_type="application/json")
            assert response.status_code == 400, (url, depth, response.content[:200])
            assert response.json() == {"detail": "Dữ liệu gửi lên lồng nhau quá 32 tầng."}, url
            assert changed(before, snapshot()) == [], url


def test_json_within_the_depth_limit_and_brackets_in_strings_are_read(world):
    """32 levels are read (the serializer answers about the field); brackets inside strings do not count."""
    client = _api(world.superuser)
    payload = {**_posts(world)[2][1], "full_name": "Nguyễn [[[[{{{{" * 8 + "Văn A"}
    body = json.dumps(payload)[:-1] + ', "extra": ' + "[" * 31 + "1" + "]" * 31 + "}"
    response = client.post("/api/v1/candidates/", body, content_type="application/json")
    assert response.status_code == 201, response.content
