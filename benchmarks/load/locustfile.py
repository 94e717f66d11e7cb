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

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "demo-partytrack-2026")
with open(os.environ["LOAD_TARGETS"], encoding="utf-8") as handle:
    ACCOUNTS = json.load(handle)["accounts"]
_next_account = itertools.count()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Response times of the pages (not PDFs, not the login POST with its deliberate password hashing),
# for one p95 over all of them, written to LOAD_PAGES_OUT when locust quits.
PAGE_TIMES: list[float] = []


@events.request.add_listener
def _collect(request_type, name, response_time, exception, **_kwargs):
    if not name.startswith("pdf") and name != "login" and exception is None:
        PAGE_TIMES.append(response_time)


@events.quitting.add_listener
def _write(environment, **_kwargs):
    target = os.environ.get("LOAD_PAGES_OUT")
    if not target:
        return
    times = sorted(PAGE_TIMES)

    def percentile(share: float) -> float:
        return times[min(len(times) - 1, int(share * len(times)))] if times else 0.0

    with open(target, "w", encoding="utf-8") as handle:
        json.dump(
            {"count": len(times), "p50": percentile(0.5), "p95": percentile(0.95), "max": times[-1] if times else 0},
            handle,
        )


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
