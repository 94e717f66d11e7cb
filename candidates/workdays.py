"""Working days in Viet Nam: Monday to Friday, less the public holidays (Tết, Hùng Kings, 30/4, 1/5,
2/9 and the adjacent day, 24/11 from 2026) and the government's swapped days, from the maintained
`holidays` library. A Saturday the government swaps into a working day counts as one."""

from __future__ import annotations

import datetime
import functools

import holidays

COUNTRY = "VN"


@functools.lru_cache(maxsize=32)
def _calendar(first_year: int) -> holidays.HolidayBase:
    # Three years cover any deadline the pipeline counts (at most 90 working days ahead);
    # the library adds further years by itself if asked about them.
    return holidays.country_holidays(COUNTRY, years=range(first_year, first_year + 3), language="vi")


def is_working_day(day: datetime.date) -> bool:
    return _calendar(day.year).is_working_day(day)


def holiday_name(day: datetime.date) -> str | None:
    return _calendar(day.year).get(day)


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    """The `count`-th working day after `start` (which itself is not counted): the last day of a
    period of `count` working days beginning the day after `start`."""
    if count < 0:
        raise ValueError("count must be zero or positive")
    calendar = _calendar(start.year)
    day = start
    remaining = count
    while remaining:
        day += datetime.timedelta(days=1)
        if calendar.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    calendar = _calendar(start.year)
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return count
