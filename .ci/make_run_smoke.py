#!/usr/bin/env python3
"""`make run` on this checkout, as a new user would start it: it must migrate, load the demo data,
print the demo logins and serve the login page; a demo user then logs in and sees Bắc Ninh's tree of
today: the 11 communes and wards Lục Ngạn's 29 were merged into in 2025. Uses a throwaway SQLite file and port; stops everything it started.

    python3 .ci/make_run_smoke.py          # exit status 0 when all of that holds
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("SMOKE_PORT", "8799"))
BASE = f"http://127.0.0.1:{PORT}"
USER, PASSWORD = "tochuc.bacninh", "demo-partytrack-2026"
NEW_COMMUNES = {
    "BN-CHU", "BN-PHUONGSON", "BN-BIENSON", "BN-BIENDONG", "BN-DEOGIA", "BN-KIENLAO", "BN-LUCNGAN",
    "BN-NAMDUONG", "BN-SALY", "BN-SONHAI", "BN-TANSON",
}  # fmt: skip


def fail(message: str, log: Path) -> None:
    print(f"FAIL: {message}\n--- make run output (last 40 lines) ---", file=sys.stderr)
    print("\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-40:]), file=sys.stderr)
    raise SystemExit(1)


def wait_for_login_page(opener, log: Path, process: subprocess.Popen, seconds: int = 300) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(f"make run exited with status {process.returncode}", log)
        try:
            with opener.open(f"{BASE}/accounts/login/", timeout=5) as response:
                return response.read().decode()
        except OSError:
            time.sleep(1)
    fail(f"nothing answered on {BASE} within {seconds} s", log)
    return ""


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="partytrack-smoke-"))
    log = workdir / "make-run.log"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with log.open("w") as output:
        process = subprocess.Popen(
            ["make", "run", f"PORT={PORT}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = wait_for_login_page(opener, log, process)
        printed = log.read_text(encoding="utf-8")
        if USER not in printed or PASSWORD not in printed:
            fail("make run did not print the demo logins", log)
        if "Đăng nhập" not in page:
            fail("the login page is not the Vietnamese login page", log)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(
            f"{BASE}/accounts/login/", data=form, headers={"Referer": f"{BASE}/accounts/login/"}
        )
        with opener.open(request, timeout=30) as response:
            if "/accounts/login/" in response.url:
                fail("the demo login was refused", log)

        def api(path: str) -> dict:
            with opener.open(f"{BASE}/api/v1/{path}", timeout=30) as response:
                return json.loads(response.read())

        found = [row for row in api("organizations/?search=bac%20ninh")["results"] if row["code"] == "BN"]
        if not found:
            fail("the demo user does not find Tỉnh ủy Bắc Ninh", log)
        children = api(f"organizations/?parent={found[0]['id']}&limit=200")
        missing = NEW_COMMUNES - {row["code"] for row in children["results"]}
        if missing:
            fail(f"Bắc Ninh does not list the communes of today: {sorted(missing)}", log)
        with opener.open(f"{BASE}/organizations/{found[0]['id']}/", timeout=30) as response:
            detail = response.read().decode()
        if "Đảng ủy phường Chũ" not in detail:
            fail("Bắc Ninh's page does not list its organizations", log)
        print(f"make run: login page served on {BASE}, {USER} logged in and sees Bắc Ninh's communes of today.")
        return 0
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
