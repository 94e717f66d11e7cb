"""50 demo users (staff, leaders, secretaries) log in and browse: home, the progress dashboard, the
quarterly progress report, a child's dashboard, the quota grid and the candidates board. PDFs are
requested rarely and under their own names ("pdf: …") so run.py can leave them out of the p95.

The pages each account visits come from the JSON file named by LOAD_TARGETS (run.py writes it from
the demo database): {"accounts": [{"username": ..., "pages": [[name, path, weight], ...]}, ...]}.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "demo-partytrack-2026")
with open(os.environ["LOAD_TARGETS"], encoding="utf-8") as handle:
    ACCOUNTS = json.load(handle)["accounts"]
if os.environ.get("LOAD_NO_PDF"):  # run.py --no-pdf: pages only, to see what the PDFs cost the others
    for account in ACCOUNTS:
        account["pages"] = [page for page in account["pages"] if not page[0].startswith("pdf")]
_next_account = itertools.count()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Response times of the pages (not PDFs, not the login POST with its deliberate password hashing),
# for one p95 over all of them, written to LOAD_PAGES_OUT when locust quits; "steady" counts only the
# requests made after the last user had logged in (the login burst hashes 50 passwords at once).
PAGE_TIMES: list[tuple[float, float]] = []
LOGINS: list[float] = []


@events.request.add_listener
def _collect(request_type, name, response_time, exception, start_time=None, **_kwargs):
    if name == "login":
        LOGINS.append(time.time())
    elif not name.startswith("pdf") and exception is None:
        PAGE_TIMES.append((start_time or time.time(), response_time))


def _stats(times: list[float]) -> dict:
    times = sorted(times)
    if not times:
        return {"count": 0, "p50": 0.0, "p95": 0.0, "max": 0.0}

    def percentile(share: float) -> float:
        return times[min(len(times) - 1, int(share * len(times)))]

    return {"count": len(times), "p50": percentile(0.5), "p95": percentile(0.95), "max": times[-1]}


@events.quitting.add_listener
def _write(environment, **_kwargs):
    target = os.environ.get("LOAD_PAGES_OUT")
    if not target:
        return
    last_login = max(LOGINS, default=0.0)
    result = _stats([rt for _start, rt in PAGE_TIMES])
    result["steady"] = _stats([rt for start, rt in PAGE_TIMES if start > last_login])
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(result, handle)


class PartyUser(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self):
        account = ACCOUNTS[next(_next_account) % len(ACCOUNTS)]
        self.pages = account["pages"]
        self.weights = [weight for _name, _path, weight in self.pages]
        with self.client.get("/accounts/login/", name="login page", catch_response=True) as response:
            match = CSRF.search(response.text)
            if not match:
                response.failure("no CSRF token on the login page")
                return
        with self.client.post(
            "/accounts/login/",
            data={"username": account["username"], "password": PASSWORD, "csrfmiddlewaretoken": match.group(1)},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
            catch_response=True,
        ) as response:
            if "/accounts/login/" in response.url:
                response.failure(f"login refused for {account['username']}")

    @task
    def browse(self):
        name, path, _weight = random.choices(self.pages, weights=self.weights)[0]
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "/accounts/login/" in response.url:
                response.failure("sent back to the login page")
            elif name.startswith("pdf") and not response.content.startswith(b"%PDF"):
                response.failure("not a PDF")
