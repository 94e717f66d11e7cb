"""Real-browser journeys: Playwright for Python driving Debian's Chromium, headless, offline.

Every journey fails on a console error, a failed request, a request to any host other than the
test server on 127.0.0.1, or a Content-Security-Policy violation (the page's `securitypolicyviolation`
events, and any console message about the policy, warnings included).
"""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("PARTYTRACK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]

# Runs in every document before its own scripts: keeps what the browser refused under the policy.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile || location.href}:` +
    `${e.lineNumber}:${e.columnNumber} (${e.sample || "no sample"}) on ${location.href}`
  );
});
"""


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (the CI script does)")
    # Playwright's sync API runs an event loop in this thread; the Django ORM used by the test's own
    # setup would otherwise refuse to run next to it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class Journey:
    """A browser page bound to the live server, collecting everything that must fail the test."""

    def __init__(self, browser, base_url: str, *, width: int = 1280, height: int = 900):
        self.base_url = base_url
        self.context = browser.new_context(
            viewport={"width": width, "height": height}, locale="vi-VN", accept_downloads=True
        )
        self.problems: list[str] = []
        allowed = urlsplit(base_url).netloc

        def guard(route):
            parts = urlsplit(route.request.url)
            if parts.scheme in ("data", "blob") or parts.netloc == allowed:
                route.continue_()
            else:
                self.problems.append(f"request to another host: {route.request.url}")
                route.abort()

        self.context.route("**/*", guard)
        self.context.add_init_script(CSP_LISTENER)
        self.page = self.context.new_page()
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type == "error" or "Content Security Policy" in m.text
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        # A request the browser cancels itself (net::ERR_ABORTED: the page navigated on before its
        # favicon arrived, or a link turned into a download) is not a failure of the application;
        # requests to other hosts are aborted by `guard` above and recorded there.
        self.page.on(
            "requestfailed",
            lambda r: (
                self.problems.append(f"failed request {r.url}: {r.failure}")
                if urlsplit(r.url).netloc == allowed and "ERR_ABORTED" not in (r.failure or "")
                else None
            ),
        )

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.check_csp()
        return response

    def check_csp(self) -> None:
        """Record the violations the current document has seen so far (and forget them)."""
        violations = self.page.evaluate("() => (window.__cspViolations || []).splice(0)")
        self.problems.extend(f"CSP violation: {violation}" for violation in violations)

    def login(self, username: str, password: str = "test-password-123"):
        self.goto("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit].primary")
        self.page.wait_for_load_state()

    def close(self) -> list[str]:
        """Close the browser context; what went wrong in it."""
        self.check_csp()
        self.context.close()
        return self.problems


@pytest.fixture
def journey(chromium, live_server):
    opened: list[Journey] = []

    def start(**kwargs) -> Journey:
        journey = Journey(chromium, live_server.url, **kwargs)
        opened.append(journey)
        return journey

    yield start
    problems = [problem for journey in opened for problem in journey.close()]
    assert problems == [], "\n".join(problems)
