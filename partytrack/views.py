"""The page of a locked-out login. (The home page is organizations.views.home.)"""

import datetime

from django.shortcuts import render
from django.utils import timezone

from . import login_throttle


def login_locked_out(request, original_response=None, credentials=None):
    """What a refused login shows (AXES_LOCKOUT_CALLABLE): which limit was reached, when logging in
    works again, and whom to ask. Failures are counted for names that match no account too, so the
    page is the same whether the account exists or not."""
    lock = login_throttle.lock_of(request, credentials)
    until = lock.until if lock else timezone.now()
    # Shown to the minute: the first whole minute at which the lock has ended.
    until = (until + datetime.timedelta(minutes=1)).replace(second=0, microsecond=0)
    rules = lock.rules if lock else ()
    context = {
        "until": until,
        "by_account_and_address": login_throttle.ACCOUNT_AND_ADDRESS in rules,
        "by_account": login_throttle.ACCOUNT in rules,
        "by_address": login_throttle.ADDRESS in rules,
    }
    return render(request, "registration/locked_out.html", context, status=429)
