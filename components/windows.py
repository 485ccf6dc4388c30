"""Backup and maintenance windows as AWS writes them, parsed so clashes are caught before a deploy.

RDS and ElastiCache take a daily window ``hh24:mi-hh24:mi`` (backups, snapshots) and a weekly one
``ddd:hh24:mi-ddd:hh24:mi`` (maintenance), both in UTC, and reject a daily window that overlaps the
weekly one. These pure functions do the same arithmetic on minutes of the week.
"""

from __future__ import annotations

import re

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES

_CLOCK = r"([01]\d|2[0-3]):([0-5]\d)"
_DAILY = re.compile(rf"^{_CLOCK}-{_CLOCK}$")
_WEEKLY = re.compile(rf"^([a-z]{{3}}):{_CLOCK}-([a-z]{{3}}):{_CLOCK}$")

#: A window as ``(start, length)`` in minutes: start from Monday 00:00 (weekly) or midnight (daily).
Window = tuple[int, int]


class WindowError(ValueError):
    """A window AWS would reject, with the reason in words."""


def parse_daily(text: str, minimum_minutes: int = 30) -> Window:
    """``"03:00-04:00"`` → ``(180, 60)``. A window may cross midnight (``"23:30-00:30"``)."""
    match = _DAILY.match(text)
    if not match:
        raise WindowError("a daily window is 'hh:mm-hh:mm' in UTC, e.g. '03:00-04:00'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    length = (end - start) % DAY_MINUTES
    if length < minimum_minutes:
        raise WindowError(f"a daily window lasts at least {minimum_minutes} minutes")
    return start, length


def parse_weekly(text: str, minimum_minutes: int = 30) -> Window:
    """``"mon:04:00-mon:05:00"`` → ``(240, 60)`` (case-insensitive day names)."""
    match = _WEEKLY.match(text.lower())
    if not match:
        raise WindowError("a weekly window is 'ddd:hh:mm-ddd:hh:mm' in UTC, e.g. 'mon:04:00-mon:05:00'")
    d1, h1, m1, d2, h2, m2 = match.groups()
    if d1 not in DAYS or d2 not in DAYS:
        raise WindowError(f"days are {', '.join(DAYS)}")
    start = DAYS.index(d1) * DAY_MINUTES + int(h1) * 60 + int(m1)
    end = DAYS.index(d2) * DAY_MINUTES + int(h2) * 60 + int(m2)
    length = (end - start) % WEEK_MINUTES
    if length < minimum_minutes:
        raise WindowError(f"a weekly window lasts at least {minimum_minutes} minutes")
    if length > DAY_MINUTES:
        raise WindowError("a maintenance window lasts at most 24 hours")
    return start, length


def _segments(start: int, length: int) -> list[tuple[int, int]]:
    """Half-open ``[a, b)`` pieces of a window on the week's circle, split where it wraps."""
    end = start + length
    if end <= WEEK_MINUTES:
        return [(start, end)]
    return [(start, WEEK_MINUTES), (0, end - WEEK_MINUTES)]


def daily_overlaps_weekly(daily: Window, weekly: Window) -> bool:
    """True when the daily window, on any day, shares a minute with the weekly window."""
    weekly_pieces = _segments(*weekly)
    for day in range(7):
        for a, b in _segments(day * DAY_MINUTES + daily[0], daily[1]):
            if any(a < d and c < b for c, d in weekly_pieces):
                return True
    return False


def normalise_weekly(text: str) -> str:
    """The lower-case form AWS stores (``Mon:04:00-Mon:05:00`` → ``mon:04:00-mon:05:00``), so no drift."""
    return text.lower()
