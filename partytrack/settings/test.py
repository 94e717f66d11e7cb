"""Test settings: the base settings plus a "replica" alias mirrored on the test database, so the
suite exercises the read-replica router (tests/test_replica_router.py switches it on)."""

from .base import *  # noqa: F403
from .base import DATABASES

DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
REPORTS_READ_FROM_REPLICA = False
