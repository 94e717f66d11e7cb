"""Working days across Tết 2026 and weekends, compared with a hand-checked calendar."""

import datetime

import pytest

from candidates.rules import add_months, age_in_months
from candidates.workdays import add_working_days, holiday_name, is_working_day, working_days_between

D = datetime.date


def test_tet_2026_and_weekends_are_not_working_days():
    # Tết Bính Ngọ: the government's break is Sat 14/02 – Sun 22/02/2026.
    for day in range(14, 23):
        assert not is_working_day(D(2026, 2, day)), f"{day}/02/2026"
    assert is_working_day(D(2026, 2, 13))  # Friday before
    assert is_working_day(D(2026, 2, 23))  # Monday after
    assert not is_working_day(D(2026, 3, 7))  # an ordinary Saturday
    assert not is_working_day(D(2026, 3, 8))  # and Sunday


def test_thirty_working_days_across_tet_matches_the_hand_checked_calendar():
    # Counted by hand from Friday 06/02/2026: 09–13/02 (5), Tết and the weekends around it skipped,
    # 23–27/02 (10), 02–06/03 (15), 09–13/03 (20), 16–20/03 (25), 23–27/03 (30).
    expected = [D(2026, 2, d) for d in (9, 10, 11, 12, 13, 23, 24, 25, 26, 27)] + [
        D(2026, 3, d) for d in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 23, 24, 25, 26, 27)
    ]
    assert [add_working_days(D(2026, 2, 6), n) for n in range(1, 31)] == expected
    assert add_working_days(D(2026, 2, 6), 30) == D(2026, 3, 27)  # 20/03 if Tết were ignored
    assert working_days_between(D(2026, 2, 6), D(2026, 3, 27)) == 30
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert add_working_days(D(2026, 2, 6), 0) == D(2026, 2, 6)


def test_the_other_public_holidays_of_2026():
    # Hùng Kings (10/3 lunar, a Sunday: observed Monday 27/04), 30/4, 1/5, 2/9 with 1/9, and 24/11
    # (Vietnam Cultural Day, from 2026).
    for day in (
        D(2026, 1, 1),
        D(2026, 4, 27),
        D(2026, 4, 30),
        D(2026, 5, 1),
        D(2026, 9, 1),
        D(2026, 9, 2),
        D(2026, 11, 24),
    ):
        assert not is_working_day(day), day
        assert holiday_name(day)
    # A Saturday the government swapped into a working day counts (22/08/2026 for 31/08/2026).
    assert is_working_day(D(2026, 8, 22))
    assert not is_working_day(D(2026, 8, 31))
    # 30/4 (Thu) and 1/5 (Fri) 2026: from Wednesday 29/04 the next working day is Monday 04/05.
    assert add_working_days(D(2026, 4, 29), 1) == D(2026, 5, 4)


def test_tet_2025_includes_the_29th():
    for day in (D(2025, 1, 27), D(2025, 1, 28), D(2025, 1, 29), D(2025, 1, 30), D(2025, 1, 31)):
        assert not is_working_day(day)
    assert add_working_days(D(2025, 1, 24), 1) == D(2025, 2, 3)


def test_negative_count_is_refused():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 1, 5), -1)


def test_months_and_age_by_month():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2020, 5, 19), 60) == D(2025, 5, 19)
    assert age_in_months(D(2007, 5, 19), D(2025, 5, 19)) == 216
    assert age_in_months(D(2007, 5, 20), D(2025, 5, 19)) == 215
    assert age_in_months(D(2000, 1, 31), D(2018, 2, 28)) == 217
