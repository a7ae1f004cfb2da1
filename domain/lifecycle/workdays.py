"""Deadlines in Chinese working days (holidays and make-up workdays), Asia/Shanghai.

The calendar comes from the chinesecalendar package, which knows the State Council's schedule only
for the years it was released with. Outside them an admin-entered override decides, and failing
that Monday to Friday, with a warning in the log (once per year).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
log = logging.getLogger(__name__)
_warned_years: set[int] = set()


def shanghai_today() -> date:
    """Today's date in Asia/Shanghai (what 'today' means for every rule and deadline)."""
    return datetime.now(SHANGHAI).date()


def is_workday(day: date, overrides: Mapping[date, bool] | None = None) -> bool:
    """True when `day` is a working day in mainland China (an override wins over the package)."""
    if overrides and day in overrides:
        return overrides[day]
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning(
                "chinesecalendar has no data for %s: counting Monday-Friday as working days; "
                "enter that year's holidays as calendar overrides",
                day.year,
            )
        return day.weekday() < 5


def add_workdays(
    start: datetime, workdays: int, overrides: Mapping[date, bool] | None = None
) -> datetime:
    """The moment `workdays` full working days after `start`, as an aware datetime in Shanghai time.

    A start on a working day keeps its time of day (Tuesday 15:00 + 1 = Wednesday 15:00, or the next
    working day's 15:00). A start on a rest day counts from the next working day's midnight, so the
    applicant or reviewer always gets whole working days.

    :raises ValueError: for a naive datetime or a negative count.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if workdays < 0:
        raise ValueError("workdays must not be negative")
    local = start.astimezone(SHANGHAI)
    day = local.date()
    if not is_workday(day, overrides):
        while not is_workday(day, overrides):
            day += timedelta(days=1)
        local = datetime.combine(day, time(0, 0), tzinfo=SHANGHAI)
    remaining = workdays
    while remaining:
        day += timedelta(days=1)
        if is_workday(day, overrides):
            remaining -= 1
    return datetime.combine(day, local.timetz()).replace(tzinfo=SHANGHAI)
