"""Effective access: how much of the review window evaluators actually had. Pure functions over
aware datetimes, with no database: the selectors feed them the ledger's rows.

For one agency, effective access is the union, over the configurations it had access to, of that
configuration's access periods minus its interruptions, kept inside the review window and before
``now``. Overlapping periods count once; overlapping interruptions are subtracted once; an
interruption outside every period subtracts nothing. Durations are elapsed time (aware
arithmetic), so a period across a daylight-saving change is 23 or 25 hours a day long, as the
evaluators lived it; days are 24 hours of effective access.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

Interval = tuple[datetime.datetime, datetime.datetime]
DAY = datetime.timedelta(days=1)


def utc(moment: datetime.datetime) -> datetime.datetime:
    """Python subtracts two datetimes of the same zone by their wall clocks, ignoring a
    daylight-saving change between them: every computation here runs on UTC instead."""
    return moment.astimezone(datetime.UTC)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of ``intervals`` as sorted, disjoint intervals (empty ones dropped)."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(intervals: Iterable[Interval], cuts: Iterable[Interval]) -> list[Interval]:
    """``intervals`` minus every interval of ``cuts``."""
    result: list[Interval] = []
    cut_list = merge(cuts)
    for start, end in merge(intervals):
        cursor = start
        for cut_start, cut_end in cut_list:
            if cut_end <= cursor or cut_start >= end:
                continue
            if cut_start > cursor:
                result.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def clip(intervals: Iterable[Interval], lower: datetime.datetime, upper: datetime.datetime) -> list[Interval]:
    return [(max(s, lower), min(e, upper)) for s, e in intervals if min(e, upper) > max(s, lower)]


def total(intervals: Iterable[Interval]) -> datetime.timedelta:
    return sum((utc(end) - utc(start) for start, end in merge(intervals)), datetime.timedelta())


@dataclass(frozen=True)
class Period:
    """One access period of the ledger (``end`` None: access continues)."""

    configuration: Hashable
    start: datetime.datetime
    end: datetime.datetime | None


@dataclass(frozen=True)
class Cut:
    """One interruption of the ledger."""

    configuration: Hashable
    start: datetime.datetime
    end: datetime.datetime


def effective_intervals(
    periods: Iterable[Period],
    interruptions: Iterable[Cut],
    *,
    window: Interval,
    now: datetime.datetime,
) -> list[Interval]:
    """The moments of effective access: per configuration, its periods minus its interruptions;
    then their union, inside ``window`` and not after ``now``."""
    lower, upper = utc(window[0]), min(utc(window[1]), utc(now))
    if upper <= lower:
        return []
    by_configuration: dict[Hashable, list[Interval]] = defaultdict(list)
    cuts: dict[Hashable, list[Interval]] = defaultdict(list)
    for period in periods:
        by_configuration[period.configuration].append((utc(period.start), utc(period.end) if period.end else upper))
    for cut in interruptions:
        cuts[cut.configuration].append((utc(cut.start), utc(cut.end)))
    access: list[Interval] = []
    for configuration, intervals in by_configuration.items():
        access.extend(subtract(clip(intervals, lower, upper), cuts.get(configuration, ())))
    return merge(access)


def effective_access(
    periods: Iterable[Period],
    interruptions: Iterable[Cut],
    *,
    window: Interval,
    now: datetime.datetime,
) -> datetime.timedelta:
    """Access time minus interruptions (see the module's docstring)."""
    return total(effective_intervals(periods, interruptions, window=window, now=now))


def in_days(duration: datetime.timedelta) -> float:
    """A duration in days of 24 hours, to one decimal (what pages show and thresholds compare)."""
    return round(duration / DAY, 1)
