"""Working days for administrative deadlines: Vietnamese holidays, weekends and swapped days.

A day is a working day unless it is a Saturday or Sunday or a public holiday (Labour Code
2019, art. 112, as computed by the `holidays` package, Tết and the announced swaps included).
The government moves working days around the holidays every year; the package knows the
swaps it has been told about, and a `urbanmgmt.CalendarDay` row for a date (edited by an
administrator) overrides everything else for that date.

Deadlines count like the Civil Code (art. 147): the day something happens is not counted, so
day 1 is the first working day after it. `add_working_days(accepted_on, 15)` is the 15th
working day after the acceptance day.

Each year's calendar is built once per process (one query for its CalendarDay rows) and kept
as a sorted array of working days, so a yearly figure over 200,000 dossiers costs no query
per dossier and each call is a binary search. The cache is dropped whenever a CalendarDay is
saved or deleted in this process, and rebuilt after CACHE_SECONDS anyway so that other
processes (gunicorn workers) see an administrator's edit within a few minutes.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import holidays

CACHE_SECONDS = 300
# Years outside this range are refused: a typo (0205) must not build a calendar for year 205.
MIN_YEAR, MAX_YEAR = 1990, 2200


@dataclass(frozen=True)
class YearCalendar:
    year: int
    # Ordinals of the year's working days, ascending.
    working: tuple[int, ...]
    built_at: float

    def is_working(self, day: dt.date) -> bool:
        ordinal = day.toordinal()
        i = bisect_left(self.working, ordinal)
        return i < len(self.working) and self.working[i] == ordinal


_cache: dict[int, YearCalendar] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every year's calendar (after an edit of the calendar, or between tests)."""
    with _lock:
        _cache.clear()


def _overrides(year: int) -> dict[dt.date, bool]:
    from urbanmgmt.models import CalendarDay

    return dict(
        CalendarDay.objects.filter(
            date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
        ).values_list("date", "is_working_day")
    )


def _build(year: int) -> YearCalendar:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"No working-day calendar for the year {year}")
    public = holidays.Vietnam(years=year)
    swapped_in = {d for d in public.weekend_workdays if d.year == year}
    overrides = _overrides(year)
    working = []
    day = dt.date(year, 1, 1)
    one = dt.timedelta(days=1)
    while day.year == year:
        if day in overrides:
            works = overrides[day]
        elif day in public:
            works = False
        elif day in swapped_in:
            works = True
        else:
            works = day.weekday() < 5
        if works:
            working.append(day.toordinal())
        day += one
    return YearCalendar(year=year, working=tuple(working), built_at=time.monotonic())


def calendar(year: int) -> YearCalendar:
    """The working days of `year`, from the cache when it is fresh."""
    _connect_signals()
    found = _cache.get(year)
    if found is not None and time.monotonic() - found.built_at < CACHE_SECONDS:
        return found
    built = _build(year)
    with _lock:
        _cache[year] = built
    return built


def is_working_day(day: dt.date) -> bool:
    """True if `day` is a working day for administrative deadlines."""
    return calendar(day.year).is_working(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The `n`th working day after `start` (`start` itself is not counted).

    `n` = 0 gives `start` back unchanged; a negative `n` counts backwards (the `|n|`th working
    day before `start`), which is how "a day before the deadline" is found.
    """
    if n == 0:
        return start
    year = start.year
    ordinal = start.toordinal()
    if n > 0:
        remaining = n
        while True:
            days = calendar(year).working
            i = bisect_right(days, ordinal)  # the first working day after `start`
            available = len(days) - i
            if remaining <= available:
                return dt.date.fromordinal(days[i + remaining - 1])
            remaining -= available
            year += 1
            ordinal = dt.date(year, 1, 1).toordinal() - 1
    remaining = -n
    while True:
        days = calendar(year).working
        i = bisect_left(days, ordinal)  # days[:i] are the working days before `start`
        if remaining <= i:
            return dt.date.fromordinal(days[i - remaining])
        remaining -= i
        year -= 1
        ordinal = dt.date(year, 12, 31).toordinal() + 1


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days after `a` up to and including `b`; negative when `b` is before `a`.

    So `add_working_days(a, working_days_between(a, b)) == b` whenever `b` is a working day,
    and a dossier accepted on `a` and decided on `b` took `working_days_between(a, b)` days.
    """
    if b < a:
        return -working_days_between(b, a)
    total = 0
    for year in range(a.year, b.year + 1):
        days = calendar(year).working
        low = bisect_right(days, a.toordinal()) if year == a.year else 0
        high = bisect_right(days, b.toordinal()) if year == b.year else len(days)
        total += high - low
    return total


def _calendar_changed(using: str, **kwargs: object) -> None:
    from django.db import transaction

    clear_cache()
    # Again once the edit is committed: a calendar built meanwhile by another thread read
    # the rows before it.
    transaction.on_commit(clear_cache, using=using)


_signals_connected = False


def _connect_signals() -> None:
    """Drop the cached calendars whenever a CalendarDay is saved or deleted (once per process)."""
    global _signals_connected
    if _signals_connected:
        return
    from django.db.models.signals import post_delete, post_save

    from urbanmgmt.models import CalendarDay

    post_save.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="workdays-cache")
    post_delete.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="workdays-cache")
    _signals_connected = True
