"""Two users saving at once on the first-run SQLite file: both saves go through, one after the other.

With SQLite's default deferred transactions, two requests that each read and then write inside a
transaction deadlock, and SQLite answers one of them "database is locked" at once (a 500), whatever
the timeout. The settings start every transaction with the write lock (IMMEDIATE) and wait for it.
Run in a subprocess on a file database of its own, with the settings `make run` uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from django.conf import settings

SCRIPT = textwrap.dedent(
    """
    import json, threading, time

    import django

    django.setup()
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n integer)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    connection.close()
    errors, ready = [], threading.Barrier(2)

    def save():
        from django.db import connection as own
        try:
            ready.wait()
            with transaction.atomic():
                with own.cursor() as cursor:
                    cursor.execute("SELECT n FROM counter")  # read what the page shows...
                    (n,) = cursor.fetchone()
                    time.sleep(0.3)  # ...while the other user does the same...
                    cursor.execute("UPDATE counter SET n = %s", [n + 1])  # ...then save
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            own.close()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        print(json.dumps({"errors": errors, "n": cursor.fetchone()[0]}))
    """
)


def test_two_saves_at_once_on_sqlite_both_succeed_in_turn(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partytrack.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'first-run.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"errors": [], "n": 2}
