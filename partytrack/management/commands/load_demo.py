"""Load the demo data built from ../shared/seeds: organizations, then each app's own demo data.

Each app contributes a `demo.py` with `load(*, stdout)`; they run in dependency order and each is
idempotent, so running the command twice changes nothing the second time. A module with a
`print_logins(*, stdout)` (organizations.demo_users) prints it at the end. The modules are named, not
imported: partytrack imports no app.
"""

import importlib

from django.core.management.base import BaseCommand

DEMO_MODULES = [
    "organizations.demo",
    "quotas.demo",
    "candidates.demo",
    "organizations.demo_restructuring",
    "organizations.demo_users",
    "reports.demo",
    "monitoring.demo",
]


class Command(BaseCommand):
    help = "Nạp dữ liệu demo từ các văn bản mẫu (seeds) và tạo tài khoản demo."

    def handle(self, *args, **options):
        loaded = []
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            module.load(stdout=self.stdout)
            loaded.append(module)
        for module in loaded:
            if hasattr(module, "print_logins"):
                module.print_logins(stdout=self.stdout)
