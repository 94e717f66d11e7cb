"""Login throttling: django-axes' failed-login records counted three ways, each against its own limit
(settings.LOGIN_FAILURE_LIMITS): an account from one address, an account from every address, an
address against every account. axes itself compares every count with one limit."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

ACCOUNT_AND_ADDRESS = ("username", "ip_address")
ACCOUNT = ("username",)
ADDRESS = ("ip_address",)


@dataclass(frozen=True)
class Count:
    """The failures one rule counts now: (last failure, failures) of each AccessAttempt it sums."""

    rule: tuple[str, ...]
    limit: int
    rows: tuple[tuple[datetime.datetime, int], ...]

    @property
    def failures(self) -> int:
        return sum(failures for _when, failures in self.rows)

    @property
    def locked(self) -> bool:
        return self.failures >= self.limit

    def unlocks_at(self) -> datetime.datetime | None:
        """When the count falls below the limit: axes counts a record until the cool-off time has
        passed since its last failure, so the oldest records drop out first."""
        if not self.locked:
            return None
        remaining = self.failures
        for when, failures in sorted(self.rows):
            remaining -= failures
            if remaining < self.limit:
                return when + get_cool_off()
        raise AssertionError("unreachable: every record dropped leaves 0 failures")


def _counts(rows: list[dict], values: dict[str, str | None]) -> list[Count]:
    """Each rule's count over `rows` (AccessAttempt values within the cool-off time) for the request's
    username and address in `values`."""
    counts = []
    for rule, limit in settings.LOGIN_FAILURE_LIMITS.items():
        matching = [row for row in rows if all(row[field] == values[field] for field in rule)]
        counts.append(Count(rule, limit, tuple((row["attempt_time"], row["failures_since_start"]) for row in matching)))
    return counts


def _request_counts(request, credentials: dict | None) -> list[Count]:
    values = {"username": get_client_username(request, credentials), "ip_address": request.axes_ip_address}
    rows = list(
        AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        .filter(Q(username=values["username"]) | Q(ip_address=values["ip_address"]))
        .values("username", "ip_address", "attempt_time", "failures_since_start")
    )
    return _counts(rows, values)


class LoginThrottleHandler(AxesDatabaseHandler):
    """axes' database handler, with one limit per rule and a success that clears only its own failures."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """axes locks when this reaches AXES_FAILURE_LIMIT. With a limit per rule, the count reported
        is that limit less the attempts left before the nearest rule's limit: it reaches the limit
        exactly when one of the rules does."""
        left = min(count.limit - count.failures for count in _request_counts(request, credentials))
        return max(0, get_failure_limit(request, credentials) - left)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """A successful login clears that account's failures from that address only. axes would clear
        every rule's records: all the account's failures from other addresses (an attacker's, who
        would start again) and every failure from the address (any account holder there could reset
        a sprayer's count by logging in)."""
        username = get_client_username(request, credentials)
        count, _deleted = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count


@dataclass(frozen=True)
class Lock:
    rules: tuple[tuple[str, ...], ...]  # the rules whose limit is reached, in settings order
    until: datetime.datetime


def lock_of(request, credentials: dict | None = None) -> Lock | None:
    """Why a login request is refused and until when (None when it is not)."""
    locked = [count for count in _request_counts(request, credentials) if count.locked]
    if not locked:
        return None
    return Lock(tuple(count.rule for count in locked), max(count.unlocks_at() for count in locked))


def locked_accounts(usernames: Iterable[str] | None = None) -> dict[str, datetime.datetime]:
    """The usernames locked now by their own failures (from one address, or from every address
    together) and when each lock ends. An address's lock is not an account's: it is not listed."""
    rows = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - get_cool_off(), username__isnull=False)
    if usernames is not None:
        rows = rows.filter(username__in=list(usernames))
    by_account: dict[str, list[dict]] = defaultdict(list)
    for row in rows.values("username", "ip_address", "attempt_time", "failures_since_start"):
        by_account[row["username"]].append(row)
    locks = {}
    for username, account_rows in by_account.items():
        addresses = {row["ip_address"] for row in account_rows}
        ends = [
            count.unlocks_at()
            for address in addresses
            for count in _counts(account_rows, {"username": username, "ip_address": address})
            if count.rule != ADDRESS and count.locked
        ]
        if ends:
            locks[username] = max(ends)
    return locks


def unlock_account(username: str) -> int:
    """Forget the account's failed logins from every address; how many records were removed."""
    count, _deleted = AccessAttempt.objects.filter(username=username).delete()
    return count
