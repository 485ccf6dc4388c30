"""Backup and maintenance windows: parsing and the overlap AWS rejects."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.windows import (
    DAY_MINUTES,
    DAYS,
    WindowError,
    daily_overlaps_weekly,
    parse_daily,
    parse_weekly,
)


def _clock(minute: int) -> str:
    minute %= DAY_MINUTES
    return f"{minute // 60:02d}:{minute % 60:02d}"


def test_parse() -> None:
    assert parse_daily("03:00-04:00") == (180, 60)
    assert parse_daily("23:30-00:30") == (1410, 60)  # across midnight
    assert parse_weekly("Mon:04:00-Mon:05:00") == (240, 60)
    assert parse_weekly("sun:23:00-mon:01:00") == (6 * DAY_MINUTES + 1380, 120)  # across the week's end


@pytest.mark.parametrize(
    ("text", "reason"),
    [("3:00-4:00", "hh:mm-hh:mm"), ("03:00-03:10", "at least 30 minutes"), ("24:00-01:00", "hh:mm-hh:mm")],
)
def test_bad_daily(text: str, reason: str) -> None:
    with pytest.raises(WindowError, match=reason):
        parse_daily(text)


def test_bad_weekly() -> None:
    with pytest.raises(WindowError, match="days are mon"):
        parse_weekly("xyz:04:00-xyz:05:00")
    with pytest.raises(WindowError, match="at most 24 hours"):
        parse_weekly("mon:04:00-tue:05:00")
    with pytest.raises(WindowError, match="at least 60 minutes"):
        parse_weekly("mon:04:00-mon:04:30", minimum_minutes=60)


def test_seed_windows_touch_but_do_not_overlap() -> None:
    assert not daily_overlaps_weekly(parse_daily("03:00-04:00"), parse_weekly("mon:04:00-mon:05:00"))
    assert daily_overlaps_weekly(parse_daily("03:00-04:00"), parse_weekly("mon:03:59-mon:05:00"))
    assert daily_overlaps_weekly(parse_daily("23:30-00:30"), parse_weekly("sun:23:45-mon:00:15"))


@given(
    start=st.integers(0, DAY_MINUTES - 1),
    length=st.integers(30, 180),
    day=st.sampled_from(DAYS),
    offset=st.integers(0, 179),
)
def test_a_weekly_window_starting_inside_the_daily_one_overlaps(
    start: int, length: int, day: str, offset: int
) -> None:
    daily = parse_daily(f"{_clock(start)}-{_clock(start + length)}")
    begin = start + offset % length  # any minute of the daily window, on any day
    end_day = DAYS[(DAYS.index(day) + (begin + 30) // DAY_MINUTES) % 7]
    begin_day = DAYS[(DAYS.index(day) + begin // DAY_MINUTES) % 7]
    weekly = parse_weekly(f"{begin_day}:{_clock(begin)}-{end_day}:{_clock(begin + 30)}")
    assert daily_overlaps_weekly(daily, weekly)


@given(start=st.integers(0, DAY_MINUTES - 1), length=st.integers(30, 600), day=st.sampled_from(DAYS))
def test_a_weekly_window_right_after_the_daily_one_does_not_overlap(
    start: int, length: int, day: str
) -> None:
    daily = parse_daily(f"{_clock(start)}-{_clock(start + length)}")
    gap = DAY_MINUTES - length  # the free time before the next day's window starts
    if gap < 30:
        return
    begin, end = start + length, start + length + min(gap, 60)
    first = DAYS[(DAYS.index(day) + begin // DAY_MINUTES) % 7]
    last = DAYS[(DAYS.index(day) + end // DAY_MINUTES) % 7]
    weekly = parse_weekly(f"{first}:{_clock(begin)}-{last}:{_clock(end)}")
    assert not daily_overlaps_weekly(daily, weekly)
