"""Every form of every page fuzzed (hypothesis): never a server error, and a refused submission writes
nothing.

The forms are found, not listed: every page of the scope matrix (tests/*/scope_cases.py, every named
URL), every page a write case posts to (tests/scope/write_cases.py), the step form of every step,
the login and password pages and the admin's change lists, add and change pages are opened as the
superuser (who sees every form), and every <form> in them is read: its method, action and fields
with what a browser would send (values, checked boxes, selected options, hidden signed state), and
the parameters the page's own links set (an admin change list's filters). A write case's valid
payload is merged in, so generated data starts from a submission that would go through. Each
example changes a few fields to hostile values (NUL, 20-digit and non-finite numbers, impossible
dates, 5,000-character texts, zero-width and right-to-left marks, combining accents, emoji, formula
and markup text, junk files), sends the form, and rolls back.

A submission is refused when it answers 4xx, or 200 to a POST (the form shown again with its errors);
a refused one must leave every table as it was (fuzz_summary.footprint). The counts are printed at
the end of the run.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from candidates.choices import Step
from tests.candidates.factories import make_candidate
from tests.scope.test_matrix import CASES
from tests.scope.write_cases import IMPORT_SESSION_KEY, WRITE_CASES

from . import fuzz_summary

# Examples per form; derandomized, so every run sends the same requests.
MAX_EXAMPLES = 20
# Forms that end the session or switch the language: not what is fuzzed here.
SKIPPED_VIEWS = {"logout", "admin:logout", "set_language"}
# A POST whose 200 is a success that writes (the download is recorded).
WRITING_200 = {"candidates:admissions_xlsx"}

NASTY = [
    "",
    " ",
    "\x00",
    "Thôn\x001",
    "-1",
    "0",
    "99999999999999999999",
    "-99999999999999999999",
    "1e999",
    "NaN",
    "Infinity",
    "2.5",
    "1,5",
    "1.000.000",
    "١٢٣",
    "１２",
    "𝟙𝟚",
    "2025-02-30",
    "2025-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "99999-01-01",
    "31/12/2025",
    "30/02/2025",
    "Nguyễn \u200bThị",
    "\u202eabc",
    "\u00ad",
    "e\u0301\u0301\u0301",
    "😀",
    "𝕏",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "\r\n\t",
    '=HYPERLINK("http://x")',
    "true",
    "null",
    "Ngọc " * 100,
    "A" * 5000,
]
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=24)
VALUES = st.one_of(
    st.sampled_from(NASTY),
    TEXT,
    st.integers(min_value=-(10**6), max_value=10**13).map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(datetime.date.isoformat),
)


@dataclass
class Field:
    name: str
    kind: str
    value: object = None  # what a browser sends: a string, a list (multiple), None (not sent)
    options: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    page: str
    method: str
    action: str
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def view(self) -> str:
        try:
            return resolve(urlsplit(self.action).path).view_name
        except Resolver404:
            return ""

    @property
    def key(self) -> tuple:
        return (self.method, self.view, tuple(sorted(self.fields)))

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.view} ({urlsplit(self.action).path})"


class _Forms(HTMLParser):
    """The forms of one page, with the values a browser would submit."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.option: dict | None = None
        self.textarea: Field | None = None
        # The parameters the page's own links set (?year=2025, an admin change list's filters): a
        # GET form of their own, since a browser sends them too.
        self.links = Form(page, "get", page)

    def handle_starttag(self, tag, attrs):
        attrs = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "a" and attrs.get("href", "").startswith("?"):
            for name, value in parse_qsl(attrs["href"][1:], keep_blank_values=True):
                self.links.fields.setdefault(name, Field(name, "link", value)).options.append(value)
            return
        if tag == "form":
            action = urljoin(self.page, attrs.get("action") or self.page)
            self.form = Form(self.page, (attrs.get("method") or "get").lower(), action)
            self.forms.append(self.form)
            return
        if self.form is None or not attrs.get("name"):
            if tag == "option" and self.select is not None:
                self.option = attrs
            return
        name = attrs["name"]
        if tag == "input":
            self._input(name, attrs)
        elif tag == "button" and attrs.get("value") is not None and (attrs.get("type") or "submit") == "submit":
            self.form.fields.setdefault(name, Field(name, "button", attrs.get("value", "")))
        elif tag == "select":
            self.select = Field(name, "select", [] if "multiple" in attrs else None, multiple="multiple" in attrs)
            self.form.fields[name] = self.select
        elif tag == "textarea":
            self.textarea = Field(name, "textarea", "")
            self.form.fields[name] = self.textarea

    def _input(self, name, attrs):
        kind = (attrs.get("type") or "text").lower()
        if kind in {"submit", "image", "reset", "button"}:
            return
        known = self.form.fields.get(name)
        if kind in {"checkbox", "radio"}:
            known = known or self.form.fields.setdefault(name, Field(name, kind, None if kind == "radio" else []))
            value = attrs.get("value", "on")
            known.options.append(value)
            if "checked" in attrs:
                if kind == "radio":
                    known.value = value
                else:
                    known.value.append(value)
            return
        self.form.fields[name] = Field(name, kind, attrs.get("value", ""))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data
        if self.option is not None:
            self.option.setdefault("_text", "")
            self.option["_text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            if self.select is not None and not self.select.multiple and self.select.value is None:
                self.select.value = self.select.options[0] if self.select.options else ""
            self.select = None
        elif tag == "option" and self.option is not None and self.select is not None:
            value = self.option.get("value", self.option.get("_text", "").strip())
            self.select.options.append(value)
            if "selected" in self.option:
                if self.select.multiple:
                    self.select.value.append(value)
                else:
                    self.select.value = value
            self.option = None


def forms_of(page: str, html: str) -> list[Form]:
    parser = _Forms(page)
    parser.feed(html)
    forms = [*parser.forms, parser.links] if parser.links.fields else parser.forms
    return [form for form in forms if urlsplit(form.action).netloc in ("", "testserver")]


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _url(name: str, kwargs: dict | None, query: str = "") -> str:
    url = reverse(name, kwargs=kwargs) if kwargs is not None else reverse(name)
    return f"{url}?{query}" if query else url


def _payload_form(url: str, data: dict) -> Form:
    """A form made from a write case's payload, for a POST no page renders as a form of its own."""
    form = Form(url, "post", urljoin("http://testserver/", url))
    for name, value in data.items():
        kind = "file" if isinstance(value, SimpleUploadedFile) else "text"
        form.fields[name] = Field(
            name, kind, value if kind == "file" else (value if isinstance(value, list) else str(value))
        )
    return form


def _admin_pages(world) -> list[tuple[str, None]]:
    """The admin's change lists (search, filters, actions), add forms and one change form per model."""
    request = RequestFactory().get("/")
    request.user = world.superuser
    pages = []
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        pages.append((reverse("admin:{}_{}_changelist".format(*info)), None))
        if model_admin.has_add_permission(request):
            pages.append((reverse("admin:{}_{}_add".format(*info)), None))
        first = model_admin.get_queryset(request).order_by("pk").first()
        if first is not None:
            pages.append((reverse("admin:{}_{}_change".format(*info), args=[first.pk]), None))
    return pages


def discover(world) -> tuple[list[Form], Client, Client]:
    """Every form of every page (see the module docstring), one per (method, view, fields)."""
    client = _client(world.superuser)
    anonymous = _client()
    found: dict[tuple, Form] = {}
    for page, payload in _pages(world, client):
        response = client.get(page)
        page_forms = forms_of(f"http://testserver{page}", response.content.decode(errors="replace"))
        matched = False
        for form in page_forms:
            if form.view in SKIPPED_VIEWS:
                continue
            if payload is not None and form.method == "post" and urlsplit(form.action).path == urlsplit(page).path:
                matched = True
                _fill(form, payload)
            found.setdefault(form.key, form)
        if payload is not None and not matched:
            form = _payload_form(page, payload)
            found.setdefault(form.key, form)
    for form in forms_of("http://testserver" + reverse("login"), anonymous.get(reverse("login")).content.decode()):
        if form.view not in SKIPPED_VIEWS:
            found.setdefault(form.key, form)
    return list(found.values()), client, anonymous


def _pages(world, client) -> list[tuple[str, dict | None]]:
    """The pages to read forms from, each with the payload its write case posts (None: a page only)."""
    pages = []
    for case in CASES:
        if not case.api:
            pages.append((_url(case.url_name, case.kwargs(world)[0] if case.kwargs else None, case.query), None))
    for case in WRITE_CASES:
        if case.api:
            continue
        target = case.inside(world)
        if target.session is not None:
            session = client.session
            session[IMPORT_SESSION_KEY] = {**session.get(IMPORT_SESSION_KEY, {}), **target.session}  # both imports
            session.save()
        pages.append((_url(case.url_name, target.kwargs), target.data))
    # Each step of the pipeline has a form of its own (introducers, votes, the decision number…).
    for step in Step:
        if step != Step.FULL_MEMBERSHIP:
            pages.append((reverse("candidates:advance", args=[make_candidate(world.cell_a, step=step).pk]), None))
    pages += [(reverse("password_change"), None), (reverse("home"), None), *_admin_pages(world)]
    return pages


def _fill(form: Form, payload: dict) -> None:
    """The write case's own payload in the page's form: the fields it posts, with the kinds the page gives them."""
    for name, value in payload.items():
        kind = "file" if isinstance(value, SimpleUploadedFile) else form.fields.get(name, Field(name, "text")).kind
        form.fields[name] = Field(name, kind, value if isinstance(value, SimpleUploadedFile | list) else str(value))


def _file(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _mutations(form: Form):
    names = sorted(name for name in form.fields if name != "csrfmiddlewaretoken")
    if not names:
        return st.just(({}, set()))

    def value_for(name):
        fuzzed = form.fields[name]
        if fuzzed.kind == "file":
            return st.builds(
                _file, st.binary(max_size=64), st.sampled_from(["bieu.xlsx", "x.txt", "ở đây.xlsx", "a\x00.xlsx"])
            )
        options = [o for o in fuzzed.options if o is not None]
        choices = st.one_of(st.sampled_from(options), VALUES) if options else VALUES
        if fuzzed.multiple or fuzzed.kind == "checkbox":
            return st.lists(choices, max_size=3)
        return choices

    changed = st.dictionaries(st.sampled_from(names), st.none(), min_size=1, max_size=3).flatmap(
        lambda keys: st.fixed_dictionaries({name: value_for(name) for name in keys})
    )
    dropped = st.sets(st.sampled_from(names), max_size=1)
    return st.tuples(changed, dropped)


def _data(form: Form, changed: dict, dropped: set) -> dict:
    data = {}
    for name, fuzzed in form.fields.items():
        if name in dropped:
            continue
        value = changed.get(name, fuzzed.value)
        if value is None or value == []:
            continue
        if isinstance(value, SimpleUploadedFile):
            value.seek(0)
        data[name] = value
    return data


def _send(client: Client, form: Form, data: dict):
    if form.method == "post":
        return client.post(form.action, data)
    return client.get(form.action, {k: v for k, v in data.items() if not isinstance(v, SimpleUploadedFile)})


def _fuzz(form: Form, sender: Client, failures: list[str]):
    """The hypothesis run of one form: each example sent once, inside a savepoint rolled back."""

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(mutation=_mutations(form))
    def submit(mutation):
        changed, dropped = mutation
        data = _data(form, changed, dropped)
        with fuzz_summary.PAGES.timing(), rolled_back():
            before = fuzz_summary.footprint()
            response = _send(sender, form, data)
            written = fuzz_summary.written(before, fuzz_summary.footprint())
        fuzz_summary.PAGES.record(repr(form.key), response.status_code)
        refused = response.status_code >= 400 or (
            form.method == "post" and response.status_code == 200 and form.view not in WRITING_200
        )
        shown = {k: (v if not isinstance(v, str) or len(v) < 80 else v[:80] + "…") for k, v in data.items()}
        if response.status_code >= 500:
            failures.append(f"{form.label} -> {response.status_code} with {shown!r}")
        elif refused and written:
            failures.append(f"{form.label} -> {response.status_code}, refused, and wrote {written} with {shown!r}")

    return submit


# The admin's date filters warn when they build a datetime from a fuzzed day: Django's, and harmless.
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")
def test_every_page_form_survives_hostile_input(world):
    forms, client, anonymous = discover(world)
    failures: list[str] = []
    for form in forms:
        _fuzz(form, anonymous if form.view == "login" else client, failures)()

    assert failures == [], f"{len(failures)} failures:\n" + "\n".join(failures[:40])
    # Every page a write case posts to was fuzzed through a form of its own (or its payload).
    fuzzed_posts = {form.view for form in forms if form.method == "post"}
    pages_written = {case.url_name for case in WRITE_CASES if not case.api}
    assert pages_written - fuzzed_posts == set()
    assert {"login", "password_change", "organizations:tree", "candidates:admissions"} <= {form.view for form in forms}
