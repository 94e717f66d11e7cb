"""Build queued reports (ReportJob) outside the web workers.

    python manage.py report_worker           # run until stopped (start it next to the web server)
    python manage.py report_worker --once    # build what is queued, then exit (cron, tests)

Several workers may run at once: each job is claimed by exactly one of them.
"""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from reports import services


class Command(BaseCommand):
    help = "Lập các báo cáo lớn đang chờ trong nền (chạy cùng máy chủ web)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Lập hết các báo cáo đang chờ rồi dừng.")
        parser.add_argument("--sleep", type=float, default=2.0, help="Giây chờ giữa hai lần kiểm tra hàng đợi.")

    def handle(self, *args, once: bool = False, sleep: float = 2.0, **options):
        self._stopping = False
        if not once:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
            self.stdout.write("report_worker: đang chờ báo cáo cần lập (Ctrl+C để dừng).")
        while not self._stopping:
            if not connection.in_atomic_block:  # (inside a test's transaction the connection must stay)
                close_old_connections()  # a long-lived worker drops broken or expired connections
            job = services.report_job_claim()
            if job is None:
                if once:
                    break
                time.sleep(sleep)
                continue
            started = time.monotonic()
            job = services.report_job_run(job=job)
            self.stdout.write(
                f"report_worker: báo cáo #{job.pk} ({job.organization_id}, {job.year}/Q{job.quarter}, {job.format}) "
                f"{job.status} sau {time.monotonic() - started:.1f} giây"
            )

    def _stop(self, signum, frame):
        self._stopping = True
