"""Dates and years shared by every app: the years the application accepts, and month arithmetic.

"Today" is always `django.utils.timezone.localdate()` (the day in Vietnam, TIME_ZONE), never
`datetime.date.today()` (the server's clock zone)."""

from __future__ import annotations

import calendar
import datetime

# The Party was founded in 1930: nothing is admitted or allocated before; 2100 bounds typing errors.
FIRST_YEAR, LAST_YEAR = 1930, 2100
# The quota pages (grid, allocation, history) open years from 1990: the oldest plans kept on paper.
QUOTA_PAGES_FIRST_YEAR = 1990
# Reports, statistics and their forms count from 2000: the first year with data in the tallies.
REPORTS_FIRST_YEAR = 2000


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day `months` later (earlier when negative); the 31st becomes the month's last day
    (31/01 + 1 month = 28/02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
