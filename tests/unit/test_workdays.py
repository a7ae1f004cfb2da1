"""Working-day deadlines on the Chinese calendar, with the fallback for unknown years."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.lifecycle import workdays
from domain.lifecycle.workdays import SHANGHAI, add_workdays, is_workday


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (at(2026, 11, 24, 15, 0), 1, at(2026, 11, 25, 15, 0)),  # Tuesday -> Wednesday
        (at(2026, 11, 27, 15, 0), 1, at(2026, 11, 30, 15, 0)),  # Friday -> Monday
        (at(2026, 11, 28, 10, 0), 1, at(2026, 12, 1, 0, 0)),  # Saturday: whole Monday counts
        (at(2026, 9, 30, 9, 30), 1, at(2026, 10, 8, 9, 30)),  # National Day holiday skipped
    ],
)
def test_add_workdays(start, days, due):
    assert add_workdays(start, days) == due


def test_make_up_workday_counts_as_a_workday():
    # 2026-02-14 (Saturday) is a make-up working day before the Spring Festival.
    assert is_workday(date(2026, 2, 14)) is True
    assert is_workday(date(2026, 2, 17)) is False  # Spring Festival


def test_utc_input_is_counted_in_shanghai_time():
    # 2026-11-27 Friday 17:00 UTC is Saturday 01:00 in Shanghai: a rest day.
    due = add_workdays(datetime(2026, 11, 27, 17, 0, tzinfo=UTC), 1)
    assert due == at(2026, 12, 1, 0, 0)


def test_unknown_year_falls_back_to_weekdays_and_warns(caplog):
    workdays._warned_years.discard(2031)
    with caplog.at_level(logging.WARNING, logger="domain.lifecycle.workdays"):
        assert is_workday(date(2031, 1, 6)) is True  # a Monday
        assert is_workday(date(2031, 1, 5)) is False  # a Sunday
    assert "2031" in caplog.text


def test_overrides_win():
    overrides = {date(2031, 1, 6): False}
    assert is_workday(date(2031, 1, 6), overrides) is False
    assert add_workdays(at(2031, 1, 3, 12, 0), 1, overrides) == at(2031, 1, 7, 12, 0)


def test_naive_and_negative_inputs_are_refused():
    with pytest.raises(ValueError):
        add_workdays(datetime(2026, 1, 5), 1)
    with pytest.raises(ValueError):
        add_workdays(at(2026, 1, 5), -1)


def test_result_is_always_on_a_workday():
    start = at(2026, 1, 1, 8, 0)
    for offset in range(0, 365, 3):
        due = add_workdays(start + timedelta(days=offset), 1)
        assert is_workday(due.date())
