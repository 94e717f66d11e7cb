#!/usr/bin/env python
"""Load test: the demo data on PostgreSQL, gunicorn with 2 workers on 127.0.0.1:8765, 50 locust users
for 60 seconds. Prints p50/p95/max and errors per page; PDFs are reported apart and left out of the
overall p95. Everything it starts is stopped at the end, whatever happens.

    .venv/bin/pip install -e '.[load]'
    .venv/bin/python benchmarks/load/run.py            # --users 50 --spawn-rate 10 --time 60s

Never part of the test suite: it drops and recreates the database `partytrack_load`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PY = sys.executable
BIN = Path(sys.executable).parent
HOST, PORT = "127.0.0.1", 8765
GOAL_MS = 300

# Which accounts browse which pages: (username, dashboard org code, child code, grid org code).
ACCOUNTS = [
    ("tochuc.lucngan", "staff", "BG-LN", "BG-LN-X01"),
    ("lanhdao.lucngan", "leader", "BG-LN", "BG-LN-X02"),
    ("bithu.bienson1", "secretary", "BG-LN-X01-01", None),
    ("tochuc.hamliem", "staff", "LD-HL", "LD-HL-01"),
    ("bithu.hamliem1", "secretary", "LD-HL-01", None),
]

TARGETS_SCRIPT = """
import json
from organizations.models import Organization
from quotas.models import Plan
out = []
for username, role, code, child in ACCOUNTS:
    org = Organization.objects.get(code=code)
    plan = Plan.objects.filter(organization__tree_id=org.tree_id, organization__lft__lte=org.lft,
                               organization__rght__gte=org.rght).order_by("-start_year").first()
    year = plan.start_year if plan else 2026
    pages = [
        ["home", "/", 2],
        ["dashboard", f"/reports/{org.pk}/", 4],
        ["progress report (quarter, detail)", f"/reports/{org.pk}/?year={year}&quarter=4&detail=on", 3],
        ["quota grid", f"/quotas/{org.pk}/{year}/", 3],
        ["candidates board", "/candidates/", 3],
    ]
    if child:
        pages.append(["dashboard of a child", f"/reports/{Organization.objects.get(code=child).pk}/", 2])
    if role != "secretary":
        pages.append(["pdf: progress report", f"/reports/{org.pk}/progress.pdf?year={year}&quarter=4", 0.15])
        pages.append(["pdf: quota allocation", f"/quotas/{org.pk}/{year}/allocation.pdf", 0.1])
    out.append({"username": username, "role": role, "pages": pages})
print(json.dumps({"accounts": out}))
"""


def environment(database: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        DJANGO_SETTINGS_MODULE="partytrack.settings",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS=HOST,
        DATABASE_CONN_MAX_AGE="60",
        LOG_LEVEL="ERROR",
    )
    return env


def run(command: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, cwd=ROOT, env=env, check=True, **kwargs)


def psql(sql: str) -> None:
    run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql], os.environ)


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {seconds} s")


def summarize(stats_csv: Path) -> list[dict]:
    rows = []
    with stats_csv.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {
                    "name": row["Name"] if row["Name"] != "Aggregated" else "Aggregated (all, incl. PDFs)",
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50": float(row["50%"] or 0),
                    "p95": float(row["95%"] or 0),
                    "max": float(row["Max Response Time"] or 0),
                }
            )
    return rows


def server_side(access_log: Path) -> dict:
    """Percentiles of gunicorn's own request times (%(D)s, µs) for the pages: no PDFs, no login POST."""
    times = []
    for line in access_log.read_text(encoding="utf-8").splitlines():
        _status, micros, request = line.split(" ", 2)
        if ".pdf" in request or request.startswith('"POST /accounts/login/'):
            continue
        times.append(int(micros) / 1000)
    times.sort()
    if not times:
        return {"count": 0, "p50": 0.0, "p95": 0.0, "max": 0.0}
    return {
        "count": len(times),
        "p50": times[len(times) // 2],
        "p95": times[min(len(times) - 1, int(0.95 * len(times)))],
        "max": times[-1],
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="partytrack_load")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--time", default="60s")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per worker (gthread); 1 (the default) = gunicorn's sync workers, as in production",
    )
    parser.add_argument("--out", default="/tmp/partytrack_load")
    parser.add_argument("--no-pdf", action="store_true", help="request no PDFs (pages only)")
    parser.add_argument("--skip-setup", action="store_true", help="reuse the database as it is")
    return parser.parse_args()


def _set_up_database(database: str, env: dict) -> None:
    """A fresh database with the demo data, static files collected, statistics up to date."""
    psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{database}"')
    run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([PY, "manage.py", "load_demo"], env, stdout=subprocess.DEVNULL)
    run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    psql_db = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-c", "VACUUM ANALYZE"]
    run(psql_db, os.environ, stdout=subprocess.DEVNULL)


def _write_targets(out: Path, env: dict) -> Path:
    """The pages each account visits, as JSON for the locustfile."""
    script = f"ACCOUNTS = {ACCOUNTS!r}\n" + TARGETS_SCRIPT
    targets = run([PY, "manage.py", "shell", "-c", script], env, capture_output=True, text=True).stdout
    targets_file = out / "targets.json"
    # `shell` may print a line of its own first (the automatic imports): the JSON is the last line.
    targets_file.write_text(targets.strip().splitlines()[-1], encoding="utf-8")
    return targets_file


def _gunicorn_command(args: argparse.Namespace, out: Path) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "partytrack.wsgi",
        "--workers",
        str(args.workers),
        # No keep-alive, as behind nginx (which opens a connection per request upstream): a kept-alive
        # client stays on the worker that accepted it, so one worker's GIL saturates while the other
        # idles; and gunicorn closing an idle connection just as the client reuses it is a reset.
        *(
            ["--worker-class", "gthread", "--threads", str(args.threads), "--keep-alive", "0"]
            if args.threads > 1
            else []
        ),
        "--bind",
        f"{HOST}:{PORT}",
        "--access-logfile",
        str(out / "access.log"),
        # request line and the server's own time in microseconds, for the server-side percentiles
        "--access-logformat",
        '%(s)s %(D)s "%(r)s"',
        "--error-logfile",
        "-",
    ]


def _locust_command(args: argparse.Namespace, out: Path) -> list[str]:
    return [
        str(BIN / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "-u",
        str(args.users),
        "-r",
        str(args.spawn_rate),
        "-t",
        args.time,
        "--host",
        f"http://{HOST}:{PORT}",
        "--csv",
        str(out / "load"),
        "--only-summary",
        "--stop-timeout",
        "10",
    ]


def _report(out: Path) -> bool:
    """Print the figures of the run and write summary.json; whether the goal was met."""
    stats = summarize(out / "load_stats.csv")
    print(f"\n{'page':<38} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for row in stats:
        print(
            f"{row['name']:<38} {row['requests']:>8} {row['failures']:>6} "
            f"{row['p50']:>7.0f} {row['p95']:>7.0f} {row['max']:>7.0f}"
        )
    server = server_side(out / "access.log")
    print(
        f"\nServer side (gunicorn's own time per request, pages only): {server['count']} requests, "
        f"p50 {server['p50']:.0f} ms, p95 {server['p95']:.0f} ms, max {server['max']:.0f} ms."
    )
    errors = sum(r["failures"] for r in stats if not r["name"].startswith("Aggregated"))
    pages = json.loads((out / "pages.json").read_text())
    met = errors == 0 and pages["p95"] < GOAL_MS
    print(
        f"\nAll pages together (PDFs and the login POST apart): {pages['count']} requests, "
        f"p50 {pages['p50']:.0f} ms, p95 {pages['p95']:.0f} ms, max {pages['max']:.0f} ms. Errors: {errors}."
    )
    steady = pages["steady"]
    print(
        f"After the last login: {steady['count']} requests, p50 {steady['p50']:.0f} ms, "
        f"p95 {steady['p95']:.0f} ms, max {steady['max']:.0f} ms."
    )
    print(f"Goal (no errors, p95 < {GOAL_MS} ms): {'met' if met else 'NOT met'}. CSV files in {out}/")
    (out / "summary.json").write_text(json.dumps({"stats": stats, "errors": errors, "pages": pages, "server": server}))
    return met


def main() -> int:
    args = _arguments()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    env = environment(args.database)
    started: list[subprocess.Popen] = []

    def stop_all(*_signal_args) -> None:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        started.clear()

    def on_signal(signum, _frame):
        stop_all()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        if not args.skip_setup:
            _set_up_database(args.database, env)
        targets_file = _write_targets(out, env)

        (out / "access.log").unlink(missing_ok=True)  # gunicorn appends
        log = (out / "gunicorn.log").open("w")
        gunicorn = _gunicorn_command(args, out)
        print("$", " ".join(gunicorn), flush=True)
        started.append(subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True))
        wait_until_up(f"http://{HOST}:{PORT}/accounts/login/")

        locust = _locust_command(args, out)
        locust_env = {**os.environ, "LOAD_TARGETS": str(targets_file), "LOAD_PAGES_OUT": str(out / "pages.json")}
        if args.no_pdf:
            locust_env["LOAD_NO_PDF"] = "1"
        print("$", " ".join(locust), flush=True)
        started.append(subprocess.Popen(locust, cwd=ROOT, env=locust_env, start_new_session=True))
        locust_code = started[-1].wait()
    finally:
        stop_all()

    met = _report(out)
    return 0 if met and locust_code in (0, 1) else 1


if __name__ == "__main__":
    sys.exit(main())
