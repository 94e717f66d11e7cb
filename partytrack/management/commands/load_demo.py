"""Load the demo data built from ../shared/seeds: organizations, then each app's own demo data.

Each app contributes a `demo.py` with `load(*, stdout)`; they run in dependency order and each is
idempotent, so running the command twice changes nothing the second time.
"""

import importlib

from django.core.management.base import BaseCommand

DEMO_MODULES = [
    "organizations.demo",
    "partytrack.demo_users",
    "quotas.demo",
    "candidates.demo",
    "reports.demo",
]


class Command(BaseCommand):
    help = "Nạp dữ liệu demo từ các văn bản mẫu (seeds) và tạo tài khoản demo."

    def handle(self, *args, **options):
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            module.load(stdout=self.stdout)
        from partytrack.demo_users import print_logins

        print_logins(stdout=self.stdout)
