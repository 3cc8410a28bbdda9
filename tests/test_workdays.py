"""Deadlines in working days: weekends, Tết and the other holidays, and swapped days."""

import datetime as dt

import pytest

from urbanmgmt import workdays
from urbanmgmt.models import CalendarDay
from urbanmgmt.workdays import add_working_days, is_working_day, working_days_between

D = dt.date


@pytest.fixture(autouse=True)
def fresh_calendar():
    # A test's CalendarDay rows are rolled back without a signal: start each test afresh.
    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.mark.django_db
def test_weekends_are_not_working_days():
    assert is_working_day(D(2025, 3, 14))  # a Friday
    assert not is_working_day(D(2025, 3, 15))  # Saturday
    assert not is_working_day(D(2025, 3, 16))  # Sunday


@pytest.mark.django_db
def test_day_one_is_the_first_working_day_after_acceptance():
    # Accepted on a Friday: day 1 is Monday, the acceptance day itself does not count.
    assert add_working_days(D(2025, 3, 14), 1) == D(2025, 3, 17)
    assert add_working_days(D(2025, 3, 14), 0) == D(2025, 3, 14)


@pytest.mark.django_db
def test_tet_holidays_are_skipped():
    # Tết 2025: Monday 27 January to Saturday 1 February off.
    for day in range(27, 32):
        assert not is_working_day(D(2025, 1, day))
    assert add_working_days(D(2025, 1, 24), 1) == D(2025, 2, 3)
    # A 15-working-day house permit accepted the Friday before Tết.
    assert add_working_days(D(2025, 1, 24), 15) == D(2025, 2, 21)
    assert working_days_between(D(2025, 1, 24), D(2025, 2, 21)) == 15


@pytest.mark.django_db
def test_other_public_holidays_are_skipped():
    assert not is_working_day(D(2025, 4, 7))  # Hùng Kings' day
    assert not is_working_day(D(2025, 4, 30))
    assert not is_working_day(D(2025, 5, 1))
    assert not is_working_day(D(2025, 9, 2))
    assert not is_working_day(D(2026, 1, 1))


@pytest.mark.django_db
def test_a_saturday_swapped_for_a_bridge_day_is_worked():
    # 2025: Friday 2 May off, worked on Saturday 26 April instead (announced, in the package).
    assert is_working_day(D(2025, 4, 26))
    assert not is_working_day(D(2025, 5, 2))
    assert add_working_days(D(2025, 4, 25), 1) == D(2025, 4, 26)
    assert add_working_days(D(2025, 4, 29), 1) == D(2025, 5, 5)


@pytest.mark.django_db
def test_an_edited_calendar_day_wins_over_the_package_and_the_weekend():
    # The yearly swap the package does not know yet: Friday 2 January 2026 off, made up on
    # Saturday 10 January.
    CalendarDay.objects.create(date=D(2026, 1, 2), is_working_day=False, note="Nghỉ bù")
    CalendarDay.objects.create(date=D(2026, 1, 10), is_working_day=True, note="Làm bù")

    assert not is_working_day(D(2026, 1, 2))
    assert is_working_day(D(2026, 1, 10))
    assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 5)
    assert working_days_between(D(2026, 1, 9), D(2026, 1, 12)) == 2


@pytest.mark.django_db
def test_an_edited_calendar_day_can_cancel_a_swap_of_the_package():
    assert is_working_day(D(2025, 4, 26))
    CalendarDay.objects.create(date=D(2025, 4, 26), is_working_day=False)

    assert not is_working_day(D(2025, 4, 26))


@pytest.mark.django_db
def test_counting_crosses_the_new_year():
    # Wed 31 Dec 2025; 1 Jan 2026 is a holiday.
    assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 2)
    assert add_working_days(D(2025, 12, 31), 3) == D(2026, 1, 6)
    assert working_days_between(D(2025, 12, 31), D(2026, 1, 6)) == 3


@pytest.mark.django_db
def test_counting_backwards_finds_the_day_before_a_deadline():
    assert add_working_days(D(2025, 2, 3), -1) == D(2025, 1, 24)  # back over Tết
    assert add_working_days(D(2026, 1, 2), -1) == D(2025, 12, 31)


@pytest.mark.django_db
def test_between_is_negative_backwards_and_zero_on_the_same_day():
    assert working_days_between(D(2025, 3, 20), D(2025, 3, 14)) == -4
    assert working_days_between(D(2025, 3, 14), D(2025, 3, 14)) == 0
    # A weekend adds nothing.
    assert working_days_between(D(2025, 3, 14), D(2025, 3, 16)) == 0


@pytest.mark.django_db
def test_adding_then_measuring_gives_the_same_count_over_a_long_span():
    start = D(2024, 11, 20)
    for n in (1, 5, 20, 42, 120, 400):
        end = add_working_days(start, n)
        assert is_working_day(end)
        assert working_days_between(start, end) == n


@pytest.mark.django_db
def test_a_year_is_read_from_the_database_once(django_assert_num_queries):
    with django_assert_num_queries(1):
        is_working_day(D(2025, 1, 2))
    with django_assert_num_queries(0):
        for day in range(1, 29):
            add_working_days(D(2025, 2, day), 15)
            working_days_between(D(2025, 1, 2), D(2025, 2, day))


@pytest.mark.django_db
def test_an_edit_of_the_calendar_is_seen_at_once():
    assert is_working_day(D(2025, 3, 14))
    day = CalendarDay.objects.create(date=D(2025, 3, 14), is_working_day=False)
    assert not is_working_day(D(2025, 3, 14))
    day.delete()
    assert is_working_day(D(2025, 3, 14))
